"""Benchmark: the whole site under load, Locust against gunicorn and PostgreSQL on loopback.

    .venv/bin/python bench/bench_load.py                          # the real run: 10 minutes at the found load
    .venv/bin/python bench/bench_load.py --serve                  # prepare and serve; run Locust by hand
    BENCH_LOAD_SECONDS=90 BENCH_LOAD_STAGE_SECONDS=45 .venv/bin/python bench/bench_load.py   # a quick look

Starts a throwaway PostgreSQL cluster (tools/with_postgres.py), migrates it, loads the Ljungby demo with its
example data, opens a survey with one-time codes and adds staff accounts with their own second factor, then
serves Trygg with gunicorn on 127.0.0.1, with `trygg db_worker` beside it for the background tasks (the photos'
re-encoding) as in production, and runs the scenario in bench/locustfile.py headless:

1. the search: the mixed scenario (residents browsing, reporters posting photos, survey respondents, staff
   recording executions) at rising user counts, one stage each, until p95 passes the limit or a request fails;
2. the sustained run: the highest passing user count for BENCH_LOAD_SECONDS (default 600), with the CPU time
   the application processes and PostgreSQL spent per request;
3. the baseline: /healthz (one `SELECT 1`, no template) at the same user count, the same way; then each kind
   of visitor alone (10 users, BENCH_LOAD_STAGE_SECONDS) for its CPU time per request;
4. checklist item 35: 50 browsing residents for BENCH_LOAD_ITEM35_SECONDS (default BENCH_LOAD_SECONDS), and
   report posts with a 3 MB photo, 6 per second offered and at least 5 a second to pass, for
   BENCH_LOAD_PHOTO_SECONDS (default 120).

Locust runs on the same two cores as the server, so the figures are what this one machine sustains with its
load generator, not a server's ceiling. Prints a table, and with BENCH_RESULTS=<file> appends its figures
there as JSON lines for tools/bench_table.py.

Environment: BENCH_LOAD_SECONDS, BENCH_LOAD_STAGE_SECONDS (60), BENCH_LOAD_USERS (ladder, "20,40,60,80,100,120,150,180,220"),
BENCH_LOAD_P95_MS (300), BENCH_LOAD_WORKERS (gunicorn processes, 2 × cores + 1), BENCH_LOAD_THREADS (1),
BENCH_LOAD_SKIP (comma-separated: search, costs, item35-browse, item35-photos).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchresults import emit, machine, phone_photo  # noqa: E402

from tools.with_postgres import find_binary, free_port, postgres_cluster  # noqa: E402

PYTHON = Path(sys.executable)
BIN = PYTHON.parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
SURVEY_CODES = 30_000
BENCH_STAFF = 40
MIXED = ["Resident", "Reporter", "SurveyRespondent", "Staff"]
# The Resident's requests (bench/locustfile.py): public pages the page cache should answer.
RESIDENT_REQUESTS = {
    "/[kommun]/",
    "/[kommun]/[löfte]/",
    "/[kommun]/[löfte]/aktivitet/[id]/",
    "/[kommun]/felanmalan/karta/",
    "/[kommun]/felanmalan/karta.geojson",
}
PHOTO_BYTES = 3 * 1024 * 1024  # a phone's photo, as checklist item 35 asks
BENCH_TOTP_KEY = "54727967672d62656e63682d6c6f61642d{:06x}"  # "Trygg-bench-load-" + a number, in hex


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


@dataclass(frozen=True)
class Stage:
    name: str
    users: int
    rps: float
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    per_name: dict[str, dict[str, float]]

    def passes(self, limit_ms: float) -> bool:
        return self.requests > 0 and self.failures == 0 and self.p95_ms < limit_ms


# --------------------------------------------------------------------------------------------- set-up


def prepare(workdir: Path, *, survey_codes: int = SURVEY_CODES, staff_accounts: int = BENCH_STAFF) -> Path:
    """Migrate, load the demo and what the scenario needs; returns the scenario's data file.

    The cluster drill (scripts/loopback_cluster.py) asks for fewer codes and staff accounts than a long run needs.
    """
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trygg.demo import ljungby
    from trygg.demo.services import STAFF_GROUP, demo_load
    from trygg.municipalities.models import Membership, Party
    from trygg.promises.models import Activity
    from trygg.reports.models import ReportCategory
    from trygg.surveys import services as survey_services
    from trygg.surveys.models import Survey

    result = demo_load(with_examples=True)
    # The promise that runs today: staff record what they did today, which the follow-up rules refuse for an
    # activity whose period has ended (the 2023 promise), and residents mostly read the current promise.
    municipality, promise = result.municipality, result.current_promise or result.promise
    user_model = get_user_model()
    coordinator = user_model.objects.get(username=ljungby.DEMO_STAFF[0][0])

    survey = Survey.objects.filter(municipality=municipality, slug="belastning").first()
    if survey is None:
        survey = survey_services.survey_create(
            municipality=municipality,
            year=2026,
            title="Trygghetsmätning (belastningstest)",
            slug="belastning",
            mode=Survey.Mode.INVITATION,
            k=10,
            languages=[],
            areas=["Centrum", "Ytterområden", "Landsbygd"],
            by=coordinator,
        )
        survey_services.survey_set_status(survey=survey, status=Survey.Status.OPEN, by=coordinator)
    codes = survey_services.invitation_codes_generate(survey=survey, count=survey_codes, by=coordinator)

    # Staff accounts of their own: a TOTP code is accepted once per account, so logins must not share one.
    kommun = Party.objects.get(municipality=municipality, name=ljungby.KOMMUN)
    group = Group.objects.get(name=STAFF_GROUP)
    staff = []
    for number in range(staff_accounts):
        username = f"belastning{number:02d}"
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": "Bench", "last_name": str(number), "is_staff": True}
        )
        if created:
            user.set_password(ljungby.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(group)
        key = BENCH_TOTP_KEY.format(number)
        TOTPDevice.objects.get_or_create(user=user, name="Bench", defaults={"key": key, "confirmed": True})
        Membership.objects.get_or_create(
            user=user, municipality=municipality, party=kommun, role=Membership.Role.COORDINATOR
        )
        staff.append({"username": username, "password": ljungby.DEMO_PASSWORD, "totp_key": key})

    activities = list(
        Activity.objects.filter(focus_area__promise=promise).order_by("pk").values_list("pk", flat=True)
    )
    data = {
        "municipality": municipality.slug,
        "promise": promise.slug,
        "activities": activities,
        "categories": list(
            ReportCategory.objects.active().filter(municipality=municipality).values_list("pk", flat=True)
        ),
        "survey": survey.slug,
        "codes_file": str(workdir / "codes.txt"),
        "photo_file": str(workdir / "photo.jpg"),
        "staff": staff,
    }
    (workdir / "photo.jpg").write_bytes(phone_photo(PHOTO_BYTES))
    (workdir / "codes.txt").write_text("\n".join(codes) + "\n", encoding="utf-8")
    path = workdir / "scenario.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------- processes


def cpu_seconds(pid: int) -> float:
    """CPU time of a process, its live children and the children it has already waited for."""
    try:
        process = psutil.Process(pid)
        total = sum(process.cpu_times()[:4])
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                total += sum(child.cpu_times()[:2])
        return total
    except psutil.NoSuchProcess:
        return 0.0


@dataclass(frozen=True)
class RequestCpu:
    """What the gunicorn workers' own log (bench/gunicorn_cpu.py) says a kind of request cost in CPU."""

    requests: int
    #: CPU time inside the requests (from the parsed request to the written answer), seconds.
    inside: float
    #: CPU time between them (accepting, parsing, closing, waking for connections other workers took), seconds.
    between: float

    @property
    def per_request_ms(self) -> float:
        return (self.inside + self.between) / max(self.requests, 1) * 1000

    @property
    def inside_ms(self) -> float:
        return self.inside / max(self.requests, 1) * 1000


