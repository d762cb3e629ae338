"""Trygg as a cluster on this machine's loopback (docs/deploy.md, "A cluster"), for the drill and by hand.

    .venv/bin/python scripts/loopback_cluster.py --hold     start, print "READY <url> <directory>", run until
                                                           standard input closes (or Ctrl-C), then clean up

Starts, each on a free port and in one temporary directory:
- a PostgreSQL primary and a hot standby made from it with `pg_basebackup -R`, streaming with synchronous commit
  (a write is acknowledged once the standby has it), both with pg_stat_statements;
- PgBouncer in transaction pooling mode in front of both (databases `trygg` and `trygg_standby`);
- Redis (nothing kept on disk);
- two application nodes (gunicorn with scripts/gunicorn.conf.py), the task worker (`trygg db_worker`);
- nginx with a self-signed certificate and both nodes as upstreams (scripts/render-nginx.sh).

The database is migrated and loaded with the demo and the load benchmark's scenario (bench/bench_load.py) on the
primary directly, before the standby is made: migrations never go through PgBouncer or to the standby. PostgreSQL
and PgBouncer refuse to run as root, so as root they run as the `postgres` user (as tools/with_postgres.py does).
Everything is stopped and the directory removed on exit, also after a failure (KEEP_CLUSTER=1 keeps the directory).
The nodes run the development settings with DEBUG off (as bench/bench_load.py does), because they serve the
demo, which production refuses; scripts/loopback-deploy.sh covers production's settings.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from with_postgres import as_server_user, find_binary, free_port  # noqa: E402  (tools/ is no package)

PYTHON = Path(sys.executable)
BIN = PYTHON.parent
SERVER_USER = "postgres"


def _say(message: str) -> None:
    print(f"loopback-cluster {time.strftime('%H:%M:%S')}: {message}", file=sys.stderr, flush=True)


def _server_owned(path: Path) -> Path:
    """A directory the unprivileged server user owns when we are root."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, user=SERVER_USER, group=SERVER_USER)
    return path


def real_clock_environment() -> dict[str, str]:
    """This process's environment without libfaketime, for another project's server.

    A test run under Debian's `faketime` (docs/development.md) fakes the clock of every process it starts through
    LD_PRELOAD; Redis does not even start under it (libfaketime gives up on its clock calls), and a server's clock
    is not what such a run is about. Trygg's own processes keep the faked clock."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("FAKETIME")}
    kept = [
        part for part in environment.pop("LD_PRELOAD", "").replace(":", " ").split() if "faketime" not in part
    ]
    if kept:
        environment["LD_PRELOAD"] = " ".join(kept)
    return environment


def _wait(check: Callable[[], object], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        # Anything short of success (refused, an error answer, nothing yet) means "not yet".
        with contextlib.suppress(Exception):
            if check():
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")
        time.sleep(0.1)


# --------------------------------------------------------------------------------------------- PostgreSQL


@dataclass
class PostgresServer:
    name: str
    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / self.name

    @property
    def log(self) -> Path:
        return self.root / f"{self.name}.log"

    def url(self, database: str = "trygg") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def options(self) -> str:
        # fsync off: the drill kills processes, never the machine, so the operating system keeps what was written;
        # the time zone is the one Django asks for, so it never sends `SET TIME ZONE` through PgBouncer.
        return (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c timezone=UTC "
            f"-c shared_preload_libraries=pg_stat_statements -c cluster_name={self.name} -c max_connections=100"
        )

    def start(self) -> None:
        pg_ctl = find_binary("pg_ctl") or "pg_ctl"
        subprocess.run(
            as_server_user(
                [
                    pg_ctl,
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    self.options(),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """kill -9 of the postmaster: its backends notice and end at once, with nothing flushed or said."""
        pid = self.postmaster_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)

    def promote(self) -> None:
        pg_ctl = find_binary("pg_ctl") or "pg_ctl"
        subprocess.run(
            as_server_user([pg_ctl, "-D", str(self.data), "-w", "-t", "60", "promote"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        pg_ctl = find_binary("pg_ctl") or "pg_ctl"
        subprocess.run(
            as_server_user([pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def query(self, sql: str, params: tuple[object, ...] = (), database: str = "trygg") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


# --------------------------------------------------------------------------------------------- PgBouncer


@dataclass
class PgBouncer:
    directory: Path
    # database name in PgBouncer → the server's port
    databases: dict[str, int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.directory / "pgbouncer.ini"

    @property
    def pidfile(self) -> Path:
        return self.directory / "pgbouncer.pid"

    def pid(self) -> int | None:
        """PgBouncer's own process (not runuser's, which started it as the server user)."""
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def write_config(self) -> None:
        lines = ["[databases]"]
        lines += [
            f"{name} = host=127.0.0.1 port={port} dbname=trygg" for name, port in self.databases.items()
        ]
        lines += [
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {self.port}",
            "unix_socket_dir =",
            "auth_type = trust",
            f"auth_file = {self.directory / 'users.txt'}",
            # One server connection per transaction: Django keeps no state between them (docs/deploy.md).
            "pool_mode = transaction",
            "default_pool_size = 20",
            "max_client_conn = 400",
            "admin_users = postgres",
            f"logfile = {self.directory / 'pgbouncer.log'}",
            f"pidfile = {self.pidfile}",
            # A server that is gone is tried again every second, and a client waits at most 3 s for a server:
            # during a failover a request gets "try again" quickly instead of hanging (the defaults are 15 and 120 s).
            "server_login_retry = 1",
            "server_connect_timeout = 2",
            "query_wait_timeout = 3",
            "",
        ]
        self.config.write_text("\n".join(lines))
        (self.directory / "users.txt").write_text('"postgres" ""\n')
        if os.geteuid() == 0:
            for path in (self.config, self.directory / "users.txt"):
                shutil.chown(path, user=SERVER_USER, group=SERVER_USER)

    def start(self) -> None:
        self.write_config()
        program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.process = subprocess.Popen(
            as_server_user([program, str(self.config)]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        import psycopg

        def answers() -> bool:
            with psycopg.connect(self.url("trygg"), connect_timeout=2) as connection:
                return connection.execute("SELECT 1").fetchone() == (1,)

        _wait(answers, "PgBouncer", 30)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def repoint(self, database: str, port: int) -> None:
        """What an operator does after a failover: the database's line names the new primary, then a reload."""
        self.databases[database] = port
        self.write_config()
        pid = self.pid()
        assert pid is not None, "PgBouncer is not running"
        os.kill(pid, signal.SIGHUP)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            pid = self.pid()
            with contextlib.suppress(ProcessLookupError):
                if pid is not None:
                    os.kill(pid, signal.SIGTERM)
                else:
                    self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)


