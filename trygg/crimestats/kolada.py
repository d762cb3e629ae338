"""Kolada's API v3 answers for a key figure (KPI), read as a comparison series. No Django import.

A page looks like `{"values": [{"kpi": "N07403", "municipality": "0781", "period": 2024, "values": [{"gender":
"T", "value": 512.3, "count": 1, "status": ""}]}], "next_url": "…"}`; a long answer comes in several pages, each
with the address of the next one. Kolada's municipality ids are SCB's kommun codes; "0000" is the whole country and
"00" + a county code is a region (län).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from . import kommuner
from .importers import MAX_REPORTED_ERRORS, CrimeFileError, LineError

GENDERS = ("T", "K", "M")
SCHEMA = {
    "kpi": pl.String,
    "area_code": pl.String,
    "area_name": pl.String,
    "year": pl.Int16,
    "gender": pl.String,
    "value": pl.Float64,
    "count": pl.Int64,
    "status": pl.String,
}


@dataclass(frozen=True)
class KoladaSeries:
    frame: pl.DataFrame  # kpi, area_code, area_name, year, gender, value (null = missing), count, status
    next_url: str | None = None  # the last page's pointer to a page that was not given
    unresolved_regions: dict[str, int] = field(default_factory=dict)
    format: str = "kolada"

    @property
    def rows(self) -> int:
        return self.frame.height

    @property
    def kpis(self) -> list[str]:
        return sorted(self.frame.get_column("kpi").unique().to_list())

    @property
    def years(self) -> list[int]:
        return sorted(int(year) for year in self.frame.get_column("year").unique().to_list())


def looks_like_kolada(document: object) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get("values"), list):
        return False
    first = next(iter(document["values"]), None)
    return first is None or (isinstance(first, dict) and "kpi" in first and "values" in first)


def _area(text: str) -> kommuner.Region:
    if text == "0000":
        return kommuner.Region(kommuner.RegionKind.COUNTRY, kommuner.COUNTRY_CODE, "Riket")
    if len(text) == 4 and text.startswith("00") and text[2:] in kommuner.counties():
        return kommuner.Region(kommuner.RegionKind.COUNTY, text[2:], kommuner.counties()[text[2:]])
    return kommuner.resolve(text)


def read_kolada(documents: Sequence[object], *, max_errors: int = MAX_REPORTED_ERRORS) -> KoladaSeries:
    """One or more pages of an answer, in order; errors name the page (when more than one) and the JSON path."""
    rows: list[tuple[object, ...]] = []
    errors: list[LineError] = []
    unresolved: Counter[str] = Counter()
    next_url: str | None = None
    seen: dict[tuple[str, str, int, str], str] = {}
    for page_number, document in enumerate(documents, start=1):
        prefix = f"sida {page_number}: $" if len(documents) > 1 else "$"

        def error(path: str, code: str, value: object, **params: str) -> None:
            errors.append(LineError(0, None, code, str(value)[:60], params, path=f"{prefix}{path}"))  # noqa: B023

        if not looks_like_kolada(document):
            error("", "bad_structure", type(document).__name__, expected="{values: [...]}")
            continue
        assert isinstance(document, dict)
        pointer = document.get("next_url") or document.get("next_page")
        next_url = str(pointer) if pointer else None
        for index, item in enumerate(document["values"]):
            path = f".values[{index}]"
            if not isinstance(item, dict):
                error(path, "bad_structure", type(item).__name__, expected="ett objekt")
                continue
            kpi, area_id, period = item.get("kpi"), str(item.get("municipality", "")), item.get("period")
            if not isinstance(kpi, str) or not kpi:
                error(f"{path}.kpi", "bad_structure", kpi, expected="ett nyckeltals-id")
                continue
            if isinstance(period, bool) or not (
                isinstance(period, int) or (isinstance(period, str) and period.isdigit() and len(period) == 4)
            ):
                error(f"{path}.period", "bad_year", period)
                continue
            area = _area(area_id)
            if not area.resolved:
                unresolved[area_id] += 1
                continue
            values = item.get("values")
            if not isinstance(values, list):
                error(f"{path}.values", "bad_structure", type(values).__name__, expected="en lista")
                continue
            for position, cell in enumerate(values):
                cell_path = f"{path}.values[{position}]"
                if not isinstance(cell, dict):
                    error(cell_path, "bad_structure", type(cell).__name__, expected="ett objekt")
                    continue
                gender = cell.get("gender", "T")
                value, count = cell.get("value"), cell.get("count")
                if gender not in GENDERS:
                    error(f"{cell_path}.gender", "bad_structure", gender, expected="T, K eller M")
                    continue
                if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                    error(f"{cell_path}.value", "bad_value", value)
                    continue
                if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
                    error(f"{cell_path}.count", "bad_count", count)
                    continue
                key = (kpi, area.code, int(period), gender)
                if key in seen:
                    error(cell_path, "duplicate", None, first=seen[key])
                    continue
                seen[key] = f"{prefix}{cell_path}"
                status = cell.get("status")
                rows.append(
                    (
                        kpi,
                        area.code,
                        area.name,
                        int(period),
                        gender,
                        None if value is None else float(value),
                        count,
                        "" if status is None else str(status),
                    )
                )
        if len(errors) >= max_errors:
            break
    if errors:
        raise CrimeFileError(errors[:max_errors], len(errors))
    return KoladaSeries(
        frame=pl.DataFrame(rows, schema=SCHEMA, orient="row"),
        next_url=next_url,
        unresolved_regions=dict(unresolved.most_common()),
    )
