"""Benchmark: harvesting 290 installations' feeds served on loopback, and the national page against a bare view.

    .venv/bin/python bench/bench_national.py                      # 290 kommuner, 1 year, 40 activities, 50 executions
    .venv/bin/python bench/bench_national.py --years 10           # the issue's full scale (5.8 million executions)

One threaded HTTP server on loopback serves 290 feeds (one per kommun, each its own origin path) in Trygg's
federation format, paged as an installation pages them. The harvest is timed against fetching the same pages
without storing them (same run, same server): the ratio is what storing costs. A second harvest, with nothing
changed, answers from the discovery documents' ETags. Then the national page (all 290 kommuner with their
promises' progress) is served by Django's test client without and with the page cache, against a bare view.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# BENCH_NATIONAL_DIR reuses an earlier run's database (the harvest is then skipped): the page figures alone.
_directory = os.environ.get("BENCH_NATIONAL_DIR") or tempfile.mkdtemp(prefix="trygg-bench-national-")
os.environ["DATABASE_URL"] = f"sqlite:///{_directory}/bench.sqlite3"
os.environ["TRYGG_DATA_DIR"] = _directory
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("RATE_LIMITS_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from benchresults import emit  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402

import trygg.urls  # noqa: E402
from trygg.crimestats import kommuner  # noqa: E402
from trygg.followup.models import Execution  # noqa: E402
from trygg.national.harvest import harvest_sources  # noqa: E402
from trygg.national.models import HarvestSource  # noqa: E402

PAGE = 500
ETAG = 'W/"bench-1"'


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench-bare/", bare), *trygg.urls.urlpatterns]


class Feeds:
    """Every kommun's feed, generated once into memory as lists of items."""

    def __init__(self, years: int, activities: int, executions: int, today: dt.date) -> None:
        self.items: dict[str, dict[str, list[dict]]] = {}
        stamp = "2026-12-01T00:00:00+00:00"
        for number, (code, name) in enumerate(kommuner.kommuner().items()):
            base = number * 1_000_000
            promises, areas, acts, execs = [], [], [], []
            for year_index in range(years):
                year = today.year - years + 1 + year_index
                promise_id = base + year_index + 1
                promises.append(
                    {
                        "id": promise_id,
                        "municipality_code": code,
                        "municipality_name": name,
                        "municipality_codes": [code],
                        "slug": str(year),
                        "title": f"Medborgarlöfte {year} i {name}",
                        "valid_from": f"{year}-01-01",
                        "valid_until": f"{year}-12-31",
                        "status": "published",
                        "published_on": f"{year}-01-15",
                        "introduction": "",
                        "source_note": "",
                        "url": f"https://trygg.example/{code}/{year}/",
                        "signatories": [],
                        "provenance": {
                            "kind": "local",
                            "source_url": "",
                            "fetched_at": None,
                            "extraction": "",
                            "verified": True,
                        },
                        "updated_at": stamp,
                    }
                )
                area_id = promise_id
                areas.append(
                    {
                        "id": area_id,
                        "promise_id": promise_id,
                        "slug": "trygghet",
                        "title": "Trygghet",
                        "description": "",
                        "order": 1,
                        "updated_at": stamp,
                    }
                )
                for activity_index in range(activities):
                    activity_id = base + 10_000 + year_index * 1000 + activity_index
                    acts.append(
                        {
                            "id": activity_id,
                            "promise_id": promise_id,
                            "focus_area_id": area_id,
                            "text": f"Aktivitet {activity_index + 1}",
                            "responsible_parties": [{"name": f"{name} kommun", "kind": "municipality"}],
                            "partners": [],
                            "quantity": executions,
                            "quantity_max": None,
                            "at_least": False,
                            "unit": "gånger",
                            "per": "year",
                            "target_group": "",
                            "place": "",
                            "start_date": None,
                            "end_date": None,
                            "order": activity_index,
                            "updated_at": stamp,
                        }
                    )
                    for execution_index in range(executions):
                        execs.append(
                            {
                                "id": activity_id * 100 + execution_index,
                                "activity_id": activity_id,
                                "done_on": (
                                    dt.date(year, 1, 1) + dt.timedelta(days=execution_index * 7 % 360)
                                ).isoformat(),
                                "description": "Genomfört",
                                "count": 1,
                                "participants": None,
                                "place": "",
                                "example_data": True,
                                "updated_at": stamp,
                            }
                        )
            self.items[code] = {
                "promises": promises,
                "focus_areas": areas,
                "activities": acts,
                "executions": execs,
                "statuses": [],
                "deletions": [],
            }