# --------------------------------------------------------------------------------------------- Redis


@dataclass
class RedisServer:
    """A Redis on a free loopback port that may be stopped and started again (empty: it keeps nothing on disk)."""

    program: str
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                self.program,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=real_clock_environment(),
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            _wait(client.ping, "redis-server", 30)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


# --------------------------------------------------------------------------------------------- the application


@dataclass
class AppNode:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    access_log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def kill(self) -> None:
        """kill -9 of the node: gunicorn's master and every worker at once (their own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class LoopbackCluster:
    work: Path
    primary: PostgresServer
    standby: PostgresServer
    pgbouncer: PgBouncer
    redis: RedisServer
    environment: dict[str, str]
    nodes: list[AppNode] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    scenario: Path | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def certificate(self) -> Path:
        return self.work / "tls" / "cert.pem"

    @property
    def nginx_dir(self) -> Path:
        return self.work / "nginx"

    @property
    def health_token(self) -> str:
        return self.environment["HEALTH_TOKEN"]

    # ------------------------------------------------------------------------------------ pieces

    def spawn_node(self, name: str) -> AppNode:
        port = free_port()
        log = self.work / f"{name}-access.log"
        environment = {
            **self.environment,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": os.environ.get("CLUSTER_NODE_WORKERS", "2"),
            "GUNICORN_ACCESS_LOG": str(log),
            "GUNICORN_ERROR_LOG": str(self.work / f"{name}-error.log"),
            "GUNICORN_CONTROL_SOCKET": str(self.work / f"{name}.ctl"),
        }
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "scripts" / "gunicorn.conf.py"), "trygg.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return AppNode(name=name, port=port, process=process, access_log=log)

    @staticmethod
    def wait_for_node(node: AppNode) -> None:
        def answers() -> bool:
            with urllib.request.urlopen(f"http://{node.address}/healthz", timeout=2) as response:
                return bool(response.status == 200)

        _wait(answers, f"application node {node.name}", 90)

    def start_worker(self) -> None:
        log = (self.work / "worker.log").open("ab")
        self.worker = subprocess.Popen(
            [str(BIN / "trygg"), "db_worker", "--no-startup-delay"],
            cwd=ROOT,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_nginx(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "selfsigned-cert.sh"), str(self.work / "tls")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for directory in ("tmp", "log"):
            (self.nginx_dir / directory).mkdir(parents=True, exist_ok=True)
        (self.work / "data" / "media" / "logos").mkdir(parents=True, exist_ok=True)
        site = subprocess.run(
            [str(ROOT / "scripts" / "render-nginx.sh")],
            env={
                **os.environ,
                "SERVER_NAME": "127.0.0.1",
                "HTTPS_PORT": str(self.https_port),
                "HTTP_PORT": str(self.http_port),
                "UPSTREAM": ",".join(node.address for node in self.nodes),
                "CERTIFICATE": str(self.certificate),
                "CERTIFICATE_KEY": str(self.work / "tls" / "key.pem"),
                "MEDIA_ROOT": str(self.work / "data" / "media"),
                "LOG_DIR": str(self.nginx_dir / "log"),
            },
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (self.nginx_dir / "trygg.conf").write_text(site)
        # What Debian's /etc/nginx/nginx.conf provides, with every path in the work directory.
        temporary = self.nginx_dir / "tmp"
        (self.nginx_dir / "nginx.conf").write_text(
            f"""worker_processes 1;
