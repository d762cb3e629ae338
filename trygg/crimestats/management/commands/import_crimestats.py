from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trygg.crimestats import importers, services


class Command(BaseCommand):
    help = (
        "Import reported crime per kommun, category and period from a CSV "
        "(kommunkod,kommun,brottskategori,period,antal) or another layout through --mapping. "
        "A file with errors imports nothing; the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", type=Path, help="a column-mapping TOML file (see docs/lagesbild.md)")
        parser.add_argument(
            "--create-municipalities",
            action="store_true",
            help="add kommuner that are not in Trygg yet (needed for county and country comparisons)",
        )
        parser.add_argument("--source", default="", help="where the figures come from, shown on the site")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: filen finns inte")
        try:
            mapping = (
                importers.mapping_from_toml(options["mapping"])
                if options["mapping"]
                else importers.DEFAULT_MAPPING
            )
        except (importers.MappingFileError, OSError) as error:
            raise CommandError(f"{options['mapping']}: {error}") from error
        with tqdm(desc=path.name, unit=" rader", unit_scale=True, disable=None, file=self.stderr._out) as bar:
            try:
                result = services.crimestats_import(
                    source=path,
                    file_name=path.name,
                    by=None,
                    mapping=mapping,
                    create_municipalities=options["create_municipalities"],
                    source_note=options["source"],
                    progress=bar.update,
                )
            except importers.CrimeFileError as error:
                bar.close()
                lines = "\n".join(f"{path}: {item}" for item in error.errors[:50])
                more = error.total - min(len(error.errors), 50)
                suffix = f"\n… och {more} fel till" if more > 0 else ""
                raise CommandError(f"{error.total} fel; ingenting importerades.\n{lines}{suffix}") from error
        if result.unchanged:
            self.stdout.write(f"{path.name}: {result.rows} rader, inget nytt – ingenting ändrades.")
            return
        assert result.run is not None
        self.stdout.write(
            f"{path.name}: {result.rows} rader importerade ({result.run.periods}); "
            f"{result.added} nya, {result.replaced} ersatta, {result.removed} borttagna uppgifter."
        )
