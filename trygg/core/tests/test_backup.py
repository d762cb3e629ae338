"""Backup drills: a backup taken while writes go on restores into a fresh database with equal rows and checksums."""

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

from trygg.demo import ljungby

ROOT = Path(__file__).resolve().parents[3]
WRITER = """
import django, sys
django.setup()
from trygg.core.models import RateLimitCounter
for index in range(int(sys.argv[1])):
    RateLimitCounter.objects.create(key=f"writer-{index}", window_start=index, count=index)
"""

# The demo's two promises: 2023's 19 activities and those of the promise for the running year.
DEMO_ACTIVITIES = sum(
    len(focus_area.activities) for focus_area in (*ljungby.FOCUS_AREAS, *ljungby.CURRENT_FOCUS_AREAS)
)


def _run(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _env(database_url: str, tmp_path: Path, media: str) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "TRYGG_DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / media),
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
    }


def _drill(source_url: str, target_url: str, tmp_path: Path, *, demo_loaded: bool = False) -> dict:
    """``demo_loaded``: the source database already holds the migrated schema and the demo."""
    source = _env(source_url, tmp_path, "media-source")
    (tmp_path / "media-source" / "photos").mkdir(parents=True)
    (tmp_path / "media-source" / "photos" / "a.jpg").write_bytes(b"\xff\xd8 not really a photo")
    if not demo_loaded:
        assert _run(source, "migrate", "-v0").returncode == 0
        assert _run(source, "load_demo").returncode == 0
    writer = subprocess.Popen([sys.executable, "-c", WRITER, "3000"], env={**source, "PYTHONPATH": str(ROOT)})
    try:
        time.sleep(1.0)
        backup = _run(source, "backup", str(tmp_path / "backup"))
        assert backup.returncode == 0, backup.stderr
    finally:
        writer.wait(timeout=120)
    target = _env(target_url, tmp_path, "media-target")
    restore = _run(target, "restore", str(tmp_path / "backup"))
    assert restore.returncode == 0, restore.stderr
    assert (tmp_path / "media-target" / "photos" / "a.jpg").read_bytes() == b"\xff\xd8 not really a photo"
    return json.loads((tmp_path / "backup" / "manifest.json").read_text())


def test_a_sqlite_backup_during_writes_restores_with_equal_rows_and_checksums(
    tmp_path: Path, sqlite_templates
) -> None:
    # The source: what `trygg migrate` and `trygg load_demo` make, copied from the run's template.
    source = sqlite_templates.copy("demo", tmp_path / "source.sqlite3")
    manifest = _drill(
        f"sqlite:///{source}", f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path, demo_loaded=True
    )

    assert manifest["tables"]["promises_activity"]["rows"] == DEMO_ACTIVITIES
    assert manifest["media_files"] == 1
    # The restored database draws a new epoch, so the pages this machine shared before are not served again.
    epochs = []
    for path in (source, tmp_path / "target.sqlite3"):
        with contextlib.closing(sqlite3.connect(path)) as database:
            epochs.append(database.execute("SELECT number FROM core_pagegeneration WHERE id = 0").fetchone())
    assert None not in epochs and epochs[0] != epochs[1]


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_during_writes_restores_with_equal_rows_and_checksums(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of the suite")
    server = urlparse(os.environ["DATABASE_URL"])
    names = [f"drill_{os.getpid()}_source", f"drill_{os.getpid()}_target"]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"CREATE DATABASE {name}")
    try:
        urls = [server._replace(path=f"/{name}").geturl() for name in names]
        manifest = _drill(urls[0], urls[1], tmp_path)
    finally:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    assert manifest["tables"]["promises_activity"]["rows"] == DEMO_ACTIVITIES
    assert 0 < manifest["tables"]["core_ratelimitcounter"]["rows"] <= 3000
