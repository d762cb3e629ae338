import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from trygg.demo.followup import load_followup_demo
from trygg.followup.models import Assessment, Cancellation, Execution, PlannedDate
from trygg.followup.promise_page import promise_page_build
from trygg.followup.status import RUNNING, VERDICT_ORDER, Status

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _counts() -> tuple[int, int, int, int]:
    return (
        Execution.objects.count(),
        Assessment.objects.count(),
        Cancellation.objects.count(),
        PlannedDate.objects.count(),
    )


def test_loading_the_follow_up_demo_twice_duplicates_nothing_and_everything_is_example_data(demo_followup):
    counts = _counts()

    load_followup_demo(demo_followup)

    assert _counts() == counts
    assert all(execution.is_example for execution in Execution.objects.all())
    assert all(assessment.is_example for assessment in Assessment.objects.all())


def test_during_2023_the_demo_shows_every_running_status(demo_followup):
    page = promise_page_build(municipality_slug="ljungby", promise_slug="2023", as_of=dt.date(2023, 12, 20))

    statuses = {progress.status for progress in page.progresses}
    assert statuses >= RUNNING | {Status.NOT_ASSESSED, Status.CANCELLED, Status.DONE}


@time_machine.travel(dt.datetime(2026, 12, 6, 10, tzinfo=STOCKHOLM), tick=False)
def test_three_years_on_the_2023_demo_shows_every_ending_and_nothing_running(demo_followup):
    page = promise_page_build(municipality_slug="ljungby", promise_slug="2023", as_of=dt.date(2026, 12, 6))

    assert {progress.status for progress in page.progresses} == set(VERDICT_ORDER)
    verdict = page.standing.verdict
    assert verdict is not None and verdict.total == 19
