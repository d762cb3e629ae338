import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client

from trygg.core.pagecache import CACHE_ALIAS
from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality
from trygg.reports.models import Report, ReportCategory

MAP = "/ljungby/felanmalan/karta/"
FORM = "/ljungby/felanmalan/"


@contextmanager
def database_down() -> Iterator[None]:
    """Every attempt to reach the database fails, as it does when PostgreSQL is stopped."""
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection refused"),
    ):
        yield


@pytest.fixture
def reports_demo(home_municipality: Municipality, settings) -> Municipality:
    settings.MAP_TILES_URL = ""
    load_reports_demo(home_municipality)
    return home_municipality


def _report(municipality: Municipality, **fields: str) -> dict[str, Any]:
    category = ReportCategory.objects.get(municipality=municipality, slug="belysning")
    return {
        "category": category.pk,
        "place": "Salvesbacken",
        "description": "Lampan vid parkens ingång lyser inte.",
        "reporter_name": "Alva",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        **fields,
    }


def test_item_39_a_public_page_answers_503_with_retry_after_when_the_database_is_down(
    client: Client, reports_demo: Municipality
) -> None:
    with database_down():
        response = client.get("/ljungby/")

    page = response.content.decode()
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Tjänsten är tillfälligt otillgänglig" in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_item_39_an_english_page_says_so_in_english_and_the_api_in_json(
    client: Client, reports_demo: Municipality
) -> None:
    with database_down():
        english = client.get("/en/ljungby/")
        api = client.get("/api/v1/municipalities/")

    assert english.status_code == api.status_code == 503
    assert "temporarily unavailable" in english.content.decode()
    assert api["Content-Type"] == "application/json" and "Retry-After" in api


def test_item_39_a_cached_public_page_is_still_served_while_the_database_is_down(
    client: Client, reports_demo: Municipality, settings
) -> None:
    settings.PAGE_CACHE_SECONDS = 300
    caches[CACHE_ALIAS].clear()
    before = client.get(MAP)

    with database_down():
        during = client.get(MAP)
        uncached = client.get("/ljungby/felanmalan/karta/?state=new")

    caches[CACHE_ALIAS].clear()
    assert during.status_code == 200 and during.content == before.content
    assert uncached.status_code == 503


def test_item_39_a_report_posted_while_the_database_is_down_comes_back_unsaved_with_its_input(
    client: Client, reports_demo: Municipality
) -> None:
    data = _report(reports_demo, description="Trasig lampa <b>vid</b> gångtunneln")
    with database_down():
        response = client.post(FORM, data)

    page = response.content.decode()
    assert response.status_code == 503
    assert "Inte sparat – försök igen om en stund" in page
    assert "Trasig lampa &lt;b&gt;vid&lt;/b&gt; gångtunneln</textarea>" in page
    assert 'value="Alva"' in page and 'value="Salvesbacken"' in page
    assert f'name="submission_id" value="{data["submission_id"]}"' in page
    assert f'action="{FORM}"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'name="website"' not in page
    assert not Report.objects.filter(submission_id=data["submission_id"]).exists()


def test_item_39_a_database_failure_in_the_middle_of_a_post_gives_no_false_success(
    client: Client, reports_demo: Municipality
) -> None:
    data = _report(reports_demo)
    with mock.patch(
        "trygg.reports.services.report_submit", side_effect=OperationalError("server closed the connection")
    ):
        response = client.post(FORM, data)

    assert response.status_code == 503
    assert "Inte sparat" in response.content.decode()
    assert "Lampan vid parkens ingång lyser inte." in response.content.decode()
    assert not Report.objects.filter(submission_id=data["submission_id"]).exists()


def test_item_39_the_next_request_after_the_database_returns_works(
    client: Client, reports_demo: Municipality
) -> None:
    with database_down():
        assert client.get("/ljungby/").status_code == 503

    assert client.get("/ljungby/").status_code == 200
    assert client.post(FORM, _report(reports_demo)).status_code == 302
