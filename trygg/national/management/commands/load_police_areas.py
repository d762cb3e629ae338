from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trygg.core.text import decode_text_file
from trygg.national.loaders import DATA, read_police_areas
from trygg.national.services import police_areas_load

EXAMPLE = DATA / "lokalpolisomraden_exempel.csv"


class Command(BaseCommand):
    help = (
        "Läser in lokalpolisområden och vilka kommuner de omfattar, med giltighetstid och källa, ur en CSV-fil "
        "(region, polisomrade, lokalpolisomrade, kommunkod, giltig_fran, giltig_till, kalla). Filen ersätter "
        "tidigare inlästa perioder, utom med --add."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--add", action="store_true", help="Lägg till och uppdatera, ta inte bort något.")
        parser.add_argument(
            "--example", action="store_true", help="Läs Tryggs exempelfil (märkt som exempel)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = EXAMPLE if options["example"] else options["file"]
        if path is None:
            raise CommandError("Ange en fil, eller --example.")
        try:
            # UTF-8 (with or without a byte order mark), UTF-16 or Windows-1252, as offices save a CSV file.
            text = decode_text_file(path.read_bytes())
        except OSError as error:
            raise CommandError(f"{path}: filen kan inte läsas ({error.strerror or error}).") from error
        result = read_police_areas(text)
        for problem in result.problems:
            self.stderr.write(f"{path.name} rad {problem.line}: {problem.message}")
        if result.problems:
            raise CommandError(f"{len(result.problems)} fel; ingenting är inläst.")
        try:
            loaded = police_areas_load(
                rows=result.rows, is_example=options["example"], replace=not options["add"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{len(result.rows)} perioder inlästa: {loaded.created} nya, {loaded.updated} ändrade, "
            f"{loaded.removed} tidigare borttagna."
        )
