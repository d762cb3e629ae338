"""What the readers of Brå's, SCB's and other published files share: text decoding, periods as Brå and SCB write
them, and turning a long table of (region, crime type, period, count) cells into a validated CrimeTable.

No Django import. Each reader produces a polars frame with these columns, all strings except `_line`:

    _line, _sheet, _path            where a cell is (line number, a workbook's sheet, a JSON path); may be null
    region_raw, _region_column      the region as the file writes it and the column that holds it
    crime_raw, _crime_column        the crime type as the file writes it ("0950 - Befogenhetsbedrägeri")
    period_raw, _period_column      "2025", "2026 prel. Okt", "2025 Kvartal 3", "2025M10", …
    count_raw, _count_column        "1 204", "..", "-"

and `build_crime_table` resolves regions against the official list, maps crime types to Trygg's categories,
parses periods and counts, and raises CrimeFileError naming every bad cell (nothing is imported from such a file).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping
from functools import cache

import polars as pl

from . import kommuner
from .importers import (
    CRIME_SCHEMA,
    MONTH_NAMES,
    QUARTER_OFFSET,
    CrimeFileError,
    CrimeTable,
    LineError,
    category_lookup,
)

MISSING_MARKS = frozenset({"", "..", "...", "…", "....", "....."})
ZERO_MARKS = frozenset({"-"})
LONG_COLUMNS = (
    "_line",
    "_sheet",
    "_path",
    "region_raw",
    "_region_column",
    "crime_raw",
    "_crime_column",
    "period_raw",
    "_period_column",
    "count_raw",
    "_count_column",
)
LONG_SCHEMA = {name: (pl.Int64 if name == "_line" else pl.String) for name in LONG_COLUMNS}

_WHOLE_YEAR = {"", "år", "helår", "hela året", "året", "total", "totalt"}
_PERIOD = re.compile(r"^(\d{4})\s*(prel\.?)?\s*(.*?)\s*(prel\.?)?$", re.IGNORECASE)
_NUMBERED = re.compile(r"^([-MKQ]?)\s*(\d{1,2})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(?:kvartal|kv\.?|q|k)\s*([1-4])$", re.IGNORECASE)
_CRIME_CODE = re.compile(r"^(\d{4})\s*[-–—:]\s*(.+)$")


@cache
def parse_period(text: str) -> tuple[int, int, bool] | None:
    """(year, month, preliminary) from Brå's and SCB's ways of writing a period; month 0 is the whole year and
    13–16 the quarters. None if the text is not a period."""
    cleaned = " ".join(text.replace("\u00a0", " ").split())
    match = _PERIOD.match(cleaned)
    if match is None:
        return None
    year = int(match.group(1))
    preliminary = bool(match.group(2) or match.group(4))
    rest = match.group(3).strip().rstrip(".").casefold()
    if rest in _WHOLE_YEAR:
        return year, 0, preliminary
    numbered = _NUMBERED.match(rest)
    if numbered:
        kind, number = numbered.group(1).upper(), int(numbered.group(2))
        if kind in ("K", "Q"):
            return (year, QUARTER_OFFSET + number, preliminary) if 1 <= number <= 4 else None
        return (year, number, preliminary) if 1 <= number <= 12 else None
    if rest in MONTH_NAMES:
        return year, MONTH_NAMES[rest], preliminary
    quarter = _QUARTER.match(rest)
    if quarter:
        return year, QUARTER_OFFSET + int(quarter.group(1)), preliminary
    return None


def join_period(year: str, period: str) -> str:
    """Brå's two columns År ("2026 prel.") and Period ("Okt", "Kvartal 3", "År") as one text."""
    return f"{year.strip()} {period.strip()}".strip()


