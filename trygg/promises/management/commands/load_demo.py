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
        roles = {"coordinator": "samordnare", "police": "kommunpolis", "crew": "driftpersonal"}
        for username, first_name, last_name, party, role in ljungby.DEMO_STAFF:
            self.stdout.write(
                f"Demo staff login: {username} / {ljungby.DEMO_PASSWORD}  ({first_name} {last_name}, "
                f"{roles.get(role, role)}, {party}, {ljungby.demo_email(username)})"
            )
        operator = ljungby.DEMO_OPERATOR[0]
        self.stdout.write(
            f"Demo platform operator: {operator} / {ljungby.DEMO_PASSWORD}  (superuser, the only demo login for "
            f"/admin/, {ljungby.demo_email(operator)})"
        )
        self.stdout.write(
            "Staff pages: /personal/ (everything municipal staff do). E-mail is printed to this console."
        )
        self.stdout.write(
            f"Demo second factor: add the TOTP secret {secret} to an authenticator app "
            f"(or run: oathtool --totp -b {secret}) and give its 6-digit code at login."
        )
