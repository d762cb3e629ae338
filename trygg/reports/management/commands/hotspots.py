"""`trygg hotspots CSV [--cell 250] [--all] [--json]`: Getis–Ord Gi* hot cells of lat/lon points, as JSON on stdout."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

# The grid's default size, as trygg.reports.geo has it (that module imports numpy, polars and pyproj).
DEFAULT_CELL = 250


class Command(BaseCommand):
    help = (
        "Hot cells (Getis–Ord Gi*) of the points in a CSV with lat and lon columns; JSON on standard output."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", help="CSV file with a header naming lat and lon (WGS84); '-' reads stdin")
        parser.add_argument(
            "--cell", type=int, default=DEFAULT_CELL, help="cell size in metres (default 250)"
        )
        parser.add_argument("--all", action="store_true", help="list every non-empty cell, not only hot ones")
        # The output is always the contract's JSON; the flag is accepted so that scripts may say so.
        parser.add_argument("--json", action="store_true", help="write the result as JSON (always the case)")

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.reports import geo

        path, cell = options["csv"], options["cell"]
        if cell <= 0:
            raise CommandError(f"--cell must be a positive number of metres, not {cell}")
        try:
            source: Any = sys.stdin.buffer if path == "-" else path
            result = geo.hotspots_from_csv(source, cell=cell, all_cells=options["all"])
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (IsADirectoryError, PermissionError) as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except geo.HotspotInputError as error:
            raise CommandError("\n".join(f"{path}: {line}" for line in str(error).splitlines())) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