def server(feeds: Feeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            _empty, code, *rest = parts.path.split("/")
            endpoint = rest[-1] if rest else ""
            origin = f"http://{self.headers['Host']}"
            if endpoint == "discovery":
                if self.headers.get("If-None-Match") == ETAG:
                    self.send_response(304)
                    self.send_header("ETag", ETAG)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = {
                    "trygg_federation": "1",
                    "name": f"Trygg {code}",
                    "site_url": f"{origin}/{code}",
                    "generated_at": "2026-12-01T00:00:00+00:00",
                    "municipalities": [
                        {"code": code, "name": kommuner.kommuner()[code], "url": f"{origin}/{code}/"}
                    ],
                    "endpoints": {
                        name: f"{origin}/{code}/api/federation/{name}"
                        for name in (
                            "promises",
                            "focus_areas",
                            "activities",
                            "executions",
                            "statuses",
                            "deletions",
                        )
                    },
                    "openapi": f"{origin}/{code}/api/openapi.json",
                    "catalogue": f"{origin}/{code}/k",
                    "open_data": f"{origin}/{code}/o",
                    "websub_ping": f"{origin}/{code}/p",
                    "page_size": PAGE,
                }
            else:
                items = feeds.items[code][endpoint]
                after = int(parse_qs(parts.query).get("after", ["0"])[0])
                page = items[after : after + PAGE]
                more = after + PAGE < len(items)
                body = {
                    "kind": endpoint,
                    "server_time": "2026-12-01T00:00:00+00:00",
                    "updated_since": None,
                    "items": page,
                    "next": f"{origin}/{code}/api/federation/{endpoint}?after={after + PAGE}"
                    if more
                    else None,
                }
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", ETAG)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def fetch_only(urls: list[str]) -> float:
    from concurrent.futures import ThreadPoolExecutor

    def one(url: str) -> int:
        total = 0
        with requests.Session() as session:
            document = session.get(url, timeout=30).json()
            for address in document["endpoints"].values():
                next_url = address
                while next_url:
                    page = session.get(next_url, timeout=30).json()
                    total += len(page["items"])
                    next_url = page["next"]
        return total

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, urls))
    return time.perf_counter() - start


def requests_per_second(client: Client, url: str, count: int) -> tuple[float, float]:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return count / sum(timings), statistics.quantiles(timings, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--activities", type=int, default=40)
    parser.add_argument("--executions", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not HarvestSource.objects.exists():
        harvest(options)
    pages(options)


def harvest(options: argparse.Namespace) -> None:
    call_command("national_setup", verbosity=0)
    today = timezone.localdate()
    feeds = Feeds(options.years, options.activities, options.executions, today)
    httpd = server(feeds)
    origin = f"http://127.0.0.1:{httpd.server_port}"
    urls = [f"{origin}/{code}/api/federation/discovery" for code in kommuner.kommuner()]
    sources = [
        HarvestSource(name=f"Trygg {code}", discovery_url=url, allowed_codes=[code])
        for code, url in zip(kommuner.kommuner(), urls, strict=True)
    ]
    HarvestSource.objects.bulk_create(sources)
    total = sum(len(items) for feed in feeds.items.values() for items in feed.values())
    print(
        f"{len(urls)} feeds, {total} items ({options.years} years × {options.activities} activities × {options.executions} executions)"
    )

    fetched = fetch_only(urls)
    print(f"fetch only: {fetched:.1f} s")
    start = time.perf_counter()
    runs = harvest_sources(sources=list(HarvestSource.objects.all()), now_function=timezone.now)
    harvested = time.perf_counter() - start
    failed = [run for run in runs if not run.ok]
    assert not failed, failed[0].error
    print(
        f"harvest: {harvested:.1f} s, {Execution.objects.count()} executions stored; ratio to fetching alone {harvested / fetched:.2f}"
    )
    start = time.perf_counter()
    again = harvest_sources(sources=list(HarvestSource.objects.all()), now_function=timezone.now)
    unchanged = time.perf_counter() - start
    assert all(run.ok and run.not_modified for run in again)
    print(f"second harvest, nothing changed: {unchanged:.2f} s")
    emit(
        "national",
        "harvest of 290 feeds",
        harvested,
        "s",
        baseline=fetched,
        baseline_name="fetching the same pages",
    )
    emit(
        "national",
        "second harvest, unchanged",
        unchanged,
        "s",
        baseline=fetched,
        baseline_name="fetching the same pages",
    )
    httpd.shutdown()


def pages(options: argparse.Namespace) -> None:

    with override_settings(ROOT_URLCONF=__name__, PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.get("/nationellt/")
        bare_rate, bare_p95 = requests_per_second(client, "/bench-bare/", options.requests * 5)
        page_rate, page_p95 = requests_per_second(client, "/nationellt/", options.requests)
    with override_settings(ROOT_URLCONF=__name__, PAGE_CACHE_SECONDS=300, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.get("/nationellt/")
        cached_rate, cached_p95 = requests_per_second(client, "/nationellt/", options.requests * 5)
    print(f"bare view: {bare_rate:.0f} req/s (p95 {bare_p95 * 1000:.1f} ms)")
    print(
        f"national page, rendered: {page_rate:.2f} req/s (p95 {page_p95 * 1000:.0f} ms), ratio {bare_rate / page_rate:.0f}× slower"
    )
    print(
        f"national page, page cache: {cached_rate:.0f} req/s (p95 {cached_p95 * 1000:.1f} ms), ratio {bare_rate / cached_rate:.1f}× slower"
    )
    emit(
        "national",
        "national page, rendered",
        page_rate,
        "req/s",
        baseline=bare_rate,
        baseline_name="bare view",
    )
    emit(
        "national",
        "national page, page cache",
        cached_rate,
        "req/s",
        baseline=bare_rate,
        baseline_name="bare view",
    )


if __name__ == "__main__":
    main()
