"""Benchmark: the public promise page with 200 activities and 20,000 executions, against a bare Django view.

    .venv/bin/python bench/bench_promise_page.py                 # 200 activities, 20,000 executions
    .venv/bin/python bench/bench_promise_page.py --requests 50
    .venv/bin/python tools/with_postgres.py -- .venv/bin/python bench/bench_promise_page.py \
        --database-url postgresql://postgres@127.0.0.1:PORT/trygg_bench   # the URL with_postgres prints

Both are served in the same run by Django's test client (the whole middleware stack, no network), from a
throwaway SQLite database (or the PostgreSQL database ``--database-url`` names, created when missing). Three rows: anonymous visitors' requests per second against the bare view's (they
get the page from the page cache, docs/caching.md; goal at least half the bare view's), the median of an
uncached render (the page cache off; goal at most 30 ms) and the size of the HTML (goal at most 100 KiB).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_directory = tempfile.mkdtemp(prefix="trygg-bench-")
# The database is chosen before Django starts, so ``--database-url`` is read here as well as in main().
_database_url = argparse.ArgumentParser(add_help=False)
_database_url.add_argument("--database-url", default="")
DATABASE_URL = _database_url.parse_known_args()[0].database_url
if DATABASE_URL:
    from bench_import_crimestats import ensure_database

    ensure_database(DATABASE_URL)
os.environ["DATABASE_URL"] = DATABASE_URL or f"sqlite:///{_directory}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("RATE_LIMITS_ENABLED", "false")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from benchresults import emit  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402

import trygg.urls  # noqa: E402
from trygg.followup.models import Execution  # noqa: E402
from trygg.municipalities.models import Municipality, Party  # noqa: E402
from trygg.promises.models import Activity, FocusArea, Promise  # noqa: E402


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench-bare/", bare), *trygg.urls.urlpatterns]


def build(activities: int, executions: int) -> str:
    municipality = Municipality.objects.create(
        name="Benchby kommun", slug="benchby", scb_code="9999", county="X"
    )
    party = Party.objects.create(
        name="Benchby kommun", kind=Party.Kind.MUNICIPALITY, municipality=municipality
    )
    promise = Promise.objects.create(
        municipality=municipality,
        slug="2023",
        title="Medborgarlöfte 2023",
        valid_from=dt.date(2023, 1, 1),
        valid_until=dt.date(2023, 12, 31),
        status=Promise.Status.PUBLISHED,
    )
    created: list[Activity] = []
    for area_number in range(10):
        focus_area = FocusArea.objects.create(
            promise=promise,
            title=f"Fokusområde {area_number}",
            slug=f"fokus-{area_number}",
            order=area_number,
        )
        for number in range(activities // 10):
            activity = Activity.objects.create(
                focus_area=focus_area,
                text=f"Aktivitet {area_number}.{number}: kommunen genomför något varje vecka.",
                quantity=2,
                unit="gånger",
                per=Activity.Per.MONTH,
                order=number,
            )
            activity.responsible_parties.add(party)
            created.append(activity)
    per_activity = executions // len(created)
    Execution.objects.bulk_create(
        (
            Execution(
                activity=activity,
                done_on=dt.date(2023, 1, 1) + dt.timedelta(days=(n * 3) % 365),
                description=f"Utfört tillfälle {n}",
            )
            for activity in created
            for n in range(per_activity)
        ),
        batch_size=2000,
    )
    return promise.get_absolute_url()


def measure(client: Client, url: str, requests: int) -> tuple[float, float, float, float]:
    """Requests per second, p95 and median in ms (wall clock), and the median CPU time of this process in ms: on a
    shared machine the CPU time moves much less with the other processes' load than the wall clock does."""
    client.get(url)  # warm-up
    timings = []
    cpu = []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.status_code
    total = sum(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    return requests / total, p95 * 1000, statistics.median(timings) * 1000, statistics.median(cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=200)
    parser.add_argument("--executions", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--database-url", default="", help="default: a fresh SQLite file in a temporary directory"
    )
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    url = build(arguments.activities, arguments.executions)
    print(
        f"data: {arguments.activities} activities, {Execution.objects.count()} executions "
        f"({time.perf_counter() - started:.1f} s to build)"
    )
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.processor() or platform.machine()}, database {connection.vendor}"
    )

    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], PAGE_CACHE_SECONDS=300):
        clear_url_caches()
        client = Client()
        queries: list[str] = []
        # Count through a wrapper: the request_started signal clears connection.queries mid-request.
        with (
            override_settings(PAGE_CACHE_SECONDS=0),
            connection.execute_wrapper(
                lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)
            ),
        ):
            page = client.get(url)
        assert page.status_code == 200 and b"Utf\xc3\xb6rt tillf\xc3\xa4lle" in page.content
        bare_rps, bare_p95, bare_median, bare_cpu = measure(client, "/bench-bare/", arguments.requests * 5)
        page_rps, page_p95, page_median, page_cpu = measure(client, url, arguments.requests * 5)
        with override_settings(PAGE_CACHE_SECONDS=0):
            render_rps, render_p95, render_median, render_cpu = measure(client, url, arguments.requests)

    kib = len(page.content) / 1024
    print(f"{'':26}{'req/s':>10}{'median ms':>12}{'p95 ms':>10}{'CPU ms':>10}")
    print(f"{'bare view':26}{bare_rps:10.1f}{bare_median:12.2f}{bare_p95:10.2f}{bare_cpu:10.2f}")
    print(
        f"{'promise page (anonymous)':26}{page_rps:10.1f}{page_median:12.2f}{page_p95:10.2f}{page_cpu:10.2f}"
    )
    print(
        f"{'promise page (uncached)':26}{render_rps:10.1f}{render_median:12.2f}{render_p95:10.2f}{render_cpu:10.2f}"
    )
    print(f"uncached render: {len(queries)} queries, {kib:.0f} KiB of HTML")
    print(
        f"anonymous req/s = {100 * page_rps / bare_rps:.0f} % of the bare view's (goal >= 50 %); "
        f"uncached median {render_median:.1f} ms (goal <= 30 ms); HTML {kib:.0f} KiB (goal <= 100 KiB)"
    )
    size = f"{arguments.activities} activities, {arguments.executions:,} executions".replace(",", " ")
    emit(
        "bench_promise_page",
        f"promise page for anonymous visitors, {size}",
        page_rps,
        "req/s",
        baseline=bare_rps,
        baseline_name="bare view",
    )
    emit(
        "bench_promise_page",
        f"promise page uncached render median, {size}",
        render_median,
        "ms",
        baseline=bare_median,
        baseline_name="bare view",
    )
    emit("bench_promise_page", f"promise page HTML, {size}", kib, "KiB")


if __name__ == "__main__":
    main()
