"""SCB's statistics database tables as PC-Axis (.px) files and as JSON-stat 2.0 (PxWeb API v2): read into one
`Cube` (dimensions with codes and labels, and the cells as floats with NaN for missing), then read as reported
crime or as population. No Django import.

PC-Axis: a header of `KEYWORD("sub")=value;` statements (CHARSET/CODEPAGE, MATRIX, STUB, HEADING, VALUES, CODES,
ELIMINATION, TIMEVAL, CONTVARIABLE, KEYS…), then `DATA=` and the cells in the order of the STUB variables and then
the HEADING variables, the last varying fastest. `".."` (and `"..."` …) is missing; `"-"` is zero. With KEYS the
data is sparse: each line starts with the keys of the keyed stub variables, and combinations without a line are
zero. The text is decoded by CODEPAGE when given; without it, as UTF-8 when it is valid UTF-8, else Windows-1252.

JSON-stat 2.0: `version`, `class: "dataset"`, `id`, `size`, `dimension.<id>.category.index/label`, `value` as a
row-major array (null for missing) or an object of index → value, and `status` as a string, array or object.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from trygg.core.text import decode_text_file

from . import kommuner, longform
from .importers import (
    MAX_REPORTED_ERRORS,
    CrimeFileError,
    CrimeTable,
    LineError,
    PopulationTable,
    category_lookup,
)

FloatArray = npt.NDArray[np.float64]
PX_MISSING = frozenset({"..", "...", "....", ".....", "......", "."})
PX_ZERO = frozenset({"-"})
_KEYWORD = re.compile(
    r'\s*([A-Za-z][A-Za-z0-9_-]*)(?:\[([^\]]*)\])?(?:\(((?:\s*"(?:[^"]|"")*"\s*,?)*)\))?\s*=', re.DOTALL
)
_CODEPAGE = re.compile(rb'CODEPAGE\s*=\s*"([^"]+)"', re.IGNORECASE)
_CHARSET = re.compile(rb'CHARSET\s*=\s*"([^"]+)"', re.IGNORECASE)
_TOKEN_TRANSLATION = str.maketrans({"\t": " ", "\r": " ", ",": " ", '"': " ", ";": " "})
TIME_IDS = ("tid", "time", "år", "period", "månad", "kvartal")
REGION_IDS = ("region", "kommun", "område", "geo")
POPULATION_CONTENTS = ("be0101n1", "folkmängd", "befolkning")


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    where: LineError  # where the dimension is declared, for errors about its values
    elimination: str | None = None  # the code of a total over the dimension, if the table has one
    time: bool = False
    role: str = ""  # JSON-stat's role: "time", "geo" or "metric"

    @property
    def size(self) -> int:
        return len(self.codes)

    def text(self, index: int) -> str:
        code, label = self.codes[index], self.labels[index]
        return label if code == label or label.startswith(code) else f"{code} {label}"


@dataclass(frozen=True)
class Cube:
    format: str  # "pcaxis" or "jsonstat"
    title: str
    dimensions: tuple[Dimension, ...]
    values: FloatArray  # row-major over the dimensions; NaN is missing
    notes: tuple[str, ...] = field(default=())
    data_text: str = field(default="", repr=False)  # PC-Axis: the DATA part, to name the line of a bad cell
    data_line: int = 0

    def cell_errors(self, indexes: list[int], code: str) -> list[LineError]:
        """Errors for cells by their row-major index: the JSON path, or the PC-Axis line."""
        if self.format == "jsonstat":
            return [
                _error(code, _number_text(self.values[index]), path=f"$.value[{index}]") for index in indexes
            ]
        wanted = set(indexes)
        errors = []
        position = 0
        for offset, line in enumerate(self.data_text.split("\n")):
            count = len(line.translate(_TOKEN_TRANSLATION).split())
            for index in range(position, position + count):
                if index in wanted:
                    errors.append(
                        LineError(self.data_line + offset, "DATA", code, _number_text(self.values[index]))
                    )
            position += count
        return errors or [LineError(self.data_line, "DATA", code, None)]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(dimension.size for dimension in self.dimensions)


_TOTAL_WORDS = ("totalt", "total", "tot", "samtliga", "alla", "båda könen", "summa")


def _total_code(codes: list[str], labels: list[str]) -> str | None:
    """The code of a value that is the total of the others ("totalt ålder", "tot"), so it is taken, not summed."""
    for code, label in zip(codes, labels, strict=True):
        words = (code.casefold(), label.casefold())
        if any(word == total or word.startswith(total + " ") for word in words for total in _TOTAL_WORDS):
            return code
    return None


def _number_text(value: float) -> str:
    return str(int(value)) if np.isfinite(value) and value == int(value) else str(value)


def _error(
    code: str, value: str | None = None, *, line: int = 0, path: str | None = None, **params: str
) -> LineError:
    return LineError(line, None, code, value, params, path=path)


# ----------------------------------------------------------------------------------------------------------
# PC-Axis


def looks_like_px(text: str) -> bool:
    head = text[:4000].lstrip("\ufeff").lstrip()
    return bool(
        re.match(r"(CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE|CREATION-DATE|DECIMALS|MATRIX)\s*[=(\[]", head)
    ) and ("DATA=" in text or re.search(r"\bDATA\s*=", text) is not None)


def decode_px(data: bytes) -> str:
    head = data[:8000]
    found = _CODEPAGE.search(head)
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if found:
        name = found.group(1).decode("ascii", errors="replace").strip().lower()
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    charset = _CHARSET.search(head)
    if charset is None or charset.group(1).upper() != b"ANSI":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return decode_text_file(data)


def _strings(value: str) -> list[str]:
    """A header value as its list of strings: `"a","b"` is two, `"a" "b"` (a long string split) is one."""
    items: list[str] = []
    pending: str | None = None
    for match in re.finditer(r'"((?:[^"]|"")*)"|(,)|([^\s",]+)', value):
        text, comma, bare = match.groups()
        if comma:
            if pending is not None:
                items.append(pending)
            pending = None
        elif text is not None:
            pending = (pending or "") + text.replace('""', '"')
        elif bare is not None:
            pending = (pending or "") + bare
    if pending is not None:
        items.append(pending)
    return items


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _parse_header(text: str) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], int], int]:
    """(keyword, sub-key) → strings, → line; and where DATA= ends. Keywords in another language are skipped."""
    values: dict[tuple[str, str], list[str]] = {}
    lines: dict[tuple[str, str], int] = {}
    position = 0
    while True:
        match = _KEYWORD.match(text, position)
        if match is None:
            rest = text[position:].strip()
            if not rest:
                raise CrimeFileError([_error("px_missing", "DATA", line=_line_of(text, position))])
            snippet = rest[:40].splitlines()[0]
            raise CrimeFileError(
                [_error("px_syntax", snippet, line=_line_of(text, position + text[position:].find(rest[:1])))]
            )
        keyword, language, sub = match.group(1).upper(), match.group(2), match.group(3)
        start = match.end()
        if keyword == "DATA":
            return values, lines, start
        end = start
        in_quotes = False
        while end < len(text):
            char = text[end]
            if char == '"':
                in_quotes = not in_quotes
            elif char == ";" and not in_quotes:
                break
            end += 1
        else:
            raise CrimeFileError([_error("px_syntax", keyword, line=_line_of(text, match.start(1)))])
        if not language:
            key = (keyword, ",".join(_strings(sub)) if sub else "")
            values[key] = _strings(text[start:end])
            lines[key] = _line_of(text, match.start(1))
        position = end + 1


def read_px(data: bytes | str, *, max_errors: int = MAX_REPORTED_ERRORS) -> Cube:
    text = decode_px(data) if isinstance(data, bytes) else data
    header, header_lines, data_start = _parse_header(text)

    def get(keyword: str, sub: str = "") -> list[str] | None:
        return header.get((keyword, sub))

    stub, heading = get("STUB") or [], get("HEADING") or []
    if not stub and not heading:
        raise CrimeFileError([_error("px_missing", "STUB/HEADING", line=1)])
    data_line = _line_of(text, data_start)
    dimensions = []
    for name in stub + heading:
        labels = get("VALUES", name)
        if labels is None:
            raise CrimeFileError([_error("px_missing", f'VALUES("{name}")', line=1)])
        codes = get("CODES", name) or labels
        if len(codes) != len(labels):
            codes = labels
        where = _error("px_syntax", name, line=header_lines.get(("VALUES", name), 1))
        elimination = get("ELIMINATION", name)
        eliminated = None
        if elimination and elimination[0].upper() not in ("YES", "NO") and elimination[0] in labels:
            eliminated = codes[labels.index(elimination[0])]
        else:
            eliminated = _total_code(codes, labels)
        dimensions.append(
            Dimension(
                id=name,
                label=name,
                codes=tuple(codes),
                labels=tuple(labels),
                where=where,
                elimination=eliminated,
                time=get("TIMEVAL", name) is not None,
            )
        )
    end = text.rfind(";")
    body = text[data_start : end if end >= data_start else len(text)]
    keyed = [name for name in stub if get("KEYS", name)]
    shape = tuple(dimension.size for dimension in dimensions)
    total = int(np.prod(shape)) if shape else 0
    if keyed:
        values = _sparse_values(
            body,
            dimensions,
            stub,
            keyed,
            {name: (get("KEYS", name) or ["VALUES"])[0] for name in keyed},
            data_line,
            max_errors,
        )
    else:
        values = _dense_values(body, total, data_line, max_errors)
    title = (get("TITLE") or get("DESCRIPTION") or get("CONTENTS") or [""])[0]
    notes = tuple(note for key, items in header.items() if key[0] in ("NOTE", "NOTEX") for note in items)
    return Cube(
        format="pcaxis",
        title=title,
        dimensions=tuple(dimensions),
        values=values,
        notes=notes,
        data_text=body if not keyed else "",
        data_line=data_line,
    )


def _numbers(tokens: list[str]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Tokens as floats (missing → NaN, "-" → 0) and a mask of tokens that are neither numbers nor marks."""
    series = pl.Series(tokens, dtype=pl.String)
    numbers = series.cast(pl.Float64, strict=False)
    missing = series.is_in(list(PX_MISSING))
    zero = series.is_in(list(PX_ZERO))
    bad = numbers.is_null() & ~missing & ~zero
    filled = (
        pl.select(pl.when(zero).then(0.0).otherwise(numbers).fill_null(float("nan"))).to_series()
        if zero.any()
        else numbers.fill_null(float("nan"))
    )
    return filled.to_numpy().astype(np.float64, copy=False), bad.to_numpy()


