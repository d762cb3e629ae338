"""Hotspots (Getis–Ord Gi*) and grid snapping for residents' reports.

This module is pure: no Django, no database, no network. The management command
``trygg hotspots`` and the staff map layer are thin wrappers around
:func:`hotspots_from_csv` and :func:`hotspots`.

Contract (issue 7, "Hotspot contract"):

* Input is a CSV file with a header line and the columns ``lat`` and ``lon`` (WGS84
  decimal degrees); other columns are ignored. Header names are matched after trimming
  spaces and ignoring case. A row with a missing, unreadable or out-of-range coordinate
  is an error that names the line (the header is line 1) and the column; a file
  without points is an error too. Errors are collected and raised together as
  :class:`HotspotInputError`; nothing is computed when there is any error.
* Points are projected to SWEREF 99 TM (EPSG:3006) with PROJ, which treats WGS84 as
  SWEREF 99 (a null datum transformation). ``x`` is the easting and ``y`` the northing.
* A cell is the half-open square ``[i·c, (i+1)·c) × [j·c, (j+1)·c)`` in metres.
* The study area is every cell of the smallest rectangle of cells holding all points;
  empty cells count as 0.
* Gi* uses binary queen-contiguity weights including the cell itself, restricted to
  the study area. With ``n`` cells, counts ``x``, mean ``x̄``,
  ``S = sqrt(Σx²/n − x̄²)`` and ``Wᵢ = Σⱼ wᵢⱼ``::

      zᵢ = (Σⱼ wᵢⱼ xⱼ − x̄ Wᵢ) / (S · sqrt((n Wᵢ − Wᵢ²) / (n − 1)))

  ``p`` is the two-sided normal p-value ``erfc(|z| / √2)``. When ``S = 0`` or the
  denominator is 0 (``Wᵢ = n``, which happens in study areas of at most 3×3 cells), z and
  p are ``None`` and the cell is never hot.
* Output::

      {"cell": c, "crs": "EPSG:3006", "cells": n, "points": N,
       "hot": [{"x": x0, "y": y0, "count": k, "z": z, "p": p}, ...]}

  ``hot`` lists every cell with ``z ≥ 1.96`` (empty cells included), or with
  ``all_cells=True`` every non-empty cell instead. Rows are sorted by z descending,
  then x, then y (ascending); a null z sorts after every number. ``x0, y0`` is the
  lower-left corner of the cell in EPSG:3006 metres.

Implementation notes: the CSV is read with polars (all columns as text, then a
vectorised cast). Only when that fast pass finds something wrong — or cannot read the
file at all — is the file read again with the standard ``csv`` module, row by row, to
name the offending lines exactly (blank lines are skipped, and quoted fields spanning
lines are counted right). Projection runs on whole arrays; counts are binned with
``np.bincount`` into a 2-D grid and the neighbour sums come from shifted views of a
zero-padded copy of that grid.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

if TYPE_CHECKING:
    from pyproj import Transformer

__all__ = [
    "CRS",
    "DEFAULT_CELL",
    "HOT_Z",
    "MAX_CELLS",
    "HotspotInputError",
    "InputError",
    "gi_star",
    "hotspots",
    "hotspots_from_csv",
    "hotspots_projected",
    "project",
    "read_points_csv",
    "snap_to_grid",
    "snap_to_grid_arrays",
    "unproject",
]

CRS = "EPSG:3006"
DEFAULT_CELL = 250
HOT_Z = 1.96
#: Upper bound on the number of cells of a study area. Points that span more (for
#: instance one point in Ljungby and one on another continent) are refused instead of
#: allocating gigabytes; 20 million cells is all of Sweden's extent at 250 m and costs
#: a few hundred megabytes while computing.
MAX_CELLS = 20_000_000
#: How many individual errors an :class:`HotspotInputError` keeps (all are counted).
MAX_ERRORS = 20
#: Below this many points per core, projecting in threads costs more than it saves.
PARALLEL_MIN_POINTS = 100_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Source = str | os.PathLike[str] | bytes | IO[bytes] | IO[str]

_BOM = b"\xef\xbb\xbf"
_COLUMNS = ("lat", "lon")
_LIMITS = {"lat": 90.0, "lon": 180.0}
_BLANK_LINES = re.compile(rb"\n(?:[ \t]*\r?\n)+")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class InputError:
    """One problem in the input. ``line`` is 1-based (the header is line 1)."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class HotspotInputError(ValueError):
    """The input cannot be used; ``errors`` holds the first problems, ``total`` counts all."""

    def __init__(self, errors: Sequence[InputError], total: int | None = None) -> None:
        self.errors: tuple[InputError, ...] = tuple(errors)
        self.total: int = len(self.errors) if total is None else total
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [str(error) for error in self.errors]
        more = self.total - len(self.errors)
        if more > 0:
            lines.append(f"… and {more} more error{'s' if more != 1 else ''}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


# ----------------------------------------------------------------------- projection

_local = threading.local()


def _transformer(inverse: bool = False) -> Transformer:
    # Transformer objects are not meant to be shared between threads; keep one per thread.
    name = "inverse" if inverse else "forward"
    transformer: Transformer | None = getattr(_local, name, None)
    if transformer is None:
        # pyproj (and PROJ's database) only when points are projected, not when the module is imported.
        from pyproj import Transformer

        source, target = ("EPSG:4326", CRS) if not inverse else (CRS, "EPSG:4326")
        transformer = Transformer.from_crs(source, target, always_xy=True)
        setattr(_local, name, transformer)
    return transformer


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _transform(inverse: bool, first: FloatArray, second: FloatArray) -> tuple[FloatArray, FloatArray]:
    """PROJ on whole arrays; large ones in one slice per core, since pyproj lets go of the GIL while it works.

    Every point goes through the same transformation either way, so the result does not depend on the split.
    """
    workers = min(_workers(), first.size // PARALLEL_MIN_POINTS)
    if workers < 2:
        a, b = _transformer(inverse).transform(first, second)
        return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    out_a = np.empty(first.shape, dtype=np.float64)
    out_b = np.empty(first.shape, dtype=np.float64)
    bounds = np.linspace(0, first.size, workers + 1).astype(np.int64).tolist()

    def part(start: int, stop: int) -> None:
        a, b = _transformer(inverse).transform(first[start:stop], second[start:stop])
        out_a[start:stop], out_b[start:stop] = a, b

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in [pool.submit(part, start, stop) for start, stop in itertools.pairwise(bounds)]:
            done.result()
    return out_a, out_b


def project(lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """WGS84 latitude/longitude (degrees) to SWEREF 99 TM easting ``x`` and northing ``y``.

    Points PROJ cannot project (far from Sweden's central meridian) come back as inf.
    """
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    return _transform(False, lon_a, lat_a)


def unproject(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """SWEREF 99 TM ``x``/``y`` (metres) back to WGS84 ``(lat, lon)`` in degrees."""
    x_a = np.asarray(x, dtype=np.float64)
    y_a = np.asarray(y, dtype=np.float64)
    lon, lat = _transform(True, x_a, y_a)
    return lat, lon


# ------------------------------------------------------------------------- snapping


def snap_to_grid_arrays(
    lat: npt.ArrayLike, lon: npt.ArrayLike, *, metres: float = 100
) -> tuple[FloatArray, FloatArray]:
    """Move each point to the centre of its ``metres`` cell in SWEREF 99 TM.

    Returns ``(lat, lon)`` arrays in WGS84. The cells are the same half-open squares as
    the hotspot grid. Snapping is idempotent, and a snapped point is at most half a cell
    diagonal (about 71 m for 100 m cells) from the original in the projected plane.
    """
    if not (math.isfinite(metres) and metres > 0):
        raise ValueError(f"metres must be a positive number, not {metres!r}")
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    if lat_a.shape != lon_a.shape:
        raise ValueError(f"lat and lon differ in shape: {lat_a.shape} and {lon_a.shape}")
    bad = ~(np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90) & (np.abs(lon_a) <= 180))
    if bad.any():
        index = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"point {index} is not a WGS84 coordinate: lat {lat_a.flat[index]}, lon {lon_a.flat[index]}"
        )
    x, y = project(lat_a, lon_a)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError(f"some points cannot be projected to {CRS}")
    centre_x = (np.floor(x / metres) + 0.5) * metres
    centre_y = (np.floor(y / metres) + 0.5) * metres
    return unproject(centre_x, centre_y)


def snap_to_grid(lat: float, lon: float, *, metres: float = 100) -> tuple[float, float]:
    """Coarsen one WGS84 point to the centre of its ``metres`` SWEREF 99 TM cell.

    Used for every public view of a report's place (map, list, GeoJSON, Open311), so
    that the same coarse point is shown everywhere. Returns ``(lat, lon)``.
    """
    snapped_lat, snapped_lon = snap_to_grid_arrays([lat], [lon], metres=metres)
    return float(snapped_lat[0]), float(snapped_lon[0])


# ---------------------------------------------------------------------- reading CSV


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return handle.read()
    content = source.read()
    return content.encode("utf-8") if isinstance(content, str) else content


@dataclass(frozen=True, slots=True)
class _Header:
    lat_index: int
    lon_index: int
    lat_name: str  # as written in the file, for polars
    lon_name: str


def _header(data: bytes) -> _Header:
    """Where the lat and lon columns are, or raise naming line 1."""
    if not data.strip():
        raise HotspotInputError(
            [InputError(1, None, "the file is empty; expected a header line naming lat and lon")]
        )
    end = data.find(b"\n")
    raw = data if end < 0 else data[:end]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HotspotInputError([InputError(1, None, "the header is not UTF-8 text")]) from None
    written = next(csv.reader([text.rstrip("\r")]), [])
    names = [name.strip().lower() for name in written]
    errors = []
    for column in _COLUMNS:
        found = names.count(column)
        if found == 0:
            errors.append(InputError(1, column, "the header has no such column"))
        elif found > 1:
            errors.append(InputError(1, column, "the header names this column more than once"))
    if errors:
        raise HotspotInputError(errors)
    lat_index, lon_index = names.index("lat"), names.index("lon")
    return _Header(lat_index, lon_index, written[lat_index], written[lon_index])


def _valid(lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
    # NaN (missing or unreadable) fails every comparison, so it is invalid too.
    return (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)


def _read_fast(data: bytes, header: _Header) -> tuple[FloatArray, FloatArray] | None:
    """Vectorised read; ``None`` when anything is off, so that the exact reader decides.

    First polars parses the two columns as numbers directly (the quickest way); if that
    fails (spaces around numbers, say) it reads them as text and casts after trimming.
    """
    body = data.rstrip(b"\r\n")  # trailing blank lines would come back as empty rows
    if b"\n\n" in body or b"\n\r\n" in body:
        # Blank lines would too. Line numbers do not matter here: any error sends the
        # file to the exact reader, which counts every line.
        body = _BLANK_LINES.sub(b"\n", body)
    names = (header.lat_name, header.lon_name)
    try:
        frame = pl.read_csv(
            body,
            has_header=True,
            columns=list(names),
            schema_overrides=dict.fromkeys(names, pl.Float64),
            separator=",",
            quote_char='"',
        )
        columns = [frame.get_column(name) for name in names]
    except Exception:  # any problem: try the slower ways
        try:
            frame = pl.read_csv(
                body,
                has_header=True,
                columns=[header.lat_index, header.lon_index],
                infer_schema=False,
                separator=",",
                quote_char='"',
            )
            by_name = {name.strip().lower(): name for name in frame.columns}
            columns = [
                frame.get_column(by_name[column]).str.strip_chars().cast(pl.Float64, strict=False)
                for column in _COLUMNS
            ]
        except Exception:  # the row-by-row reader names the problem
            return None
    if frame.width != 2 or any(column.dtype != pl.Float64 for column in columns):
        return None
    lat, lon = (np.ascontiguousarray(column.to_numpy(), dtype=np.float64) for column in columns)
    if not _valid(lat, lon).all():
        return None
    return lat, lon


def _number(raw: str, column: str) -> tuple[float | None, str | None]:
    text = raw.strip()
    if not text:
        return None, "missing value"
    value: float | None = None
    if "_" not in text:
        try:
            value = float(text)
        except ValueError:
            value = None
    if value is None:
        hint = ""
        if "," in text:
            try:
                float(text.replace(",", ".", 1))
                hint = " (use a decimal point, not a comma)"
            except ValueError:
                pass
        return None, f"{text!r} is not a number{hint}"
    if not math.isfinite(value):
        return None, f"{text!r} is not a finite number"
    limit = _LIMITS[column]
    if not -limit <= value <= limit:
        return None, f"{text} is out of range (-{limit:g} to {limit:g})"
    return value, None


@dataclass(slots=True)
class _Parsed:
    lat: list[float]
    lon: list[float]
    lines: list[int]
    errors: list[InputError]
    total_errors: int


def _read_exact(data: bytes, header: _Header, max_errors: int) -> _Parsed:
    """Row-by-row reader that knows each row's starting line number."""
    parsed = _Parsed([], [], [], [], 0)

    def fail(line: int | None, column: str | None, message: str) -> None:
        parsed.total_errors += 1
        if len(parsed.errors) < max_errors:
            parsed.errors.append(InputError(line, column, message))

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(data.count(b"\n", 0, exc.start) + 1, None, "the line is not UTF-8 text")
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    try:
        next(reader)  # the header, already checked
        previous = reader.line_num
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if len(row) <= 1 and not "".join(row).strip():
                continue  # blank line
            values: dict[str, float] = {}
            for column, index in zip(_COLUMNS, (header.lat_index, header.lon_index), strict=True):
                value, problem = _number(row[index] if index < len(row) else "", column)
                if problem is not None:
                    fail(line, column, problem)
                elif value is not None:
                    values[column] = value
            if len(values) == 2:
                parsed.lat.append(values["lat"])
                parsed.lon.append(values["lon"])
                parsed.lines.append(line)
    except csv.Error as exc:
        fail(previous + 1, None, f"the CSV cannot be read here: {exc}")
    return parsed


def _load(data: bytes, max_errors: int) -> tuple[FloatArray, FloatArray]:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    header = _header(data)
    fast = _read_fast(data, header)
    if fast is not None:
        lat, lon = fast
    else:
        parsed = _read_exact(data, header, max_errors)
        if parsed.total_errors:
            raise HotspotInputError(parsed.errors, parsed.total_errors)
        lat = np.asarray(parsed.lat, dtype=np.float64)
        lon = np.asarray(parsed.lon, dtype=np.float64)
    if lat.size == 0:
        raise HotspotInputError([InputError(None, None, "the file has no points (only a header)")])
    return lat, lon


def _scan_file(path: str | os.PathLike[str]) -> tuple[FloatArray, FloatArray] | None:
    """polars' lazy scanner straight from the file, parsing only the lat and lon columns; ``None`` when anything
    is off (a byte-order mark, a missing or bad value), so that the readers of the whole file decide and name it."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 16)
    if first.startswith(_BOM) or not first.strip():
        return None
    try:
        header = _header(first)
    except HotspotInputError:
        return None
    names = [header.lat_name, header.lon_name]
    try:
        frame = (
            pl.scan_csv(
                os.fspath(path),
                has_header=True,
                infer_schema=False,
                schema_overrides=dict.fromkeys(names, pl.Float64),
                separator=",",
                quote_char='"',
            )
            .select(names)
            .collect()
        )
    except Exception:  # any problem: the whole-file readers
        return None
    columns = [frame.get_column(name) for name in names]
    if any(column.dtype != pl.Float64 or column.null_count() for column in columns):
        return None
    lat, lon = (np.ascontiguousarray(column.to_numpy(), dtype=np.float64) for column in columns)
    if lat.size == 0 or not _valid(lat, lon).all():
        return None
    return lat, lon


def _lines(data: bytes) -> list[int]:
    """Line number of each point, in order (only needed to name projection failures)."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    return _read_exact(data, _header(data), MAX_ERRORS).lines


def read_points_csv(source: Source, *, max_errors: int = MAX_ERRORS) -> tuple[FloatArray, FloatArray]:
    """Read ``(lat, lon)`` arrays from a CSV file (path, bytes or open file).

    A ``str`` is taken as a path. Raises :class:`HotspotInputError` naming the lines and
    columns of the first ``max_errors`` problems.
    """
    return _load(_read_bytes(source), max_errors)


# -------------------------------------------------------------------------- Gi*


def gi_star(counts: npt.ArrayLike) -> FloatArray:
    """Getis–Ord Gi* z-scores for a 2-D grid of counts that is the whole study area.

    Weights are binary over the cell and its queen neighbours inside the grid. Returns a
    float grid of the same shape, with NaN where z is undefined (S = 0 or Wᵢ = n).
    """
    grid = np.asarray(counts)
    if grid.ndim != 2 or grid.size == 0:
        raise ValueError("counts must be a non-empty 2-D grid")
    if not np.issubdtype(grid.dtype, np.integer):
        raise ValueError("counts must be integers")
    grid = grid.astype(np.int64, copy=False)
    if (grid < 0).any():
        raise ValueError("counts cannot be negative")
    width, height = grid.shape
    n = width * height
    z = np.full(grid.shape, np.nan, dtype=np.float64)
    total = int(grid.sum())
    squares = int(np.square(grid).sum())
    # n²S² = nΣx² − (Σx)², in exact integers so that S = 0 is detected exactly.
    spread = n * squares - total * total
    if n < 2 or spread <= 0:
        return z
    s = math.sqrt(spread) / n
    mean = total / n

    padded = np.pad(grid, 1)
    local = np.zeros(grid.shape, dtype=np.int64)
    for dx in range(3):
        for dy in range(3):
            local += padded[dx : dx + width, dy : dy + height]

    def neighbours(size: int) -> IntArray:
        # 3 in the middle, 2 at an edge, 1 when the side is a single cell.
        index = np.arange(size)
        return np.minimum(index + 1, size - 1) - np.maximum(index - 1, 0) + 1

    weights = np.outer(neighbours(width), neighbours(height))
    defined = weights < n  # n·W − W² = W(n − W) is 0 exactly when W = n
    w = weights[defined].astype(np.float64)
    denominator = s * np.sqrt(w * (n - w) / (n - 1))
    z[defined] = (local[defined] - mean * w) / denominator
    return z


def _p_value(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def hotspots_projected(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    cell: int = DEFAULT_CELL,
    all_cells: bool = False,
    max_cells: int = MAX_CELLS,
) -> dict[str, Any]:
    """Hotspots for points already in EPSG:3006 metres (``x`` easting, ``y`` northing)."""
    if isinstance(cell, bool) or not isinstance(cell, int | np.integer) or cell <= 0:
        raise ValueError(f"cell must be a positive whole number of metres, not {cell!r}")
    cell = int(cell)
    x_a = np.asarray(x, dtype=np.float64).ravel()
    y_a = np.asarray(y, dtype=np.float64).ravel()
    if x_a.shape != y_a.shape:
        raise ValueError("x and y differ in length")
    if x_a.size == 0:
        raise HotspotInputError([InputError(None, None, "there are no points")])
    if not (np.isfinite(x_a).all() and np.isfinite(y_a).all()):
        raise ValueError("x and y must be finite")

    ix = np.floor(x_a / cell).astype(np.int64)
    iy = np.floor(y_a / cell).astype(np.int64)
    x_min, y_min = int(ix.min()), int(iy.min())
    width = int(ix.max()) - x_min + 1
    height = int(iy.max()) - y_min + 1
    if width * height > max_cells:
        raise HotspotInputError(
            [
                InputError(
                    None,
                    None,
                    f"the points span {width}×{height} cells of {cell} m, more than {max_cells}; "
                    "check for stray coordinates or use larger cells",
                )
            ]
        )
    flat = (ix - x_min) * height + (iy - y_min)
    counts = np.bincount(flat, minlength=width * height).reshape(width, height)
    z = gi_star(counts)

    if all_cells:
        chosen = np.flatnonzero(counts.ravel() > 0)
    else:
        with np.errstate(invalid="ignore"):
            chosen = np.flatnonzero(z.ravel() >= HOT_Z)
    chosen_z = z.ravel()[chosen]
    cx = chosen // height
    cy = chosen % height
    sort_z = np.where(np.isnan(chosen_z), np.inf, -chosen_z)  # null z last
    order = np.lexsort((cy, cx, sort_z))

    rows = []
    for k in order.tolist():
        index = int(chosen[k])
        value = float(chosen_z[k])
        defined = not math.isnan(value)
        rows.append(
            {
                "x": (x_min + int(cx[k])) * cell,
                "y": (y_min + int(cy[k])) * cell,
                "count": int(counts.flat[index]),
                "z": value if defined else None,
                "p": _p_value(value) if defined else None,
            }
        )
    return {"cell": cell, "crs": CRS, "cells": width * height, "points": int(x_a.size), "hot": rows}


def _check_projected(x: FloatArray, y: FloatArray, lines: Sequence[int] | None) -> None:
    bad = np.flatnonzero(~(np.isfinite(x) & np.isfinite(y)))
    if bad.size == 0:
        return
    errors = []
    for index in bad[:MAX_ERRORS].tolist():
        if lines is not None:
            errors.append(InputError(lines[index], None, f"the point cannot be projected to {CRS}"))
        else:
            errors.append(InputError(None, None, f"point {index} cannot be projected to {CRS}"))
    raise HotspotInputError(errors, int(bad.size))


def hotspots(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    cell: int = DEFAULT_CELL,
    all_cells: bool = False,
    max_cells: int = MAX_CELLS,
) -> dict[str, Any]:
    """Hotspots for WGS84 points given as arrays (see the module docstring)."""
    lat_a = np.asarray(lat, dtype=np.float64).ravel()
    lon_a = np.asarray(lon, dtype=np.float64).ravel()
    if lat_a.shape != lon_a.shape:
        raise ValueError("lat and lon differ in length")
    bad = np.flatnonzero(~_valid(lat_a, lon_a))
    if bad.size:
        errors = [
            InputError(None, None, f"point {i} is not a WGS84 coordinate: lat {lat_a[i]}, lon {lon_a[i]}")
            for i in bad[:MAX_ERRORS].tolist()
        ]
        raise HotspotInputError(errors, int(bad.size))
    x, y = project(lat_a, lon_a)
    _check_projected(x, y, None)
    return hotspots_projected(x, y, cell=cell, all_cells=all_cells, max_cells=max_cells)


def hotspots_from_csv(
    source: Source,
    *,
    cell: int = DEFAULT_CELL,
    all_cells: bool = False,
    max_cells: int = MAX_CELLS,
    max_errors: int = MAX_ERRORS,
) -> dict[str, Any]:
    """Read a CSV of ``lat``/``lon`` points and compute hotspots; the whole contract."""
    if isinstance(source, str | os.PathLike):
        scanned = _scan_file(source)
        if scanned is not None:
            x, y = project(*scanned)
            if np.isfinite(x).all() and np.isfinite(y).all():
                return hotspots_projected(x, y, cell=cell, all_cells=all_cells, max_cells=max_cells)
    data = _read_bytes(source)
    lat, lon = _load(data, max_errors)
    x, y = project(lat, lon)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        _check_projected(x, y, _lines(data))
    return hotspots_projected(x, y, cell=cell, all_cells=all_cells, max_cells=max_cells)
