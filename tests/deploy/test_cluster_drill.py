"""The cluster drill (docs/deploy.md, "A cluster"): Trygg on two application nodes behind nginx, a PostgreSQL primary
and a hot standby behind PgBouncer, Redis and the task worker, all on loopback (scripts/loopback_cluster.py); then,
in this order:

0. residents browsing (Locust) on both nodes: what each request costs each piece, and that the standby serves them;
1. a Locust mix (residents browsing, reporters posting photos) and a burst of report posts, and kill -9 of one
   node in the middle: no request fails (nginx sends it to the other node), every report is filed exactly once;
2. Redis stopped: public pages answer from the database with no 5xx, a report is filed, the rate limit counts in
   the database and holds, the health view says Redis is down; after Redis is back it is used again;
3. the operators' health view shows the standby's lag while writes go on;
4. kill -9 of the primary while reports are posted, then what an operator does (`pg_ctl promote` of the standby,
   PgBouncer re-pointed and reloaded): writes resume within 30 s and every acknowledged report is on the new
   primary; the task worker works on.

Along the way it measures what docs/scaling.md needs: requests served, CPU per request for each piece, queries the
standby answered (pg_stat_statements, pg_stat_database), server connections, Redis's memory. The figures are printed
and, with DRILL_FIGURES=<file>, written there as JSON.

It takes a few minutes on two cores, so `make drill-cluster` runs it (TRYGG_DRILL=1), not `make test`. Without
nginx, redis-server, PgBouncer, PostgreSQL's server or Locust it skips with a message; with CI=true it fails.
"""

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from conftest import require_program

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
from loopback_cluster import LoopbackCluster, running  # noqa: E402  (scripts/ is no package)
from with_postgres import find_binary  # noqa: E402  (tools/, which loopback_cluster puts on the path)

pytestmark = [
    pytest.mark.drill,
    pytest.mark.skipif(
        os.environ.get("TRYGG_DRILL") != "1", reason="the cluster drill runs with `make drill-cluster`"
    ),
]

BIN = Path(sys.executable).parent
LOCUST_USERS = int(os.environ.get("DRILL_LOCUST_USERS", "20"))
LOCUST_SECONDS = int(os.environ.get("DRILL_LOCUST_SECONDS", "45"))
KILL_AFTER_SECONDS = 20
# The measured stage: residents only (the pages the national estimate multiplies up), after a warm-up.
MEASURE_USERS = int(os.environ.get("DRILL_MEASURE_USERS", "30"))
MEASURE_SECONDS = int(os.environ.get("DRILL_MEASURE_SECONDS", "30"))
# Ljungby's town, as bench/locustfile.py posts.
LATITUDES, LONGITUDES = (56.80, 56.87), (13.86, 14.02)
DESCRIPTION = "Gatlampan vid gång- och cykelvägen har varit släckt i en vecka."
# The form's hidden fields: the CSRF token, its submission id and the signed time it was shown.
HIDDEN = re.compile(
    r'<input type="hidden" name="(csrfmiddlewaretoken|submission_id|form_started)" value="([^"]*)"'
)
# A person takes longer than the form's minimum fill time (FORM_MIN_FILL_SECONDS, 3 s by default) to fill it in.
FILL_SECONDS = float(os.environ.get("DRILL_FILL_SECONDS", "3.5"))
THANKS = re.compile(r"/felanmalan/([^/]+)/tack/$")

# Residents posting reports at once during the failover.
WRITERS = 3

FIGURES: dict[str, Any] = {}


# --------------------------------------------------------------------------------------------- helpers


