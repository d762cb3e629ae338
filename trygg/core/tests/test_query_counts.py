"""Query counts of the pages the load scenario (bench/locustfile.py) requests, with the demo's example data.

Each page is pinned with a small margin over what it needs today, counted with an empty cache (the first
visitor's worst case). The promise page and the map page have their pins next to their other tests
(trygg/promises/tests/test_views.py, trygg/reports/tests/test_public.py).
"""

import datetime as dt
import json
import uuid
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from trygg.accounts.models import User
from trygg.demo.services import demo_load
from trygg.followup.models import Execution
from trygg.promises.models import Activity, Promise
from trygg.reports import services as report_services
from trygg.reports.models import ReportCategory
from trygg.surveys import services as survey_services
from trygg.surveys.models import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def promise() -> Promise:
    return demo_load(with_examples=True).promise


@pytest.fixture
def activity(promise: Promise) -> Activity:
    found = Activity.objects.filter(focus_area__promise=promise, executions__isnull=False).first()
    assert found is not None
    return found


@pytest.fixture
def open_survey(promise: Promise, coordinator: User) -> tuple[Survey, str]:
    created = survey_services.survey_create(
        municipality=promise.municipality,
        year=2026,
        title="Trygghetsmätning 2026",
        slug="2026",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=[],
        areas=["Centrum", "Landsbygd"],
        by=coordinator,
    )
    survey = survey_services.survey_set_status(survey=created, status=Survey.Status.OPEN, by=coordinator)
    [code] = survey_services.invitation_codes_generate(survey=survey, count=1, by=coordinator)
    return survey, code


def _get_cold(client: Client, url: str, *, most: int, assert_queries: DjangoAssertNumQueries) -> None:
    cache.clear()
    with assert_queries(most):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


PUBLIC_PAGES: list[tuple[str, Callable[[Promise, Activity], str], int]] = [
    # municipality, promises, their activities (the lead promise's progress or verdict), the national facts (3), surveys
    ("the municipality page", lambda promise, _activity: f"/{promise.municipality.slug}/", 7),
    ("the activity page", lambda _promise, activity: activity.get_absolute_url(), 14),
    ("the report form", lambda promise, _activity: f"/{promise.municipality.slug}/felanmalan/", 4),
    (
        "the map's GeoJSON",
        lambda promise, _activity: f"/{promise.municipality.slug}/felanmalan/karta.geojson",
        4,
    ),
    ("the health check", lambda _promise, _activity: "/healthz", 1),
]


@pytest.mark.parametrize(
    ("page", "url", "most"), PUBLIC_PAGES, ids=[page for page, _url, _most in PUBLIC_PAGES]
)
def test_each_public_page_of_the_load_scenario_needs_few_queries(
    client: Client,
    promise: Promise,
    activity: Activity,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    page: str,
    url: Callable[[Promise, Activity], str],
    most: int,
) -> None:
    _get_cold(client, url(promise, activity), most=most, assert_queries=django_assert_max_num_queries)


def test_the_survey_pages_need_few_queries(
    client: Client, open_survey: tuple[Survey, str], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    survey, code = open_survey
    _get_cold(client, survey.get_absolute_url(), most=3, assert_queries=django_assert_max_num_queries)
    assert client.post(survey.get_absolute_url(), {"code": code}).status_code == 302

    _get_cold(
        client, f"{survey.get_absolute_url()}fragor/1/", most=9, assert_queries=django_assert_max_num_queries
    )


def test_the_staff_pages_for_recording_an_execution_need_few_queries(
    login: Callable[[User], Client],
    coordinator: User,
    activity: Activity,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    staff = login(coordinator)
    # 11: the demo's current promise gives the coordinator activities to list (their parties and follow-up cost
    # one query each, however many there are).
    _get_cold(staff, "/personal/aktiviteter/", most=11, assert_queries=django_assert_max_num_queries)
    _get_cold(
        staff, f"/personal/aktiviteter/{activity.pk}/", most=16, assert_queries=django_assert_max_num_queries
    )


def test_the_activity_pages_query_count_does_not_grow_with_its_executions(
    client: Client, activity: Activity
) -> None:
    url = activity.get_absolute_url()
    # A first request fills what Django keeps per process after one lookup (one query more than any later
    # request makes), so the two counted requests differ only in the executions.
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    Execution.objects.bulk_create(
        Execution(
            activity=activity, done_on=dt.date(2023, 3, 1) + dt.timedelta(days=n), description=f"Gjort {n}"
        )
        for n in range(40)
    )

    cache.clear()
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)

    assert "Gjort 39" in response.content.decode()
    assert len(after) == len(before)


def test_the_maps_geojson_query_count_does_not_grow_with_reports(client: Client, promise: Promise) -> None:
    url = f"/{promise.municipality.slug}/felanmalan/karta.geojson"
    with CaptureQueriesContext(connection) as before:
        shown_before = len(json.loads(client.get(url).content)["features"])
    category = ReportCategory.objects.active().filter(municipality=promise.municipality).first()
    assert category is not None
    for n in range(12):
        report_services.report_submit(
            municipality=promise.municipality,
            category=category,
            description="Trasig belysning.",
            latitude=56.80 + n * 0.005,
            longitude=13.90,
            place_name="",
            photos=[],
            reporter_name="",
            reporter_email="",
            submission_id=uuid.uuid4(),
        )

    with CaptureQueriesContext(connection) as after:
        shown_after = len(json.loads(client.get(url).content)["features"])

    assert shown_after == shown_before + 12
    assert len(after) == len(before)
