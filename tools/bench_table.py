"""Write the benchmarks' figures into docs/performance.md as one table: `python tools/bench_table.py RESULTS DOC`.

RESULTS holds one JSON object per line, as bench/benchresults.py's `emit` writes them (`make bench` sets
BENCH_RESULTS for every bench/bench_*.py). The table replaces what stands between the two marker comments in
DOC, so the prose around it stays; the machine and the date are written with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

START = "<!-- bench-table:start (written by tools/bench_table.py; edit outside the markers) -->"
END = "<!-- bench-table:end -->"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def postgresql_version() -> str:
    candidates = [
        shutil.which("postgres"),
        *sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin/postgres"))),
    ]
    binary = next((candidate for candidate in reversed(candidates) if candidate), None)
    if not binary:
        return "no PostgreSQL"
    completed = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip().replace("postgres (PostgreSQL)", "PostgreSQL") or "PostgreSQL ?"


def machine_description() -> str:
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib():.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {postgresql_version()}"
    )


def short_machine() -> str:
    return f"{cpu_model()} ×{os.cpu_count()}, {memory_gib():.0f} GiB"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer() and abs(value) < 10_000:
        return str(int(value))
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(records: list[dict[str, Any]]) -> str:
    machine = short_machine()
    lines = [
        "| benchmark | figure | value | baseline | ratio | machine |",
        "| --- | --- | ---: | --- | ---: | --- |",
    ]
    for record in records:
        unit = record["unit"]
        baseline = record.get("baseline")
        baseline_text = (
            f"{number(baseline)} {unit} ({record.get('baseline_name') or 'baseline'})"
            if baseline is not None
            else "–"
        )
        ratio = record["value"] / baseline if baseline else None
        lines.append(
            f"| {record['bench']} | {record['figure']} | {number(record['value'])} {unit} | {baseline_text} | "
            f"{'–' if ratio is None else f'{ratio:.2f}×'} | {machine} |"
        )
    return "\n".join(lines)


def render(records: list[dict[str, Any]], today: dt.date) -> str:
    return "\n".join(
        [
            START,
            f"Measured {today.isoformat()} on: {machine_description()}.",
            "",
            "The ratio is the figure divided by its baseline from the same run.",
            "",
            table(records),
            END,
        ]
    )


def write(results: Path, document: Path, today: dt.date) -> None:
    records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line.strip()]
    block = render(records, today)
    text = document.read_text(encoding="utf-8") if document.exists() else "# Performance\n\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    document.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("results", type=Path)
    parser.add_argument("document", type=Path)
    arguments = parser.parse_args(argv)
    if not arguments.results.exists():
        print(f"{arguments.results}: no figures to write", file=sys.stderr)
        return 1
    write(arguments.results, arguments.document, dt.date.today())
    print(f"wrote the benchmark table to {arguments.document}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