class _FromAddress(HTTPAdapter):
    """Requests from another loopback address: nginx and the rate limits see each as another resident."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def _browser(cluster: LoopbackCluster, address: str = "127.0.0.1") -> requests.Session:
    session = requests.Session()
    # The cluster's own certificate, whatever REQUESTS_CA_BUNDLE or a proxy in the environment says.
    session.trust_env = False
    session.verify = str(cluster.certificate)
    # A browser sends its origin with a form post; Django's CSRF check over HTTPS asks for it.
    session.headers["Origin"] = cluster.url
    adapter = _FromAddress(address)
    session.mount("https://", adapter)
    return session


@dataclass
class Posted:
    submission: str
    status: int
    reference: str | None
    # When the post itself was sent (after the form was read and filled in) and when its answer came.
    started: float
    finished: float


@dataclass
class OpenForm:
    """The report form as a resident has it open: its hidden fields, and when it was shown."""

    session: requests.Session
    url: str
    status: int
    hidden: dict[str, str]
    shown: float


def _open_form(cluster: LoopbackCluster, session: requests.Session) -> OpenForm | None:
    scenario = json.loads(Path(str(cluster.scenario)).read_text())
    url = f"{cluster.url}/{scenario['municipality']}/felanmalan/"
    try:
        form = session.get(url, timeout=30)
    except requests.RequestException:
        return None
    hidden = dict(HIDDEN.findall(form.text)) if form.status_code == 200 else {}
    return OpenForm(session, url, form.status_code, hidden, time.monotonic())


def _send_report(
    cluster: LoopbackCluster,
    form: OpenForm | None,
    *,
    photo: bytes | None = None,
    honeypot: bool = False,
    follow: bool = True,
) -> Posted:
    """The post of an open form, once a person would have filled it in (FORM_MIN_FILL_SECONDS; a bot's honeypot
    post goes at once). It carries the form's submission id, so a post nginx sends on to the other node files once."""
    scenario = json.loads(Path(str(cluster.scenario)).read_text())
    submission = (form.hidden.get("submission_id") if form else None) or str(uuid.uuid4())
    if form is None or form.status != 200:
        # The form did not load (no answer, or e.g. 503 during a failover): nothing to send.
        now = time.monotonic()
        return Posted(submission, form.status if form else 0, None, now, now)
    if not honeypot:
        time.sleep(max(0.0, form.shown + FILL_SECONDS - time.monotonic()))
    started = time.monotonic()
    try:
        answer = form.session.post(
            form.url,
            data={
                **form.hidden,
                "category": str(scenario["categories"][0]),
                "latitude": f"{random.uniform(*LATITUDES):.6f}",
                "longitude": f"{random.uniform(*LONGITUDES):.6f}",
                "description": DESCRIPTION,
                "submission_id": submission,
                "website": "https://spam.example" if honeypot else "",
                # Past the "is this the same problem?" step at once, as a resident who reads it and goes on.
                "step": "check",
            },
            files={"photos": ("bild.jpg", photo, "image/jpeg")} if photo else None,
            allow_redirects=False,
            timeout=60,
        )
    except requests.RequestException:
        return Posted(submission, 0, None, started, time.monotonic())
    found = THANKS.search(answer.headers.get("Location", "")) if answer.status_code == 302 else None
    reference = found.group(1) if found else None
    if reference and follow:
        # The visitor's next page is read from the primary (the mark their post set), so it shows the report.
        thanks = form.session.get(f"{cluster.url}{answer.headers['Location']}", timeout=30)
        assert thanks.status_code == 200 and reference in thanks.text, "the thanks page shows the new report"
    return Posted(submission, answer.status_code, reference, started, time.monotonic())


def _post_report(
    cluster: LoopbackCluster,
    session: requests.Session,
    *,
    photo: bytes | None = None,
    honeypot: bool = False,
    follow: bool = True,
) -> Posted:
    """A resident opens the report form, fills it in and sends it."""
    return _send_report(cluster, _open_form(cluster, session), photo=photo, honeypot=honeypot, follow=follow)


def _filed(cluster: LoopbackCluster, server: Any, submissions: list[str]) -> dict[str, int]:
    rows = server.query(
        "SELECT submission_id::text, count(*) FROM reports_report WHERE submission_id::text = ANY(%s) "
        "GROUP BY submission_id",
        (submissions,),
    )
    return {submission: count for submission, count in rows}


def _access_lines(cluster: LoopbackCluster) -> list[str]:
    return (cluster.nginx_dir / "log" / "access.log").read_text(errors="replace").splitlines()


def _log_tails(cluster: LoopbackCluster) -> str:
    """The end of each piece's log, for a failure's message."""
    logs = [
        cluster.work / "node-b-error.log",
        cluster.work / "worker.log",
        cluster.pgbouncer.directory / "pgbouncer.log",
        cluster.nginx_dir / "log" / "error.log",
    ]
    return "\n".join(
        f"== {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        for log in logs
        if log.exists()
    )


def _status(line: str) -> int:
    found = re.search(r'" (\d{3}) ', line)
    return int(found.group(1)) if found else 0


def _statements(server: Any) -> int:
    """Statements the server has run for Trygg's database (pg_stat_statements)."""
    rows = server.query(
        "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements s "
        "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'trygg'"
    )
    return int(rows[0][0])


