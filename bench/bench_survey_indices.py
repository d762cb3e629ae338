"""Benchmark: read_responses + survey_indices on a generated survey file, against plain baselines.

    .venv/bin/python bench/bench_survey_indices.py            # 1,000,000 respondents × 30 questions
    .venv/bin/python bench/bench_survey_indices.py --rows 20000

The figure we track is the ratio of survey_indices to a bare np.bincount-per-column pass over the same loaded
arrays; the read is compared with a plain polars read of the same file (every column as text).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchresults import compile_trygg, emit

from trygg.surveys.analysis import read_responses, survey_indices

PROBLEM_ITEMS = [
    "nedskrapning",
    "klotter",
    "skadegorelse",
    "morka_omraden",
    "ungdomar_stor",
    "berusade",
    "narkotika_offentligt",
    "bilar_fort",
    "buskorning",
    "oordning_centrum",
    "ovarda_parker",
    "ovarda_lokaler",
    "langning",
    "bostadsinbrott",
    "cykelstolder",
    "bilinbrott",
    "hot_trakasserier",
    "rasism",
    "gangkriminalitet",
    "nedskrapade_garden",
    "ensamma_platser",
    "hastighet_skolor",
    "hundbajs",
    "fyrverkerier",
]
CRIMES = ["skadegorelse", "stold", "hot", "misshandel"]
QUESTIONS = (
    [f"p_{item}" for item in PROBLEM_ITEMS] + ["t_kvall"] + [f"u_{c}" for c in CRIMES] + ["f_polis_bryr_sig"]
)
AREAS = ["Centrum", "Ljungbyporten", "Replösa", "Hångers", "Lagan", "landsbygd", ""]


def generate(path: Path, rows: int, seed: int = 20240601) -> None:
    rng = np.random.default_rng(seed)
    columns: dict[str, pl.Series] = {
        "respondent": pl.Series(np.arange(1, rows + 1)),
        "year": pl.Series(np.full(rows, 2024)),
        "area": pl.Series(np.array(AREAS)[rng.integers(0, len(AREAS), rows)]),
        "kon": pl.Series(
            np.array(["kvinna", "man", "annat", ""])[rng.choice(4, rows, p=[0.5, 0.47, 0.01, 0.02])]
        ),
        "alder": pl.Series(np.array(["16-24", "25-44", "45-64", "65-84"])[rng.integers(0, 4, rows)]),
        "weight": pl.Series(np.round(rng.uniform(0.2, 4.0, rows), 6)),
    }
    choices = {
        "p": [1, 2, 3, 4, 9, 0],
        "t": [1, 2, 3, 4, 5, 9, 0],
        "u": [1, 2, 9, 0],
        "f": [1, 2, 3, 4, 9, 0],
    }
    for question in QUESTIONS:
        codes = np.array(choices[question[0]], dtype=np.int8)
        drawn = codes[rng.integers(0, len(codes), rows)]
        series = pl.Series(question, drawn)
        columns[question] = pl.select(pl.when(series != 0).then(series)).to_series()
    pl.DataFrame(columns).write_csv(path)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds: the least disturbed by other work on the machine."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="time each step this many times, keep the best")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.generate is not None:
        generate(arguments.generate, arguments.rows)
        return
    repeat = arguments.repeat
    compile_trygg()

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "survey.csv"
        started = time.perf_counter()
        # A child process writes the file, so its memory does not count in this process's peak.
        command = [sys.executable, __file__, "--rows", str(arguments.rows), "--generate", str(path)]
        subprocess.run(command, check=True)
        generated = time.perf_counter() - started
        size_mib = path.stat().st_size / 2**20

        responses = read_responses(path)
        result = survey_indices(responses, by=["area"])
        # The peak so far is one read and one computation: what an import of this file costs.
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        read = best_of(repeat, lambda: read_responses(path))
        indices = best_of(repeat, lambda: survey_indices(responses, by=["area"]))
        indices_three = best_of(repeat, lambda: survey_indices(responses, by=["area", "kon", "alder"]))
        polars_read = best_of(repeat, lambda: pl.read_csv(path, infer_schema=False))
        # The whole command as a person runs it: interpreter, Django's start, the read, the indices, the JSON.
        trygg = str(Path(sys.executable).parent / "trygg")
        whole = [trygg, "survey_indices", str(path), "--by", "area", "--no-progress"]
        command_seconds = best_of(
            repeat, lambda: subprocess.run(whole, check=True, stdout=subprocess.DEVNULL)
        )
        # The same command on the header alone: the interpreter, the settings and the imports, no rows.
        header_only = Path(directory) / "header.csv"
        with path.open("rb") as source:
            header_only.write_bytes(source.readline())
        start_up = [trygg, "survey_indices", str(header_only), "--by", "area", "--no-progress"]
        start_up_seconds = best_of(
            repeat, lambda: subprocess.run(start_up, check=True, stdout=subprocess.DEVNULL)
        )

    # Baseline: the least work that touches every answer once, grouped by area, on the same loaded arrays.
    area = responses.texts["area"].cast(pl.Categorical).to_physical().to_numpy().astype(np.intp)
    weights = responses.weights
    assert weights is not None

    def numpy_pass() -> None:
        for codes in responses.codes.values():
            np.bincount(area, weights=codes * weights)

    bincount = best_of(repeat, numpy_pass)

    print(f"machine: {platform.platform()}, {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, polars {pl.__version__}")
    print(
        f"file: {arguments.rows:,} respondents × {len(QUESTIONS)} questions, {size_mib:.1f} MiB "
        f"(generated in {generated:.2f} s); best of {repeat} runs"
    )
    print(f"groups: {len(result['groups'])} (whole file + area)")
    print(f"plain polars read (all text):    {polars_read:7.3f} s")
    print(
        f"read_responses (validated):      {read:7.3f} s   ratio to the polars read {read / polars_read:6.2f}"
    )
    print(f"numpy bincount pass:             {bincount:7.3f} s")
    print(
        f"survey_indices --by area:        {indices:7.3f} s   ratio to the numpy pass {indices / bincount:6.2f}"
    )
    print(f"survey_indices --by area,kon,alder: {indices_three:4.3f} s")
    both, baseline = read + indices, polars_read + bincount
    print(f"read + indices: {both:.3f} s   ratio to polars read + numpy pass: {both / baseline:.2f}")
    print(f"peak memory (ru_maxrss) after read_responses + survey_indices: {peak_mib:.0f} MiB")
    print(
        f"trygg survey_indices --by area (whole command): {command_seconds:7.3f} s   "
        f"ratio to the polars read {command_seconds / polars_read:6.2f}"
    )
    print(
        f"  of which start-up (the command on the header alone): {start_up_seconds:7.3f} s   "
        f"ratio to the polars read {start_up_seconds / polars_read:6.2f}"
    )
    size = f"{arguments.rows:,} respondents".replace(",", " ")
    emit(
        "bench_survey_indices",
        f"read_responses, {size}",
        read,
        "s",
        baseline=polars_read,
        baseline_name="polars read",
    )
    emit(
        "bench_survey_indices",
        f"survey_indices by area, {size}",
        indices,
        "s",
        baseline=bincount,
        baseline_name="numpy bincount pass",
    )
    emit(
        "bench_survey_indices",
        f"trygg survey_indices --by area (whole command), {size}",
        command_seconds,
        "s",
        baseline=polars_read,
        baseline_name="polars read",
    )
    emit("bench_survey_indices", f"peak memory, read + indices, {size}", peak_mib, "MiB")


if __name__ == "__main__":
    main()
