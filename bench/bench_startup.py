"""Benchmark: how long `trygg help` and a command's start take (issue 21: commands start at once).

Standalone: ``python bench/bench_startup.py [--repeat R]``.

Times, interleaved and in the same run, the whole process (wall clock, and the CPU time user + sys of the child)
of:

* ``python -c pass`` — the interpreter alone, the floor no command can go below;
* baseline — ``django-admin help``: the interpreter and Django with no project at all;
* ``trygg help`` — the list of commands, read from the settings without Django's start
  (trygg/core/command_list.py);
* ``trygg help migrate`` — Django's start with every Trygg app, its models, admin and `ready()`, then one
  command's help: what every other command pays before it does any work;
* ``trygg survey_indices`` on a file with a header and no rows, and ``trygg hotspots`` on three points: the start
  of the two commands that run without the app registry (trygg/core/quick_commands.py), numpy, polars (and
  pyproj) included, and a few milliseconds of work.

The heavy libraries (polars, numpy, matplotlib, Pillow, pyproj …), Redis and the services are imported by the
code that uses them (trygg/core/tests/test_startup_imports.py keeps it so); what `trygg help migrate` still pays
over the baseline is Django's models and admin, and pydantic, which the installed `ninja` app imports.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchresults import emit, machine

BASELINE = "django-admin help (baseline)"
SURVEY = "trygg survey_indices, no rows"
HOTSPOTS = "trygg hotspots, 3 points"


def timed(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall clock and CPU time (user + sys) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    # Trygg's modules are run from their bytecode, as an installed site's are: a shell that sets
    # PYTHONDONTWRITEBYTECODE would have every start compile them again (the warm-up run writes the files).
    bare = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PYTHONDONTWRITEBYTECODE"}
    }
    files = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    survey, points = files / "header.csv", files / "points.csv"
    survey.write_text("respondent,area,weight,p_klotter,t_kvall\n")
    points.write_text("id,lat,lon\n1,56.833,13.941\n2,56.834,13.942\n3,56.846,13.956\n")
    runs = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        BASELINE: [str(bin_dir / "django-admin"), "help"],
        "trygg help": [str(bin_dir / "trygg"), "help"],
        "trygg help migrate": [str(bin_dir / "trygg"), "help", "migrate"],
        SURVEY: [str(bin_dir / "trygg"), "survey_indices", str(survey), "--no-progress"],
        HOTSPOTS: [str(bin_dir / "trygg"), "hotspots", str(points)],
    }
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    try:
        for command in runs.values():  # warm the file cache and write the bytecode
            timed(command, bare)
        for _ in range(arguments.repeat):
            for name, command in runs.items():
                wall, cpu = timed(command, bare)
                walls[name].append(wall)
                cpus[name].append(cpu)
    finally:
        shutil.rmtree(files)
    print(f"machine: {machine()}")
    wall_base = statistics.median(walls[BASELINE])
    cpu_base = statistics.median(cpus[BASELINE])
    for name in runs:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(
            f"{name:32} wall median {wall:6.3f} s ({wall / wall_base:5.2f}× baseline)"
            f"  CPU median {cpu:6.3f} s ({cpu / cpu_base:5.2f}× baseline)"
        )
    for figure, values, base in [
        ("trygg help (whole command)", walls["trygg help"], wall_base),
        ("trygg help (whole command), CPU user + sys", cpus["trygg help"], cpu_base),
        ("trygg help migrate (Django's start with every app)", walls["trygg help migrate"], wall_base),
        (
            "trygg help migrate (Django's start with every app), CPU user + sys",
            cpus["trygg help migrate"],
            cpu_base,
        ),
        ("python -c pass (the interpreter's floor)", walls["python -c pass (floor)"], wall_base),
        ("trygg survey_indices on a file with no rows (start-up)", walls[SURVEY], wall_base),
        ("trygg survey_indices on a file with no rows (start-up), CPU user + sys", cpus[SURVEY], cpu_base),
        ("trygg hotspots on three points (start-up)", walls[HOTSPOTS], wall_base),
        ("trygg hotspots on three points (start-up), CPU user + sys", cpus[HOTSPOTS], cpu_base),
    ]:
        emit(
            "bench_startup",
            figure,
            statistics.median(values),
            "s",
            baseline=base,
            baseline_name="django-admin help",
        )


if __name__ == "__main__":
    main()