pid {self.nginx_dir / "nginx.pid"};
error_log {self.nginx_dir / "log" / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temporary / "body"};
    proxy_temp_path {temporary / "proxy"};
    fastcgi_temp_path {temporary / "fastcgi"};
    uwsgi_temp_path {temporary / "uwsgi"};
    scgi_temp_path {temporary / "scgi"};
    include {self.nginx_dir / "trygg.conf"};
}}
"""
        )
        error_log = str(self.nginx_dir / "log" / "error.log")
        configuration = str(self.nginx_dir / "nginx.conf")
        subprocess.run(["nginx", "-t", "-q", "-e", error_log, "-c", configuration], check=True)
        subprocess.run(["nginx", "-e", error_log, "-c", configuration], check=True)

        def answers() -> bool:
            import requests

            return bool(requests.get(f"{self.url}/healthz", verify=str(self.certificate), timeout=5).ok)

        _wait(answers, "nginx", 30)

    def nginx_pid(self) -> int | None:
        try:
            return int((self.nginx_dir / "nginx.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def trygg(self, *arguments: str, direct: bool = False) -> subprocess.CompletedProcess[str]:
        """A trygg command as an operator runs it (through PgBouncer, or with `direct` on the primary itself)."""
        environment = dict(self.environment)
        if direct:
            environment["DATABASE_URL"] = self.primary.url()
            environment.pop("DATABASE_REPLICA_URL", None)
            environment["DATABASE_TRANSACTION_POOLING"] = "false"
        return subprocess.run(
            [str(BIN / "trygg"), *arguments],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

    def health(self) -> dict[str, object]:
        import requests

        answer = requests.get(
            f"{self.url}/healthz/status",
            headers={"Authorization": f"Bearer {self.health_token}"},
            verify=str(self.certificate),
            timeout=15,
        )
        answer.raise_for_status()
        body: dict[str, object] = answer.json()
        return body

    def stop(self) -> None:
        pid = self.nginx_pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
        for node in self.nodes:
            if node.alive():
                node.kill()
        if self.worker is not None and self.worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=30)
        self.pgbouncer.stop()
        self.redis.stop()
        self.standby.stop()
        self.primary.stop()


def _prepare_scenario(cluster: LoopbackCluster) -> Path:
    """Migrate the primary and load the demo and the load scenario (bench/bench_load.py's `prepare`)."""
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        f"sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}]\n"
        "import bench_load\n"
        f"print(bench_load.prepare(Path({str(cluster.work)!r}), survey_codes=200, staff_accounts=4))\n"
    )
    environment = {
        **cluster.environment,
        "DATABASE_URL": cluster.primary.url(),
        "DATABASE_TRANSACTION_POOLING": "false",
        "TRYGG_ENV": "development",
    }
    environment.pop("DATABASE_REPLICA_URL", None)
    environment.pop("REDIS_URL", None)
    result = subprocess.run(
        [str(PYTHON), "-c", program], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrating and loading the demo failed:\n{result.stderr[-4000:]}")
    return Path(result.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def running() -> Iterator[LoopbackCluster]:
    """The whole cluster, started; stopped and removed afterwards whatever happened."""
    initdb, basebackup = find_binary("initdb"), find_binary("pg_basebackup")
    if not (initdb and basebackup and find_binary("pg_ctl")):
        raise RuntimeError("PostgreSQL's server binaries (Debian's postgresql) are missing")
    work = Path(tempfile.mkdtemp(prefix="trygg-cluster-"))
    # nginx's workers (an unprivileged user when nginx starts as root) read the certificate and the logos.
    work.chmod(0o755)
    postgres_root = _server_owned(work / "postgres")
    postgres_root.chmod(0o700)
    redis_dir = work / "redis"
    redis_dir.mkdir()
    primary = PostgresServer("primary", postgres_root)
    standby = PostgresServer("standby", postgres_root)
    pgbouncer = PgBouncer(
        _server_owned(work / "pgbouncer"), {"trygg": primary.port, "trygg_standby": standby.port}
    )
    redis_program = shutil.which("redis-server") or "redis-server"
    cluster = LoopbackCluster(
        work=work,
        primary=primary,
        standby=standby,
        pgbouncer=pgbouncer,
        redis=RedisServer(program=redis_program, directory=redis_dir),
        environment={},
    )
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    cluster.environment = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "PYTHONPATH": str(ROOT),
        "TRYGG_ENV": "development",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXY": "true",
        "TRYGG_DATA_DIR": str(work / "data"),
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(work / "mail"),
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        "DATABASE_URL": pgbouncer.url("trygg"),
        "DATABASE_REPLICA_URL": pgbouncer.url("trygg_standby"),
        "DATABASE_TRANSACTION_POOLING": "true",
        "REDIS_URL": cluster.redis.url,
        "REDIS_RETRY_SECONDS": "2",
        "HEALTH_TOKEN": secrets.token_urlsafe(32),
    }
    started = time.monotonic()
    try:
        _say(f"PostgreSQL primary on port {primary.port}")
        subprocess.run(
            as_server_user(
                [initdb, "-D", str(primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        primary.start()
        primary.query("CREATE DATABASE trygg", database="postgres")
        _say("migrate, the demo and the load scenario, on the primary directly")
        cluster.scenario = _prepare_scenario(cluster)
        primary.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

        _say(f"hot standby from pg_basebackup on port {standby.port}")
        subprocess.run(
            as_server_user(
                [
                    basebackup,
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(primary.port),
                    "-U",
                    "postgres",
                    "-D",
                    str(standby.data),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        standby.start()
        # Synchronous from now on: a commit waits until the standby has the WAL, so a write acknowledged to a
        # resident survives the primary's loss. Set on the primary alone (ALTER SYSTEM, after the copy was taken):
        # the standby, once promoted, has no standby of its own to wait for.
        primary.query("ALTER SYSTEM SET synchronous_standby_names = 'standby'", database="postgres")
        primary.query("SELECT pg_reload_conf()", database="postgres")
        _wait(
            lambda: primary.query(
                "SELECT 1 FROM pg_stat_replication WHERE application_name = 'standby' AND sync_state = 'sync'",
                database="postgres",
            ),
            "synchronous streaming replication",
            30,
        )

        _say(f"PgBouncer on port {pgbouncer.port}, Redis on port {cluster.redis.port}")
        pgbouncer.start()
        cluster.redis.start()
        _say("two application nodes and the task worker")
        cluster.nodes = [cluster.spawn_node("node-a"), cluster.spawn_node("node-b")]
        cluster.start_worker()
        for node in cluster.nodes:
            cluster.wait_for_node(node)
        _say(f"nginx on {cluster.url}")
        cluster.start_nginx()
        _say(f"up in {time.monotonic() - started:.0f} s")
        yield cluster
    finally:
        _say("stopping everything")
        cluster.stop()
        if os.environ.get("KEEP_CLUSTER"):
            _say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    if "--hold" not in sys.argv[1:]:
        print(__doc__)
        return 2
    # A polite stop (SIGTERM) cleans up like the end of standard input does.
    signal.signal(signal.SIGTERM, lambda *_arguments: sys.exit(1))
    with running() as cluster:
        print(f"READY {cluster.url} {cluster.work}", flush=True)
        print(
            json.dumps({"health_token": cluster.health_token, "scenario": str(cluster.scenario)}), flush=True
        )
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
