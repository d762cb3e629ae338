import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from trygg.followup.services import reminders_send


class Command(BaseCommand):
    help = (
        "E-post till ansvariga om aktiviteter som är försenade eller ska göras inom 30 dagar. "
        "Skickar högst ett sammandrag per person och dag."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Dagens datum (ÅÅÅÅ-MM-DD); standard är i dag.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        sent = reminders_send(today=today)
        self.stdout.write(f"{len(sent)} påminnelser skickade ({today.isoformat()}).")
