import pytest

from trygg.demo.followup import load_followup_demo
from trygg.followup.models import Assessment, Cancellation, Execution, PlannedDate
from trygg.followup.selectors import promise_attach_progress
from trygg.followup.status import Status
from trygg.promises import selectors

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_status_and_loading_it_twice_duplicates_nothing(demo_followup):
    counts = (
        Execution.objects.count(),
        Assessment.objects.count(),
        Cancellation.objects.count(),
        PlannedDate.objects.count(),
    )

    load_followup_demo(demo_followup)

    assert counts == (
        Execution.objects.count(),
        Assessment.objects.count(),
        Cancellation.objects.count(),
        PlannedDate.objects.count(),
    )
    assert all(execution.is_example for execution in Execution.objects.all())
    promise = selectors.promise_get_public(municipality_slug="ljungby", promise_slug="2023")
    progresses = promise_attach_progress(promise=promise, as_of=promise.valid_until.replace(year=2026))
    assert {progress.status for progress in progresses.values()} == set(Status)