def resident_paths(scenario: dict[str, Any]) -> set[str]:
    """The paths of the Resident's page views (RESIDENT_REQUESTS, all of them GETs) in this scenario."""
    if not scenario:
        return set()
    municipality, promise = scenario["municipality"], scenario["promise"]
    return {
        f"/{municipality}/",
        f"/{municipality}/{promise}/",
        f"/{municipality}/felanmalan/karta/",
        f"/{municipality}/felanmalan/karta.geojson",
        *(f"/{municipality}/{promise}/aktivitet/{pk}/" for pk in scenario["activities"]),
    }


def request_cpu(directory: Path, start: float, end: float, scenario: dict[str, Any]) -> dict[str, RequestCpu]:
    """The CPU the workers logged for the requests that ended between ``start`` and ``end`` (epoch seconds):
    "resident" (the Resident's page views), "other", "all", and each method and path ("GET /ljungby/")."""
    residents = resident_paths(scenario)
    found: dict[str, list[Any]] = {kind: [0, 0.0, 0.0] for kind in ("resident", "other", "all")}
    for log in directory.glob("*.tsv"):
        for line in log.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) != 6 or not start <= float(fields[0]) <= end:
                continue
            inside, between = float(fields[4]), float(fields[5])
            kind = "resident" if fields[1] == "GET" and fields[2] in residents else "other"
            for key in (kind, "all", f"{fields[1]} {fields[2]}"):
                found.setdefault(key, [0, 0.0, 0.0])
                found[key][0] += 1
                found[key][1] += inside
                found[key][2] += between
    return {kind: RequestCpu(int(n), inside, between) for kind, (n, inside, between) in found.items()}


