import base64
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trygg.demo import ljungby
from trygg.demo.services import demo_load


class Command(BaseCommand):
    help = "Läser in demodata: Ljungby kommuns medborgarlöfte 2023. Kan köras flera gånger."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo and its known staff password are not for production.")
        result = demo_load(with_examples=True)
        self.stdout.write(
            f"Demo loaded: {result.municipality.name}, {result.promise.focus_areas.count()} focus areas, "
            f"{sum(area.activities.count() for area in result.promise.focus_areas.all())} activities."
        )
        secret = base64.b32encode(bytes.fromhex(ljungby.DEMO_TOTP_KEY)).decode()
        for username, *_rest in ljungby.DEMO_STAFF:
            self.stdout.write(f"Demo staff login: {username} / {ljungby.DEMO_PASSWORD}")
        self.stdout.write(
            f"Demo second factor: add the TOTP secret {secret} to an authenticator app "
            f"(or run: oathtool --totp -b {secret}) and give its 6-digit code at login."
        )
