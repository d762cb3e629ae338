"""Sign-ups race for the last places: the capacity holds on PostgreSQL (row lock) and on a file-backed
SQLite database (IMMEDIATE transactions). The in-memory test database is private to one connection, so
the SQLite case runs in a subprocess against a temporary database file."""

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from trygg.core.concurrency import run_at_once
from trygg.meetings import services
from trygg.meetings.models import Meeting, SignUp
from trygg.municipalities.tests.factories import MunicipalityFactory

ROOT = Path(__file__).resolve().parents[3]
THREADS = 24
CAPACITY = 7

RACE = """
import datetime as dt, json, sys, uuid
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from trygg.core.concurrency import run_at_once
from trygg.meetings import services
from trygg.meetings.models import Meeting, SignUp
from trygg.municipalities.models import Municipality
threads, capacity = int(sys.argv[1]), int(sys.argv[2])
municipality = Municipality.objects.create(name="Provby kommun", slug="provby", scb_code="9999", county="Provlän")
meeting = Meeting.objects.create(
    municipality=municipality, title="Möte", starts_at=timezone.now() + dt.timedelta(days=5), capacity=capacity
)
from trygg.core.concurrency import run_at_once
def sign_up(number):
    try:
        services.signup_create(meeting=meeting, name="", email="", count=1, submission_id=uuid.uuid4(), now=timezone.now())
    except services.MeetingFull:
        return "full"
    return "stored"
outcomes = run_at_once(sign_up, threads)
print(json.dumps({"outcomes": sorted(outcomes), "stored": SignUp.objects.filter(meeting=meeting).count()}))
"""


def test_concurrent_sign_ups_never_exceed_the_capacity_on_a_file_backed_sqlite_database(
    tmp_path: Path, sqlite_templates
) -> None:
    # Migrated already (a copy of the run's template): the program's own migrate finds nothing to do.
    sqlite_templates.copy("migrated", tmp_path / "race.sqlite3")
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

    def sign_up(number: int) -> str:
        try:
            services.signup_create(
                meeting=meeting, name="", email="", count=1, submission_id=uuid.uuid4(), now=timezone.now()
            )
        except services.MeetingFull:
            return "full"
        return "stored"

    outcomes = run_at_once(sign_up, THREADS)

    assert sorted(outcomes) == ["full"] * (THREADS - CAPACITY) + ["stored"] * CAPACITY
    assert SignUp.objects.filter(meeting=meeting).count() == CAPACITY