def postmaster_pid(port: int) -> int:
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and str(port) in cmdline and "-D" in cmdline:
            return int(process.pid)
    raise RuntimeError(f"no PostgreSQL server on port {port}")


def start_task_worker(environment: dict[str, str]) -> subprocess.Popen:
    """`trygg db_worker`, as production runs it beside gunicorn: photos are re-encoded here, not in the request."""
    command = [str(BIN / "trygg"), "db_worker", "--no-startup-delay", "--no-reload", "--verbosity=0"]
    return subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True)


def start_gunicorn(environment: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "trygg.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--timeout=120",
        "--log-level=warning",
    ]
    if threads == 1:
        # Each worker logs the CPU time of every request it serves (bench/gunicorn_cpu.py): one at a time.
        command.append(f"--config={ROOT / 'bench' / 'gunicorn_cpu.py'}")
    server = subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


# Survey codes used by earlier runs against this database: each run starts after them.
codes_used = [0]
# Locust runs so far: each starts at other staff accounts.
runs = [0]


def run_locust(
    *,
    name: str,
    host: str,
    users: int,
    seconds: int,
    classes: list[str],
    environment: dict[str, str],
    workdir: Path,
) -> Stage:
    prefix = workdir / f"locust-{name}"
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(max(1, users // 5)),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    used_file = workdir / "codes-used"
    runs[0] += 1
    environment = {
        **environment,
        "BENCH_CODES_SKIP": str(codes_used[0]),
        "BENCH_CODES_USED": str(used_file),
        "BENCH_STAFF_OFFSET": str(runs[0] * 4),
    }
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if used_file.exists():
        codes_used[0] += int(used_file.read_text(encoding="utf-8") or 0)
        used_file.unlink()
    if completed.returncode not in (0, 1) or not Path(f"{prefix}_stats.csv").exists():
        # 1 means some requests failed, which the figures show; anything else is the benchmark's own fault.
        print(completed.stdout[-2000:], completed.stderr[-4000:], sep="\n", file=sys.stderr)
        raise RuntimeError(f"locust failed in stage {name} ({completed.returncode})")
    if completed.returncode == 1:
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists():
            print(failures.read_text(encoding="utf-8")[:2000], file=sys.stderr)
    per_name: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as stats:
        for row in csv.DictReader(stats):
            per_name[row["Name"]] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "median_ms": float(row["50%"] if row["50%"] != "N/A" else 0),
                "p95_ms": float(row["95%"] if row["95%"] != "N/A" else 0),
                "p99_ms": float(row["99%"] if row["99%"] != "N/A" else 0),
            }
    total = per_name.pop("Aggregated")
    return Stage(
        name=name,
        users=users,
        rps=total["rps"],
        requests=int(total["requests"]),
        failures=int(total["failures"]),
        median_ms=total["median_ms"],
        p95_ms=total["p95_ms"],
        p99_ms=total["p99_ms"],
        per_name=per_name,
    )


def show(stage: Stage) -> None:
    print(
        f"  {stage.name:<22} {stage.users:>5} users {stage.rps:8.1f} req/s  median {stage.median_ms:6.0f} ms  "
        f"p95 {stage.p95_ms:6.0f} ms  p99 {stage.p99_ms:6.0f} ms  {stage.requests:>7} requests, "
        f"{stage.failures} failed",
        flush=True,
    )


# --------------------------------------------------------------------------------------------- the run


def main() -> int:
    seconds = _int_env("BENCH_LOAD_SECONDS", 600)
    stage_seconds = _int_env("BENCH_LOAD_STAGE_SECONDS", 60)
    item35_seconds = _int_env("BENCH_LOAD_ITEM35_SECONDS", seconds)
    photo_seconds = _int_env("BENCH_LOAD_PHOTO_SECONDS", 120)
    limit_ms = float(os.environ.get("BENCH_LOAD_P95_MS", "300"))
    ladder = [
        int(n) for n in os.environ.get("BENCH_LOAD_USERS", "20,40,60,80,100,120,150,180,220").split(",")
    ]
    cores = os.cpu_count() or 1
    workers = _int_env("BENCH_LOAD_WORKERS", 2 * cores + 1)
    threads = _int_env("BENCH_LOAD_THREADS", 1)
    skip = set(filter(None, os.environ.get("BENCH_LOAD_SKIP", "").split(",")))
    if not (find_binary("initdb") and find_binary("pg_ctl")):
        print("SKIPPED: the load benchmark needs PostgreSQL's initdb and pg_ctl (Debian's postgresql).")
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="trygg-load-"))
    if os.geteuid() == 0:
        workdir.chmod(0o755)
    try:
        with postgres_cluster(find_binary("initdb") or "", find_binary("pg_ctl") or "") as url:
            pg_port = int(url.rsplit(":", 1)[1].split("/")[0])
            createdb = find_binary("createdb") or "createdb"
            subprocess.run(
                [createdb, "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "trygg"], check=True
            )
            environment = {
                **os.environ,
                "DATABASE_URL": url,
                "TRYGG_DATA_DIR": str(workdir / "data"),
                "DJANGO_SETTINGS_MODULE": "trygg.settings",
                "DEBUG": "false",
                "RATE_LIMITS_ENABLED": "false",
                "FORM_MIN_FILL_SECONDS": "0",
                "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
                # Queued in the database and run by `trygg db_worker` (below), as in production; the development
                # default runs each task inside the request that queues it.
                "TASKS_BACKEND": "database",
                "BENCH_CPU_LOG_DIR": str(workdir / "cpu"),
            }
            (workdir / "cpu").mkdir()
            os.environ.update(environment)
            started = time.monotonic()
            scenario = prepare(workdir)
            print(f"set-up: migrate, demo, {SURVEY_CODES} survey codes in {time.monotonic() - started:.0f} s")
            environment["TRYGG_SCENARIO"] = str(scenario)
            port = free_port()
            host = f"http://127.0.0.1:{port}"
            server = start_gunicorn(environment, port, workers, threads)
            worker = start_task_worker(environment)
            try:
                if "--serve" in sys.argv:
                    print(f"serving on {host}; in another shell:\n  TRYGG_SCENARIO={scenario} ", end="")
                    print(
                        f"{BIN / 'locust'} -f {LOCUSTFILE} --host {host} {' '.join(MIXED)}\n(Ctrl-C stops)",
                        flush=True,
                    )
                    server.wait()
                    return 0
                return measure(
                    host=host,
                    server=server,
                    worker=worker,
                    pg_port=pg_port,
                    environment=environment,
                    workdir=workdir,
                    seconds=seconds,
                    stage_seconds=stage_seconds,
                    item35_seconds=item35_seconds,
                    photo_seconds=photo_seconds,
                    limit_ms=limit_ms,
                    ladder=ladder,
                    workers=workers,
                    threads=threads,
                    skip=skip,
                )
            finally:
                for process in (worker, server):
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(
    *,
    host: str,
    server: subprocess.Popen,
    worker: subprocess.Popen,
    pg_port: int,
    environment: dict[str, str],
    workdir: Path,
    seconds: int,
    stage_seconds: int,
    item35_seconds: int,
    photo_seconds: int,
    limit_ms: float,
    ladder: list[int],
    workers: int,
    threads: int,
    skip: set[str],
) -> int:
    mixed = MIXED
    print(f"machine: {machine()}")
    print(f"gunicorn: {workers} processes × {threads} thread(s); p95 limit {limit_ms:.0f} ms")

    def locust(name: str, users: int, duration: int, classes: list[str], **extra: str) -> Stage:
        stage = run_locust(
            name=name,
            host=host,
            users=users,
            seconds=duration,
            classes=classes,
            environment={**environment, **extra},
            workdir=workdir,
        )
        show(stage)
        return stage

    # Every process compiles its templates and opens its connection on its first requests: not part of a stage.
    locust("warm-up", ladder[0], 20, mixed)
    found = 0
    if "search" not in skip:
        print(f"search ({stage_seconds} s per stage):")
        for users in ladder:
            if not locust(f"search-{users}", users, stage_seconds, mixed).passes(limit_ms):
                break
            found = users
        if found == ladder[-1]:
            print("  the ladder's top passed: the machine sustains more (extend BENCH_LOAD_USERS)")
        if not found:
            print(
                f"  no stage kept p95 under {limit_ms:.0f} ms: the sustained run uses the lowest user count"
            )
    best = found or ladder[0]

    print(f"sustained ({seconds} s) and baseline ({stage_seconds} s) at {best} users:")
    server_pid, pg_pid = server.pid, postmaster_pid(pg_port)
    app_before, db_before, tasks_before = (
        cpu_seconds(server_pid),
        cpu_seconds(pg_pid),
        cpu_seconds(worker.pid),
    )
    from trygg.core import pagecache

    sustained_window, numbers_before = time.time(), pagecache._generations_from_database()
    sustained = locust("sustained", best, seconds, mixed)
    numbers_after = pagecache._generations_from_database()
    scenario = json.loads(Path(environment["TRYGG_SCENARIO"]).read_text(encoding="utf-8"))
    sustained_cpu = request_cpu(
        Path(environment["BENCH_CPU_LOG_DIR"]), sustained_window, time.time(), scenario
    )
    app_cpu = (cpu_seconds(server_pid) - app_before) / max(sustained.requests, 1)
    db_cpu = (cpu_seconds(pg_pid) - db_before) / max(sustained.requests, 1)
    tasks_cpu = (cpu_seconds(worker.pid) - tasks_before) / max(sustained.requests, 1)
    resident_requests = sum(
        figures["requests"] for name, figures in sustained.per_name.items() if name in RESIDENT_REQUESTS
    )
    base_before, baseline_window = cpu_seconds(server_pid), time.time()
    baseline = locust("baseline-healthz", best, stage_seconds, ["Healthz"])
    base_cpu = (cpu_seconds(server_pid) - base_before) / max(baseline.requests, 1)
    base_logged = request_cpu(Path(environment["BENCH_CPU_LOG_DIR"]), baseline_window, time.time(), {})["all"]

    # What each kind of visitor costs, alone: the figures docs/scaling.md multiplies up.
    costs: dict[str, tuple[float, float]] = {}
    if "costs" not in skip:
        print(f"cost of each kind of visitor alone ({stage_seconds} s each, 10 users):")
        for kind in ("Resident", "SurveyRespondent", "Staff", "Reporter"):
            app_start, db_start = cpu_seconds(server_pid), cpu_seconds(pg_pid)
            alone = locust(f"cost-{kind}", 10, stage_seconds, [kind])
            requests = max(alone.requests, 1)
            costs[kind] = (
                (cpu_seconds(server_pid) - app_start) / requests,
                (cpu_seconds(pg_pid) - db_start) / requests,
            )
            print(
                f"    CPU per request: application {costs[kind][0] * 1000:.1f} ms, "
                f"PostgreSQL {costs[kind][1] * 1000:.1f} ms"
            )

    print("per request in the sustained run:")
    for name, figures in sorted(sustained.per_name.items(), key=lambda item: item[0]):
        print(
            f"  {name:<44} {figures['requests']:>7.0f} × median {figures['median_ms']:5.0f} ms "
            f"p95 {figures['p95_ms']:5.0f} ms  failed {figures['failures']:.0f}"
        )
    print(
        f"CPU per request: application {app_cpu * 1000:.1f} ms, PostgreSQL {db_cpu * 1000:.1f} ms, "
        f"task worker {tasks_cpu * 1000:.1f} ms (/healthz: application {base_cpu * 1000:.2f} ms); "
        f"{resident_requests / max(sustained.requests, 1):.0%} of the requests were residents'"
    )
    resident, everyone = sustained_cpu["resident"], sustained_cpu["all"]
    if not everyone.requests:
        print("the workers logged no request (their log needs one thread each: BENCH_LOAD_THREADS=1)")
    print(
        f"CPU per request from the workers' own log (bench/gunicorn_cpu.py): resident requests "
        f"{resident.per_request_ms:.2f} ms ({resident.requests} requests; {resident.inside_ms:.2f} ms inside them), "
        f"others {sustained_cpu['other'].per_request_ms:.2f} ms ({sustained_cpu['other'].requests}), "
        f"all {everyone.per_request_ms:.2f} ms ({everyone.requests}); /healthz {base_logged.per_request_ms:.2f} ms"
    )
    # The server's CPU that no request's line holds (gunicorn's master, a worker's time after its last request
    # of the stage), spread evenly over the requests the workers served (more than Locust counts: it follows
    # redirects within one of its requests).
    unlogged = max(app_cpu * sustained.requests - everyone.inside - everyone.between, 0.0)
    unlogged_ms = unlogged / max(everyone.requests, 1) * 1000
    print(
        f"  not in the log: {unlogged_ms:.2f} ms per request served; resident requests with that share: "
        f"{resident.per_request_ms + unlogged_ms:.2f} ms"
    )
    rises = {
        scope: numbers_after[scope] - numbers_before[scope] for scope in (pagecache.GLOBAL, *pagecache.SCOPES)
    }
    print(
        f"page generations raised in the sustained run: global {rises.pop(pagecache.GLOBAL)} times, "
        + ", ".join(f"scope {scope} {rise} times" for scope, rise in rises.items())
    )
    for path in sorted(resident_paths(scenario)):
        logged = sustained_cpu.get(f"GET {path}")
        if logged:
            print(
                f"  GET {path:<42} {logged.requests:>6} × {logged.per_request_ms:6.2f} ms "
                f"({logged.inside_ms:.2f} ms inside)"
            )
    ok = sustained.passes(limit_ms)
    print(
        f"sustained {sustained.users} users: {sustained.rps:.1f} req/s, p95 {sustained.p95_ms:.0f} ms, "
        f"{sustained.failures} failed -> {'PASS' if ok else 'FAIL'} (p95 < {limit_ms:.0f} ms, no failures)"
    )
    print(
        f"ratio to /healthz at {best} users: req/s {baseline.rps / max(sustained.rps, 0.01):.1f}×, "
        f"p95 {sustained.p95_ms / max(baseline.p95_ms, 1):.1f}×"
    )
    bench = "bench_load"
    emit(bench, f"mixed scenario: most users with p95 < {limit_ms:.0f} ms in the search", found, "users")
    emit(bench, "mixed scenario: users in the sustained run", best, "users")
    emit(
        bench,
        f"mixed scenario, {seconds} s: throughput",
        sustained.rps,
        "req/s",
        baseline=baseline.rps,
        baseline_name="/healthz, same users",
    )
    emit(
        bench,
        f"mixed scenario, {seconds} s: p95",
        sustained.p95_ms,
        "ms",
        baseline=baseline.p95_ms,
        baseline_name="/healthz, same users",
    )
    emit(bench, f"mixed scenario, {seconds} s: p99", sustained.p99_ms, "ms")
    emit(bench, f"mixed scenario, {seconds} s: failed requests", sustained.failures, "requests")
    emit(
        bench,
        "application CPU per request (mixed)",
        app_cpu * 1000,
        "ms",
        baseline=base_cpu * 1000,
        baseline_name="/healthz",
    )
    emit(
        bench,
        "application CPU per resident request (mixed, the workers' own log and a share of the rest)",
        resident.per_request_ms + unlogged_ms,
        "ms",
        baseline=base_logged.per_request_ms,
        baseline_name="/healthz",
    )
    emit(bench, "PostgreSQL CPU per request (mixed)", db_cpu * 1000, "ms")
    emit(bench, "task worker CPU per request (mixed: the photos' re-encoding)", tasks_cpu * 1000, "ms")
    for kind, (app, db) in costs.items():
        emit(
            bench,
            f"{kind} alone: application CPU per request",
            app * 1000,
            "ms",
            baseline=base_cpu * 1000,
            baseline_name="/healthz",
        )
        emit(bench, f"{kind} alone: PostgreSQL CPU per request", db * 1000, "ms")
    for name, figures in sorted(sustained.per_name.items()):
        emit(
            bench, f"p95 {name}", figures["p95_ms"], "ms", baseline=baseline.p95_ms, baseline_name="/healthz"
        )

    if "item35-browse" not in skip:
        print(f"checklist item 35: 50 browsing residents for {item35_seconds} s:")
        browse = locust("item35-browse", 50, item35_seconds, ["Resident"])
        browse_ok = browse.failures == 0 and browse.p95_ms < 500 and browse.p99_ms < 1500
        print(f"  -> {'PASS' if browse_ok else 'FAIL'} (p95 < 500 ms, p99 < 1500 ms, no failures)")
        ok = ok and browse_ok
        emit(bench, f"item 35: 50 residents, {item35_seconds} s: p95", browse.p95_ms, "ms")
        emit(bench, f"item 35: 50 residents, {item35_seconds} s: p99", browse.p99_ms, "ms")
        emit(bench, f"item 35: 50 residents, {item35_seconds} s: failed", browse.failures, "requests")
    if "item35-photos" not in skip:
        print(
            f"checklist item 35: report posts with a 3 MB photo, 6 a second offered, for {photo_seconds} s:"
        )
        photo_before, photo_tasks_before = cpu_seconds(server_pid), cpu_seconds(worker.pid)
        # Twenty-four reporters, each posting once every four seconds (three of them filling in the form): six a
        # second offered. Offering exactly five could never show five: Locust starts its users one by one and paces
        # each from its start, so the run's average stays under what is offered (4.8/s with twenty).
        photos = locust(
            "item35-photos",
            24,
            photo_seconds,
            ["PhotoReporter"],
            BENCH_PHOTO_BYTES=str(3 * 1024 * 1024),
            BENCH_POSTS_PER_USER_PER_SECOND="0.25",
        )
        posts = {name: figures for name, figures in photos.per_name.items() if name.startswith("POST")}
        post_p95 = max((figures["p95_ms"] for figures in posts.values()), default=0.0)
        post_rps = sum(figures["rps"] for figures in posts.values())
        post_count = max(sum(f["requests"] for f in posts.values()), 1)
        photo_cpu = (cpu_seconds(server_pid) - photo_before) / post_count
        photo_tasks_cpu = (cpu_seconds(worker.pid) - photo_tasks_before) / post_count
        photos_ok = photos.failures == 0 and post_p95 < 2000 and post_rps >= 5
        print(
            f"  posts: {post_rps:.1f}/s, p95 {post_p95:.0f} ms -> {'PASS' if photos_ok else 'FAIL'} "
            "(at least 5 posts/s, p95 < 2 s, no failures, no 200 with an error list)"
        )
        print(
            f"  application CPU per post (with its form page): {photo_cpu * 1000:.0f} ms in the requests, "
            f"{photo_tasks_cpu * 1000:.0f} ms in the task worker"
        )
        ok = ok and photos_ok
        emit(bench, "item 35: report posts with 3 MB photo: posts/s", post_rps, "posts/s")
        emit(bench, "item 35: report posts with 3 MB photo: p95", post_p95, "ms")
        emit(bench, "item 35: report posts with 3 MB photo: failed", photos.failures, "requests")
        emit(bench, "application CPU per report post with 3 MB photo", photo_cpu * 1000, "ms")
        emit(bench, "task worker CPU per report post with 3 MB photo", photo_tasks_cpu * 1000, "ms")
    print(f"all criteria: {'PASS' if ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
