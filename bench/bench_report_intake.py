"""Benchmark: report intake, posts per second with one photo, through Django's test client.

Standalone: ``python bench/bench_report_intake.py [--posts N]``.

Sets up a throw-away SQLite database and media directory, loads the Ljungby demo and its example
reports, then times, in the same run:

* baseline — re-encoding the photo alone (``trygg.reports.photos.photo_reencode``), the least any
  intake with a photo must do;
* intake — a full POST of the public form (CSRF off as in the test client, rate limit off), with a
  1600×1200 JPEG carrying EXIF: form validation, gazetteer lookup, duplicate check, re-encoding, the
  report, its photo file, its history entry and the audit record.

Prints posts per second and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _photo() -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 255, (1200, 1600, 3), dtype=np.uint8)
    image = Image.fromarray(pixels, "RGB")
    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x010F] = "BenchCam"
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85, exif=exif.tobytes())
    return output.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="trygg-bench-"))
    os.environ["TRYGG_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["RATE_LIMITS_ENABLED"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "trygg.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    settings.MEDIA_ROOT = workdir / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    from trygg.demo.reports import load_reports_demo
    from trygg.demo.services import demo_load
    from trygg.reports.models import Report, ReportCategory
    from trygg.reports.photos import photo_reencode

    municipality = demo_load().municipality
    load_reports_demo(municipality)
    category = ReportCategory.objects.get(municipality=municipality, slug="ovrigt")
    photo = _photo()
    client = Client()

    def baseline() -> None:
        photo_reencode(photo)

    def intake(n: int) -> None:
        response = client.post(
            "/ljungby/felanmalan/",
            {
                "category": category.pk,
                # Points a few hundred metres apart, so that no post stops at the duplicate check.
                "latitude": f"{56.80 + (n // 20) * 0.004:.6f}",
                "longitude": f"{13.88 + (n % 20) * 0.004:.6f}",
                "description": "Mätning av inskick.",
                "submission_id": str(uuid.uuid4()),
                "photos": [SimpleUploadedFile("bild.jpg", photo, content_type="image/jpeg")],
            },
        )
        if response.status_code not in (200, 302):
            raise SystemExit(f"unexpected status {response.status_code}")

    baseline()  # warm up Pillow and pyproj
    intake(0)
    base_times, intake_times = [], []
    for n in range(1, args.posts + 1):
        start = time.perf_counter()
        baseline()
        base_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        intake(n)
        intake_times.append(time.perf_counter() - start)
    filed = Report.objects.filter(source=Report.Source.WEB).count()
    if filed != args.posts + 1:
        raise SystemExit(f"only {filed} of {args.posts + 1} posts filed a report")

    base, full = statistics.median(base_times), statistics.median(intake_times)
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(f"photo: {len(photo) / 1024:.0f} KiB JPEG 1600x1200; posts: {args.posts}; reports filed: {filed}")
    print(f"baseline (re-encode only): median {base * 1000:.1f} ms -> {1 / base:.1f} photos/s")
    print(f"intake (full POST):        median {full * 1000:.1f} ms -> {1 / full:.1f} posts/s")
    print(f"ratio intake/baseline: {full / base:.2f}")
    from benchresults import emit

    emit(
        "bench_report_intake",
        f"report POST with a {len(photo) / 2**20:.1f} MiB photo, median",
        full * 1000,
        "ms",
        baseline=base * 1000,
        baseline_name="photo re-encode only",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
