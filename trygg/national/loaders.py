"""Reading the operator's reference files: SKR's kommungrupper and the police's areas. No Django import.

Both are CSV (comma or semicolon, UTF-8, lines starting with # are comments). A kommun may be given by its code
or its name ("0781", "Ljungby", "Ljungby kommun"); anything that does not resolve to one of the 290 is reported
with its line number, never guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Generic, TypeVar

from trygg.crimestats import kommuner

DATA = Path(__file__).resolve().parent / "data"
GROUP_CODES = ("A1", "A2", "B3", "B4", "B5", "C6", "C7", "C8", "C9")


@dataclass(frozen=True)
class GroupDefinition:
    edition: str
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class LineProblem:
    line: int
    message: str


@dataclass(frozen=True)
class GroupRow:
    line: int
    kommun_code: str
    group_code: str


@dataclass(frozen=True)
class PoliceAreaRow:
    line: int
    region: str
    district: str
    police_area: str
    kommun_code: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str


T = TypeVar("T")


@dataclass
class ReadResult(Generic[T]):
    rows: list[T] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)


@cache
def group_definitions() -> tuple[GroupDefinition, ...]:
    data = tomllib.loads((DATA / "kommungrupper.toml").read_text(encoding="utf-8"))
    return tuple(GroupDefinition(**entry) for entry in data["group"])


@cache
def police_regions() -> dict[str, str]:
    """län code → the police region that covers it."""
    data = tomllib.loads((DATA / "polisregioner.toml").read_text(encoding="utf-8"))
    return {county: region for region, counties in data["regions"].items() for county in counties}


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    lines = [(number, line) for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1)]
    content = [(number, line) for number, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        return [], []
    # Comma, semicolon (Swedish Excel's CSV) or tab (Excel's "Unicode text"): the one the header line uses most.
    delimiter = max((",", ";", "\t"), key=content[0][1].count)
    header = [name.strip().casefold() for name in next(csv.reader([content[0][1]], delimiter=delimiter))]
    rows = []
    for number, line in content[1:]:
        values = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        rows.append((number, {name: value.strip() for name, value in zip(header, values, strict=False)}))
    return header, rows


def _kommun(row: dict[str, str]) -> str | None:
    for column in ("kommunkod", "kod", "kommun"):
        value = row.get(column, "")
        if value:
            region = kommuner.resolve(value)
            if region.kind is kommuner.RegionKind.KOMMUN:
                return region.code
    return None


def _group_code(value: str) -> str | None:
    text = value.strip()
    code = text[:2].upper()
    if code in GROUP_CODES and (len(text) == 2 or not text[2].isalnum()):
        return code
    by_name = {definition.name.casefold(): definition.code for definition in group_definitions()}
    return by_name.get(text.casefold())


def read_groups(text: str) -> ReadResult[GroupRow]:
    """Rows of `kommunkod` (or `kommun`) and `kommungrupp` ("A1", "A1 Storstäder" or "Storstäder")."""
    header, rows = _rows(text)
    result: ReadResult[GroupRow] = ReadResult()
    if not header or "kommungrupp" not in header or not {"kommunkod", "kod", "kommun"} & set(header):
        result.problems.append(
            LineProblem(1, "Filen behöver kolumnerna kommunkod (eller kommun) och kommungrupp.")
        )
        return result
    seen: dict[str, int] = {}
    for number, row in rows:
        code = _kommun(row)
        group = _group_code(row.get("kommungrupp", ""))
        if code is None:
            given = row.get("kommunkod") or row.get("kommun") or ""
            result.problems.append(LineProblem(number, f"Okänd kommun: ”{given}”."))
        elif group is None:
            result.problems.append(LineProblem(number, f"Okänd kommungrupp: ”{row.get('kommungrupp', '')}”."))
        elif code in seen:
            result.problems.append(LineProblem(number, f"Kommunen {code} står redan på rad {seen[code]}."))
        else:
            seen[code] = number
            result.rows.append(GroupRow(number, code, group))
    return result


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def read_police_areas(text: str) -> ReadResult[PoliceAreaRow]:
    """Rows of region, polisomrade, lokalpolisomrade, kommunkod (or kommun), giltig_fran, giltig_till, kalla."""
    header, rows = _rows(text)
    result: ReadResult[PoliceAreaRow] = ReadResult()
    needed = {"lokalpolisomrade", "giltig_fran"}
    if not header or not needed <= set(header) or not {"kommunkod", "kod", "kommun"} & set(header):
        result.problems.append(
            LineProblem(
                1, "Filen behöver kolumnerna lokalpolisomrade, kommunkod (eller kommun) och giltig_fran."
            )
        )
        return result
    for number, row in rows:
        code = _kommun(row)
        area = row.get("lokalpolisomrade", "")
        start = _date(row.get("giltig_fran", ""))
        end_text = row.get("giltig_till", "")
        end = _date(end_text) if end_text else None
        if code is None:
            given = row.get("kommunkod") or row.get("kommun") or ""
            result.problems.append(LineProblem(number, f"Okänd kommun: ”{given}”."))
        elif not area:
            result.problems.append(LineProblem(number, "Lokalpolisområdet saknar namn."))
        elif start is None:
            result.problems.append(LineProblem(number, "giltig_fran är inget datum (ÅÅÅÅ-MM-DD)."))
        elif end_text and end is None:
            result.problems.append(LineProblem(number, "giltig_till är inget datum (ÅÅÅÅ-MM-DD)."))
        elif end is not None and end < start:
            result.problems.append(LineProblem(number, "giltig_till ligger före giltig_fran."))
        else:
            region = row.get("region", "") or police_regions().get(code[:2], "")
            result.rows.append(
                PoliceAreaRow(
                    number, region, row.get("polisomrade", ""), area, code, start, end, row.get("kalla", "")
                )
            )
    return result
