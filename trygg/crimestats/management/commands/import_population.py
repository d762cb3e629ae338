from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trygg.crimestats import importers, services


class Command(BaseCommand):
    help = (
        "Import population per kommun and year (SCB's layout: kommunkod,kommun,år,folkmängd, or region,år,folkmängd "
        'with "0781 Ljungby" in region). A file with errors imports nothing.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--create-municipalities", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: filen finns inte")
        try:
            result = services.population_import(
                source=path,
                file_name=path.name,
                by=None,
                create_municipalities=options["create_municipalities"],
            )
        except importers.CrimeFileError as error:
            lines = "\n".join(f"{path}: {item}" for item in error.errors[:50])
            raise CommandError(f"{error.total} fel; ingenting importerades.\n{lines}") from error
        if result.unchanged:
            self.stdout.write(f"{path.name}: {result.rows} rader, inget nytt – ingenting ändrades.")
        else:
            self.stdout.write(
                f"{path.name}: {result.added} nya och {result.replaced} ändrade uppgifter om folkmängd."
            )
