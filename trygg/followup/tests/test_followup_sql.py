"""The follow-up figures written as SQL by hand (`selectors.with_followup`) against the same rules worked out in
Python from the rows themselves, on varied data: withdrawn executions, executions outside the activity's own
period or after the date, assessments and cancellations on both sides of the date, lifted cancellations."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.db.models import OuterRef, Subquery

from trygg.followup.models import Assessment, Cancellation, Execution
from trygg.followup.selectors import with_followup
from trygg.followup.status import ASSESSABLE, FINAL
from trygg.promises.models import Activity, FocusArea, Promise

DAYS = [dt.date(2023, 1, 1) + dt.timedelta(days=offset) for offset in range(-40, 420, 3)]
DATES = [
    dt.date(2022, 12, 31),
    dt.date(2023, 1, 1),
    dt.date(2023, 6, 30),
    dt.date(2023, 12, 31),
    dt.date(2024, 3, 1),
]


def _as_dict(value: object) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    return json.loads(str(value))


@pytest.fixture
def varied(promise: Promise) -> list[Activity]:
    """The promise's activities, some with their own dates, each with a random mix of follow-up rows."""
    chance = random.Random(21)
    activities = list(Activity.objects.filter(focus_area__promise=promise).order_by("pk"))
    assert len(activities) >= 5
    for number, activity in enumerate(activities):
        if number % 3 == 1:
            activity.start_date, activity.end_date = dt.date(2023, 3, 1), dt.date(2023, 9, 30)
            activity.save(update_fields=["start_date", "end_date"])
        Execution.objects.bulk_create(
            Execution(
                activity=activity,
                done_on=chance.choice(DAYS),
                description=f"Tillfälle {n}",
                count=chance.randint(1, 4),
                withdrawn=chance.random() < 0.2,
            )
            for n in range(chance.randint(0, 12))
        )
        for _n in range(chance.randint(0, 3)):
            Assessment.objects.create(
                activity=activity,
                status=chance.choice(sorted(status.value for status in ASSESSABLE)),
                reason="Bedömd",
                assessed_on=chance.choice(DAYS),
            )
        for _n in range(chance.randint(0, 2)):
            cancelled_on = chance.choice(DAYS)
            lifted = chance.random() < 0.5
            Cancellation.objects.create(
                activity=activity,
                cancelled_on=cancelled_on,
                reason="Inställd",
                lifted_on=cancelled_on + dt.timedelta(days=chance.randint(0, 60)) if lifted else None,
            )
    return activities


def _expected(activity: Activity, promise: Promise, as_of: dt.date, closing: bool) -> dict[str, object]:
    start = activity.start_date or promise.valid_from
    end = activity.end_date or promise.valid_until
    counted = sorted(
        (
            execution
            for execution in Execution.objects.filter(activity=activity)
            if not execution.withdrawn and start <= execution.done_on <= min(end, as_of)
        ),
        key=lambda execution: (execution.done_on, execution.pk),
        reverse=True,
    )
    assessments = sorted(
        (
            assessment
            for assessment in Assessment.objects.filter(activity=activity)
            if assessment.assessed_on <= as_of or (closing and assessment.status in FINAL)
        ),
        key=lambda assessment: (assessment.assessed_on, assessment.created_at, assessment.pk),
        reverse=True,
    )
    cancellations = sorted(
        (
            cancellation
            for cancellation in Cancellation.objects.filter(activity=activity)
            if cancellation.cancelled_on <= as_of
            and (cancellation.lifted_on is None or cancellation.lifted_on > as_of)
        ),
        key=lambda cancellation: (cancellation.cancelled_on, cancellation.pk),
        reverse=True,
    )
    return {
        "done": sum(execution.count for execution in counted),
        "number": len(counted),
        "latest": [execution.pk for execution in counted[:3]],
        "assessment": assessments[0].pk if assessments else None,
        "status": assessments[0].status if assessments else None,
        "cancellation": cancellations[0].pk if cancellations else None,
    }


def _found(activity: Activity) -> dict[str, object]:
    counted = _as_dict(activity.followup_counted) or {}  # type: ignore[attr-defined]
    assessment = _as_dict(activity.followup_assessment)  # type: ignore[attr-defined]
    cancellation = _as_dict(activity.followup_cancellation)  # type: ignore[attr-defined]
    return {
        "done": counted.get("done") or 0,
        "number": counted.get("number") or 0,
        "latest": [
            pk for place in range(3) if (pk := getattr(activity, f"followup_latest_{place}")) is not None
        ],
        "assessment": assessment["pk"] if assessment else None,
        "status": assessment["status"] if assessment else None,
        "cancellation": cancellation["pk"] if cancellation else None,
    }


@pytest.mark.parametrize("closing", [False, True])
@pytest.mark.parametrize("as_of", DATES)
def test_the_followup_figures_equal_the_rules_worked_out_from_the_rows(
    promise: Promise, varied: list[Activity], as_of: dt.date, closing: bool
) -> None:
    activities = with_followup(
        Activity.objects.filter(focus_area__promise=promise).order_by("pk"), as_of, closing, latest=3
    )
    found = {activity.pk: _found(activity) for activity in activities}
    expected = {activity.pk: _expected(activity, promise, as_of, closing) for activity in varied}
    assert found == expected


def test_the_followup_figures_have_each_kind_of_row_to_compare(
    promise: Promise, varied: list[Activity]
) -> None:
    """The data reaches every branch of the figures, so the comparison above is not one of empty values."""
    as_of = dt.date(2023, 12, 31)
    expected = [_expected(activity, promise, as_of, closing=False) for activity in varied]
    assert any(len(figures["latest"]) == 3 for figures in expected)  # type: ignore[arg-type]
    assert any(0 < figures["number"] < 3 for figures in expected)  # type: ignore[operator]
    assert any(figures["assessment"] for figures in expected)
    assert any(figures["cancellation"] for figures in expected)
    assert Execution.objects.filter(withdrawn=True, activity__in=varied).exists()
    assert Cancellation.objects.filter(lifted_on__isnull=False, activity__in=varied).exists()


#: An annotation of `with_followup`, which the type checker cannot see on the model.
NEWEST = "followup_latest_0"


def _newest_of(figures: dict[str, object]) -> object:
    latest = figures["latest"]
    assert isinstance(latest, list)
    return latest[0] if latest else None


def test_the_followup_figures_follow_their_activity_when_the_query_is_nested(
    promise: Promise, varied: list[Activity]
) -> None:
    """Inside another query Django renames the activity table (U0 …): the figures must still be the activity's."""
    as_of = dt.date(2023, 12, 31)
    first_activity = with_followup(
        Activity.objects.filter(focus_area=OuterRef("pk")).order_by("order", "pk"), as_of, latest=1
    )
    found = {
        area.pk: (area.first_activity, area.newest)
        for area in FocusArea.objects.filter(promise=promise).annotate(
            first_activity=Subquery(first_activity.values("pk")[:1]),
            newest=Subquery(first_activity.values(NEWEST)[:1]),
        )
    }
    by_pk = {activity.pk: activity for activity in varied}
    expected = {
        area: (activity, _newest_of(_expected(by_pk[activity], promise, as_of, closing=False)))
        for area, (activity, _newest) in found.items()
    }
    assert found == expected
    assert any(newest for _activity, newest in expected.values())
