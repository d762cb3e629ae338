"""Benchmark: how long `trygg help` takes (issue 21: commands start at once), against Django's own.

Standalone: ``python bench/bench_startup.py [--repeat R]``.

Times, interleaved and in the same run, the whole process of:

* baseline — ``django-admin help``: the interpreter and Django with no project at all;
* ``trygg help`` — Django's start with every Trygg app and the list of commands.

The heavy libraries (polars, numpy, matplotlib, Pillow, pyproj …) are imported by the code that uses them, so the
difference is Trygg's apps and models (trygg/core/tests/test_startup_imports.py keeps it so).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchresults import emit, machine


def timed(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    bare = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    runs = {
        "django-admin help (baseline)": [str(bin_dir / "django-admin"), "help"],
        "trygg help": [str(bin_dir / "trygg"), "help"],
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for command in runs.values():  # warm the file cache
        timed(command, bare)
    for _ in range(arguments.repeat):
        for name, command in runs.items():
            times[name].append(timed(command, bare))
    print(f"machine: {machine()}")
    base = statistics.median(times["django-admin help (baseline)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32} median {median:6.3f} s  best {min(values):6.3f} s  {median / base:5.2f}× baseline")
    emit(
        "bench_startup",
        "trygg help (whole command)",
        statistics.median(times["trygg help"]),
        "s",
        baseline=base,
        baseline_name="django-admin help",
    )


if __name__ == "__main__":
    main()
