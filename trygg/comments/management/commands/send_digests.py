from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from trygg.comments.digest import digests_send
from trygg.core.site import site_url


class Command(BaseCommand):
    help = "Skicka dagens sammanfattningar till prenumeranter (högst en per dag och bara när något är nytt)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--base-url", default="", help="Webbplatsens adress i länkarna (annars SITE_URL)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        sent = digests_send(
            today=timezone.localdate(now), now=now, base_url=(options["base_url"] or site_url()).rstrip("/")
        )
        self.stdout.write(f"{sent} sammanfattningar skickade.")
