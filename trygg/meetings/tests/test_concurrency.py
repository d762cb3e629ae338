"""Sign-ups race for the last places: the capacity holds on PostgreSQL (row lock) and on a file-backed
SQLite database (IMMEDIATE transactions). The in-memory test database is private to one connection, so
the SQLite case runs in a subprocess against a temporary database file."""

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from trygg.meetings import services
from trygg.meetings.models import Meeting, SignUp
from trygg.municipalities.tests.factories import MunicipalityFactory

ROOT = Path(__file__).resolve().parents[3]
THREADS = 24
CAPACITY = 7

RACE = """
import datetime as dt, json, sys, threading, uuid
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
call_command("migrate", verbosity=0)
from trygg.meetings import services
from trygg.meetings.models import Meeting, SignUp
from trygg.municipalities.models import Municipality
threads, capacity = int(sys.argv[1]), int(sys.argv[2])
municipality = Municipality.objects.create(name="Provby kommun", slug="provby", scb_code="9999", county="Provlän")
meeting = Meeting.objects.create(
    municipality=municipality, title="Möte", starts_at=timezone.now() + dt.timedelta(days=5), capacity=capacity
)
barrier = threading.Barrier(threads)
outcomes = []
lock = threading.Lock()
def sign_up():
    try:
        barrier.wait()
        services.signup_create(meeting=meeting, name="", email="", count=1, submission_id=uuid.uuid4(), now=timezone.now())
        outcome = "stored"
    except services.MeetingFull:
        outcome = "full"
    except Exception as error:
        outcome = repr(error)
    finally:
        connections.close_all()
    with lock:
        outcomes.append(outcome)
workers = [threading.Thread(target=sign_up) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(json.dumps({"outcomes": sorted(outcomes), "stored": SignUp.objects.filter(meeting=meeting).count()}))
"""


def test_concurrent_sign_ups_never_exceed_the_capacity_on_a_file_backed_sqlite_database(
    tmp_path: Path,
) -> None:
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "TRYGG_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", RACE, str(THREADS), str(CAPACITY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["stored"] == CAPACITY
    assert report["outcomes"] == ["full"] * (THREADS - CAPACITY) + ["stored"] * CAPACITY


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_exceed_the_capacity_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads need a shared database: this runs under `make test-postgres`")
    municipality = MunicipalityFactory.create()
    meeting = Meeting.objects.create(
        municipality=municipality,
        title="Möte",
        starts_at=timezone.now() + dt.timedelta(days=5),
        capacity=CAPACITY,
    )
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def sign_up() -> None:
        try:
            barrier.wait()
            services.signup_create(
                meeting=meeting, name="", email="", count=1, submission_id=uuid.uuid4(), now=timezone.now()
            )
            outcome = "stored"
        except services.MeetingFull:
            outcome = "full"
        except Exception as error:
            outcome = repr(error)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=sign_up) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(outcomes) == ["full"] * (THREADS - CAPACITY) + ["stored"] * CAPACITY
    assert SignUp.objects.filter(meeting=meeting).count() == CAPACITY