def parse_count(text: str) -> int | str | None:
    """An integer, None for a cell the source marks as missing, or "bad" when it is neither."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("\u202f", "").strip()
    if cleaned in MISSING_MARKS:
        return None
    if cleaned in ZERO_MARKS:
        return 0
    if cleaned.endswith(".0") and cleaned[:-2].isdigit():
        cleaned = cleaned[:-2]
    if cleaned.isdigit():
        return int(cleaned)
    if cleaned.startswith("-") and cleaned[1:].isdigit():
        return -int(cleaned[1:])
    return "bad"


def crime_depth(text: str) -> tuple[int, str]:
    """Brå indents sub-types with leading dots ("..Misshandel"): (depth, the name without them)."""
    stripped = text.strip()
    name = stripped.lstrip(".").strip()
    dots = len(stripped) - len(stripped.lstrip("."))
    return dots // 2 if dots > 1 else dots, name


def category_of(text: str, lookup: Mapping[str, str]) -> str | None:
    """A Brå crime type ("0950 - Befogenhetsbedrägeri", "Skadegörelsebrott") → a Trygg category code."""
    _depth, name = crime_depth(text)
    key = name.casefold()
    if key in lookup:
        return lookup[key]
    coded = _CRIME_CODE.match(name)
    if coded:
        return lookup.get(coded.group(1)) or lookup.get(coded.group(2).strip().casefold())
    return None


def crime_mapping(types: list[str], lookup: Mapping[str, str]) -> dict[str, str | None]:
    """Each crime type (in the file's order) → its category, leaving out a sub-type whose parent (by Brå's dot
    indentation) maps to the same category: the parent already counts it."""
    mapping: dict[str, str | None] = {}
    parents: list[tuple[int, str]] = []  # the chain of open parents: (depth, type)
    for text in types:
        depth, _name = crime_depth(text)
        while parents and parents[-1][0] >= depth:
            parents.pop()
        category = category_of(text, lookup)
        if category is not None and any(mapping.get(parent) == category for _d, parent in parents):
            category = "__in_parent__"
        mapping[text] = category
        parents.append((depth, text))
    return mapping


def empty_table(format_name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=LONG_SCHEMA)


def _location(row: Mapping[str, object], column: str) -> dict[str, object]:
    return {
        "line": int(row["_line"] or 0),  # type: ignore[call-overload]
        "column": row[column],
        "sheet": row["_sheet"],
        "path": row["_path"],
    }


def _error(row: Mapping[str, object], column: str, code: str, value: str | None, **params: str) -> LineError:
    where = _location(row, column)
    return LineError(
        where["line"],  # type: ignore[arg-type]
        where["column"],  # type: ignore[arg-type]
        code,
        value,
        params,
        sheet=where["sheet"],  # type: ignore[arg-type]
        path=where["path"],  # type: ignore[arg-type]
    )


class _Errors:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[LineError] = []
        self.total = 0

    def add_rows(self, frame: pl.DataFrame, column: str, code: str, value: str) -> None:
        if frame.height == 0:
            return
        self.total += frame.height
        room = self.limit - len(self.items)
        for row in frame.head(max(room, 0)).iter_rows(named=True):
            self.items.append(_error(row, column, code, row[value]))


def _row_counts(frame: pl.DataFrame, column: str) -> Counter[str]:
    counted = frame.group_by(column, maintain_order=True).len()
    return Counter(dict(counted.iter_rows()))


def build_crime_table(
    cells: pl.DataFrame,
    *,
    format_name: str,
    categories: Mapping[str, Collection[str]],
    municipalities: Collection[str] | None,
    max_errors: int,
    notes: tuple[str, ...] = (),
    counted: tuple[int, Mapping[str, int], Mapping[str, int]] = (0, {}, {}),
) -> CrimeTable:
    """Validate a long table of cells (see the module docstring) into one row per region, category and period.

    `counted` is what a reader already counted and left out: (missing cells, unknown crime types, unresolved
    regions), each type and region with its number of cells."""
    errors = _Errors(max_errors)
    if cells.height == 0:
        raise CrimeFileError([LineError(1, None, "no_rows")])
    frame = cells.with_columns(pl.col("count_raw").fill_null(""), pl.col("period_raw").fill_null(""))

    periods = {text: parse_period(text) for text in frame.get_column("period_raw").unique().to_list()}
    if "count" in frame.columns:  # a reader that had numbers already (SCB's tables) gives them parsed
        frame = frame.with_columns(pl.lit(False).alias("_count_bad"))
    else:
        counts = {text: parse_count(text) for text in frame.get_column("count_raw").unique().to_list()}
        frame = frame.with_columns(
            pl.col("count_raw")
            .replace_strict(
                {k: (v if isinstance(v, int) else None) for k, v in counts.items()}, return_dtype=pl.Int64
            )
            .alias("count"),
            pl.col("count_raw")
            .replace_strict({k: v == "bad" for k, v in counts.items()}, return_dtype=pl.Boolean)
            .alias("_count_bad"),
        )
    frame = frame.with_columns(
        pl.col("period_raw")
        .replace_strict({k: v is None for k, v in periods.items()}, return_dtype=pl.Boolean)
        .alias("_period_bad"),
    )
    errors.add_rows(frame.filter(pl.col("_period_bad")), "_period_column", "bad_period", "period_raw")
    errors.add_rows(frame.filter(pl.col("_count_bad")), "_count_column", "bad_count", "count_raw")
    errors.add_rows(
        frame.filter(pl.col("count").is_not_null() & (pl.col("count") < 0)),
        "_count_column",
        "negative_count",
        "count_raw",
    )
    if errors.total:
        raise CrimeFileError(errors.items, errors.total)

    missing = frame.filter(pl.col("count").is_null()).height + counted[0]
    frame = frame.filter(pl.col("count").is_not_null())

    regions = {text: kommuner.resolve(text) for text in frame.get_column("region_raw").unique().to_list()}
    frame = frame.with_columns(
        pl.col("region_raw")
        .replace_strict({k: v.code for k, v in regions.items()}, return_dtype=pl.String)
        .alias("kommun_code"),
        pl.col("region_raw")
        .replace_strict({k: v.name for k, v in regions.items()}, return_dtype=pl.String)
        .alias("kommun_name"),
    )
    unresolved = _row_counts(frame.filter(pl.col("kommun_code") == ""), "region_raw") + Counter(counted[2])
    frame = frame.filter(pl.col("kommun_code") != "")

    lookup = category_lookup(categories)
    types = frame.get_column("crime_raw").unique(maintain_order=True).to_list()
    mapped = crime_mapping(types, lookup)
    frame = frame.with_columns(
        pl.col("crime_raw").replace_strict(mapped, return_dtype=pl.String).alias("category")
    )
    unknown: Counter[str] = Counter(counted[1])
    for text, rows in _row_counts(frame.filter(pl.col("category").is_null()), "crime_raw").items():
        unknown[crime_depth(text)[1]] += rows
    frame = frame.filter(pl.col("category").is_not_null() & (pl.col("category") != "__in_parent__"))

    if municipalities is not None:
        known = set(municipalities)
        absent = frame.filter(
            (pl.col("kommun_code").str.len_chars() == 4) & ~pl.col("kommun_code").is_in(list(known))
        )
        errors.add_rows(absent, "_region_column", "unknown_kommun", "region_raw")

    frame = frame.with_columns(
        pl.col("period_raw")
        .replace_strict({k: v[0] for k, v in periods.items() if v}, default=None, return_dtype=pl.Int16)
        .alias("year"),
        pl.col("period_raw")
        .replace_strict({k: v[1] for k, v in periods.items() if v}, default=None, return_dtype=pl.Int8)
        .alias("month"),
        pl.col("period_raw")
        .replace_strict({k: v[2] for k, v in periods.items() if v}, default=None, return_dtype=pl.Boolean)
        .alias("preliminary"),
    )
    cell_keys = ["kommun_code", "crime_raw", "year", "month"]
    repeated = frame.with_columns(pl.col("_line").min().over(cell_keys).alias("_first")).filter(
        pl.col("_line") != pl.col("_first")
    )
    if repeated.height and errors.total < max_errors:
        for row in repeated.head(max_errors - len(errors.items)).iter_rows(named=True):
            errors.items.append(_error(row, "_crime_column", "duplicate", None, first=str(row["_first"])))
    errors.total += repeated.height
    if errors.total:
        raise CrimeFileError(errors.items, errors.total)

    keys = ["kommun_code", "category", "year", "month"]
    grouped = frame.group_by(keys, maintain_order=True).agg(
        pl.col("kommun_name").first(),
        pl.col("count").sum(),
        pl.col("preliminary").any(),
        pl.col("crime_raw").unique(maintain_order=True).alias("_types"),
    )
    combined: dict[str, tuple[str, ...]] = {}
    for category, source_types in (
        grouped.filter(pl.col("_types").list.len() > 1).select("category", "_types").iter_rows()
    ):
        names = tuple(crime_depth(text)[1] for text in source_types)
        combined[category] = tuple(dict.fromkeys((*combined.get(category, ()), *names)))
    result = grouped.select(list(CRIME_SCHEMA)).cast(CRIME_SCHEMA)  # type: ignore[arg-type]
    return CrimeTable(
        frame=result,
        skipped=missing,
        format=format_name,
        unknown_categories=dict(unknown.most_common()),
        unresolved_regions=dict(unresolved.most_common()),
        combined=combined,
        notes=notes,
    )
