from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

if TYPE_CHECKING:
    from trygg.crimestats import importers


def file_errors(path: Path, error: importers.CrimeFileError) -> str:
    lines = "\n".join(f"{path}: {item}" for item in error.errors[:50])
    more = error.total - min(len(error.errors), 50)
    suffix = f"\n… och {more} fel till" if more > 0 else ""
    return f"{error.total} fel; ingenting importerades.\n{lines}{suffix}"


def left_out(report: dict[str, Any]) -> list[str]:
    lines = []
    for title, items in report.items():
        if isinstance(items, dict):
            shown = ", ".join(
                f"{name} ({value if not isinstance(value, list) else ' + '.join(value)})"
                for name, value in list(items.items())[:15]
            )
            more = f" … och {len(items) - 15} till" if len(items) > 15 else ""
            lines.append(f"  {title}: {shown}{more}")
        elif isinstance(items, list):
            lines.append(f"  {title}: {'; '.join(str(item) for item in items[:5])}")
        else:
            lines.append(f"  {title}: {items}")
    return lines


class Command(BaseCommand):
    help = (
        "Import reported crime per kommun, category and period. The format is recognised from the content: "
        "Trygg's CSV (kommunkod,kommun,brottskategori,period,antal), Brå's SOL export, Brå's per-kommun CSV or "
        "workbook, SCB's JSON-stat 2.0 or PC-Axis, or a Kolada v3 key figure (give every page of the answer). "
        "A file with errors imports nothing; the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("more_pages", type=Path, nargs="*", help="further pages of a Kolada answer")
        parser.add_argument("--mapping", type=Path, help="a column-mapping TOML file (see docs/lagesbild.md)")
        parser.add_argument(
            "--create-municipalities",
            action="store_true",
            help="add kommuner that are not in Trygg yet (needed for county and country comparisons)",
        )
        parser.add_argument("--source", default="", help="where the figures come from, shown on the site")
        parser.add_argument(
            "--year", type=int, help="the year of Brå's per-kommun CSV when its name has none"
        )
        parser.add_argument(
            "--category", help="the category of Brå's per-kommun CSV (default: samtliga brott)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # polars and the readers of every format: imported when a file is read, not when Django starts.
        from trygg.crimestats import importers, services

        path: Path = options["file"]
        for item in (path, *options["more_pages"]):
            if not item.is_file():
                raise CommandError(f"{item}: filen finns inte")
        try:
            mapping = importers.mapping_from_toml(options["mapping"]) if options["mapping"] else None
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
                    year=options["year"],
                    category=options["category"],
                    more_pages=[item.read_bytes() for item in options["more_pages"]],
                )
            except importers.CrimeFileError as error:
                bar.close()
                raise CommandError(file_errors(path, error)) from error
        if result.skipped:
            assert result.run is not None
            self.stdout.write(
                f"{path.name}: samma fil importerades senast {timezone.localtime(result.run.imported_at):%Y-%m-%d %H:%M} "
                f"({result.rows} rader) – hoppades över utan att läsas; ingenting ändrades."
            )
            return
        self.stdout.write(f"{path.name}: läst som {result.format_name}.")
        if result.unchanged:
            self.stdout.write(f"{path.name}: {result.rows} rader, inget nytt – ingenting ändrades.")
            return
        assert result.run is not None
        finalised = f", varav {result.finalised} preliminära nu slutliga" if result.finalised else ""
        self.stdout.write(
            f"{path.name}: {result.rows} rader importerade ({result.run.periods}); "
            f"{result.added} nya, {result.replaced} ersatta{finalised}, {result.removed} borttagna uppgifter."
        )
        if result.examples_removed:
            figures = "uppgift" if result.examples_removed == 1 else "uppgifter"
            self.stdout.write(
                f"{path.name}: {result.examples_removed} {figures} exempeldata togs bort, "
                "där filens verkliga siffror fyllde samma år."
            )
        if result.run.left_out:
            self.stdout.write("Inte importerat:")
            for line in left_out(result.run.left_out):
                self.stdout.write(line)
