"""Benchmark: report intake, CPU per post with a phone's 3 MB photo, through Django's test client.

Standalone: ``python bench/bench_report_intake.py [--posts N]``.

Sets up a throw-away SQLite database and media directory, loads the Ljungby demo and its example
reports, then measures CPU time (this process's, so disk waits do not count) in the same run:

* baseline — re-encoding the photo alone (``trygg.reports.photos.photo_reencode``), the work a post did in
  the request before the task worker took it over;
* request — a full POST of the public form (CSRF off as in the test client, rate limit off) with a
  4000×3000 JPEG of about 3 MB carrying EXIF: form validation, gazetteer lookup, duplicate check, the photo's
  checks, the report, its private upload, its history entry, the audit record and the queued task. Tasks are
  queued (django-tasks' dummy backend) as the database backend queues them in production;
* worker — the queued photo tasks run afterwards (re-encoding, thumbnail, publishing), per photo.

Prints CPU per post and the ratios to the baseline. Where the code has no photo task (before issue 21) the
request does all the work and the worker figure is absent.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT / "bench"))

PHOTO_BYTES = 3 * 1024 * 1024


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
    # The test client posts at once; a person takes longer than the form's minimum fill time.
    settings.FORM_MIN_FILL_SECONDS = 0
    call_command("migrate", verbosity=0)
    from django.test.utils import override_settings

    override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}).enable()
    from benchresults import phone_photo

    from trygg.demo.reports import load_reports_demo
    from trygg.demo.services import demo_load
    from trygg.reports.models import Report, ReportCategory
    from trygg.reports.photos import photo_reencode

    try:
        from trygg.reports.tasks import report_photo_process_task
    except ImportError:  # the code before the photo task
        report_photo_process_task = None

    municipality = demo_load().municipality
    load_reports_demo(municipality)
    category = ReportCategory.objects.get(municipality=municipality, slug="ovrigt")
    photo = phone_photo(PHOTO_BYTES)
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
            import re

            errors = re.findall(r"<li>([^<]+)</li>", response.content.decode())[:5]
            raise SystemExit(f"unexpected status {response.status_code}: {errors}")

    def queued() -> list[dict[str, object]]:
        if report_photo_process_task is None:
            return []
        backend = report_photo_process_task.get_backend()
        found = [result.kwargs for result in backend.results]
        backend.clear()
        return found

    baseline()  # warm up Pillow and pyproj
    intake(0)
    for kwargs in queued():
        report_photo_process_task.call(**kwargs)  # type: ignore[union-attr]
    base_times, intake_times, worker_times = [], [], []
    for n in range(1, args.posts + 1):
        start = time.process_time()
        baseline()
        base_times.append(time.process_time() - start)
        start = time.process_time()
        intake(n)
        intake_times.append(time.process_time() - start)
        for kwargs in queued():
            start = time.process_time()
            report_photo_process_task.call(**kwargs)  # type: ignore[union-attr]
            worker_times.append(time.process_time() - start)
    filed = Report.objects.filter(source=Report.Source.WEB).count()
    if filed != args.posts + 1:
        raise SystemExit(f"only {filed} of {args.posts + 1} posts filed a report")

    base, request = statistics.median(base_times), statistics.median(intake_times)
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(f"photo: {len(photo) / 2**20:.2f} MiB JPEG 4000x3000; posts: {args.posts}; reports filed: {filed}")
    print(f"baseline (re-encode only):  median CPU {base * 1000:.1f} ms")
    print(
        f"request (full POST):        median CPU {request * 1000:.1f} ms = {request / base:.2f}x the baseline"
    )
    if worker_times:
        worker = statistics.median(worker_times)
        print(
            f"worker (task, per photo):   median CPU {worker * 1000:.1f} ms = {worker / base:.2f}x the baseline"
        )
    from benchresults import emit

    emit(
        "bench_report_intake",
        f"CPU in the request per report POST with a {len(photo) / 2**20:.1f} MiB photo, median",
        request * 1000,
        "ms",
        baseline=base * 1000,
        baseline_name="photo re-encode only",
    )
    if worker_times:
        emit(
            "bench_report_intake",
            "CPU in the task worker per photo (re-encode, thumbnail, publish), median",
            worker * 1000,
            "ms",
            baseline=base * 1000,
            baseline_name="photo re-encode only",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
