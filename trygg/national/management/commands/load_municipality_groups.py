from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trygg.core.text import decode_text_file
from trygg.national.loaders import DATA, group_definitions, read_groups
from trygg.national.services import municipality_groups_load

EXAMPLE = DATA / "kommungrupper_2023_exempel.csv"


class Command(BaseCommand):
    help = (
        "Läser in SKR:s kommungruppsindelning ur en CSV-fil (kolumnerna kommunkod eller kommun, och kommungrupp). "
        "Filen ersätter utgåvans tidigare indelning. Med --example läses Tryggs exempelfil, märkt som exempeldata."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="CSV-filen med indelningen.")
        parser.add_argument("--edition", default="2023", help="Indelningens utgåva (standard 2023).")
        parser.add_argument("--source", default="", help="Varifrån indelningen kommer, t.ex. SKR:s rapport.")
        parser.add_argument(
            "--example",
            action="store_true",
            help="Läs Tryggs exempelfil (några kommuner, märkta som exempel).",
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
        result = read_groups(text)
        for problem in result.problems:
            self.stderr.write(f"{path.name} rad {problem.line}: {problem.message}")
        if result.problems:
            raise CommandError(f"{len(result.problems)} fel; ingenting är inläst.")
        source = options["source"] or (
            "Exempel i Trygg, inte SKR:s fullständiga förteckning" if options["example"] else path.name
        )
        try:
            loaded = municipality_groups_load(
                definitions=group_definitions(),
                rows=result.rows,
                edition=options["edition"],
                source=source,
                is_example=options["example"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{len(result.rows)} kommuner inlästa: {loaded.created} nya, {loaded.updated} ändrade, "
            f"{loaded.removed} borttagna."
        )
