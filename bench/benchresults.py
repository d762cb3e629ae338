"""What every benchmark shares: the machine's description and its figures as JSON lines.

A benchmark calls `emit(...)` for each figure it tracks; with BENCH_RESULTS=<file> in the environment (as
`make bench` sets it) each call appends one JSON object to that file, which tools/bench_table.py turns into
the table in docs/performance.md. Without it, `emit` does nothing and the benchmark's own printout is all.
The benchmarks put the repository's root on sys.path before importing this.
"""

from __future__ import annotations

import io
import json
import os


def compile_trygg() -> None:
    """Trygg's modules compiled to bytecode, as an installed site has them (pip compiles a package when it installs
    it; `make install` does the same for the checkout). Without it, a shell with PYTHONDONTWRITEBYTECODE (as these
    machines have) compiles every module again at each start of a command the benchmark times."""
    import compileall
    from pathlib import Path

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "trygg", quiet=1, workers=0)


def machine() -> str:
    from tools.bench_table import machine_description

    return machine_description()


def phone_photo(target_bytes: int) -> bytes:
    """A JPEG the size of a phone's photo (4000×3000) of at least 90 % of `target_bytes`, with some EXIF."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(20260101)
    width, height = 4000, 3000
    # Coarse colour blobs with fine grain on top: smooth areas and texture, like a photograph.
    coarse = rng.integers(0, 256, (height // 40, width // 40, 3), dtype=np.uint8)
    picture = np.asarray(Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC))
    image = Image.fromarray(np.clip(picture + rng.normal(0, 9, picture.shape), 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"
    exif[0x0112] = 1
    for quality in (60, 70, 78, 84, 88, 91, 93, 95, 97):
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=quality, exif=exif.tobytes())
        if output.tell() >= target_bytes * 0.9:
            break
    return output.getvalue()


def emit(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
) -> None:
    """Record one figure; `baseline` is the same run's reference for it, so the table can show the ratio."""
    target = os.environ.get("BENCH_RESULTS")
    if not target:
        return
    record = {
        "bench": bench,
        "figure": figure,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
    }
    with open(target, "a", encoding="utf-8") as results:
        results.write(json.dumps(record, ensure_ascii=False) + "\n")
