"""Recognising a statistics file by its content and reading it with the right reader. No Django import.

The import command and the staff upload page call these two functions; the result says which format was read
(`format_name`), and the preview shows it, so a wrong guess cannot pass unseen.
"""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from trygg.core.text import decode_text_file

from . import bra, kolada, kommuner, pxstat
from .importers import (
    DEFAULT_MAPPING,
    FORMAT_NAMES,
    MAX_REPORTED_ERRORS,
    ColumnMapping,
    CrimeFileError,
    CrimeTable,
    LineError,
    PopulationTable,
    periods_summary,
    read_crime_file,
    read_population_file,
)

WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
CATEGORIES_PATH = Path(__file__).with_name("categories.toml")


def category_spellings(path: Path = CATEGORIES_PATH) -> dict[str, list[str]]:
    """code → name, aliases and the police's four-digit crime codes, straight from categories.toml (the preview
    reads a file with these before anything is stored)."""
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("category", [])
    return {
        entry["code"]: [entry["name"], *entry.get("aliases", []), *entry.get("bra_codes", [])]
        for entry in entries
    }


def detect(data: bytes) -> str:
    """The format key of FORMAT_NAMES that the content looks like; "trygg" when nothing else fits."""
    if data.startswith(WORKBOOK_MAGIC):
        return "bra_workbook"
    text = decode_text_file(data[: 1 << 16])
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith(("{", "[")):
        return "json"
    if pxstat.looks_like_px(text):
        return "pcaxis"
    first = stripped.split("\n", 1)[0].rstrip("\r")
    if bra.sol_header(first):
        return "bra_sol"
    if bra.kommun_csv_lines(stripped):
        return "bra_kommun_csv"
    return "trygg"


def _json_documents(pages: Sequence[bytes]) -> list[object]:
    return [pxstat.read_json(page) for page in pages]


def read_crime_statistics(
    data: bytes,
    *,
    file_name: str,
    categories: Mapping[str, Collection[str]],
    municipalities: Collection[str] | None = None,
    mapping: ColumnMapping | None = None,
    year: int | None = None,
    category: str | None = None,
    more_pages: Sequence[bytes] = (),
    max_errors: int = MAX_REPORTED_ERRORS,
) -> CrimeTable | kolada.KoladaSeries:
    """Any supported file of reported crime (or a Kolada key figure) → a validated table; CrimeFileError if the
    file has errors. A mapping file forces the column-mapped CSV reader. `year` and `category` name what Brå's
    per-kommun CSV leaves out; `more_pages` are further pages of a Kolada answer."""
    if mapping is not None and mapping != DEFAULT_MAPPING:
        return read_crime_file(
            data, categories=categories, municipalities=municipalities, mapping=mapping, max_errors=max_errors
        )
    kind = detect(data)
    if kind == "bra_workbook":
        return bra.read_workbook(
            data, categories=categories, municipalities=municipalities, max_errors=max_errors
        )
    if kind == "json":
        documents = _json_documents([data, *more_pages])
        first = documents[0]
        if kolada.looks_like_kolada(first):
            return kolada.read_kolada(documents, max_errors=max_errors)
        if pxstat.looks_like_jsonstat(first):
            cube = pxstat.read_jsonstat(first, max_errors=max_errors)
            _require_kind(cube, "crime")
            return pxstat.cube_as_crime(
                cube, categories=categories, municipalities=municipalities, max_errors=max_errors
            )
        raise CrimeFileError([LineError(0, None, "unknown_format", path="$")])
    if kind == "pcaxis":
        cube = pxstat.read_px(data, max_errors=max_errors)
        _require_kind(cube, "crime")
        return pxstat.cube_as_crime(
            cube, categories=categories, municipalities=municipalities, max_errors=max_errors
        )
    if kind == "bra_sol":
        return bra.read_sol(
            decode_text_file(data),
            categories=categories,
            municipalities=municipalities,
            max_errors=max_errors,
        )
    if kind == "bra_kommun_csv":
        return bra.read_kommun_csv(
            decode_text_file(data),
            file_name=file_name,
            categories=categories,
            municipalities=municipalities,
            year=year,
            category=category,
            max_errors=max_errors,
        )
    return read_crime_file(
        data,
        categories=categories,
        municipalities=municipalities,
        mapping=DEFAULT_MAPPING,
        max_errors=max_errors,
    )


