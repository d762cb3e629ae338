"""Item 38: one report form sent twenty times at once (a double click, a resend after a timeout) files one
report, and every answer leads to its receipt. On PostgreSQL the threads share the test database; the
in-memory SQLite test database is private to one connection, so the SQLite case runs in a subprocess against
a database file."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from trygg.core.concurrency import run_at_once
from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality
from trygg.reports.models import Report, ReportCategory

ROOT = Path(__file__).resolve().parents[3]
POSTS = 20
FORM = "/ljungby/felanmalan/"

RACE = """
import json, sys, threading, uuid
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("migrate", verbosity=0)
from trygg.core.concurrency import run_at_once
from trygg.demo.reports import load_reports_demo
from trygg.demo.services import demo_load
from trygg.reports.models import Report, ReportCategory
municipality = demo_load().municipality
load_reports_demo(municipality)
posts = int(sys.argv[1])
data = {
    "category": ReportCategory.objects.get(municipality=municipality, slug="belysning").pk,
    "place": "Salvesbacken",
    "description": "Lampan vid parkens ingång lyser inte.",
    "submission_id": str(uuid.uuid4()),
    "website": "",
}
from trygg.core.concurrency import run_at_once
def post(number):
    response = Client().post("/ljungby/felanmalan/", data)
    return [response.status_code, response.get("Location", "")]
answers = run_at_once(post, posts)
references = list(Report.objects.filter(submission_id=data["submission_id"]).values_list("reference", flat=True))
print(json.dumps({"answers": answers, "references": references}))
"""


def _assert_one_report_and_one_receipt(answers: list[list[object] | str], references: list[str]) -> None:
    assert len(answers) == POSTS
    posted = [answer for answer in answers if isinstance(answer, list)]
    assert len(posted) == POSTS, answers  # a thread that raised gives its repr instead
    assert {status for status, _location in posted} == {302}, answers
    assert len(references) == 1
    assert {location for _status, location in posted} == {f"/ljungby/felanmalan/{references[0]}/tack/"}


def test_item_38_one_submission_posted_20_times_at_once_files_one_report_on_sqlite(
    tmp_path: Path, sqlite_templates
) -> None:
    # Migrated already (a copy of the run's template): the program's own migrate finds nothing to do.
    sqlite_templates.copy("migrated", tmp_path / "race.sqlite3")
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "TRYGG_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "RATE_LIMITS_ENABLED": "false",
        "FORM_MIN_FILL_SECONDS": "0",
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", RACE, str(POSTS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    _assert_one_report_and_one_receipt(outcome["answers"], outcome["references"])


@pytest.mark.django_db(transaction=True)
def test_item_38_one_submission_posted_20_times_at_once_files_one_report_on_postgresql(
    home_municipality: Municipality, settings
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads need a shared database: this runs under `make test-postgres`")
    settings.RATE_LIMITS_ENABLED = False
    load_reports_demo(home_municipality)
    data: dict[str, Any] = {
        "category": ReportCategory.objects.get(municipality=home_municipality, slug="belysning").pk,
        "place": "Salvesbacken",
        "description": "Lampan vid parkens ingång lyser inte.",
        "submission_id": str(uuid.uuid4()),
        "website": "",
    }

    def post(number: int) -> list[object]:
        response = Client().post(FORM, data)
        return [response.status_code, response.get("Location", "")]

    answers = run_at_once(post, POSTS)

    references = Report.objects.filter(submission_id=data["submission_id"]).values_list(
        "reference", flat=True
    )
    _assert_one_report_and_one_receipt(answers, list(references))
