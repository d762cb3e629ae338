import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from trygg.core.media import media_cleanup


class Command(BaseCommand):
    help = (
        "Tar bort filer i MEDIA_ROOT som ingen rad hänvisar till (äldre än --grace-minutes) och rader vars fil "
        "saknas. Kan köras medan webbplatsen är i gång."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=60,
            help="Filer yngre än så lämnas: en uppladdning kan vara på väg (standard 60; 0 när appen är stoppad).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Visa bara vad som skulle göras.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["grace_minutes"] < 0:
            raise CommandError("--grace-minutes kan inte vara negativt.")
        result = media_cleanup(
            now=timezone.now(),
            grace=dt.timedelta(minutes=options["grace_minutes"]),
            dry_run=options["dry_run"],
        )
        verb = "skulle tas bort" if options["dry_run"] else "borttagna"
        for name in result.files_deleted:
            self.stdout.write(f"fil utan rad, {verb}: {name}")
        for missing in result.rows_missing_file:
            state = "åtgärdad" if missing.repaired else "kvar, behöver ses över"
            self.stdout.write(f"rad utan fil ({state}): {missing.model} {missing.pk} {missing.name}")
        self.stdout.write(
            f"{len(result.files_deleted)} filer utan rad {verb}; "
            f"{len(result.files_too_new)} för nya för att röras; "
            f"{len(result.rows_missing_file)} rader utan fil, "
            f"{len(result.rows_left_without_file)} kvar."
        )
        if result.rows_left_without_file:
            raise CommandError("Rader utan fil finns kvar; se listan ovan.")
