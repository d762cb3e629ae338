from typing import Any

from django.core.management.base import BaseCommand

from trygg.core.ratelimit import rate_limit_purge


class Command(BaseCommand):
    help = "Tar bort räknare för begränsningar vars tidsfönster har gått ut, och gårdagens nyckel (körs varje timme)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"rate_limit_counters: {rate_limit_purge()}")