def _calls_by_statement(server: Any) -> dict[str, int]:
    rows = server.query(
        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90), sum(calls)::bigint FROM pg_stat_statements s "
        "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'trygg' GROUP BY 1"
    )
    return {statement: int(calls) for statement, calls in rows}


def _most_run(before: dict[str, int], after: dict[str, int], count: int = 5) -> list[list[object]]:
    grown = {statement: calls - before.get(statement, 0) for statement, calls in after.items()}
    return [
        [calls, statement] for statement, calls in sorted(grown.items(), key=lambda item: -item[1])[:count]
    ]


def _transactions(server: Any) -> int:
    rows = server.query("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'trygg'")
    return int(rows[0][0])


def _server_connections(server: Any) -> int:
    rows = server.query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'trygg' AND backend_type = 'client backend' "
        "AND pid <> pg_backend_pid()"
    )
    return int(rows[0][0])


@dataclass
class Snapshot:
    at: float
    cpu: dict[str, float]
    requests: int
    statements: dict[str, int]
    transactions: dict[str, int]


def _snapshot(cluster: LoopbackCluster, *, alive_nodes: list[Any]) -> Snapshot:
    from bench_load import cpu_seconds

    cpu = {
        "application nodes": sum(cpu_seconds(node.process.pid) for node in alive_nodes),
        "PostgreSQL primary": cpu_seconds(cluster.primary.postmaster_pid() or 0),
        "PostgreSQL standby": cpu_seconds(cluster.standby.postmaster_pid() or 0),
        "PgBouncer": cpu_seconds(cluster.pgbouncer.pid() or 0),
        "Redis": cpu_seconds(cluster.redis.process.pid if cluster.redis.process else 0),
        "nginx": cpu_seconds(cluster.nginx_pid() or 0),
    }
    return Snapshot(
        at=time.monotonic(),
        cpu=cpu,
        requests=len(_access_lines(cluster)),
        statements={"primary": _statements(cluster.primary), "standby": _statements(cluster.standby)},
        transactions={"primary": _transactions(cluster.primary), "standby": _transactions(cluster.standby)},
    )


