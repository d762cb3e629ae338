"""`trygg import_gazetteer FILE --municipality SLUG`: streets and places (CSV name,kind,lat,lon) for address lookup.

All or nothing: any bad row stops the import, and every error names the line (header = line 1) and column.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trygg.municipalities.models import Municipality

if TYPE_CHECKING:
    from trygg.reports.services import PlaceRow

COLUMNS = ("name", "kind", "lat", "lon")
LIMITS = {"lat": 90.0, "lon": 180.0}
MAX_ERRORS = 20


def read_rows(text: str, path: str) -> tuple[list[PlaceRow], list[str]]:
    from trygg.reports.services import PlaceRow  # imports shapely and pyproj: not when Django starts

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return [], [f"{path}: line 1: the file is empty; expected the header name,kind,lat,lon"]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return [], [f"{path}: line 1, column {column}: the header has no such column" for column in missing]
    index = {column: header.index(column) for column in COLUMNS}
    rows: list[PlaceRow] = []
    errors: list[str] = []
    previous = reader.line_num
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if not "".join(row).strip():
                continue
            values: dict[str, Any] = {}
            for column in COLUMNS:
                raw = row[index[column]].strip() if index[column] < len(row) else ""
                if not raw:
                    errors.append(f"{path}: line {line}, column {column}: missing value")
                    continue
                if column in LIMITS:
                    try:
                        number = float(raw)
                    except ValueError:
                        hint = " (use a decimal point)" if "," in raw else ""
                        errors.append(f"{path}: line {line}, column {column}: {raw!r} is not a number{hint}")
                        continue
                    if not math.isfinite(number) or abs(number) > LIMITS[column]:
                        errors.append(f"{path}: line {line}, column {column}: {raw} is out of range")
                        continue
                    values[column] = number
                elif len(raw) > (200 if column == "name" else 60):
                    errors.append(f"{path}: line {line}, column {column}: too long")
                else:
                    values[column] = raw
            if len(values) == 4:
                rows.append(PlaceRow(line, values["name"], values["kind"], values["lat"], values["lon"]))
    except csv.Error as error:
        errors.append(f"{path}: line {previous + 1}: the CSV cannot be read here: {error}")
    if not rows and not errors:
        errors.append(f"{path}: the file has no places (only a header)")
    return rows, errors


class Command(BaseCommand):
    help = "Import a municipality's gazetteer (CSV: name,kind,lat,lon) used to resolve typed addresses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="the municipality's slug, e.g. ljungby")

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.reports.services import places_import

        path = options["file"]
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"no municipality with the slug {options['municipality']!r}")
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise CommandError(f"{path}: line {line}: the file is not UTF-8 text") from None
        rows, errors = read_rows(text, path)
        if errors:
            more = len(errors) - MAX_ERRORS
            shown = errors[:MAX_ERRORS] + ([f"… and {more} more errors"] if more > 0 else [])
            raise CommandError("nothing imported:\n" + "\n".join(shown))
        progress = tqdm(rows, desc="places", unit="row", file=sys.stderr, disable=not sys.stderr.isatty())
        created, updated = places_import(municipality=municipality, rows=progress)
        self.stdout.write(f"{municipality.slug}: {created} places created, {updated} updated")
