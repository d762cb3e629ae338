"""How fast the promise parser reads the test corpus, against a naive line-and-regex scan of the same texts.

Run from the repository root: python bench/bench_parse.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchresults import emit  # noqa: E402

from trygg.promises.parsing import load_vocabulary, parse_promise_text  # noqa: E402
from trygg.promises.readers import read_document  # noqa: E402

CORPUS = ROOT / "trygg" / "promises" / "tests" / "corpus"
SEED = ROOT.parent / "shared" / "seeds" / "000_c1297d98e49f98ef.txt"

_BASELINE_RE = re.compile(r"^\s*(?:[•\-–*]|\d+\.)\s+(.*)$|(\d+)")


def baseline_scan(text: str) -> int:
    """What any parser must at least do: walk every line and look for bullets and digits."""
    found = 0
    for line in text.splitlines():
        found += sum(1 for _ in _BASELINE_RE.finditer(line))
    return found


def documents() -> list[tuple[str, str]]:
    paths = sorted(path for path in CORPUS.iterdir() if not path.name.endswith(".expected.json"))
    texts = [(path.name, read_document(path)) for path in paths]
    if SEED.exists():
        texts.append((SEED.name, SEED.read_text(encoding="utf-8")))
    return texts


def seconds_per_call(function: Callable[[str], object], text: str, rounds: int) -> float:
    best = float("inf")
    # The best of three batches hides pauses from other processes on a shared machine.
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(rounds):
            function(text)
        best = min(best, (time.perf_counter() - started) / rounds)
    return best


def machine() -> str:
    uname = platform.uname()
    processor = platform.processor() or uname.machine
    return (
        f"{uname.system} {uname.release} {uname.machine}, processor {processor!r}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()} ({platform.python_implementation()})"
    )


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--rounds", type=int, default=200, help="parses of each document per batch")
    rounds = arguments.parse_args().rounds

    load_vocabulary()  # Compile the vocabulary once, outside the timing, as a long-running server would.
    texts = documents()
    print(f"Machine: {machine()}")
    print(f"Documents: {len(texts)}, rounds per batch: {rounds} (best of 3 batches)\n")
    print(f"{'document':<40} {'chars':>6} {'parse ms':>9} {'baseline ms':>12} {'ratio':>7}")
    total_parse = total_baseline = 0.0
    for name, text in texts:
        parse = seconds_per_call(parse_promise_text, text, rounds)
        baseline = seconds_per_call(baseline_scan, text, rounds)
        total_parse += parse
        total_baseline += baseline
        print(
            f"{name:<40} {len(text):>6} {parse * 1000:>9.3f} {baseline * 1000:>12.4f} {parse / baseline:>7.1f}"
        )
    print()
    print(
        f"parser:   {len(texts) / total_parse:>10.0f} documents/s ({total_parse / len(texts) * 1000:.3f} ms each)"
    )
    print(
        f"baseline: {len(texts) / total_baseline:>10.0f} documents/s ({total_baseline / len(texts) * 1000:.4f} ms each)"
    )
    print(f"ratio:    the parser takes {total_parse / total_baseline:.1f}× the time of the baseline scan")
    emit(
        "bench_parse",
        f"promise parser, per document ({len(texts)} documents)",
        total_parse / len(texts) * 1000,
        "ms",
        baseline=total_baseline / len(texts) * 1000,
        baseline_name="line and regex scan",
    )


if __name__ == "__main__":
    main()
