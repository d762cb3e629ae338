"""Benchmark: reading SCB's PC-Axis and JSON-stat tables of a million cells, against a polars read of the
equivalent CSV, and against the PyPI readers pyaxis and pyjstat.

Standalone: ``python bench/bench_import_formats.py [--cells N]``.

Builds, in memory and written to a temporary folder, two tables of about N cells (default 1 000 000):

* population as SCB's BE0101N1: 290 kommuner × 2 sexes × 101 ages × years, with some ".." cells;
* reported crime: 290 kommuner × 300 crime types (a few mapping to Trygg's categories) × months;

each as PC-Axis (iso-8859-1), as JSON-stat 2.0, and as the equivalent long CSV (one row per cell). Then times, in
the same run:

* baseline — ``pl.read_csv`` of the long CSV (the least any import of the same cells must do);
* Trygg's whole read of the file as the import does it (trygg.crimestats.formats: decoding, parsing, the
  totals over sex and age or the mapping of crime types and kommuner, validation), no database;
* pyaxis.parse and pyjstat (from_json_stat) on the same files, when they are installed (``make bench`` installs
  the dev dependencies, which include them), for the choice of reader described in docs/lagesbild.md.

Prints seconds and the ratios to the baseline; the issue's bar is a ratio of at most 3.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchresults import emit, machine

from trygg.crimestats import formats, kommuner


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def _px(
    header: dict[str, list[str]], stub: list[str], heading: list[str], cells: np.ndarray, per_line: int
) -> str:
    lines = ['CHARSET="ANSI";', 'CODEPAGE="iso-8859-1";', 'MATRIX="BENCH";', 'CONTENTS="Bench";']
    lines.append("STUB=" + ",".join(f'"{name}"' for name in stub) + ";")
    lines.append("HEADING=" + ",".join(f'"{name}"' for name in heading) + ";")
    for name, values in header.items():
        lines.append(f'VALUES("{name}")=' + ",".join(f'"{value}"' for value in values) + ";")
    lines.append("DATA=")
    text = np.where(np.isnan(cells), '".."', np.nan_to_num(cells).astype(np.int64).astype(str))
    for start in range(0, text.size, per_line):
        lines.append(" ".join(text[start : start + per_line]))
    return "\n".join(lines) + ";\n"


def _jsonstat(dimensions: list[tuple[str, list[str], list[str], str]], cells: np.ndarray) -> str:
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "Bench",
        "id": [name for name, _codes, _labels, _role in dimensions],
        "size": [len(codes) for _name, codes, _labels, _role in dimensions],
        "role": {
            role: [name for name, _codes, _labels, other in dimensions if other == role]
            for role in ("time", "geo", "metric")
        },
        "dimension": {
            name: {
                "label": name,
                "category": {
                    "index": {code: position for position, code in enumerate(codes)},
                    "label": dict(zip(codes, labels, strict=True)),
                },
            }
            for name, codes, labels, _role in dimensions
        },
        "value": [None if np.isnan(value) else int(value) for value in cells],
    }
    return json.dumps(document, ensure_ascii=False)


def _long_csv(dimensions: list[tuple[str, list[str]]], cells: np.ndarray) -> bytes:
    sizes = [len(values) for _name, values in dimensions]
    columns = {}
    repeat = int(np.prod(sizes))
    for position, (name, values) in enumerate(dimensions):
        inner = int(np.prod(sizes[position + 1 :]))
        repeat //= len(values)
        index = np.tile(np.repeat(np.arange(len(values)), inner), int(np.prod(sizes[:position])))
        columns[name] = pl.Series(values).gather(index)
    frame = pl.DataFrame(columns).with_columns(pl.Series("antal", cells).fill_nan(None).cast(pl.Int64))
    return frame.write_csv().encode()


def population_tables(cells: int, folder: Path) -> dict[str, Path]:
    codes = list(kommuner.kommuner())
    names = [kommuner.kommuner()[code] for code in codes]
    ages = [str(age) for age in range(101)]
    years = max(1, round(cells / (len(codes) * 2 * len(ages))))
    year_labels = [str(2025 - years + 1 + offset) for offset in range(years)]
    rng = np.random.default_rng(20261206)
    values = rng.integers(0, 400, len(codes) * 2 * len(ages) * years).astype(np.float64)
    values[rng.random(values.size) < 0.001] = np.nan
    px = _px(
        {
            "region": [f"{code} {name}" for code, name in zip(codes, names, strict=True)],
            "kön": ["män", "kvinnor"],
            "ålder": ages,
            "år": year_labels,
            "tabellinnehåll": ["Folkmängd"],
        },
        ["region", "kön", "ålder"],
        ["år"],
        values,
        years,
    ).replace('VALUES("år")', 'TIMEVAL("år")=TLIST(A1);\nVALUES("år")')
    jsonstat = _jsonstat(
        [
            ("Region", codes, names, "geo"),
            ("Kon", ["1", "2"], ["män", "kvinnor"], ""),
            ("Alder", ages, ages, ""),
            ("ContentsCode", ["BE0101N1"], ["Folkmängd"], "metric"),
            ("Tid", year_labels, year_labels, "time"),
        ],
        values,
    )
    csv = _long_csv([("region", codes), ("kön", ["1", "2"]), ("ålder", ages), ("år", year_labels)], values)
    paths = {"px": folder / "be0101n1.px", "json": folder / "tab638.json", "csv": folder / "population.csv"}
    paths["px"].write_bytes(px.encode("latin-1"))
    paths["json"].write_text(jsonstat, encoding="utf-8")
    paths["csv"].write_bytes(csv)
    return paths


def crime_tables(cells: int, folder: Path) -> dict[str, Path]:
    codes = list(kommuner.kommuner())
    names = [kommuner.kommuner()[code] for code in codes]
    types = ["Skadegörelsebrott", "Klotter", "Bedrägeri m.m.", "Misshandel utomhus"] + [
        f"Brottstyp {number}" for number in range(296)
    ]
    months = max(1, round(cells / (len(codes) * len(types))))
    periods = [f"{2025 + offset // 12}M{offset % 12 + 1:02d}" for offset in range(months)]
    rng = np.random.default_rng(20261207)
    values = rng.integers(0, 60, len(codes) * len(types) * months).astype(np.float64)
    values[rng.random(values.size) < 0.01] = np.nan
    px = _px(
        {
            "region": [f"{code} {name}" for code, name in zip(codes, names, strict=True)],
            "brottstyp": types,
            "månad": periods,
        },
        ["region", "brottstyp"],
        ["månad"],
        values,
        months,
    ).replace('VALUES("månad")', 'TIMEVAL("månad")=TLIST(M1);\nVALUES("månad")')
    jsonstat = _jsonstat(
        [("Region", codes, names, "geo"), ("Brottstyp", types, types, ""), ("Tid", periods, periods, "time")],
        values,
    )
    csv = _long_csv([("region", codes), ("brottstyp", types), ("period", periods)], values)
    paths = {"px": folder / "brott.px", "json": folder / "brott.json", "csv": folder / "brott.csv"}
    paths["px"].write_bytes(px.encode("latin-1"))
    paths["json"].write_text(jsonstat, encoding="utf-8")
    paths["csv"].write_bytes(csv)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(machine())
    categories = formats.category_spellings()
    try:
        from pyaxis import pyaxis
    except ImportError:
        pyaxis = None
    try:
        from pyjstat import pyjstat
    except ImportError:
        pyjstat = None
    with tempfile.TemporaryDirectory() as folder:
        tables = {
            "population": population_tables(options.cells, Path(folder)),
            "crime": crime_tables(options.cells, Path(folder)),
        }
        for kind, paths in tables.items():
            rows = pl.read_csv(paths["csv"]).height
            baseline = best_of(options.runs, lambda paths=paths: pl.read_csv(paths["csv"]))
            print(f"\n{kind}: {rows:,} cells; polars read of the long CSV {baseline:.3f} s")
            emit("bench_import_formats", f"polars read, {kind} CSV, {rows:,} cells", baseline, "s")

            def trygg_read(path: Path, kind: str = kind) -> object:
                data = path.read_bytes()
                if kind == "population":
                    return formats.read_population_statistics(data)
                return formats.read_crime_statistics(data, file_name=path.name, categories=categories)

            figures: list[tuple[str, Callable[[], object]]] = [
                ("Trygg, PC-Axis", lambda paths=paths, read=trygg_read: read(paths["px"])),
                ("Trygg, JSON-stat", lambda paths=paths, read=trygg_read: read(paths["json"])),
            ]
            if pyaxis is not None:
                figures.append(
                    (
                        "pyaxis.parse, PC-Axis",
                        lambda paths=paths: pyaxis.parse(str(paths["px"]), encoding="iso-8859-1"),
                    )
                )
            if pyjstat is not None:
                figures.append(
                    (
                        "pyjstat.from_json_stat, JSON-stat",
                        lambda paths=paths: pyjstat.from_json_stat(
                            json.loads(paths["json"].read_text("utf-8"))
                        ),
                    )
                )
            for name, action in figures:
                # The PyPI readers are far slower; one run of each is enough to compare.
                seconds = best_of(options.runs if name.startswith("Trygg") else 1, action)
                print(f"  {name:<36} {seconds:7.3f} s   {seconds / baseline:5.2f} × the polars read")
                emit(
                    "bench_import_formats",
                    f"{name}, {kind}, {rows:,} cells",
                    seconds,
                    "s",
                    baseline=baseline,
                    baseline_name="polars read of the CSV",
                )


if __name__ == "__main__":
    main()
