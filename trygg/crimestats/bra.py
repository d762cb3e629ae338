"""Brå's published files of reported crime: the statistics database's (SOL) text export, the yearly CSV with one
row per kommun, and the workbook with one sheet per kommun. No Django import.

What each looks like is described in docs/lagesbild.md. Every reader turns its file into the long table that
`longform.build_crime_table` validates, keeping the line (and sheet) of every cell for the error messages.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Mapping

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook

from . import longform
from .importers import MAX_REPORTED_ERRORS, CrimeFileError, CrimeTable, LineError

SOL_REGION = ("region", "kommun", "område", "län", "polisområde")
SOL_CRIME = ("brott", "brottstyp", "brottskategori", "brottskod", "brottstyp/brottskod")
SOL_YEAR = ("år", "ar", "årtal")
SOL_PERIOD = ("period", "månad", "kvartal", "tid", "tidsperiod")
SOL_COUNT = ("antal", "anmälda brott", "antal anmälda brott", "anmälda")
KOMMUN_CSV_HEADER = ("kommun", "antal")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_NUMBER = re.compile(r"^[\d\s\u00a0]+$")
_RATE = re.compile(r"^[\d\s\u00a0]+(?:[.,]\d+)?$")


def _fields(line: str) -> list[str]:
    # Brå's exports end data rows with an extra separator; a trailing empty field is not a column.
    parts = [part.strip().strip('"').strip() for part in line.split(";")]
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [name.casefold() for name in header]
    for wanted in names:
        if wanted in lowered:
            return lowered.index(wanted)
    return None


def sol_header(line: str) -> bool:
    """Does this first line look like a SOL export's header (a region, a crime type and a count)?"""
    header = _fields(line)
    # Trygg's own CSV may use semicolons too; its "kommunkod" column tells it apart.
    return (
        ";" in line
        and "kommunkod" not in [name.casefold() for name in header]
        and _find(header, SOL_REGION) is not None
        and _find(header, SOL_CRIME) is not None
        and _find(header, SOL_COUNT) is not None
    )


def kommun_csv_lines(text: str) -> bool:
    """Brå's per-kommun CSV: `Kommun;Antal;Per 100 000 inv.` or, without a header, name;count;rate rows."""
    lines = [line for line in text.splitlines()[:6] if line.strip()]
    if not lines:
        return False
    first = [part.casefold() for part in _fields(lines[0])]
    if len(first) >= 2 and tuple(first[:2]) == KOMMUN_CSV_HEADER:
        return True
    rows = [_fields(line) for line in lines]
    return all(
        2 <= len(row) <= 3
        and not _NUMBER.match(row[0])
        and bool(_NUMBER.match(row[1]) or row[1] == "..")
        and (len(row) == 2 or bool(_RATE.match(row[2]) or row[2] == ".."))
        for row in rows
    )


def _long(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=longform.LONG_SCHEMA, orient="row") if rows else longform.empty_table("")


