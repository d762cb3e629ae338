import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trygg.followup.models import Execution
from trygg.followup.promise_page import PromisePage, promise_page_build
from trygg.followup.status import Status
from trygg.promises.models import Activity, Promise
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MIDSUMMER_2023 = dt.date(2023, 6, 20)


def _executions(activity: Activity, number: int, first: dt.date = dt.date(2023, 2, 1)) -> None:
    Execution.objects.bulk_create(
        Execution(activity=activity, done_on=first + dt.timedelta(days=n), description=f"Gång {n + 1}")
        for n in range(number)
    )


def _build(promise: Promise, as_of: dt.date = MIDSUMMER_2023) -> PromisePage:
    return promise_page_build(
        municipality_slug=promise.municipality.slug, promise_slug=promise.slug, as_of=as_of
    )


def test_the_read_model_costs_the_same_queries_with_ten_times_the_activities_and_executions(
    promise: Promise,
) -> None:
    with CaptureQueriesContext(connection) as before:
        _build(promise)
    focus_area = promise.focus_areas.first()
    assert focus_area is not None
    for activity in ActivityFactory.create_batch(20, focus_area=focus_area):
        _executions(activity, 30)
    FocusAreaFactory.create_batch(3, promise=promise)

    with CaptureQueriesContext(connection) as after:
        page = _build(promise)

    assert len(page.activities) == 39
    assert len(after) <= len(before)  # the first build also warms Django's content-type cache


def test_each_activity_carries_its_latest_three_executions_and_the_count_of_all(promise: Promise) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    _executions(activity, 7)

    _area, view = _build(promise).activity(activity.pk)

    assert [execution.description for execution in view.progress.latest] == ["Gång 7", "Gång 6", "Gång 5"]
    assert view.progress.executions_total == 7
    assert view.progress.has_more


def test_the_read_model_is_frozen_and_sets_nothing_on_the_model_instances(promise: Promise) -> None:
    page = _build(promise)

    with pytest.raises(dataclasses.FrozenInstanceError):
        page.summary = page.summary  # type: ignore[misc,unused-ignore]
    assert not hasattr(page.promise, "standing") and not hasattr(page.promise, "progress_summary")
    for area in page.focus_areas:
        assert not hasattr(area.focus_area, "progress_summary")
        assert all(not hasattr(view.activity, "progress") for view in area.activities)


def test_the_summaries_of_the_focus_areas_add_up_to_the_promises(promise: Promise) -> None:
    page = _build(promise)

    assert sum(area.summary.total for area in page.focus_areas) == page.summary.total == 19
    for value, _label, number in page.summary.counts:
        assert sum(area.summary.number(value) for area in page.focus_areas) == number


def test_an_ended_promise_carries_the_follow_ups_verdict_and_a_running_one_none(promise: Promise) -> None:
    running = _build(promise)
    ended = _build(promise, as_of=dt.date(2024, 3, 1))

    assert running.standing.verdict is None
    assert ended.standing.verdict is not None
    assert ended.standing.verdict.total == 19
    assert ended.standing.verdict.text.startswith("Slutrapport:")
    assert {view.progress.status for view in ended.activities} <= {
        Status.DONE,
        Status.PARTLY_DONE,
        Status.NOT_DONE,
        Status.NOT_FINALLY_ASSESSED,
        Status.CANCELLED,
    }


def test_an_activity_of_another_promise_is_not_in_the_read_model(promise: Promise) -> None:
    other = ActivityFactory.create()

    with pytest.raises(Http404):
        _build(promise).activity(other.pk)


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_promise_page_lists_three_executions_and_links_to_all_on_the_activity_page(
    client: Client, promise: Promise
) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    _executions(activity, 5)

    page = client.get(promise.get_absolute_url()).content.decode()
    own_page = client.get(activity.get_absolute_url()).content.decode()

    assert "Gång 5" in page and "Gång 3" in page and "Gång 2" not in page
    assert f'href="{activity.get_absolute_url()}#utforanden"' in page
    assert all(f"Gång {n}" in own_page for n in range(1, 6))


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_promise_focus_area_and_activity_pages_need_no_more_queries_for_more_rows(
    client: Client, promise: Promise, django_assert_max_num_queries
) -> None:
    focus_area = promise.focus_areas.first()
    assert focus_area is not None
    activity = focus_area.activities.first()
    assert activity is not None
    urls = [promise.get_absolute_url(), focus_area.get_absolute_url(), activity.get_absolute_url()]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    for added in ActivityFactory.create_batch(15, focus_area=focus_area):
        _executions(added, 12)
    _executions(activity, 40)

    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
