import datetime as dt
import json
from pathlib import Path

from tools.bench_table import END, START, write

RECORDS = [
    {
        "bench": "bench_a",
        "figure": "page p95",
        "value": 120.0,
        "unit": "ms",
        "baseline": 40.0,
        "baseline_name": "bare",
    },
    {"bench": "bench_b", "figure": "users", "value": 60, "unit": "users", "baseline": None, "ratio": None},
]


def _results(tmp_path: Path) -> Path:
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in RECORDS), encoding="utf-8")
    return path


def test_the_table_replaces_only_what_stands_between_the_markers(tmp_path: Path) -> None:
    document = tmp_path / "performance.md"
    document.write_text(f"# Performance\n\nProse before.\n\n{START}\nold table\n{END}\n\nProse after.\n")

    write(_results(tmp_path), document, dt.date(2026, 11, 25))

    text = document.read_text(encoding="utf-8")
    assert "old table" not in text
    assert text.startswith("# Performance\n\nProse before.\n\n")
    assert text.endswith(f"{END}\n\nProse after.\n")
    assert text.count(START) == 1
    assert "Measured 2026-11-25" in text


def test_each_figure_is_one_row_with_its_baseline_and_ratio(tmp_path: Path) -> None:
    document = tmp_path / "performance.md"

    write(_results(tmp_path), document, dt.date(2026, 11, 25))

    rows = [line for line in document.read_text(encoding="utf-8").splitlines() if line.startswith("| bench_")]
    assert len(rows) == 2
    assert "| page p95 | 120 ms | 40 ms (bare) | 3.00× |" in rows[0]
    assert "| users | 60 users | – | – |" in rows[1]
