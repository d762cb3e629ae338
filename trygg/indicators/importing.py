"""Reading measurements from CSV: every error names its line (the header is line 1) and its column.

Pure: no Django import. Columns: provdatum, amne, varde, testade, positiva, laboratorium, anteckning
(comma or semicolon separated, decimal point or comma). Which are required depends on the indicator's kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

COLUMNS = ("provdatum", "amne", "varde", "testade", "positiva", "laboratorium", "anteckning")
REQUIRED = {
    "wastewater": ("provdatum", "amne", "varde"),
    "school_drug_tests": ("provdatum", "testade", "positiva"),
    "other": ("provdatum", "varde"),
}


@dataclass(frozen=True)
class Row:
    line: int
    sampled_on: dt.date
    substance: str
    value: Decimal | None
    tested: int | None
    positive: int | None
    lab: str
    note: str


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"rad {self.line}, kolumn {self.column}: {self.message}"


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return "," if first.count(",") >= first.count(";") else ";"


def measurements_parse(
    text: str, *, kind: str, substances: frozenset[str]
) -> tuple[list[Row], list[RowError]]:
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    errors: list[RowError] = []
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return [], [RowError(1, "-", "filen är tom")]
    unknown = [name for name in header if name not in COLUMNS]
    for name in unknown:
        errors.append(RowError(1, name, f"okänd kolumn; kända är {', '.join(COLUMNS)}"))
    for name in REQUIRED[kind]:
        if name not in header:
            errors.append(RowError(1, name, "kolumnen saknas"))
    if errors:
        return [], errors
    rows: list[Row] = []
    seen: dict[tuple[dt.date, str], int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            errors.append(RowError(line, "-", f"{len(values)} fält, rubrikraden har {len(header)}"))
            continue
        cells = {name: value.strip() for name, value in zip(header, values, strict=True)}
        row_errors: list[RowError] = []

        def cell(
            name: str,
            cells: dict[str, str] = cells,
            row_errors: list[RowError] = row_errors,
            line: int = line,
        ) -> str:
            value = cells.get(name, "")
            if not value and name in REQUIRED[kind]:
                row_errors.append(RowError(line, name, "värde saknas"))
            return value

        sampled_on = None
        raw_date = cell("provdatum")
        if raw_date:
            try:
                sampled_on = dt.date.fromisoformat(raw_date)
            except ValueError:
                row_errors.append(RowError(line, "provdatum", f"”{raw_date}” är inte ett datum ÅÅÅÅ-MM-DD"))
        substance = cell("amne").lower()
        if kind == "wastewater" and substance and substance not in substances:
            row_errors.append(
                RowError(line, "amne", f"okänt ämne ”{substance}”; kända är {', '.join(sorted(substances))}")
            )
        if kind != "wastewater" and substance:
            row_errors.append(RowError(line, "amne", "ämne anges bara för avloppsvattenanalys"))
        value = None
        raw_value = cell("varde")
        if raw_value:
            try:
                value = Decimal(raw_value.replace(",", ".").replace(" ", ""))
                if not value.is_finite() or value < 0:
                    raise InvalidOperation
            except InvalidOperation:
                row_errors.append(RowError(line, "varde", f"”{raw_value}” är inte ett tal ≥ 0"))
                value = None
        counts: dict[str, int | None] = {}
        for name in ("testade", "positiva"):
            raw = cell(name)
            counts[name] = None
            if raw:
                if raw.isdigit():
                    counts[name] = int(raw)
                else:
                    row_errors.append(RowError(line, name, f"”{raw}” är inte ett heltal ≥ 0"))
        if kind != "school_drug_tests" and (counts["testade"] is not None or counts["positiva"] is not None):
            row_errors.append(RowError(line, "testade", "antal testade anges bara för drogtester"))
        if (
            counts["testade"] is not None
            and counts["positiva"] is not None
            and counts["positiva"] > counts["testade"]
        ):
            row_errors.append(RowError(line, "positiva", "fler positiva än testade"))
        if sampled_on is not None:
            key = (sampled_on, substance)
            if key in seen:
                row_errors.append(RowError(line, "provdatum", f"samma prov som på rad {seen[key]}"))
            else:
                seen[key] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        assert sampled_on is not None
        rows.append(
            Row(
                line=line,
                sampled_on=sampled_on,
                substance=substance,
                value=value,
                tested=counts["testade"],
                positive=counts["positiva"],
                lab=cells.get("laboratorium", ""),
                note=cells.get("anteckning", ""),
            )
        )
    return rows, errors
