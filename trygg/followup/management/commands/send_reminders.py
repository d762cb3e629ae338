import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from trygg.followup.services import reminders_send


class Command(BaseCommand):
    help = (
        "E-post till ansvariga om aktiviteter som är försenade, ska göras inom 30 dagar eller väntar på en "
        "bedömning. Skickar högst ett sammandrag per person, kommun och dag, och namnger den personal som "
        "inte kan få något för att e-postadress saknas."
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
        run = reminders_send(today=today)
        self.stdout.write(f"{len(run.sent)} påminnelser skickade ({today.isoformat()}).")
        if run.unreachable:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(run.unreachable)} ansvariga får inga påminnelser: e-postadress saknas. "
                    "De lägger till den under Mitt konto i Trygg."
                )
            )
            for gap in sorted(
                run.unreachable, key=lambda gap: (gap.municipality.name, gap.user.get_username())
            ):
                name = gap.user.get_full_name() or gap.user.get_username()
                self.stderr.write(
                    f"  {gap.municipality.name}: {name} ({gap.user.get_username()}), "
                    f"{gap.activities} aktiviteter att följa upp"
                )