def read_sol(
    text: str,
    *,
    categories: Mapping[str, Collection[str]],
    municipalities: Collection[str] | None = None,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> CrimeTable:
    """Brå's SOL export ("Databasfil.txt"): `Region;Brott;År;Period;Antal;/100 000 inv` with a trailing `;`."""
    lines = text.splitlines()
    header = _fields(lines[0])
    region, crime, count = _find(header, SOL_REGION), _find(header, SOL_CRIME), _find(header, SOL_COUNT)
    year, period = _find(header, SOL_YEAR), _find(header, SOL_PERIOD)
    if year is None and period is None:
        raise CrimeFileError([LineError(1, None, "missing_column", "År")])
    assert region is not None and crime is not None and count is not None
    series = pl.Series("line", lines[1:], dtype=pl.String)
    frame = pl.DataFrame(
        {"_line": pl.int_range(2, len(lines) + 1, eager=True, dtype=pl.Int64), "text": series}
    ).filter(pl.col("text").str.strip_chars() != "")
    # Lines without a separator after the table (a source note, "Uppgifterna för 2026 är preliminära") are notes.
    notes = tuple(frame.filter(~pl.col("text").str.contains(";")).get_column("text").to_list())
    frame = frame.filter(pl.col("text").str.contains(";"))
    parts = (
        pl.col("text")
        .str.replace(r";\s*$", "")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars().str.strip_chars('"').str.strip_chars())
    )
    frame = frame.with_columns(parts.alias("fields"))
    wrong = frame.filter(pl.col("fields").list.len() != len(header))
    if wrong.height:
        raise CrimeFileError(
            [
                LineError(
                    int(line), None, "field_count", None, {"found": str(found), "expected": str(len(header))}
                )
                for line, found in wrong.head(max_errors)
                .select("_line", pl.col("fields").list.len())
                .iter_rows()
            ],
            wrong.height,
        )

    def field(index: int) -> pl.Expr:
        return pl.col("fields").list.get(index)

    if year is not None and period is not None:
        period_text = pl.concat_str([field(year), field(period)], separator=" ").str.strip_chars()
        period_column = header[period]
    else:
        only = year if year is not None else period
        assert only is not None
        period_text, period_column = field(only), header[only]
    cells = frame.select(
        "_line",
        pl.lit(None, dtype=pl.String).alias("_sheet"),
        pl.lit(None, dtype=pl.String).alias("_path"),
        field(region).alias("region_raw"),
        pl.lit(header[region]).alias("_region_column"),
        field(crime).alias("crime_raw"),
        pl.lit(header[crime]).alias("_crime_column"),
        period_text.alias("period_raw"),
        pl.lit(period_column).alias("_period_column"),
        field(count).alias("count_raw"),
        pl.lit(header[count]).alias("_count_column"),
    )
    return longform.build_crime_table(
        cells,
        format_name="bra_sol",
        categories=categories,
        municipalities=municipalities,
        max_errors=max_errors,
        notes=notes,
    )


def year_from_name(file_name: str) -> int | None:
    found = _YEAR_IN_NAME.findall(file_name)
    return int(found[-1]) if found else None


def category_from_name(file_name: str, categories: Mapping[str, Collection[str]]) -> str | None:
    """The category a file's name mentions ("skadegorelse_2025.csv"), the longest spelling winning."""
    name = re.sub(r"[_\-.]+", " ", file_name.rsplit("/", 1)[-1]).casefold()
    best: tuple[int, str] | None = None
    for code, spellings in categories.items():
        for spelling in (code.replace("-", " "), *spellings):
            text = spelling.casefold()
            if len(text) > 3 and text in name and (best is None or len(text) > best[0]):
                best = (len(text), code)
    return best[1] if best else None


