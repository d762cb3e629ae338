from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from .import_crimestats import file_errors, left_out


class Command(BaseCommand):
    help = (
        "Import population per kommun (and län and country) and year: SCB's table BE0101N1 as JSON-stat 2.0 or "
        'PC-Axis, or a CSV (kommunkod,kommun,år,folkmängd, or region,år,folkmängd with "0781 Ljungby" in region). '
        "A file with errors imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--create-municipalities", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.crimestats import importers, services  # imports polars: not when Django starts

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: filen finns inte")
        with tqdm(desc=path.name, unit=" rader", unit_scale=True, disable=None, file=self.stderr._out) as bar:
            try:
                result = services.population_import(
                    source=path,
                    file_name=path.name,
                    by=None,
                    create_municipalities=options["create_municipalities"],
                    progress=bar.update,
                )
            except importers.CrimeFileError as error:
                bar.close()
                raise CommandError(file_errors(path, error)) from error
        self.stdout.write(f"{path.name}: läst som {result.format_name}.")
        if result.unchanged:
            self.stdout.write(f"{path.name}: {result.rows} rader, inget nytt – ingenting ändrades.")
            return
        self.stdout.write(
            f"{path.name}: {result.added} nya och {result.replaced} ändrade uppgifter om folkmängd."
        )
        if result.run is not None and result.run.report:
            self.stdout.write("Inte importerat:")
            for line in left_out(result.run.report):
                self.stdout.write(line)
