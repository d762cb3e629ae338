"""Real processes for the tests that need them: a throwaway PostgreSQL cluster that a test may crash and start
again, and gunicorn with two workers on loopback (see test_drills.py and test_database_down.py)."""

import contextlib
import fcntl
import importlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
from with_postgres import SEARCH_DIRS, as_server_user, free_port  # noqa: E402  (tools/ is no package)

sys.path.insert(0, str(ROOT / "scripts"))
from loopback_cluster import RedisServer  # noqa: E402  (scripts/ is no package)

# The root conftest's helper, looked up at run time: a static import would make mypy check the conftest too.
require_program = importlib.import_module("conftest").require_program


def postgres_program(name: str) -> str:
    for directory in SEARCH_DIRS:
        if (directory / name).exists():
            return require_program(str(directory / name), f"PostgreSQL's {name}")
    return require_program(name, f"PostgreSQL's {name}")


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temporary directory that the drill may crash and start again."""

    root: Path
    pg_ctl: str
    # fsync off is faster, and loses nothing when only PostgreSQL's processes die; the drills keep it on.
    durable: bool = True
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/trygg"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
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


@contextlib.contextmanager
def postgres_cluster(*, durable: bool) -> Iterator[Cluster]:
    initdb, pg_ctl = postgres_program("initdb"), postgres_program("pg_ctl")
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="trygg-drill-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
        root.chmod(0o700)
    found = Cluster(root=root, pg_ctl=pg_ctl, durable=durable)
    try:
        subprocess.run(
            as_server_user(
                [initdb, "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
                + ([] if durable else ["--no-sync"])
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


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with postgres_cluster(durable=True) as found:
        yield found


@pytest.fixture
def fast_cluster() -> Iterator[Cluster]:
    with postgres_cluster(durable=False) as found:
        yield found


def environment(data_dir: Path, database_url: str) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "TRYGG_DATA_DIR": str(data_dir),
        "MEDIA_ROOT": str(data_dir / "media"),
        "RATE_LIMITS_ENABLED": "false",
        "FORM_MIN_FILL_SECONDS": "0",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "PYTHONPATH": str(ROOT),
    }


def trygg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trygg.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def program_json(program: str, env: dict[str, str]) -> Any:
    """Run ``program`` in a fresh interpreter from the project's root and read the JSON its last line prints."""
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare(env: dict[str, str]) -> None:
    for command in (["migrate", "--no-input"], ["load_demo"]):
        result = trygg(env, *command)
        assert result.returncode == 0, result.stderr[-2000:]


class SqliteTemplates:
    """SQLite databases made once per test run and copied for each test that needs its own file: ``migrated`` (every
    migration applied to an empty database, what `trygg migrate` makes) and ``demo`` (that, then `trygg load_demo`).
    Migrating an empty SQLite database takes a process about 12 s; a copy takes milliseconds.

    The files live in ``directory``, which every xdist worker of the run shares (the `sqlite_templates` fixture
    gives the run's temporary root): a lock file lets the first worker make a template while the others wait."""

    KINDS = ("migrated", "demo")

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def copy(self, kind: str, destination: Path) -> Path:
        """A fresh copy of the template at ``destination`` (replacing any file there), ready for `DATABASE_URL`."""
        template = self._template(kind)
        for suffix in ("-wal", "-shm"):
            Path(f"{destination}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, destination)
        # Each copy is a database of its own: a page-cache epoch of its own too (trygg/core/pagecache.py), or two
        # servers on copies of one template would share pages filed under the same numbers.
        from trygg.core.pagecache import EPOCH, epoch_drawn

        with contextlib.closing(sqlite3.connect(destination)) as database, database:
            database.execute(
                "UPDATE core_pagegeneration SET number = ? WHERE id = ?",
                (epoch_drawn(), EPOCH),
            )
        return destination

    def _template(self, kind: str) -> Path:
        if kind not in self.KINDS:
            raise ValueError(f"no such template: {kind}")
        template = self.directory / f"{kind}.sqlite3"
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / f"{kind}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not template.exists():
                self._make(kind, template)
        return template

    def _make(self, kind: str, template: Path) -> None:
        partial = self.directory / f"{kind}.partial.sqlite3"
        data = self.directory / f"{kind}-data"
        if kind == "demo":
            self.copy("migrated", partial)
            commands = [["load_demo"]]
        else:
            partial.unlink(missing_ok=True)
            commands = [["migrate", "--no-input"]]
        env = environment(data, f"sqlite:///{partial}")
        for command in commands:
            result = trygg(env, *command)
            assert result.returncode == 0, result.stderr[-2000:]
        # Everything into the main file, so that a plain copy of it is the whole database.
        with contextlib.closing(sqlite3.connect(partial)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        partial.replace(template)


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


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    program = require_program("redis-server", "Redis (Debian's redis-server)")
    server = RedisServer(program=program, directory=directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