def read_kommun_csv(
    text: str,
    *,
    file_name: str,
    categories: Mapping[str, Collection[str]],
    municipalities: Collection[str] | None = None,
    year: int | None = None,
    category: str | None = None,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> CrimeTable:
    """Brå's yearly file with one row per kommun. The file itself names neither year nor crime type: they come
    from the arguments, else from the file name ("anmalda-brott-2025.csv"); the category defaults to all
    crimes. The preview shows both, so a wrong one is seen before anything is stored."""
    chosen_year = year or year_from_name(file_name)
    if chosen_year is None:
        raise CrimeFileError([LineError(1, None, "no_year")])
    chosen_category = category or category_from_name(file_name, categories) or "samtliga-brott"
    preliminary = " prel." if "prel" in file_name.casefold() else ""
    lines = text.splitlines()
    first = [part.casefold() for part in _fields(lines[0])] if lines else []
    has_header = len(first) >= 2 and tuple(first[:2]) == KOMMUN_CSV_HEADER
    header = _fields(lines[0]) if has_header else ["Kommun", "Antal"]
    rows: list[dict[str, object]] = []
    errors: list[LineError] = []
    for number, line in enumerate(lines, start=1):
        if (has_header and number == 1) or not line.strip():
            continue
        fields = _fields(line)
        if len(fields) < 2:
            errors.append(LineError(number, None, "field_count", None, {"found": "1", "expected": "2"}))
            continue
        rows.append(
            {
                "_line": number,
                "_sheet": None,
                "_path": None,
                "region_raw": fields[0],
                "_region_column": header[0],
                "crime_raw": chosen_category,
                "_crime_column": header[0],
                "period_raw": f"{chosen_year}{preliminary}",
                "_period_column": header[0],
                "count_raw": fields[1],
                "_count_column": header[1],
            }
        )
    if errors:
        raise CrimeFileError(errors[:max_errors], len(errors))
    table = longform.build_crime_table(
        _long(rows),
        format_name="bra_kommun_csv",
        categories={**categories, chosen_category: [*categories.get(chosen_category, [])]},
        municipalities=municipalities,
        max_errors=max_errors,
    )
    return table


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_workbook(
    data: bytes,
    *,
    categories: Mapping[str, Collection[str]],
    municipalities: Collection[str] | None = None,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> CrimeTable:
    """Brå's workbook per region: one sheet per kommun (and "Okänd kommun"); on each sheet, crime types down
    the first column and periods across a header row ("2024", "2025 prel."), or a long table with the columns
    Brott, År (and Period) and Antal."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as error:
        raise CrimeFileError([LineError(1, None, "unparsable", str(error)[:200])]) from error
    rows: list[dict[str, object]] = []
    for sheet_name in workbook.sheet_names:
        try:
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as error:
            raise CrimeFileError(
                [LineError(1, None, "unparsable", str(error)[:200], sheet=sheet_name)]
            ) from error
        rows.extend(_sheet_cells(sheet_name, [[_cell_text(value) for value in row] for row in grid]))
    return longform.build_crime_table(
        _long(rows),
        format_name="bra_workbook",
        categories=categories,
        municipalities=municipalities,
        max_errors=max_errors,
    )


def _sheet_cells(sheet: str, grid: list[list[str]]) -> list[dict[str, object]]:
    cells: list[dict[str, object]] = []
    for index, row in enumerate(grid):
        lowered = [text.casefold() for text in row]
        period_columns = [column for column, text in enumerate(row) if text and longform.parse_period(text)]
        if period_columns:
            label = max((column for column in range(period_columns[0]) if row[column]), default=None)
            label = label if label is not None else max(period_columns[0] - 1, 0)
            for line, data in enumerate(grid[index + 1 :], start=index + 2):
                crime = data[label] if label < len(data) else ""
                if not crime:
                    continue
                for column in period_columns:
                    count = data[column] if column < len(data) else ""
                    cells.append(_cell(sheet, line, sheet, crime, label, row[column], column, count))
            return cells
        if "antal" in lowered and any(name in lowered for name in SOL_YEAR + SOL_PERIOD):
            return _long_sheet(sheet, grid, index, lowered)
    return cells


def _cell(
    sheet: str, line: int, region: str, crime: str, crime_column: int, period: str, column: int, count: str
) -> dict[str, object]:
    return {
        "_line": line,
        "_sheet": sheet,
        "_path": None,
        "region_raw": region,
        "_region_column": None,
        "crime_raw": crime,
        "_crime_column": _column_letter(crime_column),
        "period_raw": period,
        "_period_column": _column_letter(column),
        "count_raw": count,
        "_count_column": _column_letter(column),
    }


def _long_sheet(
    sheet: str, grid: list[list[str]], header_index: int, lowered: list[str]
) -> list[dict[str, object]]:
    crime = next((lowered.index(name) for name in SOL_CRIME if name in lowered), 0)
    count = lowered.index("antal")
    year = next((lowered.index(name) for name in SOL_YEAR if name in lowered), None)
    period = next((lowered.index(name) for name in SOL_PERIOD if name in lowered), None)
    region = next((lowered.index(name) for name in SOL_REGION if name in lowered and name != "brott"), None)
    cells = []
    for line, data in enumerate(grid[header_index + 1 :], start=header_index + 2):
        padded = data + [""] * (len(lowered) - len(data))
        if not any(padded):
            continue
        period_text = longform.join_period(
            padded[year] if year is not None else "", padded[period] if period is not None else ""
        )
        item = _cell(
            sheet,
            line,
            padded[region] if region is not None and padded[region] else sheet,
            padded[crime],
            crime,
            period_text,
            count,
            padded[count],
        )
        item["_period_column"] = _column_letter(year if year is not None else period or 0)
        cells.append(item)
    return cells
