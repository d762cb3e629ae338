"""The frozen-clock plugin (tests/frozen_clock.py) in a pytest of its own: each date-sensitive test runs once per
moment, with the clock at that moment, and nothing else runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.frozen_clock import frozen_moments

REPOSITORY = Path(__file__).resolve().parents[2]

SAMPLE = """
import datetime as dt
import json
import pathlib

import pytest

SEEN = pathlib.Path(__file__).with_name("seen.jsonl")


@pytest.mark.date_sensitive
@pytest.mark.parametrize("word", ["a", "b"])
def test_marked(word):
    with SEEN.open("a") as seen:
        seen.write(json.dumps([word, dt.datetime.now(dt.UTC).isoformat()]) + "\\n")


def test_unmarked():
    raise AssertionError("an unmarked test ran under --frozen-clock")
"""


def _run(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    environment.pop("TRYGG_FROZEN_CLOCK", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:xdist", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "-p", "tests.frozen_clock", "-q", *options, "test_sample.py"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_each_date_sensitive_test_runs_once_per_moment_with_the_clock_there_and_nothing_else_runs(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path, "--frozen-clock=2028-02-29 2030-12-31T23:30")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed, 1 deselected" in result.stdout
    seen = [json.loads(line) for line in (tmp_path / "seen.jsonl").read_text().splitlines()]
    days = sorted((word, moment[:16]) for word, moment in seen)
    # Stockholm time, read in UTC: 10:00 on the leap day is 09:00Z, 23:30 on New Year's Eve is 22:30Z.
    assert days == [
        ("a", "2028-02-29T09:00"),
        ("a", "2030-12-31T22:30"),
        ("b", "2028-02-29T09:00"),
        ("b", "2030-12-31T22:30"),
    ]


def test_each_run_names_its_moment_in_its_id(tmp_path: Path) -> None:
    result = _run(tmp_path, "--frozen-clock=2028-02-29,2030-12-31T23:30", "--collect-only")

    assert "test_sample.py::test_marked[frozen-2028-02-29T10:00:00+01:00-a]" in result.stdout
    assert "test_sample.py::test_marked[frozen-2030-12-31T23:30:00+01:00-b]" in result.stdout


def test_without_a_frozen_clock_every_test_runs_once_on_the_real_clock(tmp_path: Path) -> None:
    result = _run(tmp_path)

    assert "1 failed, 2 passed" in result.stdout
    assert "an unmarked test ran" in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("2028-02-29", ["2028-02-29T10:00:00+01:00"]),
        (
            " 2028-02-29T10:00, 2028-02-29  2030-01-01T00:30 ",
            ["2028-02-29T10:00:00+01:00", "2030-01-01T00:30:00+01:00"],
        ),
    ],
)
def test_the_moments_are_read_in_stockholm_time_in_order_and_each_once(
    text: str, expected: list[str]
) -> None:
    assert [moment.isoformat() for moment in frozen_moments(text)] == expected
