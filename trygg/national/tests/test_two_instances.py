"""Two Trygg installations on loopback, each with its own database: a kommun's installation (a gunicorn
subprocess) publishes its feed, and this test's installation harvests it. Changes, deletions, withdrawals and
unpublishing travel; a second harvest changes nothing; a source that goes away, one that is slow and one that
answers nonsense are each reported without holding up the others."""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from trygg.core.tests.processes import app_server, environment, trygg
from trygg.followup.models import Execution
from trygg.national.harvest import harvest_sources, source_register
from trygg.national.models import HarvestRun, HarvestSource, PromiseSource
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def publisher_database(tmp_path_factory: pytest.TempPathFactory, sqlite_templates) -> Path:
    """One migrated database with the Ljungby demo and its example follow-up, copied for each test."""
    directory = tmp_path_factory.mktemp("publisher-template")
    database = sqlite_templates.copy("migrated", directory / "db.sqlite3")
    result = trygg(environment(directory, f"sqlite:///{database}"), "shell", "-c", _DEMO)
    assert result.returncode == 0, result.stderr[-3000:]
    return database


_DEMO = "from trygg.demo.services import demo_load; demo_load(with_examples=True)"


@contextlib.contextmanager
def publisher(database: Path, directory: Path) -> Iterator[tuple[str, dict[str, str], object]]:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(database, directory / "db.sqlite3")
    env = environment(directory, f"sqlite:///{directory / 'db.sqlite3'}")
    with app_server(env, directory) as app:
        yield app.url, env, app


def run_at_publisher(env: dict[str, str], code: str) -> None:
    result = trygg(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr[-3000:]


def public_counts(database: Path) -> tuple[int, int, int]:
    """Promises, activities and counted executions the publisher shows, read straight from its database."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        promises = db.execute(
            "SELECT count(*) FROM promises_promise WHERE status IN ('published', 'closed')"
        ).fetchone()[0]
        activities = db.execute(
            "SELECT count(*) FROM promises_activity a JOIN promises_focusarea f ON a.focus_area_id = f.id "
            "JOIN promises_promise p ON f.promise_id = p.id WHERE p.status IN ('published', 'closed')"
        ).fetchone()[0]
        executions = db.execute(
            "SELECT count(*) FROM followup_execution e JOIN promises_activity a ON e.activity_id = a.id "
            "JOIN promises_focusarea f ON a.focus_area_id = f.id JOIN promises_promise p ON f.promise_id = p.id "
            "WHERE p.status IN ('published', 'closed') AND NOT e.withdrawn"
        ).fetchone()[0]
    return promises, activities, executions


def harvested() -> tuple[int, int, int]:
    promises = Promise.objects.filter(provenance__kind=PromiseSource.Kind.HARVESTED)
    return (
        promises.count(),
        Activity.objects.filter(focus_area__promise__in=promises).count(),
        Execution.objects.filter(activity__focus_area__promise__in=promises).count(),
    )


def harvest(sources: list[HarvestSource]) -> dict[str, HarvestRun]:
    runs = harvest_sources(
        sources=[HarvestSource.objects.get(pk=s.pk) for s in sources], now_function=timezone.now
    )
    return {run.source.name: run for run in runs}


def test_changes_deletions_and_unpublishing_travel_from_one_installation_to_another(
    publisher_database: Path, tmp_path: Path
) -> None:
    with publisher(publisher_database, tmp_path / "kommun") as (url, env, _app):
        source = source_register(url=url, name="Ljungbys Trygg")
        assert "0781" in source.allowed_codes

        first = harvest([source])["Ljungbys Trygg"]
        assert first.ok, first.error
        assert first.created > 0
        database = tmp_path / "kommun" / "db.sqlite3"
        assert harvested() == public_counts(database)
        promise = Promise.objects.filter(provenance__kind=PromiseSource.Kind.HARVESTED).first()
        assert promise is not None and promise.municipality.scb_code == "0781"
        assert promise.provenance.source_url.startswith(url)

        again = harvest([source])["Ljungbys Trygg"]
        assert again.ok and (again.created, again.updated, again.deleted) == (0, 0, 0)

        run_at_publisher(
            env,
            "import datetime as dt\n"
            "from trygg.promises.models import Activity, Promise\n"
            "from trygg.followup.models import Execution\n"
            "public = Activity.objects.filter(focus_area__promise__status='published').order_by('pk')\n"
            "first, second = public[0], public[1]\n"
            "first.text = 'Ändrad text från kommunen'; first.save()\n"
            "Execution.objects.create(activity=first, done_on=dt.date(2026, 11, 30), description='Nytt utförande', count=2)\n"
            "second.delete()\n"
            "gone = Execution.objects.filter(withdrawn=False, activity__focus_area__promise__status='published').exclude(activity=first).order_by('pk').first()\n"
            "gone.withdrawn = True; gone.save()\n",
        )
        changed = harvest([source])["Ljungbys Trygg"]
        assert changed.ok, changed.error
        assert changed.deleted >= 2
        assert harvested() == public_counts(database)
        assert Activity.objects.filter(text="Ändrad text från kommunen").count() == 1
        assert Execution.objects.filter(description="Nytt utförande", count=2).count() == 1

        run_at_publisher(
            env,
            "from trygg.promises.models import Promise\nPromise.objects.filter(status='published').update(status='draft')\n"
            "for p in Promise.objects.filter(status='draft'): p.save()\n",
        )
        unpublished = harvest([source])["Ljungbys Trygg"]
        assert unpublished.ok, unpublished.error
        assert harvested() == public_counts(database)


class _Nonsense(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html>not a feed</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_source_that_goes_away_a_slow_one_and_a_broken_one_are_reported_and_the_others_harvested(
    publisher_database: Path, tmp_path: Path, settings
) -> None:
    settings.HARVEST_REQUEST_TIMEOUT = 1
    settings.HARVEST_SOURCE_TIMEOUT = 3
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections and never answers
    broken = ThreadingHTTPServer(("127.0.0.1", 0), _Nonsense)
    threading.Thread(target=broken.serve_forever, daemon=True).start()
    try:
        with publisher(publisher_database, tmp_path / "kommun") as (url, _env, app):
            good = source_register(url=url, name="Ljungbys Trygg")
            slow = HarvestSource.objects.create(
                name="Tyst",
                discovery_url=f"http://127.0.0.1:{silent.getsockname()[1]}/api/federation/discovery",
            )
            nonsense = HarvestSource.objects.create(
                name="Trasig", discovery_url=f"http://127.0.0.1:{broken.server_port}/api/federation/discovery"
            )
            runs = harvest([good, slow, nonsense])
            assert runs["Ljungbys Trygg"].ok, runs["Ljungbys Trygg"].error
            assert not runs["Tyst"].ok and "svarade inte" in runs["Tyst"].error
            assert not runs["Trasig"].ok and "JSON" in runs["Trasig"].error
            kept = harvested()
            assert kept[0] > 0

            app.kill()  # type: ignore[attr-defined]
            gone = harvest([good])["Ljungbys Trygg"]
            assert not gone.ok and "gick inte att nå" in gone.error
            assert harvested() == kept, "a source that goes away keeps what was harvested"
            source = HarvestSource.objects.get(pk=good.pk)
            assert source.consecutive_failures == 1 and source.last_success_at is not None
    finally:
        broken.shutdown()
        silent.close()