def _bad_token_errors(body: str, bad_indexes: list[int], data_line: int, max_errors: int) -> list[LineError]:
    wanted = set(bad_indexes[:max_errors])
    errors = []
    index = 0
    for offset, line in enumerate(body.split("\n")):
        for token in line.translate(_TOKEN_TRANSLATION).split():
            if index in wanted:
                errors.append(LineError(data_line + offset, "DATA", "bad_value", token))
            index += 1
    return errors


def _dense_values(body: str, total: int, data_line: int, max_errors: int) -> FloatArray:
    tokens = body.translate(_TOKEN_TRANSLATION).split()
    values, bad = _numbers(tokens)
    if bad.any():
        indexes = np.flatnonzero(bad).tolist()
        raise CrimeFileError(_bad_token_errors(body, indexes, data_line, max_errors), len(indexes))
    if len(tokens) != total:
        raise CrimeFileError(
            [_error("cell_count", None, line=data_line, found=str(len(tokens)), expected=str(total))]
        )
    return values


def _sparse_values(
    body: str,
    dimensions: list[Dimension],
    stub: list[str],
    keyed: list[str],
    key_kinds: Mapping[str, str],
    data_line: int,
    max_errors: int,
) -> FloatArray:
    by_id = {dimension.id: dimension for dimension in dimensions}
    shape = tuple(dimension.size for dimension in dimensions)
    values = np.zeros(int(np.prod(shape)), dtype=np.float64)
    rest = [dimension for dimension in dimensions if dimension.id not in keyed]
    per_line = int(np.prod([dimension.size for dimension in rest])) if rest else 1
    lookups = {
        name: {
            (by_id[name].codes if key_kinds[name].upper() == "CODE" else by_id[name].labels)[index]: index
            for index in range(by_id[name].size)
        }
        for name in keyed
    }
    order = [dimension.id for dimension in dimensions]
    strides = {name: int(np.prod(shape[order.index(name) + 1 :])) for name in order}
    rest_offsets = np.zeros(per_line, dtype=np.int64)
    if rest:
        grids = np.meshgrid(*[np.arange(dimension.size) for dimension in rest], indexing="ij")
        for dimension, grid in zip(rest, grids, strict=True):
            rest_offsets += grid.ravel() * strides[dimension.id]
    errors: list[LineError] = []
    for offset, line in enumerate(body.split("\n")):
        if not line.strip():
            continue
        keys = re.findall(r'"((?:[^"]|"")*)"', line)[: len(keyed)]
        after = line
        for _ in keys:
            after = after.split(",", 1)[1] if "," in after else ""
        base = 0
        for name, key in zip(keyed, keys, strict=False):
            index = lookups[name].get(key)
            if index is None:
                errors.append(LineError(data_line + offset, name, "unknown_key", key))
                break
            base += index * strides[name]
        else:
            tokens = after.translate(_TOKEN_TRANSLATION).split()
            numbers, bad = _numbers(tokens)
            if len(keys) != len(keyed) or len(tokens) != per_line:
                errors.append(
                    _error(
                        "cell_count",
                        None,
                        line=data_line + offset,
                        found=str(len(tokens)),
                        expected=str(per_line),
                    )
                )
            elif bad.any():
                errors.extend(
                    LineError(data_line + offset, "DATA", "bad_value", tokens[index])
                    for index in np.flatnonzero(bad)
                )
            else:
                values[base + rest_offsets] = numbers
        if len(errors) >= max_errors:
            break
    if errors:
        raise CrimeFileError(errors[:max_errors], len(errors))
    return values


