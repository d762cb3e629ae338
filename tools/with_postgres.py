"""Run a command against a throwaway PostgreSQL cluster: `python tools/with_postgres.py -- pytest ...`.

The cluster lives in a temporary directory, listens on loopback only, and is removed afterwards.
`initdb` refuses to run as root, so as root the server runs as the unprivileged `postgres` user.
Without PostgreSQL's binaries the run is skipped with a message, unless CI=true, where it fails.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

SEARCH_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for directory in SEARCH_DIRS:
        candidate = directory / name
        if candidate.exists():
            return str(candidate)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def postgres_cluster(initdb: str, pg_ctl: str) -> Iterator[str]:
    root = Path(tempfile.mkdtemp(prefix="trygg-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
        root.chmod(0o700)
    port = free_port()
    try:
        subprocess.run(
            as_server_user(
                [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            as_server_user(
                [pg_ctl, "-D", str(data), "-l", str(root / "server.log"), "-o", options, "-w", "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/trygg"
    finally:
        subprocess.run(
            as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not (initdb and pg_ctl):
        message = "PostgreSQL's initdb/pg_ctl were not found: the PostgreSQL test run was SKIPPED."
        if os.environ.get("CI") == "true":
            print(f"ERROR: {message} CI needs it (install Debian's postgresql package).", file=sys.stderr)
            return 1
        print(f"\n*** {message} Install Debian's postgresql package to run it. ***\n", file=sys.stderr)
        return 0
    with postgres_cluster(initdb, pg_ctl) as url:
        print(f"PostgreSQL test cluster at {url}", file=sys.stderr)
        return subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
