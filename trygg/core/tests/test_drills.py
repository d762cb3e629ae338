"""Fault drills of the security checklist (items 36, 37 and 39), against real processes: a throwaway PostgreSQL
cluster (initdb/pg_ctl, fsync on, as in production) or a SQLite file, and gunicorn with two workers on loopback.

Each drill takes a minute or so on two cores, so they run with `make drill` (TRYGG_DRILL=1), not `make test`.
Without PostgreSQL's binaries the PostgreSQL drills skip with a message, and fail when CI=true.
"""

import contextlib
import importlib
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
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
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
from with_postgres import SEARCH_DIRS, as_server_user, free_port  # noqa: E402  (tools/ is no package)

# The root conftest's helper, looked up at run time: a static import would make mypy check the conftest too.
require_program = importlib.import_module("conftest").require_program

POSTS = 200
CLIENTS = 24
# Kill once this many reports have been acknowledged: the rest are still on their way.
KILL_AFTER = 40

pytestmark = [
    pytest.mark.drill,
    pytest.mark.skipif(os.environ.get("TRYGG_DRILL") != "1", reason="fault drills run with `make drill`"),
]


def _postgres_program(name: str) -> str:
    for directory in SEARCH_DIRS:
        if (directory / name).exists():
            return require_program(str(directory / name), f"PostgreSQL's {name}")
    return require_program(name, f"PostgreSQL's {name}")


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temporary directory that the drill may crash and start again."""

    root: Path
    pg_ctl: str
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/trygg"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        subprocess.run(
            as_server_user(
                [
                    self.pg_ctl,
                    "-D",
                    str(self.root / "data"),
                    "-l",
                    str(self.root / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def crash(self) -> None:
        # "immediate" ends every server process at once, without a checkpoint: recovery replays the WAL.
        subprocess.run(
            as_server_user([self.pg_ctl, "-D", str(self.root / "data"), "-m", "immediate", "stop"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    initdb, pg_ctl = _postgres_program("initdb"), _postgres_program("pg_ctl")
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="trygg-drill-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
        root.chmod(0o700)
    found = Cluster(root=root, pg_ctl=pg_ctl)
    try:
        subprocess.run(
            as_server_user(
                [initdb, "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        found.start()
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{found.port}/postgres", autocommit=True) as db:
            db.execute("CREATE DATABASE trygg")
        yield found
    finally:
        subprocess.run(
            as_server_user([pg_ctl, "-D", str(root / "data"), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


def _environment(data_dir: Path, database_url: str) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "TRYGG_DATA_DIR": str(data_dir),
        "MEDIA_ROOT": str(data_dir / "media"),
        "RATE_LIMITS_ENABLED": "false",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "PYTHONPATH": str(ROOT),
    }


def _trygg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trygg.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _prepare(env: dict[str, str]) -> None:
    for command in (["migrate", "--no-input"], ["load_demo"]):
        result = _trygg(env, *command)
        assert result.returncode == 0, result.stderr[-2000:]


@dataclass
class App:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        # kill -9 of the master and every worker at once: gunicorn runs in a process group of its own.
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback")


@contextlib.contextmanager
def app_server(env: dict[str, str], data_dir: Path) -> Iterator[App]:
    port = free_port()
    log = data_dir / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "trygg.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app = App(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{app.url}/healthz", timeout=2).status_code == 200:
                    break
            assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[
                -3000:
            ]
            time.sleep(0.2)
        yield app
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _photo() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(output, format="JPEG")
    return output.getvalue()


def _report_fields(description: str) -> dict[str, str]:
    # The demo's lighting category is looked up from the form, so the drill needs no database access of its own.
    return {
        "place": "Salvesbacken",
        "description": description,
        "submission_id": str(uuid.uuid4()),
        "website": "",
        # The reports land on one spot: confirm past the "is this the same problem?" step at once.
        "step": "check",
    }


def _category(page: str) -> str:
    match = re.search(r'<option value="(\d+)"[^>]*>\s*Belysning', page)
    assert match, "the lighting category is missing from the report form"
    return match.group(1)


@dataclass
class Outcome:
    acknowledged: list[str] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post_report(app: App, index: int, outcome: Outcome, *, photo: bytes | None) -> None:
    try:
        session = requests.Session()
        form = session.get(f"{app.url}/ljungby/felanmalan/", timeout=30)
        data = {
            **_report_fields(f"Drill {index}: lampan lyser inte."),
            "category": _category(form.text),
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        }
        files = {"photos": (f"bild-{index}.jpg", photo, "image/jpeg")} if photo else None
        answer = session.post(
            f"{app.url}/ljungby/felanmalan/", data=data, files=files, allow_redirects=False, timeout=30
        )
        match = re.search(r"/felanmalan/([^/]+)/tack/$", answer.headers.get("Location", ""))
    except (requests.RequestException, KeyError, AssertionError):
        match = None
    with outcome.lock:
        if match:
            outcome.acknowledged.append(match.group(1))
        else:
            outcome.refused += 1


def _post_while(app: App, fault: Any, *, photo: bytes | None) -> Outcome:
    """200 report posts from 24 clients; `fault` strikes once 40 of them have been acknowledged."""
    outcome = Outcome()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(_post_report, app, index, outcome, photo=photo) for index in range(POSTS)]
        deadline = time.monotonic() + 120
        while (
            len(outcome.acknowledged) < KILL_AFTER
            and time.monotonic() < deadline
            and not all(future.done() for future in futures)
        ):
            time.sleep(0.01)
        fault()
        for future in futures:
            future.result()
    assert len(outcome.acknowledged) >= KILL_AFTER
    # The fault struck while posts were still on their way, or the drill proved nothing.
    assert outcome.refused > 0
    return outcome


def _stored_photos(url: str) -> dict[str, list[str]]:
    import psycopg

    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT r.reference, p.image FROM reports_report r "
            "LEFT JOIN reports_reportphoto p ON p.report_id = r.id"
        ).fetchall()
    stored: dict[str, list[str]] = {}
    for reference, image in rows:
        stored.setdefault(reference, []).extend([image] if image else [])
    return stored


def _cleanup_job(env: dict[str, str]) -> bool:
    """Runs `trygg cleanup_media` where this checkout has it; False where it does not (yet)."""
    result = _trygg(env, "cleanup_media")
    if "Unknown command" in result.stderr:
        return False
    assert result.returncode == 0, result.stderr[-2000:]
    return True


def test_item_36_kill_9_of_every_app_worker_during_200_report_posts_loses_no_acknowledged_report(
    cluster: Cluster, tmp_path: Path
) -> None:
    env = _environment(tmp_path, cluster.url)
    _prepare(env)
    photo = _photo()
    with app_server(env, tmp_path) as app:
        outcome = _post_while(app, app.kill, photo=photo)

    stored = _stored_photos(cluster.url)
    media = tmp_path / "media"
    for reference in outcome.acknowledged:
        assert reference in stored, f"acknowledged report {reference} is not in the database"
        assert len(stored[reference]) == 1, f"acknowledged report {reference} lost its photo"
    cleaned = _cleanup_job(env)
    stored = _stored_photos(cluster.url)
    rows = {image for images in stored.values() for image in images}
    files = {
        str(path.relative_to(media)) for path in (media / "reports" / "photos").rglob("*") if path.is_file()
    }

    assert not {row for row in rows if not (media / row).is_file()}, "photo rows without their file"
    if cleaned:
        assert not files - rows, "photo files without their row after the cleanup job"
    else:
        # Until `trygg cleanup_media` exists, files written by posts that were killed before their commit stay.
        print(
            f"\n*** cleanup_media is missing: {len(files - rows)} photo file(s) without a row were left. ***"
        )


def test_item_37_and_39_a_postgresql_crash_during_200_writes_loses_nothing_acknowledged_and_the_app_recovers(
    cluster: Cluster, tmp_path: Path
) -> None:
    env = _environment(tmp_path, cluster.url)
    _prepare(env)
    with app_server(env, tmp_path) as app:
        public = f"{app.url}/ljungby/felanmalan/karta/"
        assert requests.get(public, timeout=10).status_code == 200  # now in this worker's page cache, maybe
        outcome = _post_while(app, cluster.crash, photo=None)

        # Item 39: with the database down, pages answer at once from the cache or with a 503 and Retry-After.
        for path in ("/ljungby/", "/ljungby/felanmalan/karta/", "/ljungby/felanmalan/", "/om/"):
            started = time.monotonic()
            answer = requests.get(f"{app.url}{path}", timeout=10)
            assert time.monotonic() - started < 2, path
            assert answer.status_code in {200, 503}, (path, answer.status_code)
            if answer.status_code == 503:
                assert int(answer.headers["Retry-After"]) > 0
                assert "Tjänsten är tillfälligt otillgänglig" in answer.text
        session = requests.Session()
        session.get(f"{app.url}/om/", timeout=10)
        sent = {**_report_fields("Lampan vid busshållplatsen är trasig"), "category": "1"}
        started = time.monotonic()
        answer = session.post(
            f"{app.url}/ljungby/felanmalan/",
            data={**sent, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
            allow_redirects=False,
            timeout=10,
        )
        assert time.monotonic() - started < 2
        assert answer.status_code == 503 and "Inte sparat" in answer.text
        assert "Lampan vid busshållplatsen är trasig" in answer.text and sent["submission_id"] in answer.text

        cluster.start()
        returned = time.monotonic()
        while requests.get(f"{app.url}/ljungby/felanmalan/", timeout=10).status_code != 200:
            assert time.monotonic() - returned < 30, "the app did not recover within 30 s of the database"
            time.sleep(0.5)
        assert app.process.poll() is None  # recovered without a restart
        assert app.tracebacks() == 0, app.log.read_text(errors="replace")[-3000:]

    stored = _stored_photos(cluster.url)
    lost = [reference for reference in outcome.acknowledged if reference not in stored]
    assert not lost, f"acknowledged reports lost in the crash: {lost}"


def test_item_37_kill_9_of_the_app_on_sqlite_wal_full_loses_nothing_acknowledged_and_passes_integrity_check(
    tmp_path: Path,
) -> None:
    database = tmp_path / "drill.sqlite3"
    env = _environment(tmp_path, f"sqlite:///{database}")
    _prepare(env)
    with app_server(env, tmp_path) as app:
        outcome = _post_while(app, app.kill, photo=None)

    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {row[0] for row in db.execute("SELECT reference FROM reports_report")}
    lost = [reference for reference in outcome.acknowledged if reference not in stored]
    assert not lost, f"acknowledged reports lost: {lost}"