# ----------------------------------------------------------------------------------------------------------
# JSON-stat 2.0


def looks_like_jsonstat(document: object) -> bool:
    return isinstance(document, dict) and document.get("class") == "dataset" and "dimension" in document


def read_jsonstat(document: object, *, max_errors: int = MAX_REPORTED_ERRORS) -> Cube:
    if not isinstance(document, dict):
        raise CrimeFileError(
            [_error("bad_structure", type(document).__name__, path="$", expected="ett objekt")]
        )
    version = str(document.get("version", ""))
    if not version.startswith("2"):
        raise CrimeFileError(
            [_error("bad_structure", version or "ingen version", path="$.version", expected="2.0")]
        )
    ids, sizes = document.get("id"), document.get("size")
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise CrimeFileError(
            [_error("bad_structure", str(ids)[:60], path="$.id", expected="id och size lika långa")]
        )
    roles = document.get("role") or {}
    role_of = {
        dimension: role for role, names in roles.items() if isinstance(names, list) for dimension in names
    }
    dimensions = []
    for position, (name, size) in enumerate(zip(ids, sizes, strict=True)):
        path = f"$.dimension.{name}"
        declared = document.get("dimension", {}).get(name)
        if not isinstance(declared, dict) or not isinstance(declared.get("category"), dict):
            raise CrimeFileError(
                [_error("bad_structure", "inget", path=path, expected="en dimension med category")]
            )
        category = declared["category"]
        index = category.get("index")
        labels = category.get("label") or {}
        if isinstance(index, list):
            codes = [str(code) for code in index]
        elif isinstance(index, dict):
            codes = [code for code, _position in sorted(index.items(), key=lambda item: item[1])]
        else:
            codes = list(labels)
        if len(codes) != size:
            raise CrimeFileError(
                [
                    _error(
                        "cell_count",
                        None,
                        path=f"$.size[{position}]",
                        found=str(len(codes)),
                        expected=str(size),
                    )
                ]
            )
        extension = declared.get("extension") or {}
        elimination = None
        if isinstance(extension, dict):
            # PxWeb names a dimension's total by its code; a bare `true` only says the dimension may be left out.
            for key in ("eliminationValueCode", "elimination"):
                if isinstance(extension.get(key), str):
                    elimination = extension[key]
                    break
        dimensions.append(
            Dimension(
                id=str(name),
                label=str(declared.get("label") or name),
                codes=tuple(codes),
                labels=tuple(str(labels.get(code, code)) for code in codes),
                where=_error("bad_structure", None, path=f"{path}.category"),
                elimination=elimination
                if elimination in codes
                else _total_code(codes, [str(labels.get(code, code)) for code in codes]),
                time=role_of.get(name) == "time",
                role=role_of.get(name, ""),
            )
        )
    total = int(np.prod(sizes)) if sizes else 0
    raw = document.get("value")
    if isinstance(raw, dict):
        values = np.full(total, np.nan)
        errors = []
        for key, value in raw.items():
            if not str(key).isdigit() or int(key) >= total:
                errors.append(
                    _error("cell_count", str(key), path=f"$.value.{key}", found=str(key), expected=str(total))
                )
            elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                errors.append(_error("bad_value", str(value)[:40], path=f"$.value.{key}"))
            elif value is not None:
                values[int(key)] = float(value)
        if errors:
            raise CrimeFileError(errors[:max_errors], len(errors))
    elif isinstance(raw, list):
        if len(raw) != total:
            raise CrimeFileError(
                [_error("cell_count", None, path="$.value", found=str(len(raw)), expected=str(total))]
            )
        # numpy would quietly read "12" or true as numbers; JSON-stat's cells are numbers or null.
        if set(map(type, raw)) <= {int, float, type(None)}:
            values = np.array(raw, dtype=np.float64)
        else:
            wrong = [
                index
                for index, value in enumerate(raw)
                if value is not None and (isinstance(value, bool) or not isinstance(value, int | float))
            ]
            raise CrimeFileError(
                [
                    _error("bad_value", str(raw[index])[:40], path=f"$.value[{index}]")
                    for index in wrong[:max_errors]
                ],
                len(wrong),
            )
    else:
        raise CrimeFileError(
            [
                _error(
                    "bad_structure", type(raw).__name__, path="$.value", expected="en lista eller ett objekt"
                )
            ]
        )
    return Cube(
        format="jsonstat",
        title=str(document.get("label", "")),
        dimensions=tuple(dimensions),
        values=values,
        notes=tuple(str(note) for note in document.get("note", []) if isinstance(note, str)),
    )


