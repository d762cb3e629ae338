"""Reading reported-crime and population files: parsing and validation only.

No Django import: the import commands, the staff upload page and the benchmark call these functions, and the tests
run them without a database. A file with any error yields no rows at all; every error names the line as an editor
shows it (the header is line 1, or the line after `skip_lines` lines of preamble) and the column as the file
names it.

The reported-crime layout (the default, see docs/lagesbild.md):

    kommunkod,kommun,brottskategori,period,antal
    0781,Ljungby,skadegorelse,2023,412
    0781,Ljungby,klotter,2023-04,17

Other layouts, such as a table exported from Brå's statistics database, are read through a column-mapping
file (TOML) described in `ColumnMapping` and in docs/lagesbild.md.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from typing import IO

import polars as pl

from trygg.core.fileerrors import Gettext, MessageError, gettext_noop
from trygg.core.fileerrors import LineError as BaseLineError

MAX_REPORTED_ERRORS = 1000

# SCB's county codes: the first two digits of every kommun code.
COUNTIES: dict[str, str] = {
    "01": "Stockholms län",
    "03": "Uppsala län",
    "04": "Södermanlands län",
    "05": "Östergötlands län",
    "06": "Jönköpings län",
    "07": "Kronobergs län",
    "08": "Kalmar län",
    "09": "Gotlands län",
    "10": "Blekinge län",
    "12": "Skåne län",
    "13": "Hallands län",
    "14": "Västra Götalands län",
    "17": "Värmlands län",
    "18": "Örebro län",
    "19": "Västmanlands län",
    "20": "Dalarnas län",
    "21": "Gävleborgs län",
    "22": "Västernorrlands län",
    "23": "Jämtlands län",
    "24": "Västerbottens län",
    "25": "Norrbottens län",
}

MONTH_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb"),
            ("mars", "mar"),
            ("april", "apr"),
            ("maj",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augusti", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# "2023", "2023-04", "2023M04", "2023K2" or "2023Q2", each possibly followed by "prel." (a preliminary figure).
PERIOD_PATTERN = r"(?i)^(\d{4})(?:[-M](\d{2})|[KQ]([1-4]))?(\s*prel\.?)?$"
YEAR_PATTERN = r"(?i)^(\d{4})(\s*prel\.?)?$"


MESSAGES: dict[str, str] = {
    "empty_file": gettext_noop("Filen är tom. Den ska börja med en rubrikrad."),
    "encoding": gettext_noop("Texten kunde inte läsas som %(value)s. Spara filen som UTF-8."),
    "unparsable": gettext_noop("Raderna kunde inte läsas som CSV (%(value)s)."),
    "missing_column": gettext_noop("Kolumnen %(value)s saknas i rubrikraden."),
    "no_period_columns": gettext_noop("Ingen kolumn i rubrikraden ser ut som en period (%(value)s)."),
    "bad_code": gettext_noop(
        "Kommunkoden %(value)s är inte giltig. Den ska vara SCB:s fyra siffror, t.ex. 0781 för Ljungby "
        "(kalkylprogram tar ofta bort den inledande nollan), eller två siffror för ett län och 00 för riket."
    ),
    "unknown_kommun": gettext_noop(
        "Kommunen med koden %(value)s finns inte i Trygg. Lägg till den eller importera med "
        "--create-municipalities."
    ),
    "unknown_category": gettext_noop(
        "Brottskategorin %(value)s är okänd. Lägg till den (eller ett alias) i crimestats/categories.toml."
    ),
    "bad_period": gettext_noop(
        "Perioden %(value)s är inte ett år (2023), en månad (2023-04) eller ett kvartal (2023K2)."
    ),
    "bad_year": gettext_noop("Året %(value)s är inte ett årtal med fyra siffror."),
    "bad_month": gettext_noop("Månaden %(value)s är inte ett tal 1–12 eller ett månadsnamn."),
    "bad_count": gettext_noop("Antalet %(value)s är inte ett heltal."),
    "negative_count": gettext_noop("Antalet %(value)s är negativt; det ska vara 0 eller större."),
    "duplicate": gettext_noop("Samma kommun, kategori och period finns redan på rad %(first)s."),
    "bad_population": gettext_noop("Folkmängden %(value)s är inte ett heltal större än 0."),
    "no_rows": gettext_noop("Filen har inga rader med siffror under rubrikraden."),
    "nothing_known": gettext_noop(
        "Tabellen har inga kommuner eller brottstyper som Trygg känner igen; lägg till brottstyperna i "
        "crimestats/categories.toml."
    ),
    "bad_json": gettext_noop("Filen är inte giltig JSON (%(value)s)."),
    "bad_value": gettext_noop("Värdet %(value)s är inte ett tal."),
    "bad_structure": gettext_noop("Här väntades %(expected)s, men filen har %(value)s."),
    "field_count": gettext_noop("Raden har %(found)s fält men rubrikraden har %(expected)s."),
    "no_year": gettext_noop(
        "Filen säger inte vilket år siffrorna gäller, och filnamnet innehåller inget årtal. Ange året."
    ),
    "unknown_format": gettext_noop(
        "Filens innehåll liknar inget av de format Trygg läser: Trygg-CSV, Brås SOL-export, Brås "
        "kommunfil eller arbetsbok, SCB:s JSON-stat eller PC-Axis, Kolada."
    ),
    "wrong_kind": gettext_noop("Filen är %(found)s, inte %(expected)s. Importera den som det den är."),
    "px_syntax": gettext_noop("PC-Axis-huvudet kunde inte läsas här (%(value)s)."),
    "px_missing": gettext_noop("PC-Axis-filen saknar nyckelordet %(value)s."),
    "cell_count": gettext_noop("Filen har %(found)s värden men tabellens mått ger %(expected)s."),
    "no_dimension": gettext_noop("Tabellen har ingen variabel för %(value)s."),
    "many_contents": gettext_noop(
        "Tabellen har flera innehåll (%(value)s); ta bara med folkmängden (BE0101N1) eller ett innehåll."
    ),
    "unknown_key": gettext_noop("Nyckeln %(value)s finns inte bland variabelns värden."),
}


@dataclass(frozen=True)
class LineError(BaseLineError):
    """A file error; `sheet` names a workbook's sheet and `path` a place in a JSON document (then line is 0)."""

    MESSAGES = MESSAGES

    sheet: str | None = None
    path: str | None = None

    def location_in(self, gettext: Gettext = gettext_noop) -> str:
        if self.path is not None:
            return f"JSON {self.path}"
        sheet, line, column = gettext("blad"), gettext("rad"), gettext("kolumn")
        parts = [f"{sheet} {self.sheet}"] if self.sheet else []
        if self.line:
            parts.append(f"{line} {self.line}")
        if self.column is not None:
            parts.append(f"{column} {self.column}")
        return ", ".join(parts)