def _locust(
    cluster: LoopbackCluster,
    prefix: Path,
    classes: list[str],
    *,
    users: int = LOCUST_USERS,
    seconds: int = LOCUST_SECONDS,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            cluster.url,
            "-u",
            str(users),
            "-r",
            str(max(1, users // 2)),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "20",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        env={
            **os.environ,
            "TRYGG_SCENARIO": str(cluster.scenario),
            "BENCH_CA_BUNDLE": str(cluster.certificate),
            # The cluster runs with its rate limits and the forms' minimum fill time on, as in production: each
            # simulated resident comes from an address of its own and takes longer than 3 s to fill in the form.
            "BENCH_LOOPBACK_CLIENTS": "1",
            "BENCH_FORM_SECONDS": str(FILL_SECONDS),
            "PYTHONPATH": str(ROOT),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _costs(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    """What each request cost each piece between two snapshots."""
    served = max(after.requests - before.requests, 1)
    return {
        "seconds": round(after.at - before.at, 1),
        "requests served (nginx access log)": after.requests - before.requests,
        "requests per second": round((after.requests - before.requests) / (after.at - before.at), 1),
        "CPU milliseconds per request": {
            name: round((after.cpu[name] - before.cpu[name]) * 1000 / served, 2) for name in before.cpu
        },
        "statements per request": {
            name: round((after.statements[name] - before.statements[name]) / served, 2)
            for name in before.statements
        },
        "transactions per request": {
            name: round((after.transactions[name] - before.transactions[name]) / served, 2)
            for name in before.transactions
        },
    }


def _redis_stats(cluster: LoopbackCluster) -> dict[str, int]:
    import redis

    connection = redis.Redis.from_url(cluster.redis.url)
    try:
        stats, memory = connection.info("stats"), connection.info("memory")
        pages = connection.keys("pages:*")
        page_bytes = [int(connection.memory_usage(key) or 0) for key in pages]
        return {
            "keyspace_hits": int(stats["keyspace_hits"]),
            "keyspace_misses": int(stats["keyspace_misses"]),
            "used_memory": int(memory["used_memory"]),
            "keys": int(connection.dbsize()),
            "page keys": len(pages),
            "bytes per cached page": sum(page_bytes) // max(len(page_bytes), 1),
        }
    finally:
        connection.close()


def _locust_totals(prefix: Path) -> tuple[int, int, dict[str, tuple[int, int]]]:
    import csv

    per_name: dict[str, tuple[int, int]] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as stats:
        for row in csv.DictReader(stats):
            per_name[row["Name"]] = (int(row["Request Count"]), int(row["Failure Count"]))
    total = per_name.pop("Aggregated")
    return total[0], total[1], per_name


# --------------------------------------------------------------------------------------------- the cluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[LoopbackCluster]:
    require_program("nginx", "nginx (Debian's nginx-light)")
    require_program("redis-server", "Redis (Debian's redis-server)")
    require_program("pgbouncer", "PgBouncer (Debian's pgbouncer)")
    require_program("openssl", "openssl")
    for name in ("initdb", "pg_ctl", "pg_basebackup"):
        require_program(find_binary(name) or name, f"PostgreSQL's {name} (Debian's postgresql)")
    require_program(str(BIN / "locust"), "Locust (the bench extra; `make drill-cluster` installs it)")
    started = time.monotonic()
    with running() as found:
        FIGURES["set-up seconds"] = round(time.monotonic() - started)
        yield found
    target = os.environ.get("DRILL_FIGURES")
    print("\nCluster drill figures:\n" + json.dumps(FIGURES, indent=1, ensure_ascii=False))
    if target:
        Path(target).write_text(json.dumps(FIGURES, indent=1, ensure_ascii=False), encoding="utf-8")


# --------------------------------------------------------------------------------------------- 0. what it costs


def test_0_residents_browsing_both_nodes_read_the_standby_and_cost_what_is_measured(
    cluster: LoopbackCluster, tmp_path: Path
) -> None:
    prefix = tmp_path / "locust-residents"
    servers = {"primary": cluster.primary, "standby": cluster.standby}
    warm_up = 10
    locust = _locust(cluster, prefix, ["Resident"], users=MEASURE_USERS, seconds=MEASURE_SECONDS + warm_up)
    try:
        # Each process compiles its templates and opens its connections on its first requests: not measured.
        time.sleep(warm_up)
        before, redis_before = _snapshot(cluster, alive_nodes=cluster.nodes), _redis_stats(cluster)
        calls_before = {name: _calls_by_statement(server) for name, server in servers.items()}
        time.sleep(MEASURE_SECONDS)
        after, redis_after = _snapshot(cluster, alive_nodes=cluster.nodes), _redis_stats(cluster)
        calls_after = {name: _calls_by_statement(server) for name, server in servers.items()}
        connections = [_server_connections(cluster.primary), _server_connections(cluster.standby)]
        output, _ = locust.communicate(timeout=MEASURE_SECONDS + 120)
    finally:
        if locust.poll() is None:
            locust.kill()
    requests_made, failures, _per_name = _locust_totals(prefix)

    assert failures == 0, output[-3000:]
    assert after.statements["standby"] > before.statements["standby"], (
        "public pages were read from the standby"
    )
    hits = redis_after["keyspace_hits"] - redis_before["keyspace_hits"]
    misses = redis_after["keyspace_misses"] - redis_before["keyspace_misses"]
    FIGURES["0 residents browsing, both nodes"] = {
        "locust users": MEASURE_USERS,
        "locust requests": requests_made,
        **_costs(before, after),
        "PostgreSQL server connections behind PgBouncer (primary, standby)": connections,
        "Redis hits and misses (page cache, generation)": [hits, misses],
        "Redis memory (bytes), page keys and bytes per cached page after": [
            redis_after["used_memory"],
            redis_after["page keys"],
            redis_after["bytes per cached page"],
        ],
        "statements run most (calls, statement)": {
            name: _most_run(calls_before[name], calls_after[name]) for name in servers
        },
    }


# --------------------------------------------------------------------------------------------- 1. a node dies


def test_1_kill_9_of_an_application_node_under_load_fails_no_request_and_files_every_report_once(
    cluster: LoopbackCluster, tmp_path: Path
) -> None:
    victim, survivor = cluster.nodes
    photo = Path(json.loads(Path(str(cluster.scenario)).read_text())["photo_file"]).read_bytes()
    prefix = tmp_path / "locust-kill"
    errors_before = len((cluster.nginx_dir / "log" / "error.log").read_text(errors="replace").splitlines())

    before = _snapshot(cluster, alive_nodes=cluster.nodes)
    locust = _locust(cluster, prefix, ["Resident", "Reporter"])
    try:
        time.sleep(KILL_AFTER_SECONDS)
        middle = _snapshot(cluster, alive_nodes=cluster.nodes)
        # Six residents have the form open and send a report with a phone's photo at once; the node dies while it
        # handles some of them.
        forms = [_open_form(cluster, _browser(cluster, f"127.0.0.{11 + index}")) for index in range(6)]
        time.sleep(FILL_SECONDS)
        with ThreadPoolExecutor(max_workers=6) as pool:
            burst = [pool.submit(_send_report, cluster, form, photo=photo) for form in forms]
            time.sleep(1.0)
            victim.kill()
            killed_at = time.monotonic()
            posted = [future.result() for future in burst]
        output, _ = locust.communicate(timeout=LOCUST_SECONDS + 120)
    finally:
        if locust.poll() is None:
            locust.kill()
    after = _snapshot(cluster, alive_nodes=[survivor])

    assert locust.returncode in (0, 1), output[-3000:]
    requests_made, failures, per_name = _locust_totals(prefix)
    assert requests_made > 0
    assert failures == 0, f"failed requests after the node died:\n{output[-3000:]}"
    assert all(post.status == 302 and post.reference for post in posted), [post.status for post in posted]
    filed = _filed(cluster, cluster.primary, [post.submission for post in posted])
    assert filed == {post.submission: 1 for post in posted}, "each report is filed exactly once"
    assert survivor.alive(), "the other node serves on"
    statuses = [_status(line) for line in _access_lines(cluster)[before.requests :]]
    assert not [status for status in statuses if status >= 500], "no 5xx reached a visitor"
    errors = (
        (cluster.nginx_dir / "log" / "error.log").read_text(errors="replace").splitlines()[errors_before:]
    )
    # nginx logs each request it could not finish on the dead node before it sends it to the other one.
    retried = [line for line in errors if "[error]" in line and victim.address in line]
    in_flight = [line for line in retried if "connect() failed" not in line]

    FIGURES["1 node killed"] = {
        "locust users": LOCUST_USERS,
        "locust seconds": LOCUST_SECONDS,
        "locust requests": requests_made,
        "locust failures": failures,
        "locust requests by name": {name: counts[0] for name, counts in per_name.items()},
        "burst report posts (3 MB photo)": len(posted),
        "burst posts filed exactly once": sum(1 for count in filed.values() if count == 1),
        "requests nginx sent on to the other node": len(retried),
        "of which the killed node was handling when it died": len(in_flight),
        "of which report posts": len([line for line in in_flight if '"POST ' in line]),
        "seconds from the kill to the end of the burst": round(
            max(post.finished for post in posted) - killed_at, 2
        ),
        "requests served after the kill": after.requests - middle.requests,
        "5xx answers": 0,
    }
    FIGURES["1 costs with both nodes, before the kill (mix with photo posts)"] = {
        **_costs(before, middle),
        "PostgreSQL server connections (primary, standby)": [
            _server_connections(cluster.primary),
            _server_connections(cluster.standby),
        ],
    }
    FIGURES["standby share of statements during the run"] = round(
        (after.statements["standby"] - before.statements["standby"])
        / max(
            (after.statements["standby"] - before.statements["standby"])
            + (after.statements["primary"] - before.statements["primary"]),
            1,
        ),
        3,
    )
    assert after.statements["standby"] - before.statements["standby"] > 0, "the standby served public reads"


# --------------------------------------------------------------------------------------------- 2. Redis stops


def test_2_with_redis_stopped_pages_answer_writes_are_filed_and_rate_limits_count_in_the_database(
    cluster: LoopbackCluster,
) -> None:
    scenario = json.loads(Path(str(cluster.scenario)).read_text())
    municipality, promise = scenario["municipality"], scenario["promise"]
    pages = [
        f"/{municipality}/",
        f"/{municipality}/{promise}/",
        f"/{municipality}/{promise}/aktivitet/{scenario['activities'][0]}/",
        f"/{municipality}/felanmalan/karta/",
        f"/{municipality}/felanmalan/karta.geojson",
        "/api/municipalities",
        "/om/",
    ]
    # While Redis is up the rate limits count there, not in the database.
    counters = "SELECT coalesce(sum(count), 0)::bigint FROM core_ratelimitcounter"
    in_database = int(cluster.primary.query(counters)[0][0])
    assert _post_report(cluster, _browser(cluster, "127.0.0.30"), honeypot=True, follow=False).status == 400
    assert int(cluster.primary.query(counters)[0][0]) == in_database
    memory = cluster.health()["redis"]
    assert isinstance(memory, dict) and memory["up"] is True
    redis_memory = memory["used_memory_bytes"]

    cluster.redis.stop()
    stopped_at = len(_access_lines(cluster))
    try:
        statuses: list[int] = []
        lock = threading.Lock()

        def browse(address: str) -> None:
            session = _browser(cluster, address)
            for _round in range(3):
                for page in pages:
                    status = session.get(f"{cluster.url}{page}", timeout=30).status_code
                    with lock:
                        statuses.append(status)

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(browse, [f"127.0.0.{40 + index}" for index in range(4)]))
        report = _post_report(cluster, _browser(cluster, "127.0.0.50"))
        # Five reports per ten minutes and address, a bot's honeypot post counting as one (REPORTS_FILED_LIMITS):
        # the sixth is refused, counted in the database now.
        limited = [
            _post_report(cluster, _browser(cluster, "127.0.0.51"), honeypot=True, follow=False).status
            for _ in range(6)
        ]
        health = cluster.health()
    finally:
        cluster.redis.start()

    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert report.status == 302 and report.reference
    assert _filed(cluster, cluster.primary, [report.submission]) == {report.submission: 1}
    assert limited == [400] * 5 + [429]
    # Each post counted once (REPORTS_RATE_LIMIT), each of the five bots' reports once per filed limit, and the
    # report filed while Redis was down likewise.
    posts, filed = len(limited) + 1, (5 + 1) * 2
    assert int(cluster.primary.query(counters)[0][0]) >= in_database + posts + filed
    redis_health = health["redis"]
    assert isinstance(redis_health, dict)
    assert redis_health["configured"] is True and redis_health["up"] is False
    assert health["healthy"] is False and health["primary"]["reachable"] is True  # type: ignore[index]
    during = [_status(line) for line in _access_lines(cluster)[stopped_at:]]
    assert not [status for status in during if status >= 500], "no 5xx while Redis was down"

    # Back: after REDIS_RETRY_SECONDS the nodes use Redis again (a new session there, not in the database).
    time.sleep(float(cluster.environment["REDIS_RETRY_SECONDS"]) + 0.5)
    assert cluster.health()["redis"]["up"] is True  # type: ignore[index]
    again = _post_report(cluster, _browser(cluster, "127.0.0.52"))
    assert again.status == 302
    FIGURES["2 Redis stopped"] = {
        "page requests while down": len(statuses),
        "their statuses": sorted(set(statuses)),
        "report filed while down": bool(report.reference),
        "rate limit while down (6 bot posts from one address)": f"{limited.count(400)} × 400, {limited.count(429)} × 429",
        "health view said Redis is down": redis_health["up"] is False,
        "Redis memory before it stopped (bytes)": redis_memory,
    }


# --------------------------------------------------------------------------------------------- 3. the lag


def test_3_the_operators_health_view_shows_the_standbys_lag(cluster: LoopbackCluster) -> None:
    samples = []
    session = _browser(cluster, "127.0.0.60")
    for _ in range(5):
        posted = _post_report(cluster, session, follow=False)
        assert posted.status == 302
        health = cluster.health()
        samples.append(health["replica"])
    # Anonymous visitors may not see it.
    assert (
        requests.get(f"{cluster.url}/healthz/status", verify=str(cluster.certificate), timeout=10).status_code
        == 401
    )

    replica = samples[-1]
    assert replica["configured"] is True and replica["database"]["reachable"] is True
    assert replica["database"]["in_recovery"] is True
    assert all(
        isinstance(sample["lag_bytes"], int) and sample["lag_seconds"] is not None for sample in samples
    )
    standbys = health["standbys"]
    assert [(standby["name"], standby["sync_state"]) for standby in standbys] == [("standby", "sync")]
    FIGURES["3 replication lag seen by the health view"] = {
        "lag bytes": [sample["lag_bytes"] for sample in samples],
        "lag seconds": [sample["lag_seconds"] for sample in samples],
        "standbys (name, state, sync state, replay lag s)": [
            [standby["name"], standby["state"], standby["sync_state"], standby["replay_lag_seconds"]]
            for standby in standbys
        ],
    }


# --------------------------------------------------------------------------------------------- 4. failover


@dataclass
class Writer:
    cluster: LoopbackCluster
    posted: list[Posted] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, lane: int = 0) -> None:
        count = 0
        while not self.stop.is_set():
            # A new address every five reports: each resident stays inside REPORTS_FILED_LIMITS.
            address = f"127.1.{lane}.{count // 5 + 1}"
            form = _open_form(self.cluster, _browser(self.cluster, address))
            self.posted.append(_send_report(self.cluster, form, follow=False))
            count += 1
            time.sleep(0.2)

    def acknowledged(self, *, after: float = 0.0) -> list[Posted]:
        return [post for post in list(self.posted) if post.reference and post.started >= after]


def test_4_after_the_primary_dies_and_the_standby_is_promoted_writes_resume_and_nothing_acknowledged_is_lost(
    cluster: LoopbackCluster,
) -> None:
    writer = Writer(cluster)
    # Three residents at a time, each filling in the form for a few seconds before sending it.
    threads = [threading.Thread(target=writer.run, args=(lane,), daemon=True) for lane in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(writer.acknowledged()) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(writer.acknowledged()) >= 5, [post.status for post in writer.posted]

        cluster.primary.kill()
        killed_at = time.monotonic()
        # The operator's monitor polls the health view, which says the primary does not answer; then the operator's
        # steps (docs/deploy.md, "Failover"): promote the standby, point PgBouncer at it, reload.
        while cluster.health()["primary"]["reachable"] is True:  # type: ignore[index]
            assert time.monotonic() < killed_at + 60, "the health view never said the primary was down"
            time.sleep(0.5)
        detected_at = time.monotonic()
        cluster.standby.promote()
        cluster.pgbouncer.repoint("trygg", cluster.standby.port)
        repointed_at = time.monotonic()

        while len(writer.acknowledged(after=killed_at)) < 5 and time.monotonic() < killed_at + 90:
            time.sleep(0.1)
    finally:
        writer.stop.set()
        for thread in threads:
            thread.join(timeout=90)

    resumed = writer.acknowledged(after=killed_at)
    assert resumed, (
        f"no write was acknowledged after the failover: {[post.status for post in writer.posted]}\n"
        + (_log_tails(cluster))
    )
    seconds_to_resume = min(post.finished for post in resumed) - killed_at
    assert seconds_to_resume < 30
    acknowledged = writer.acknowledged()
    before_kill = [post for post in acknowledged if post.finished <= killed_at]
    filed = _filed(cluster, cluster.standby, [post.submission for post in acknowledged])
    assert filed == {post.submission: 1 for post in acknowledged}, (
        "every acknowledged report is on the new primary"
    )
    refused = [post.status for post in writer.posted if not post.reference]
    assert set(refused) <= {503, 0}, refused

    health = cluster.health()
    assert health["primary"]["reachable"] is True and health["primary"]["in_recovery"] is False  # type: ignore[index]

    # The task worker goes on against the new primary (restarted, as systemd's Restart=always would, if it died).
    worker_survived = cluster.worker is not None and cluster.worker.poll() is None
    if not worker_survived:
        cluster.start_worker()
    queued = cluster.trygg(
        "shell",
        "-c",
        "from django.db import transaction\n"
        "from trygg.core.tasks import email_send_on_commit\n"
        "with transaction.atomic():\n"
        "    email_send_on_commit(subject='Efter failover', body='Skickat av arbetaren.', to=['drift@127.0.0.1'])\n",
    )
    assert queued.returncode == 0, queued.stderr[-2000:]
    mail = cluster.work / "mail"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if mail.exists() and any("Subject: Efter failover" in path.read_text() for path in mail.iterdir()):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the task worker did not send the e-mail queued after the failover")

    FIGURES["4 primary killed, standby promoted"] = {
        "reports acknowledged before the kill": len(before_kill),
        "seconds from the kill to the health view saying the primary is down": round(
            detected_at - killed_at, 2
        ),
        "seconds from the kill to PgBouncer re-pointed (promote and reload)": round(
            repointed_at - killed_at, 2
        ),
        "seconds from the kill to the first acknowledged write": round(seconds_to_resume, 2),
        "posts refused during the outage (503, 'Inte sparat')": len(
            [status for status in refused if status == 503]
        ),
        "acknowledged reports missing on the new primary": 0,
        "task worker survived the failover": worker_survived,
    }