# ----------------------------------------------------------------------------------------------------------
# Reading a cube as reported crime or as population


def _find_dimension(cube: Cube, test: Callable[[Dimension], bool]) -> int | None:
    return next((index for index, dimension in enumerate(cube.dimensions) if test(dimension)), None)


def _time_index(cube: Cube) -> int | None:
    found = _find_dimension(cube, lambda dimension: dimension.time or dimension.role == "time")
    if found is None:
        found = _find_dimension(cube, lambda dimension: dimension.id.casefold() in TIME_IDS)
    return found


def _region_index(cube: Cube) -> int | None:
    found = _find_dimension(cube, lambda dimension: dimension.role == "geo")
    if found is None:
        found = _find_dimension(cube, lambda dimension: dimension.id.casefold() in REGION_IDS)
    if found is None:
        found = _find_dimension(
            cube, lambda dimension: sum(kommuner.resolve(code).resolved for code in dimension.codes[:20]) >= 1
        )
    return found


def _contents_index(cube: Cube) -> int | None:
    return _find_dimension(
        cube,
        lambda dimension: (
            dimension.role == "metric" or dimension.id.casefold() in ("contentscode", "tabellinnehåll")
        ),
    )


def _period_texts(dimension: Dimension) -> list[str]:
    return [
        dimension.codes[index] if longform.parse_period(dimension.codes[index]) else dimension.labels[index]
        for index in range(dimension.size)
    ]