class CrimeFileError(Exception):
    """The file has errors, so nothing from it may be imported. `total` counts errors beyond those kept."""

    def __init__(self, errors: list[LineError], total: int | None = None) -> None:
        self.errors = sorted(
            errors, key=lambda error: (error.sheet or "", error.path or "", error.line, error.column or "")
        )
        self.total = len(errors) if total is None else total
        shown = "\n".join(str(error) for error in self.errors[:20])
        more = self.total - min(len(self.errors), 20)
        super().__init__(shown + (f"\n… och {more} fel till" if more > 0 else ""))


class MappingFileError(MessageError):
    """The column-mapping file itself is wrong (unknown key, bad pattern…)."""


# ----------------------------------------------------------------------------------------------------------
# Column mapping


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file holds which field. Header names match case-insensitively.

    Either `kommun_code` (+ optional `kommun_name`) or `kommun` (one column "0781 Ljungby"). Either `period`
    ("2023", "2023-04" or "2023M04"), or `year` with an optional `month` (1–12 or a Swedish month name), or
    `period_columns`: a regular expression for a wide table with one column per period (its cells are counts).
    `missing_values` are cell texts that mean "no figure" (e.g. ".." in Brå's tables): such a row is skipped.
    """

    kommun_code: str | None = "kommunkod"
    kommun_name: str | None = "kommun"
    kommun: str | None = None
    category: str = "brottskategori"
    period: str | None = "period"
    year: str | None = None
    month: str | None = None
    count: str | None = "antal"
    period_columns: str | None = None
    delimiter: str | None = None
    encoding: str = "utf-8"
    skip_lines: int = 0
    missing_values: tuple[str, ...] = ("..",)


DEFAULT_MAPPING = ColumnMapping()

_MAPPING_SECTIONS = {
    "columns": {"kommun_code", "kommun_name", "kommun", "category", "period", "year", "month", "count"},
    "periods": {"columns"},
    "file": {"delimiter", "encoding", "skip_lines", "missing_values"},
}


def mapping_from_toml(source: str | os.PathLike[str] | IO[bytes]) -> ColumnMapping:
    """Read a column-mapping file; raise MappingFileError naming the key that is wrong."""
    try:
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as handle:
                data = tomllib.load(handle)
        else:
            data = tomllib.load(source)
    except tomllib.TOMLDecodeError as error:
        raise MappingFileError(
            gettext_noop("Mappningsfilen är inte giltig TOML: %(error)s"), error=str(error)
        ) from error
    values: dict[str, object] = {}
    for section, content in data.items():
        allowed = _MAPPING_SECTIONS.get(section)
        if allowed is None or not isinstance(content, dict):
            raise MappingFileError(gettext_noop("Okänd del [%(section)s] i mappningsfilen."), section=section)
        for key, value in content.items():
            if key not in allowed:
                raise MappingFileError(
                    gettext_noop("Okänd nyckel %(key)s i [%(section)s]."), key=key, section=section
                )
            values["period_columns" if section == "periods" else key] = value
    columns = {"kommun_code", "kommun_name", "kommun", "period", "year", "month", "count"} & set(values)
    explicit = "columns" in data
    # A mapping names the columns it uses; the defaults apply only to what it leaves out entirely.
    base = {name: None for name in ("kommun_code", "kommun_name", "period", "count")} if explicit else {}
    merged = {**base, **values}
    if "missing_values" in merged:
        merged["missing_values"] = tuple(str(item) for item in merged["missing_values"])  # type: ignore[attr-defined]
    mapping = ColumnMapping(**merged)  # type: ignore[arg-type]
    if explicit and not columns and mapping.period_columns is None:
        raise MappingFileError(gettext_noop("[columns] måste namnge minst kommun och period."))
    _check_mapping(mapping)
    return mapping


def _check_mapping(mapping: ColumnMapping) -> None:
    if not (mapping.kommun_code or mapping.kommun):
        raise MappingFileError(gettext_noop("Ange kolumnen för kommunkoden: kommun_code eller kommun."))
    if not (mapping.period or mapping.year or mapping.period_columns):
        raise MappingFileError(
            gettext_noop("Ange perioden: period, year (och month) eller [periods] columns.")
        )
    if not mapping.period_columns and not mapping.count:
        raise MappingFileError(gettext_noop("Ange kolumnen count (antal)."))
    if mapping.period_columns:
        try:
            re.compile(mapping.period_columns)
        except re.error as error:
            raise MappingFileError(
                gettext_noop("[periods] columns är inget giltigt reguljärt uttryck: %(error)s"),
                error=str(error),
            ) from error
    try:
        codecs.lookup(mapping.encoding)
    except LookupError as error:
        raise MappingFileError(
            gettext_noop("Okänd teckenkodning %(name)s."), name=mapping.encoding
        ) from error
    for name in (item.name for item in fields(mapping)):
        value = getattr(mapping, name)
        if name in _MAPPING_SECTIONS["columns"] and value is not None and not isinstance(value, str):
            raise MappingFileError(gettext_noop("%(name)s ska vara ett kolumnnamn i citattecken."), name=name)


# ----------------------------------------------------------------------------------------------------------
# Reading the bytes


def file_checksum(source: str | os.PathLike[str] | bytes) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes):
        digest.update(source)
    else:
        with open(source, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Frame:
    frame: pl.DataFrame
    header_line: int
    columns: dict[str, str]  # lower-cased, stripped header name → the name as written


def _read_frame(
    source: str | os.PathLike[str] | bytes, mapping: ColumnMapping, *, integers: str | None = None
) -> _Frame:
    """The file as a frame of text, after its header line (and the mapping's skipped lines).

    `integers` names a column (as the mapping names it) that is read as whole numbers when every cell of it is one
    that polars reads the same as the text's cast would (`read_crime_file`'s count): a column of ten million
    numbers then costs no text to build and cast. Any cell polars does not read that way ("1 234", "..", "5 ")
    reads the whole file as text instead, as before; an empty cell is then null, not ""."""
    data = source if isinstance(source, bytes) else open(source, "rb").read()  # noqa: SIM115
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" and Notepad's "Unicode": UTF-16 with a byte order mark, whatever the mapping says.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise CrimeFileError([LineError(1, None, "encoding", "UTF-16")]) from error
    elif mapping.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            data = data.decode(mapping.encoding).encode("utf-8")
        except UnicodeDecodeError as error:
            raise CrimeFileError([LineError(1, None, "encoding", mapping.encoding)]) from error
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    start = 0
    for _ in range(mapping.skip_lines):
        newline = data.find(b"\n", start)
        start = len(data) if newline < 0 else newline + 1
    data = data[start:]
    header_line = mapping.skip_lines + 1
    end = data.find(b"\n")
    first_line = data if end < 0 else data[:end]
    if not first_line.strip():
        raise CrimeFileError([LineError(header_line, None, "empty_file")])
    try:
        first_line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CrimeFileError([LineError(header_line, None, "encoding", "UTF-8")]) from error
    delimiter = mapping.delimiter or max((";", "\t", ","), key=lambda char: first_line.count(char.encode()))
    try:
        frame = _read_csv(data, delimiter, _header_name(first_line, delimiter, integers))
    except pl.exceptions.ComputeError as error:
        message = str(error).splitlines()[0][:200]
        code = "encoding" if "utf-8" in message.lower() else "unparsable"
        raise CrimeFileError(
            [LineError(header_line, None, code, "UTF-8" if code == "encoding" else message)]
        ) from error
    except pl.exceptions.NoDataError as error:
        raise CrimeFileError([LineError(header_line, None, "empty_file")]) from error
    # Empty cells read as "" (a column without any costs no pass).
    with_nulls = [
        name
        for name, count in zip(frame.columns, frame.null_count().row(0), strict=True)
        if count and frame.schema[name] == pl.String
    ]
    if with_nulls:
        frame = frame.with_columns(pl.col(with_nulls).fill_null(""))
    columns = {name.strip().lower(): name for name in frame.columns}
    return _Frame(frame=frame, header_line=header_line, columns=columns)


def _header_name(first_line: bytes, delimiter: str, wanted: str | None) -> str | None:
    """The header's own spelling of the column `wanted` (compared as `_Frame.columns` does), or None."""
    if not wanted:
        return None
    try:
        header = next(csv.reader([first_line.decode("utf-8").rstrip("\r")], delimiter=delimiter), [])
    except csv.Error:  # a header polars reads its own way (a lone carriage return): every column as text
        return None
    return next((name for name in header if name.strip().lower() == wanted.strip().lower()), None)


def _read_csv(data: bytes, delimiter: str, integers: str | None) -> pl.DataFrame:
    """Every column as text, or `integers` as Int64 when polars reads all of its cells as numbers.

    Each column in one piece (`rechunk`): polars parses a large file in a few hundred pieces, and a frame of such
    columns is put together again by each later step that adds a column to it (on ten million rows a third of a
    second each, several seconds over the validation), where joining them at once costs a twentieth of a second."""
    if integers is not None:
        try:
            return pl.read_csv(
                io.BytesIO(data),
                separator=delimiter,
                infer_schema=False,
                has_header=True,
                schema_overrides={integers: pl.Int64},
            ).rechunk()
        except pl.exceptions.ComputeError:
            pass  # a cell that is no plain number, or an error the text read reports in its own words
    return pl.read_csv(io.BytesIO(data), separator=delimiter, infer_schema=False, has_header=True).rechunk()


def _column(found: _Frame, wanted: str, errors: list[LineError]) -> str | None:
    name = found.columns.get(wanted.strip().lower())
    if name is None:
        errors.append(LineError(found.header_line, wanted, "missing_column", wanted))
    return name


# ----------------------------------------------------------------------------------------------------------
# Reported crime


FORMAT_NAMES: dict[str, str] = {
    "trygg": gettext_noop("Trygg-CSV (kommunkod, kommun, brottskategori, period, antal)"),
    "mapping": gettext_noop("CSV med kolumnmappning"),
    "bra_sol": gettext_noop("Brås statistikdatabas (SOL), textexport"),
    "bra_kommun_csv": gettext_noop("Brås fil med anmälda brott per kommun (CSV)"),
    "bra_workbook": gettext_noop("Brås arbetsbok med ett blad per kommun"),
    "jsonstat": gettext_noop("JSON-stat 2.0 (SCB:s statistikdatabas, PxWeb)"),
    "pcaxis": gettext_noop("PC-Axis (.px)"),
    "kolada": gettext_noop("Kolada v3, nyckeltal"),
}

# Month numbers 13–16 are the quarters 1–4 (Brå's "Kvartal N", SCB's "2025K3"); 0 is the whole year.
QUARTER_OFFSET = 12
CRIME_SCHEMA = {
    "kommun_code": pl.String,
    "kommun_name": pl.String,
    "category": pl.String,
    "year": pl.Int16,
    "month": pl.Int8,
    "count": pl.Int64,
    "preliminary": pl.Boolean,
}


@dataclass(frozen=True)
class CrimeTable:
    """A validated file: one row per (region, category, period); month 0 is a whole-year figure, 13–16 quarters.

    `kommun_code` is a kommun's four digits, or for a total the source itself gives, a län's two digits or "00"
    for the whole country. `unknown_categories` and `unresolved_regions` are what the file had that Trygg did not
    import (name → rows), so the preview can list them; `skipped` counts cells the source marks as missing ("..").
    """

    frame: pl.DataFrame  # kommun_code, kommun_name, category, year, month, count, preliminary
    skipped: int = 0
    format: str = "trygg"
    unknown_categories: Mapping[str, int] = field(default_factory=dict)
    unresolved_regions: Mapping[str, int] = field(default_factory=dict)
    combined: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # category → source types summed
    notes: tuple[str, ...] = ()

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.format]

    @property
    def preliminary_rows(self) -> int:
        return int(self.frame.get_column("preliminary").sum())

    @property
    def rows(self) -> int:
        return self.frame.height

    @property
    def periods(self) -> list[tuple[int, int]]:
        # One integer per period: a unique of one column costs less than half one of two.
        keys = self.frame.select((pl.col("year").cast(pl.Int32) * 100 + pl.col("month")).unique().sort())
        return [(int(key) // 100, int(key) % 100) for key in keys.to_series()]

    @property
    def kommun_codes(self) -> list[str]:
        return sorted(self.frame.get_column("kommun_code").unique().to_list())

    @property
    def categories(self) -> list[str]:
        return sorted(self.frame.get_column("category").unique().to_list())


def period_label(year: int, month: int) -> str:
    if month > QUARTER_OFFSET:
        return f"{year}K{month - QUARTER_OFFSET}"
    return f"{year}" if month == 0 else f"{year}-{month:02d}"


def periods_summary(periods: Collection[tuple[int, int]]) -> str:
    """ "2019–2023 (år)", "2023-01–2023-12 (månader)" or a list when the periods are not contiguous."""
    yearly = sorted(year for year, month in periods if month == 0)
    monthly = sorted((year, month) for year, month in periods if 0 < month <= QUARTER_OFFSET)
    quarterly = sorted((year, month) for year, month in periods if month > QUARTER_OFFSET)
    parts = []
    if yearly:
        contiguous = yearly == list(range(yearly[0], yearly[-1] + 1))
        text = f"{yearly[0]}–{yearly[-1]}" if contiguous and len(yearly) > 1 else ", ".join(map(str, yearly))
        parts.append(f"{text} (år)")
    if monthly:
        ordinals = [year * 12 + month - 1 for year, month in monthly]
        contiguous = ordinals == list(range(ordinals[0], ordinals[-1] + 1))
        if contiguous and len(monthly) > 1:
            text = f"{period_label(*monthly[0])}–{period_label(*monthly[-1])}"
        else:
            text = ", ".join(period_label(*item) for item in monthly[:24]) + (
                " …" if len(monthly) > 24 else ""
            )
        parts.append(f"{text} (månader)")
    if quarterly:
        parts.append(", ".join(period_label(*item) for item in quarterly[:24]) + " (kvartal)")
    return "; ".join(parts)


def category_lookup(categories: Mapping[str, Collection[str]]) -> dict[str, str]:
    """code → [name, aliases…] as a lookup from every accepted spelling (case-folded) to the code."""
    lookup: dict[str, str] = {}
    for code, spellings in categories.items():
        for spelling in (code, *spellings):
            lookup[spelling.strip().lower()] = code
    return lookup


class _Checks:
    """Collects errors from boolean masks over the frame, keeping at most `limit` of them.

    The masks are counted together in one pass over the frame when the total is first asked for; only a mask that
    fails somewhere is filtered again to name its lines (a valid file costs one pass, not one per check)."""

    def __init__(self, frame: pl.DataFrame, limit: int) -> None:
        self.frame = frame
        self.limit = limit
        self.errors: list[LineError] = []
        self._total = 0
        self._pending: list[tuple[pl.Expr, str, str | pl.Expr, pl.Expr]] = []

    def add(self, mask: pl.Expr, code: str, column: str | pl.Expr, value: pl.Expr) -> None:
        self._pending.append((mask, code, column, value))

    @property
    def total(self) -> int:
        if self._pending:
            pending, self._pending = self._pending, []
            counts = self.frame.select(
                [mask.sum().alias(f"_check{index}") for index, (mask, *_rest) in enumerate(pending)]
            ).row(0)
            for count, (mask, code, column, value) in zip(counts, pending, strict=True):
                if count:
                    self._collect(mask, code, column, value)
        return self._total

    def _collect(self, mask: pl.Expr, code: str, column: str | pl.Expr, value: pl.Expr) -> None:
        failing = self.frame.filter(mask)
        if failing.height == 0:
            return
        self._total += failing.height
        room = self.limit - len(self.errors)
        if room <= 0:
            return
        column_expr = pl.lit(column) if isinstance(column, str) else column
        shown = failing.head(room).select(
            pl.col("_line"), column_expr.alias("_column"), value.alias("_value")
        )
        for line, column_name, text in shown.iter_rows():
            self.errors.append(LineError(int(line), column_name, code, text))


@dataclass(frozen=True)
class _Values:
    """The distinct values of one column of the file, in the order of their codes, with columns derived from each
    value once; `code` names the column that gives each row its value's code."""

    source: str
    frame: pl.DataFrame
    code: str

    def with_columns(self, *derived: pl.Expr) -> _Values:
        return _Values(source=self.source, frame=self.frame.with_columns(*derived), code=self.code)

    def filter(self, predicate: str) -> pl.DataFrame:
        return self.frame.filter(predicate)

    @property
    def height(self) -> int:
        return self.frame.height


def _distinct(frame: pl.DataFrame, source: str, **derived: pl.Expr) -> tuple[pl.DataFrame, _Values]:
    """The distinct values of the column `source` with columns derived from each value once, and the frame with each
    row's code of its value: one hash pass (a cast to an Enum of the values), after which every derived column is
    taken for the rows by the code (a gather), not by looking each row's text up again. The values are in the order
    they first appear in the file, so a code's number says which came first (see `_first_seen`)."""
    values = frame.get_column(source).unique(maintain_order=True).drop_nulls()
    code = f"_code_{source}"
    coded = frame.with_columns(pl.col(source).cast(pl.Enum(values)).to_physical().alias(code))
    return coded, _Values(
        source=source, frame=pl.DataFrame({source: values}).with_columns(**derived), code=code
    )


def _first_seen(values: pl.DataFrame, derived: str) -> pl.Series:
    """For each of `_distinct`'s values, the number of its derived value `derived` in the order the derived values
    first appear in the file (1, 2, …; spellings that derive to the same value share it): a file written in
    order of kommun, category and period then has its figures' identities in ascending order."""
    return (
        values.with_row_index("_seen")
        .select(pl.col("_seen").min().over(derived).rank("dense").cast(pl.Int64))
        .to_series()
    )


def _lookup(values: _Values, name: str) -> pl.Expr:
    """Column `name` of `values` for every row, by its code; the column itself when every value derives to itself
    (a file without stray spaces costs nothing)."""
    frame, source = values.frame, values.source
    if (
        frame.schema[name] == frame.schema[source]
        and frame.select(pl.col(name).eq_missing(pl.col(source)).all()).item()
    ):
        return pl.col(source).alias(name)
    return pl.lit(frame.get_column(name)).gather(pl.col(values.code)).alias(name)


def read_crime_file(
    source: str | os.PathLike[str] | bytes,
    *,
    categories: Mapping[str, Collection[str]],
    municipalities: Collection[str] | None = None,
    mapping: ColumnMapping = DEFAULT_MAPPING,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> CrimeTable:
    """Read and validate a reported-crime file; raise CrimeFileError (and return nothing) if it has errors.

    `categories` maps each category code to its other accepted spellings (name, aliases). `municipalities`,
    when given, is the set of kommun codes that exist: any other code is an error.
    """
    # The count is read as numbers where it can be: only a long file has one count column.
    found = _read_frame(source, mapping, integers=None if mapping.period_columns else mapping.count)
    errors: list[LineError] = []
    code_column = _column(found, mapping.kommun, errors) if mapping.kommun else None
    if not mapping.kommun and mapping.kommun_code:
        code_column = _column(found, mapping.kommun_code, errors)
    name_column = None
    if mapping.kommun_name and not mapping.kommun:
        name_column = found.columns.get(mapping.kommun_name.strip().lower())
    category_column = _column(found, mapping.category, errors)
    period_column = year_column = month_column = count_column = None
    wide_columns: list[str] = []
    if mapping.period_columns:
        pattern = re.compile(mapping.period_columns)
        wide_columns = [name for name in found.frame.columns if pattern.fullmatch(name.strip())]
        if not wide_columns:
            errors.append(LineError(found.header_line, None, "no_period_columns", mapping.period_columns))
    else:
        if mapping.period:
            period_column = _column(found, mapping.period, errors)
        else:
            year_column = _column(found, mapping.year or "", errors)
            month_column = _column(found, mapping.month, errors) if mapping.month else None
        count_column = _column(found, mapping.count or "", errors)
    if errors:
        raise CrimeFileError(errors)
    assert code_column is not None and category_column is not None

    frame = found.frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + found.header_line + 1).alias("_line")
    )
    if wide_columns:
        frame = frame.unpivot(
            on=wide_columns,
            index=[name for name in frame.columns if name not in wide_columns],
            variable_name="_period_column",
            value_name="_count_raw",
        )
        count_source: str | pl.Expr = pl.col("_period_column")
    else:
        assert count_column is not None
        if frame.schema[count_column] == pl.Int64 and frame.get_column(count_column).null_count():
            # Numbers with empty cells among them: the empty cells are judged as text, as in a file read as text.
            frame = frame.with_columns(pl.col(count_column).cast(pl.String).fill_null(""))
        frame = frame.with_columns(pl.col(count_column).alias("_count_raw"))
        count_source = count_column
        if not period_column:
            assert year_column is not None
            month = pl.col(month_column).str.strip_chars() if month_column else pl.lit("")
            frame = frame.with_columns(
                pl.col(year_column).str.strip_chars().alias("_year_raw"), month.alias("_month_raw")
            )

    # A file repeats a few hundred kommun codes, categories and periods over millions of rows: each distinct value
    # is parsed and checked once, and the rows take their results by a lookup (no per-row regular expression).
    if mapping.kommun:
        parts = pl.col(code_column).str.strip_chars().str.extract_groups(r"^(\S+)\s*(.*)$")
        frame, places = _distinct(
            frame,
            code_column,
            kommun_code=parts.struct.field("1").fill_null(""),
            kommun_name=parts.struct.field("2").fill_null(""),
        )
        frame = frame.with_columns(_lookup(places, "kommun_code"), _lookup(places, "kommun_name"))
    else:
        frame, places = _distinct(frame, code_column, kommun_code=pl.col(code_column).str.strip_chars())
        frame = frame.with_columns(_lookup(places, "kommun_code"))
        if name_column:
            names = pl.DataFrame({name_column: frame.get_column(name_column).unique()}).with_columns(
                kommun_name=pl.col(name_column).str.strip_chars()
            )
            if not names.select(pl.col("kommun_name").eq_missing(pl.col(name_column)).all()).item():
                frame = frame.with_columns(pl.col(name_column).str.strip_chars().alias("kommun_name"))
            else:
                frame = frame.with_columns(pl.col(name_column).alias("kommun_name"))
        else:
            frame = frame.with_columns(pl.lit("").alias("kommun_name"))
    code = pl.col("kommun_code")
    # Two digits are a län's total and 00 the country's, as the source gives them.
    bad_code = ~code.str.contains(r"^(\d{4}|\d{2})$") | ~(
        code.str.slice(0, 2).is_in(list(COUNTIES)) | (code == "00")
    )
    unknown_kommun = (
        ~bad_code & (code.str.len_chars() == 4) & ~code.is_in(list(municipalities))
        if municipalities is not None
        else pl.lit(False)
    )
    places = places.with_columns(
        bad_code.alias("_bad"),
        unknown_kommun.alias("_unknown"),
        pl.lit(_first_seen(places.frame, "kommun_code")).alias("_place"),
    )
    frame = frame.with_columns(_lookup(places, "_place"))

    # The count: a plain integer casts directly; only when some cell does not are spaces (thousands separators)
    # removed and the source's marks for a missing figure ("..") skipped.
    # A column read as numbers is the count as it stands.
    frame = frame.with_columns(pl.col("_count_raw").cast(pl.Int64, strict=False).alias("count"))
    skipped = 0
    if frame.get_column("count").null_count():
        count_text = pl.col("_count_raw").str.replace_all(r"[\s\u00a0]", "")
        if mapping.missing_values:
            skip = pl.col("count").is_null() & pl.col("_count_raw").str.strip_chars().is_in(
                list(mapping.missing_values)
            )
            before = frame.height
            frame = frame.filter(~skip)
            skipped = before - frame.height
        frame = frame.with_columns(
            pl.when(pl.col("count").is_null())
            .then(count_text.cast(pl.Int64, strict=False))
            .otherwise(pl.col("count"))
            .alias("count")
        )

    lookup = category_lookup(categories)
    frame, category_values = _distinct(
        frame,
        category_column,
        category=pl.col(category_column)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(lookup, default=None, return_dtype=pl.String),
    )
    category_values = category_values.with_columns(
        pl.lit(_first_seen(category_values.frame, "category")).alias("_category")
    )
    frame = frame.with_columns(
        _lookup(category_values, "category"),
        _lookup(category_values, "_category"),
    )

    # Each period as one number: (year × 100 + month) × 2 + 1 if preliminary; null when it cannot be read.
    if period_column or wide_columns:
        period_raw = period_column or "_period_column"
        period = pl.col(period_raw).str.strip_chars().str.extract_groups(PERIOD_PATTERN)
        year = period.struct.field("1").cast(pl.Int32, strict=False)
        quarter = period.struct.field("3").cast(pl.Int32, strict=False)
        month = (
            pl.when(quarter.is_not_null())
            .then(quarter + QUARTER_OFFSET)
            .otherwise(period.struct.field("2").cast(pl.Int32, strict=False).fill_null(0))
        )
        valid = year.is_not_null() & (quarter.is_not_null() | (month <= 12))
        key = pl.when(valid).then(
            (year * 100 + month) * 2 + period.struct.field("4").is_not_null().cast(pl.Int32)
        )
        frame, period_values = _distinct(frame, period_raw, _period_key=key)
        frame = frame.with_columns(_lookup(period_values, "_period_key"))
    else:
        month_number = (
            pl.col("_month_raw")
            .str.to_lowercase()
            .replace_strict(
                {name: str(number) for name, number in MONTH_NAMES.items()}, default=pl.col("_month_raw")
            )
        )
        year_parts = pl.col("_year_raw").str.extract_groups(YEAR_PATTERN)
        frame = frame.with_columns(
            year_parts.struct.field("1").cast(pl.Int32, strict=False).alias("_year"),
            year_parts.struct.field("2").is_not_null().alias("_preliminary"),
            pl.when(pl.col("_month_raw") == "")
            .then(pl.lit(0, dtype=pl.Int32))
            .otherwise(month_number.cast(pl.Int32, strict=False))
            .alias("_month"),
        )
        frame = frame.with_columns(
            pl.col("_year").is_null().alias("_year_bad"),
            (pl.col("_month").is_null() | (pl.col("_month") < 0) | (pl.col("_month") > 12)).alias(
                "_month_bad"
            ),
        ).with_columns(
            pl.when(~pl.col("_year_bad") & ~pl.col("_month_bad"))
            .then((pl.col("_year") * 100 + pl.col("_month")) * 2 + pl.col("_preliminary").cast(pl.Int32))
            .alias("_period_key")
        )

    checks = _Checks(frame, max_errors)
    bad_places = places.filter("_bad").get_column(code_column)
    if bad_places.len():
        checks.add(pl.col(code_column).is_in(bad_places.implode()), "bad_code", code_column, code)
    unknown_places = places.filter("_unknown").get_column(code_column)
    if unknown_places.len():
        checks.add(pl.col(code_column).is_in(unknown_places.implode()), "unknown_kommun", code_column, code)
    checks.add(pl.col("category").is_null(), "unknown_category", category_column, pl.col(category_column))
    if period_column or wide_columns:
        checks.add(
            pl.col("_period_key").is_null(),
            "bad_period",
            period_column or pl.col("_period_column"),
            pl.col(period_column or "_period_column").str.strip_chars(),
        )
    else:
        assert year_column is not None
        checks.add(pl.col("_year_bad"), "bad_year", year_column, pl.col("_year_raw"))
        checks.add(pl.col("_month_bad"), "bad_month", month_column or "", pl.col("_month_raw"))
    not_integer = pl.col("count").is_null()
    raw_count = pl.col("_count_raw").cast(pl.String)
    checks.add(not_integer, "bad_count", count_source, raw_count)
    checks.add(~not_integer & (pl.col("count") < 0), "negative_count", count_source, raw_count)
    if checks.total:
        raise CrimeFileError(checks.errors, checks.total)

    # One integer per (place, category, period): a duplicate is two equal numbers next to each other once sorted,
    # and a file in order of kommun, category and period (a national series usually is) needs no sort.
    frame = frame.with_columns(
        (pl.col("_period_key") // 200).alias("year"),
        (pl.col("_period_key") // 2 % 100).alias("month"),
        (pl.col("_period_key") % 2 == 1).alias("preliminary"),
    )
    categories_seen = category_values.height + 1
    identity = (pl.col("_place") * categories_seen + pl.col("_category")) * 1_000_000 + pl.col(
        "_period_key"
    ) // 2
    identities = frame.select(identity).to_series()
    if not identities.is_sorted():
        identities = identities.sort()
    if (identities.diff() == 0).any():
        duplicated = frame.with_columns(pl.col("_line").min().over(identity).alias("_first")).filter(
            pl.col("_line") != pl.col("_first")
        )
        errors = [
            LineError(int(line), None, "duplicate", None, {"first": str(first)})
            for line, first in duplicated.head(max_errors).select("_line", "_first").iter_rows()
        ]
        raise CrimeFileError(errors, duplicated.height)

    result = frame.select(
        "kommun_code",
        "kommun_name",
        "category",
        pl.col("year").cast(pl.Int16),
        pl.col("month").cast(pl.Int8),
        "count",
        "preliminary",
    )
    return CrimeTable(
        frame=result, skipped=skipped, format="trygg" if mapping == DEFAULT_MAPPING else "mapping"
    )


# ----------------------------------------------------------------------------------------------------------
# Population (SCB's layout)

POPULATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "kommun_code": ("kommunkod", "kod"),
    "kommun_name": ("kommun", "kommunnamn"),
    "region": ("region",),
    "year": ("år", "ar", "year"),
    "population": ("folkmängd", "folkmangd", "befolkning", "population", "antal"),
}


@dataclass(frozen=True)
class PopulationTable:
    """Population on 31 December per region and year; `kommun_code` may be a län's two digits or "00"."""

    frame: pl.DataFrame  # kommun_code, kommun_name, year, population
    format: str = "trygg"
    unresolved_regions: Mapping[str, int] = field(default_factory=dict)
    skipped: int = 0

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES[self.format]

    @property
    def rows(self) -> int:
        return self.frame.height


def read_population_file(
    source: str | os.PathLike[str] | bytes,
    *,
    municipalities: Collection[str] | None = None,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> PopulationTable:
    """Read `kommunkod,kommun,år,folkmängd` (or `region,år,folkmängd` with "0781 Ljungby" in region)."""
    found = _read_frame(source, ColumnMapping(delimiter=None))
    names = {
        key: next((found.columns[alias] for alias in aliases if alias in found.columns), None)
        for key, aliases in POPULATION_COLUMNS.items()
    }
    errors = [
        LineError(found.header_line, wanted, "missing_column", wanted)
        for key, wanted in (("year", "år"), ("population", "folkmängd"))
        if names[key] is None
    ]
    if names["kommun_code"] is None and names["region"] is None:
        errors.append(LineError(found.header_line, "kommunkod", "missing_column", "kommunkod"))
    if errors:
        raise CrimeFileError(errors)
    frame = found.frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + found.header_line + 1).alias("_line")
    )
    code_column = names["kommun_code"] or names["region"]
    assert code_column is not None and names["year"] is not None and names["population"] is not None
    if names["kommun_code"]:
        kommun_name = pl.col(names["kommun_name"]).str.strip_chars() if names["kommun_name"] else pl.lit("")
        frame = frame.with_columns(
            pl.col(code_column).str.strip_chars().alias("kommun_code"), kommun_name.alias("kommun_name")
        )
    else:
        parts = pl.col(code_column).str.strip_chars().str.extract_groups(r"^(\S+)\s*(.*)$")
        frame = frame.with_columns(
            parts.struct.field("1").fill_null("").alias("kommun_code"),
            parts.struct.field("2").fill_null("").alias("kommun_name"),
        )
    year_raw = pl.col(names["year"]).str.strip_chars()
    population_raw = pl.col(names["population"])
    frame = frame.with_columns(
        pl.when(year_raw.str.contains(r"^\d{4}$")).then(year_raw.cast(pl.Int32, strict=False)).alias("year"),
        population_raw.str.replace_all(r"[\s\u00a0]", "").cast(pl.Int64, strict=False).alias("population"),
    )
    checks = _Checks(frame, max_errors)
    code = pl.col("kommun_code")
    bad_code = ~code.str.contains(r"^(\d{4}|\d{2})$") | ~(
        code.str.slice(0, 2).is_in(list(COUNTIES)) | (code == "00")
    )
    checks.add(bad_code, "bad_code", code_column, code)
    if municipalities is not None:
        unknown = ~bad_code & (code.str.len_chars() == 4) & ~code.is_in(list(municipalities))
        checks.add(unknown, "unknown_kommun", code_column, code)
    checks.add(pl.col("year").is_null(), "bad_year", names["year"], year_raw)
    checks.add(
        pl.col("population").is_null() | (pl.col("population") <= 0),
        "bad_population",
        names["population"],
        population_raw,
    )
    if checks.total:
        raise CrimeFileError(checks.errors, checks.total)
    keys = ["kommun_code", "year"]
    duplicated = frame.with_columns(pl.col("_line").min().over(keys).alias("_first")).filter(
        pl.col("_line") != pl.col("_first")
    )
    if duplicated.height:
        raise CrimeFileError(
            [
                LineError(int(line), None, "duplicate", None, {"first": str(first)})
                for line, first in duplicated.head(max_errors).select("_line", "_first").iter_rows()
            ],
            duplicated.height,
        )
    return PopulationTable(
        frame=frame.select("kommun_code", "kommun_name", pl.col("year").cast(pl.Int16), "population")
    )
