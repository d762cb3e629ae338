"""Reading measurements from CSV: every error names its line (the header is line 1) and its column.

Pure: no Django import. Columns: provdatum, amne, varde, testade, positiva, laboratorium, anteckning, in any case
and with or without å, ä and ö ("Ämne", "Värde"); comma, semicolon or tab separated, decimal point or comma.
Which are required depends on the indicator's kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from trygg.core.fileerrors import LineError, gettext_noop

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


MESSAGES: dict[str, str] = {
    "empty_file": gettext_noop("Filen är tom."),
    "unknown_column": gettext_noop("Kolumnen är okänd; kända är %(known)s."),
    "missing_column": gettext_noop("Kolumnen saknas."),
    "field_count": gettext_noop("Raden har %(found)s fält, rubrikraden har %(expected)s."),
    "missing_value": gettext_noop("Värde saknas."),
    "bad_date": gettext_noop("%(value)s är inte ett datum ÅÅÅÅ-MM-DD."),
    "future_date": gettext_noop("Datumet ligger i framtiden."),
    "unknown_substance": gettext_noop("Ämnet %(value)s är okänt; kända är %(known)s."),
    "substance_not_wastewater": gettext_noop("Ämne anges bara för avloppsvattenanalys."),
    "bad_value": gettext_noop("%(value)s är inte ett tal ≥ 0."),
    "bad_count": gettext_noop("%(value)s är inte ett heltal ≥ 0."),
    "count_not_drug_tests": gettext_noop("Antal testade anges bara för drogtester."),
    "more_positive_than_tested": gettext_noop("Fler positiva än testade."),
    "duplicate_in_file": gettext_noop("Samma prov som på rad %(first)s."),
    "already_imported": gettext_noop("Det finns redan en mätning för det provet."),
    "invalid": gettext_noop("%(detail)s"),
}


class MeasurementLineError(LineError):
    MESSAGES = MESSAGES


def _delimiter(text: str) -> str:
    """The separator of the header line: comma, semicolon or tab (Excel's "Unicode text"), the most frequent."""
    first = text.splitlines()[0] if text else ""
    return max((",", ";", "\t"), key=first.count)


_SWEDISH_LETTERS = str.maketrans("åäö", "aao")


def _column_name(name: str) -> str:
    """A header cell as the column it names: "Ämne" and "amne" are both amne."""
    return name.strip().lower().translate(_SWEDISH_LETTERS)


def measurements_parse(
    text: str, *, kind: str, substances: frozenset[str]
) -> tuple[list[Row], list[MeasurementLineError]]:
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    errors: list[MeasurementLineError] = []
    try:
        written = next(reader)
    except StopIteration:
        return [], [MeasurementLineError(1, None, "empty_file")]
    header = [_column_name(name) for name in written]
    for name, column in zip(written, header, strict=True):
        if column not in COLUMNS:
            errors.append(
                MeasurementLineError(1, name.strip(), "unknown_column", params={"known": ", ".join(COLUMNS)})
            )
    for name in REQUIRED[kind]:
        if name not in header:
            errors.append(MeasurementLineError(1, name, "missing_column"))
    if errors:
        return [], errors
    rows: list[Row] = []
    seen: dict[tuple[dt.date, str], int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            errors.append(
                MeasurementLineError(
                    line,
                    None,
                    "field_count",
                    params={"found": str(len(values)), "expected": str(len(header))},
                )
            )
            continue
        cells = {name: value.strip() for name, value in zip(header, values, strict=True)}
        row_errors: list[MeasurementLineError] = []

        def cell(
            name: str,
            cells: dict[str, str] = cells,
            row_errors: list[MeasurementLineError] = row_errors,
            line: int = line,
        ) -> str:
            value = cells.get(name, "")
            if not value and name in REQUIRED[kind]:
                row_errors.append(MeasurementLineError(line, name, "missing_value"))
            return value

        sampled_on = None
        raw_date = cell("provdatum")
        if raw_date:
            try:
                sampled_on = dt.date.fromisoformat(raw_date)
            except ValueError:
                row_errors.append(MeasurementLineError(line, "provdatum", "bad_date", raw_date))
        substance = cell("amne").lower()
        if kind == "wastewater" and substance and substance not in substances:
            row_errors.append(
                MeasurementLineError(
                    line,
                    "amne",
                    "unknown_substance",
                    substance,
                    params={"known": ", ".join(sorted(substances))},
                )
            )
        if kind != "wastewater" and substance:
            row_errors.append(MeasurementLineError(line, "amne", "substance_not_wastewater"))
        value = None
        raw_value = cell("varde")
        if raw_value:
            try:
                value = Decimal(raw_value.replace(",", ".").replace(" ", ""))
                if not value.is_finite() or value < 0:
                    raise InvalidOperation
            except InvalidOperation:
                row_errors.append(MeasurementLineError(line, "varde", "bad_value", raw_value))
                value = None
        counts: dict[str, int | None] = {}
        for name in ("testade", "positiva"):
            raw = cell(name)
            counts[name] = None
            if raw:
                if raw.isdigit():
                    counts[name] = int(raw)
                else:
                    row_errors.append(MeasurementLineError(line, name, "bad_count", raw))
        if kind != "school_drug_tests" and (counts["testade"] is not None or counts["positiva"] is not None):
            row_errors.append(MeasurementLineError(line, "testade", "count_not_drug_tests"))
        if (
            counts["testade"] is not None
            and counts["positiva"] is not None
            and counts["positiva"] > counts["testade"]
        ):
            row_errors.append(MeasurementLineError(line, "positiva", "more_positive_than_tested"))
        if sampled_on is not None:
            key = (sampled_on, substance)
            if key in seen:
                row_errors.append(
                    MeasurementLineError(
                        line, "provdatum", "duplicate_in_file", params={"first": str(seen[key])}
                    )
                )
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