def _require_kind(cube: pxstat.Cube, wanted: str) -> None:
    found = pxstat.cube_kind(cube)
    if found not in (wanted, "unknown"):
        names = {"population": "en folkmängdstabell", "crime": "en tabell över anmälda brott"}
        raise CrimeFileError(
            [
                LineError(
                    1 if cube.format == "pcaxis" else 0,
                    None,
                    "wrong_kind",
                    None,
                    {"found": names[found], "expected": names[wanted]},
                    path=None if cube.format == "pcaxis" else "$",
                )
            ]
        )


def read_population_statistics(
    data: bytes,
    *,
    municipalities: Collection[str] | None = None,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> PopulationTable:
    """SCB's population table as JSON-stat 2.0 or PC-Axis, or Trygg's population CSV."""
    kind = detect(data)
    cube = None
    if kind == "json":
        document = pxstat.read_json(data)
        if not pxstat.looks_like_jsonstat(document):
            raise CrimeFileError([LineError(0, None, "unknown_format", path="$")])
        cube = pxstat.read_jsonstat(document, max_errors=max_errors)
    elif kind == "pcaxis":
        cube = pxstat.read_px(data, max_errors=max_errors)
    if cube is None:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        return read_population_file(data, municipalities=municipalities, max_errors=max_errors)
    _require_kind(cube, "population")
    return pxstat.cube_as_population(cube, municipalities=municipalities, max_errors=max_errors)


@dataclass(frozen=True)
class Preview:
    """What a read file holds, shown before anything is stored."""

    format_name: str
    rows: int
    periods: str
    places: int  # kommuner (and län or country totals) in the file
    totals: tuple[str, ...]  # names of the län and the country whose own totals the file gives
    preliminary: int = 0
    missing: int = 0
    unknown_categories: tuple[tuple[str, int], ...] = ()
    unresolved_regions: tuple[tuple[str, int], ...] = ()
    combined: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    next_url: str = ""


def _area_names(codes: Collection[str]) -> tuple[str, ...]:
    names = {kommuner.COUNTRY_CODE: "Riket", **kommuner.counties()}
    return tuple(names.get(code, code) for code in sorted(code for code in codes if len(code) == 2))


def preview(table: CrimeTable | PopulationTable | kolada.KoladaSeries) -> Preview:
    if isinstance(table, kolada.KoladaSeries):
        codes = table.frame.get_column("area_code").unique().to_list()
        return Preview(
            format_name=f"{FORMAT_NAMES['kolada']} ({', '.join(table.kpis)})",
            rows=table.rows,
            periods=periods_summary([(year, 0) for year in table.years]),
            places=sum(1 for code in codes if len(code) == 4),
            totals=_area_names(codes),
            missing=table.frame.filter(pl.col("value").is_null()).height,
            unresolved_regions=tuple(table.unresolved_regions.items()),
            next_url=table.next_url or "",
        )
    codes = table.frame.get_column("kommun_code").unique().to_list()
    if isinstance(table, PopulationTable):
        years = table.frame.get_column("year").unique().to_list()
        periods = periods_summary([(int(year), 0) for year in years])
    else:
        periods = periods_summary(table.periods)
    return Preview(
        format_name=table.format_name,
        rows=table.rows,
        periods=periods,
        places=sum(1 for code in codes if len(code) == 4),
        totals=_area_names(codes),
        preliminary=table.preliminary_rows if isinstance(table, CrimeTable) else 0,
        missing=table.skipped,
        unknown_categories=tuple(getattr(table, "unknown_categories", {}).items()),
        unresolved_regions=tuple(table.unresolved_regions.items()),
        combined=tuple((code, " + ".join(types)) for code, types in getattr(table, "combined", {}).items()),
        notes=tuple(getattr(table, "notes", ())),
    )
