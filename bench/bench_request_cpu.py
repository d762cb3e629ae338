"""Benchmark: application CPU per request of each endpoint of the load scenario, without Locust.

    .venv/bin/python bench/bench_request_cpu.py                      # SQLite in a temporary directory
    .venv/bin/python tools/with_postgres.py -- .venv/bin/python bench/bench_request_cpu.py   # PostgreSQL

Prepares the database as bench/bench_load.py does (the Ljungby demo, a survey with one-time codes, staff accounts
with TOTP), then drives every request of bench/locustfile.py's mix through Django's WSGI handler with the whole
middleware stack, one at a time, timing `time.process_time()` around each (the CPU of this process: Python,
templates, and on SQLite the database's own work too; on PostgreSQL the server's CPU is not counted). Each
endpoint's median is given as a ratio to `/healthz` measured in the same run, and the mix's average is weighted
by how often the locustfile asks for each request (its tasks' weights and think times), so it says which
endpoints the mix's CPU per request is made of. Photos are re-encoded by the task worker, not in the request
(TASKS_BACKEND=database, as in production), so the photo post's figure is the request's part alone.

Last, the mix is replayed interleaved (BENCH_CPU_EVENTS visits drawn in the locustfile's proportions, writes
included), each visit served as if by one of BENCH_CPU_WORKERS processes (default 5, gunicorn's 2 × cores + 1)
with its own page cache that has served every public page once already (as after a worker's first minutes): the
mean CPU per request there includes the pages the writes made the cache render again.

Environment: BENCH_CPU_REPEAT (requests per endpoint, default 40), BENCH_CPU_EVENTS (default 15 × the repeat),
BENCH_CPU_WORKERS (5), BENCH_CPU_WARM (0: the workers' page caches start empty), BENCH_CPU_SHOW_WRITES (1: print
the tables each timed request wrote).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchresults import emit, machine  # noqa: E402

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="(submission_id|form_started)" value="([^"]*)"')
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?`?([A-Za-z0-9_]+)', re.IGNORECASE)
RADIO_RE = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]*)"')

# How often the mix asks for each request, per second and per user of the class (bench/locustfile.py): a
# Resident runs one task every ~3 s of think time (tasks 3 : 4 : 3 : 2, the map task asks twice); a Reporter
# one report every ~10 s of think time plus the 3 s of filling in; a SurveyRespondent one survey every ~10 s plus
# 3 s per page; 2 Staff one task every ~12.5 s. Users of a class: 20 : 2 : 3 of 25, Staff 2 in all.
USERS = 120


def mix_rates(survey_pages: int) -> dict[str, float]:
    residents, reporters, respondents, staff = (
        (USERS - 2) * 20 / 25,
        (USERS - 2) * 2 / 25,
        (USERS - 2) * 3 / 25,
        2,
    )
    resident_tasks = residents / 3.0 / 12  # one task weight unit per second
    report = reporters / (10 + 3 + 1.5)  # a second post after the duplicate check in about half of them
    survey = respondents / (10 + 3 * (1 + survey_pages))
    staff_tasks = staff / 12.5 / 3
    return {
        "/[kommun]/": 3 * resident_tasks,
        "/[kommun]/[löfte]/": 4 * resident_tasks,
        "/[kommun]/[löfte]/aktivitet/[id]/": 3 * resident_tasks,
        "/[kommun]/felanmalan/karta/": 2 * resident_tasks,
        "/[kommun]/felanmalan/karta.geojson": 2 * resident_tasks,
        "/[kommun]/felanmalan/": report,
        "POST /[kommun]/felanmalan/ (photo)": report,
        "POST /[kommun]/felanmalan/ (after the duplicate check)": report / 2,
        "/[kommun]/trygghetsmatning/[mätning]/": survey,
        "POST /[kommun]/trygghetsmatning/[mätning]/ (code)": survey,
        "POST /[kommun]/trygghetsmatning/[mätning]/fragor/[steg]/": survey * survey_pages,
        "/personal/aktiviteter/": 2 * staff_tasks,
        "/personal/aktiviteter/[id]/": staff_tasks,
        "POST /personal/aktiviteter/[id]/utforande/": staff_tasks,
    }


RESIDENT = {
    "/[kommun]/",
    "/[kommun]/[löfte]/",
    "/[kommun]/[löfte]/aktivitet/[id]/",
    "/[kommun]/felanmalan/karta/",
    "/[kommun]/felanmalan/karta.geojson",
}


class Timings:
    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = {}
        self.queries: dict[str, list[int]] = {}

    def add(self, name: str, cpu: float, queries: int) -> None:
        self.cpu.setdefault(name, []).append(cpu)
        self.queries.setdefault(name, []).append(queries)

    def median_ms(self, name: str) -> float:
        return statistics.median(self.cpu[name]) * 1000


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="trygg-reqcpu-"))
    try:
        return measure(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(workdir: Path) -> int:
    repeat = int(os.environ.get("BENCH_CPU_REPEAT", "40"))
    os.environ.setdefault("TRYGG_DATA_DIR", str(workdir / "data"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "trygg.settings",
            "DEBUG": "false",
            "RATE_LIMITS_ENABLED": "false",
            "FORM_MIN_FILL_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "database",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        }
    )
    from bench_load import prepare

    started = time.monotonic()
    scenario = json.loads(prepare(workdir, survey_codes=repeat * 3 + 10, staff_accounts=3).read_text())
    print(f"set-up in {time.monotonic() - started:.0f} s; machine: {machine()}")

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp.oath import totp

    municipality, promise = scenario["municipality"], scenario["promise"]
    codes = iter(Path(scenario["codes_file"]).read_text().split())
    photo = Path(scenario["photo_file"]).read_bytes()
    timings = Timings()

    target = [timings]

    def timed(name: str, method: Callable[..., Any], *args: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            # CaptureQueriesContext forces the debug cursor, whose bookkeeping is small next to a request.
            start = time.process_time()
            response = method(*args)
            cpu = time.process_time() - start
        target[0].add(name, cpu, len(queries))
        if os.environ.get("BENCH_CPU_SHOW_WRITES"):
            written = {m.group(1) for q in queries for m in [WRITE.match(q["sql"])] if m}
            if written:
                print(name, sorted(written))
        reset_queries()
        return response

    def untimed(name: str, method: Callable[..., Any], *args: Any) -> Any:
        return method(*args)

    def check(response: Any, expect: int = 200) -> str:
        if response.status_code not in (expect, 200):
            raise RuntimeError(f"{response.status_code} for {response.request['PATH_INFO']}")
        text = response.content.decode() if not getattr(response, "streaming", False) else ""
        if 'class="errorlist' in text or 'class="error-summary' in text:
            raise RuntimeError(f"form error at {response.request['PATH_INFO']}")
        return text

    def token(text: str) -> str:
        found = CSRF_RE.search(text)
        return found.group(1) if found else ""

    anonymous = Client(enforce_csrf_checks=True)
    activity_url = f"/{municipality}/{promise}/aktivitet/{scenario['activities'][0]}/"
    public: tuple[tuple[str, str], ...] = (
        ("/[kommun]/", f"/{municipality}/"),
        ("/[kommun]/[löfte]/", f"/{municipality}/{promise}/"),
        ("/[kommun]/[löfte]/aktivitet/[id]/", activity_url),
        ("/[kommun]/felanmalan/karta/", f"/{municipality}/felanmalan/karta/"),
        ("/[kommun]/felanmalan/karta.geojson", f"/{municipality}/felanmalan/karta.geojson"),
    )

    name_of = {url: name for name, url in public}

    def residents(call: Callable[..., Any]) -> None:
        check(call("/healthz", anonymous.get, "/healthz"))
        for name, url in public:
            check(call(name, anonymous.get, url))

    def residents_uncached() -> None:
        from trygg.core.pagecache import generation_bump

        for name, url in public:
            generation_bump()  # a new generation: the page is rendered afresh
            check(timed(f"{name} (uncached)", anonymous.get, url))

    def reporter(call: Callable[..., Any]) -> None:
        client = Client(enforce_csrf_checks=True)
        url = f"/{municipality}/felanmalan/"
        text = check(call("/[kommun]/felanmalan/", client.get, url))
        fields = {
            "csrfmiddlewaretoken": token(text),
            "category": str(scenario["categories"][0]),
            "latitude": "56.833300",
            "longitude": "13.940000",
            "description": "Gatlampan vid gång- och cykelvägen har varit släckt i en vecka.",
            **dict(HIDDEN_RE.findall(text)),
            "website": "",
        }
        upload = io.BytesIO(photo)
        upload.name = "bild.jpg"
        response = call("POST /[kommun]/felanmalan/ (photo)", client.post, url, {**fields, "photos": upload})
        text = check(response, 302)
        if response.status_code == 200:
            again = {**fields, "step": "check", "csrfmiddlewaretoken": token(text)}
            check(
                call("POST /[kommun]/felanmalan/ (after the duplicate check)", client.post, url, again), 302
            )

    def respondent(call: Callable[..., Any]) -> int:
        client = Client(enforce_csrf_checks=True)
        base = f"/{municipality}/trygghetsmatning/{scenario['survey']}/"
        text = check(call("/[kommun]/trygghetsmatning/[mätning]/", client.get, base))
        code = {"csrfmiddlewaretoken": token(text), "code": next(codes)}
        response = call("POST /[kommun]/trygghetsmatning/[mätning]/ (code)", client.post, base, code)
        check(response, 302)
        where = response["Location"]
        text = check(client.get(where))
        pages = 0
        while "/fragor/" in where:
            answers = {"csrfmiddlewaretoken": token(text)}
            for name, value in RADIO_RE.findall(text):
                answers.setdefault(name, value)
            response = call(
                "POST /[kommun]/trygghetsmatning/[mätning]/fragor/[steg]/", client.post, where, answers
            )
            check(response, 302)
            pages += 1
            where = response["Location"]
            if "/fragor/" in where:
                text = check(client.get(where))
        return pages

    def staff(call: Callable[..., Any], account: dict[str, str], rounds: int, client: Any = None) -> Any:
        if client is not None:
            return staff_tasks(call, client, rounds)
        client = Client(enforce_csrf_checks=True)
        text = check(client.get("/personal/logga-in/"))
        login = {
            "csrfmiddlewaretoken": token(text),
            "username": account["username"],
            "password": account["password"],
            "otp_token": f"{totp(bytes.fromhex(account['totp_key'])):06d}",
        }
        check(client.post("/personal/logga-in/", login), 302)
        return staff_tasks(call, client, rounds)

    def staff_tasks(call: Callable[..., Any], client: Any, rounds: int) -> Any:
        for number in range(rounds):
            check(call("/personal/aktiviteter/", client.get, "/personal/aktiviteter/"))
            page = f"/personal/aktiviteter/{scenario['activities'][number % len(scenario['activities'])]}/"
            text = check(call("/personal/aktiviteter/[id]/", client.get, page))
            execution = {
                "csrfmiddlewaretoken": token(text),
                "done_on": dt.date.today().isoformat(),
                "description": f"Trygghetsvandring i centrum med tolv deltagare ({number}).",
                "count": "1",
                "participants": "12",
            }
            check(
                call(
                    "POST /personal/aktiviteter/[id]/utforande/", client.post, f"{page}utforande/", execution
                ),
                302,
            )
        return client

    def interleaved(events: int, workers: int, survey_pages: int) -> Timings:
        """The mix in the locustfile's proportions, writes and all, each visit served by one of `workers`
        processes with its own page cache (as gunicorn's workers without Redis): what the page cache's hit rate
        is when reports, survey answers and executions arrive between the reads."""
        import random

        from django.core.cache import caches
        from django.core.cache.backends.locmem import LocMemCache

        from trygg.core.pagecache import CACHE_ALIAS

        rng = random.Random(21)
        own = [LocMemCache(f"bench-worker-{n}", {"OPTIONS": {"MAX_ENTRIES": 2000}}) for n in range(workers)]
        rates = mix_rates(survey_pages)

        def visit(url: str) -> Callable[[], Any]:
            return lambda: timed(name_of[url], anonymous.get, url)

        visits = {name: visit(url) for name, url in public if name != "/[kommun]/[löfte]/aktivitet/[id]/"}
        visits["activity"] = lambda: timed(
            "/[kommun]/[löfte]/aktivitet/[id]/",
            anonymous.get,
            f"/{municipality}/{promise}/aktivitet/{rng.choice(scenario['activities'])}/",
        )
        visits["report"] = lambda: reporter(timed)
        visits["survey"] = lambda: respondent(timed)
        staff_client = staff(untimed, scenario["staff"][2], 0)
        visits["staff"] = lambda: staff(timed, {}, 1, staff_client)
        weights = {
            **{name: rates[name] for name in visits if name in rates},
            "activity": rates["/[kommun]/[löfte]/aktivitet/[id]/"],
            "report": rates["/[kommun]/felanmalan/"],
            "survey": rates["/[kommun]/trygghetsmatning/[mätning]/"],
            "staff": rates["/personal/aktiviteter/[id]/"],
        }
        names = list(weights)
        handler: Any = caches
        # Each worker has served every public page once, as a worker has after its first minutes: what is timed
        # is the pages that writes make the cache render again, not each process's first render of each page.
        for cache in own if os.environ.get("BENCH_CPU_WARM", "1") == "1" else []:
            setattr(handler._connections, CACHE_ALIAS, cache)
            for name, url in public:
                untimed(name, anonymous.get, url)
            for activity in scenario["activities"]:
                untimed("activity", anonymous.get, f"/{municipality}/{promise}/aktivitet/{activity}/")
        target[0] = Timings()
        for _ in range(events):
            # This process stands in for one of the workers, with that worker's own page cache.
            setattr(handler._connections, CACHE_ALIAS, rng.choice(own))
            visits[rng.choices(names, [weights[name] for name in names])[0]]()
        mixed, target[0] = target[0], timings
        return mixed

    # Every endpoint once first (templates compiled, connections open), then timed.
    residents(untimed)
    reporter(untimed)
    respondent(untimed)
    staff(untimed, scenario["staff"][0], 1)
    for _ in range(repeat):
        residents(timed)
    for _ in range(max(5, repeat // 4)):
        residents_uncached()
    for _ in range(max(1, repeat // 2)):
        reporter(timed)
        survey_pages = respondent(timed)
    staff(timed, scenario["staff"][1], max(1, repeat // 2))
    workers = int(os.environ.get("BENCH_CPU_WORKERS", "5"))
    events = int(os.environ.get("BENCH_CPU_EVENTS", str(repeat * 15)))
    mixed = interleaved(events, workers, survey_pages)

    base = timings.median_ms("/healthz")
    rates = mix_rates(survey_pages)
    print(f"\nCPU per request, median of {repeat} (survey: {survey_pages} pages of questions)")
    print(f"{'request':<58} {'CPU ms':>8} {'÷ healthz':>9} {'queries':>8} {'share of mix':>12}")
    mixed_total = sum(rates[name] * timings.median_ms(name) for name in rates if name in timings.cpu)
    for name in timings.cpu:
        median = timings.median_ms(name)
        share = rates.get(name, 0) * median / mixed_total if mixed_total else 0
        queries = statistics.median(timings.queries[name])
        print(f"{name:<58} {median:8.2f} {median / base:8.1f}× {queries:8.0f} {share * 100:11.0f} %")
    for label, names in (("mix", set(rates)), ("resident requests of the mix", RESIDENT)):
        weighted = sum(rates[n] * timings.median_ms(n) for n in names if n in timings.cpu)
        weight = sum(rates[n] for n in names if n in timings.cpu)
        average = weighted / weight
        print(f"weighted average, {label}: {average:.2f} ms ({average / base:.1f}× /healthz)")
        emit(
            "bench_request_cpu",
            f"application CPU per request, {label} (weighted)",
            average,
            "ms",
            baseline=base,
            baseline_name="/healthz",
        )
    requests = sum(len(cpus) for cpus in mixed.cpu.values())
    resident = [cpu for name, cpus in mixed.cpu.items() if name in RESIDENT for cpu in cpus]
    all_cpu = [cpu for cpus in mixed.cpu.values() for cpu in cpus]
    print(
        f"\nthe mix interleaved ({events} visits, {requests} requests, {workers} processes each with its own page cache):"
    )
    for label, cpus in (("every request", all_cpu), ("resident requests", resident)):
        average = statistics.fmean(cpus) * 1000
        print(f"  mean CPU per request, {label}: {average:.2f} ms ({average / base:.1f}× /healthz)")
        emit(
            "bench_request_cpu",
            f"application CPU per request, interleaved mix, {label}",
            average,
            "ms",
            baseline=base,
            baseline_name="/healthz",
        )
    for name in sorted(mixed.cpu):
        cpus = mixed.cpu[name]
        print(f"  {name:<58} {len(cpus):5} × mean {statistics.fmean(cpus) * 1000:7.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