def cube_kind(cube: Cube) -> str:
    """ "population" for a population table (SCB's BE0101N1), "crime" for reported crime, else "unknown"."""
    contents = _contents_index(cube)
    texts = [cube.title.casefold()]
    if contents is not None:
        texts += [
            text.casefold() for text in cube.dimensions[contents].codes + cube.dimensions[contents].labels
        ]
    if any(word in text for text in texts for word in POPULATION_CONTENTS):
        return "population"
    names = texts + [f"{dimension.id} {dimension.label}".casefold() for dimension in cube.dimensions]
    return "crime" if any("brott" in text for text in names) else "unknown"


def _require(cube: Cube, index: int | None, what: str) -> int:
    if index is None:
        raise CrimeFileError(
            [
                LineError(
                    1 if cube.format == "pcaxis" else 0,
                    None,
                    "no_dimension",
                    what,
                    path=None if cube.format == "pcaxis" else "$.dimension",
                )
            ]
        )
    return index


def cube_as_crime(
    cube: Cube,
    *,
    categories: Mapping[str, Collection[str]],
    municipalities: Collection[str] | None = None,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> CrimeTable:
    """Region × crime type × period (other dimensions of size 1, or the contents, are left aside)."""
    region = _require(cube, _region_index(cube), "region")
    time = _require(cube, _time_index(cube), "tid")
    contents = _contents_index(cube)
    others = [index for index in range(len(cube.dimensions)) if index not in (region, time, contents)]
    crime_candidates = [index for index in others if cube.dimensions[index].size > 1] or others
    crime = _require(cube, crime_candidates[0] if crime_candidates else None, "brottstyp")
    array = cube.values.reshape(cube.shape)
    # Fix the dimensions that are not region, crime or time at their total or their only value.
    selection: list[slice | int] = []
    for index, dimension in enumerate(cube.dimensions):
        if index in (region, crime, time):
            selection.append(slice(None))
        elif dimension.elimination is not None:
            selection.append(dimension.codes.index(dimension.elimination))
        else:
            selection.append(0)
    kept = [index for index in range(len(cube.dimensions)) if index in (region, crime, time)]
    cells = np.moveaxis(
        array[tuple(selection)], [kept.index(region), kept.index(crime), kept.index(time)], [0, 1, 2]
    )
    sizes = cells.shape
    region_dimension, crime_dimension, time_dimension = (cube.dimensions[i] for i in (region, crime, time))
    flat = cells.reshape(-1)
    # Counts are whole numbers ≥ 0: name the cells that are not, by their place in the file.
    finite = np.isfinite(cube.values)
    bad = np.flatnonzero(
        finite & ((cube.values < 0) | (cube.values != np.floor(np.where(finite, cube.values, 0))))
    )
    if bad.size:
        errors = cube.cell_errors(bad[:max_errors].tolist(), "bad_count")
        raise CrimeFileError(errors, int(bad.size))
    # Only cells of a kommun (or län or country) and of a crime type Trygg maps go on to the long table; the rest
    # are counted here, as build_crime_table would count them, without a row each.
    missing = np.isnan(cells)
    present = ~missing
    region_texts = [region_dimension.text(index) for index in range(sizes[0])]
    resolved = np.array([kommuner.resolve(text).resolved for text in region_texts], dtype=bool)
    mapped = longform.crime_mapping(list(crime_dimension.labels), category_lookup(categories))
    kinds = [mapped[label] for label in crime_dimension.labels]
    keep_types = np.array([kind not in (None, "__in_parent__") for kind in kinds], dtype=bool)
    per_region = present.sum(axis=(1, 2))
    unresolved = {
        region_texts[index]: int(per_region[index])
        for index in np.flatnonzero(~resolved)
        if per_region[index]
    }
    per_type = present[resolved].sum(axis=(0, 2)) if resolved.any() else np.zeros(sizes[1], dtype=np.int64)
    unknown: dict[str, int] = {}
    for index, kind in enumerate(kinds):
        if kind is None and per_type[index]:
            name = longform.crime_depth(crime_dimension.labels[index])[1]
            unknown[name] = unknown.get(name, 0) + int(per_type[index])
    regions_kept, types_kept = np.flatnonzero(resolved), np.flatnonzero(keep_types)
    selected = cells[np.ix_(regions_kept, types_kept, np.arange(sizes[2]))]
    flat = selected.reshape(-1)
    shape = selected.shape
    region_index = regions_kept[np.repeat(np.arange(shape[0]), shape[1] * shape[2])]
    crime_index = types_kept[np.tile(np.repeat(np.arange(shape[1]), shape[2]), shape[0])]
    time_index = np.tile(np.arange(shape[2]), shape[0] * shape[1])
    keep = ~np.isnan(flat)
    declared = region_dimension.where
    frame = pl.DataFrame(
        {
            "region_raw": pl.Series(region_texts, dtype=pl.String).gather(region_index[keep]),
            "crime_raw": pl.Series(list(crime_dimension.labels), dtype=pl.String).gather(crime_index[keep]),
            "period_raw": pl.Series(_period_texts(time_dimension), dtype=pl.String).gather(time_index[keep]),
            "count": pl.Series(flat[keep], dtype=pl.Float64).cast(pl.Int64),
        }
    ).with_columns(
        pl.lit(declared.line or None, dtype=pl.Int64).alias("_line"),
        pl.lit(None, dtype=pl.String).alias("_sheet"),
        pl.lit(declared.path, dtype=pl.String).alias("_path"),
        pl.lit(region_dimension.id).alias("_region_column"),
        pl.lit(crime_dimension.id).alias("_crime_column"),
        pl.lit(time_dimension.id).alias("_period_column"),
        pl.lit("").alias("count_raw"),
        pl.lit("DATA").alias("_count_column"),
    )
    if frame.height == 0 and (unknown or unresolved):
        # Nothing Trygg can store, but the file is readable: say what it had rather than "no rows".
        raise CrimeFileError(
            [LineError(declared.line, crime_dimension.id, "nothing_known", None, path=declared.path)]
        )
    return longform.build_crime_table(
        frame,
        format_name=cube.format,
        categories=categories,
        municipalities=municipalities,
        max_errors=max_errors,
        notes=cube.notes,
        counted=(int(missing.sum()), unknown, unresolved),
    )


def cube_as_population(
    cube: Cube, *, municipalities: Collection[str] | None = None, max_errors: int = MAX_REPORTED_ERRORS
) -> PopulationTable:
    """Population per region and year: the table's total over every other dimension (its ELIMINATION value when it
    has one, else the sum). A region–year with a missing cell in that sum has no population, not a smaller one."""
    region = _require(cube, _region_index(cube), "region")
    time = _require(cube, _time_index(cube), "tid")
    contents = _contents_index(cube)
    array = cube.values.reshape(cube.shape)
    if contents is not None:
        dimension = cube.dimensions[contents]
        chosen = [
            index
            for index in range(dimension.size)
            if any(
                word in (dimension.codes[index] + " " + dimension.labels[index]).casefold()
                for word in POPULATION_CONTENTS
            )
        ]
        if dimension.size > 1 and len(chosen) != 1:
            raise CrimeFileError(
                [
                    LineError(
                        dimension.where.line,
                        dimension.id,
                        "many_contents",
                        ", ".join(dimension.labels),
                        path=dimension.where.path,
                    )
                ]
            )
        array = np.take(array, [chosen[0] if chosen else 0], axis=contents)
    for index in sorted(range(len(cube.dimensions)), reverse=True):
        if index in (region, time):
            continue
        dimension = cube.dimensions[index]
        if index == contents:
            array = array.sum(axis=index)
        elif dimension.elimination is not None:
            array = np.take(array, dimension.codes.index(dimension.elimination), axis=index)
        else:
            array = array.sum(axis=index)
    table = array if region < time else array.T
    region_dimension, time_dimension = cube.dimensions[region], cube.dimensions[time]
    errors: list[LineError] = []
    rows = []
    unresolved: dict[str, int] = {}
    missing = 0
    for year_index, text in enumerate(_period_texts(time_dimension)):
        period = longform.parse_period(text)
        if period is None or period[1] != 0:
            errors.append(
                LineError(
                    time_dimension.where.line,
                    time_dimension.id,
                    "bad_year",
                    text,
                    path=time_dimension.where.path,
                )
            )
            continue
        for region_index in range(region_dimension.size):
            found = kommuner.resolve(region_dimension.text(region_index))
            value = table[region_index, year_index]
            if not found.resolved:
                unresolved[found.name] = unresolved.get(found.name, 0) + 1
                continue
            if np.isnan(value):
                missing += 1
                continue
            if value <= 0 or value != int(value):
                errors.append(
                    LineError(
                        region_dimension.where.line,
                        region_dimension.id,
                        "bad_population",
                        str(value),
                        path=region_dimension.where.path,
                    )
                )
                continue
            rows.append((found.code, found.name, period[0], int(value)))
    if municipalities is not None:
        known = set(municipalities)
        errors.extend(
            LineError(
                region_dimension.where.line,
                region_dimension.id,
                "unknown_kommun",
                code,
                path=region_dimension.where.path,
            )
            for code in sorted({row[0] for row in rows if len(row[0]) == 4 and row[0] not in known})
        )
    if errors:
        raise CrimeFileError(errors[:max_errors], len(errors))
    frame = pl.DataFrame(
        rows,
        schema={"kommun_code": pl.String, "kommun_name": pl.String, "year": pl.Int16, "population": pl.Int64},
        orient="row",
    )
    return PopulationTable(frame=frame, format=cube.format, unresolved_regions=unresolved, skipped=missing)


def read_json(data: bytes) -> object:
    try:
        return json.loads(decode_text_file(data))
    except json.JSONDecodeError as error:
        raise CrimeFileError([LineError(error.lineno, str(error.colno), "bad_json", error.msg)]) from error
