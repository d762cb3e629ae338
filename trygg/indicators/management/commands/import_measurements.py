"""`trygg import_measurements FILE --indicator ID [--by USERNAME]`: measurements from CSV, all or nothing.

Errors name the file, the line (the header is line 1) and the column. With --by, each new sampling
occasion counts once as an execution of the indicator's linked activities, recorded as that user.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from trygg.accounts.models import User
from trygg.core.text import decode_text_file
from trygg.indicators import services
from trygg.indicators.importing import measurements_parse
from trygg.indicators.models import Indicator, Measurement


class Command(BaseCommand):
    help = "Importerar mätningar från en CSV-fil till en indikator. Inget importeras om filen har fel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--indicator", type=int, required=True, help="Indikatorns id.")
        parser.add_argument("--by", default="", help="Användarnamn som mätningarna räknas som utförda av.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            indicator = Indicator.objects.select_related("municipality").get(pk=options["indicator"])
        except Indicator.DoesNotExist:
            raise CommandError(f"Ingen indikator med id {options['indicator']}.") from None
        by = None
        if options["by"]:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"Ingen användare {options['by']!r}.")
        try:
            text = decode_text_file(path.read_bytes())
        except OSError as error:
            raise CommandError(f"{path}: kan inte läsas ({error}).") from None
        rows, errors = measurements_parse(
            text, kind=indicator.kind, substances=frozenset(Measurement.Substance.values)
        )
        if errors:
            raise CommandError("Inget importerades.\n" + "\n".join(f"{path}: {error}" for error in errors))
        progress = tqdm(total=len(rows), unit="rader", disable=None, file=self.stderr._out)
        try:
            count, counted = services.measurements_import(
                indicator=indicator, rows=rows, by=by, today=timezone.localdate()
            )
        except services.ImportErrors as failure:
            raise CommandError(
                "Inget importerades.\n" + "\n".join(f"{path}: {error}" for error in failure.errors)
            ) from None
        except PermissionDenied:
            raise CommandError(f"{options['by']} får inte registrera mätningar för {indicator}.") from None
        finally:
            progress.update(len(rows))
            progress.close()
        self.stdout.write(f"{count} mätningar importerade till {indicator}.")
        if by is None:
            self.stdout.write("Inga utföranden registrerades (ange --by för att räkna mätningarna).")
        else:
            self.stdout.write(f"{counted.executions} utföranden registrerade.")
            for activity in counted.not_counted:
                self.stdout.write(f"Inte räknad (saknar behörighet): {activity.text}")
