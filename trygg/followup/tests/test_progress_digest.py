"""Issue 19 item 3: following a promise sends its progress (executions, status changes, new meetings)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from trygg.comments import services
from trygg.comments.digest import digests_send
from trygg.followup.models import Assessment, Cancellation, Execution
from trygg.meetings.models import Meeting
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db

BASE = "https://trygg.example"
NOW = dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC)


def _follow(target) -> None:
    subscription = services.subscription_request(target=target, email="eva@example.se", base_url=BASE)
    services.subscription_confirm(subscription=subscription, now=NOW - dt.timedelta(days=2))
    mail.outbox.clear()


def _send() -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        digests_send(today=NOW.date(), now=NOW, base_url=BASE)
    assert len(mail.outbox) == 1
    return str(mail.outbox[0].body)


def _activity(promise: Promise) -> Activity:
    activity = Activity.objects.filter(focus_area__promise=promise).order_by("pk").first()
    assert activity is not None
    return activity


@time_machine.travel(NOW - dt.timedelta(days=1), tick=False)
def _record(activity: Activity) -> None:
    Execution.objects.create(activity=activity, done_on=dt.date(2026, 12, 4), description="Skolbesök i Lagan")
    Execution.objects.create(
        activity=activity, done_on=dt.date(2026, 12, 4), description="Felregistrerad", withdrawn=True
    )
    Assessment.objects.create(
        activity=activity,
        status="partly_done",
        reason="Hälften av besöken gjordes",
        assessed_on=dt.date(2026, 12, 5),
    )
    Cancellation.objects.create(activity=activity, cancelled_on=dt.date(2026, 12, 5), reason="Ingen lokal")
    meeting = Meeting.objects.create(
        municipality=activity.focus_area.promise.municipality,
        title="Dialogmöte om Lagan",
        starts_at=NOW + dt.timedelta(days=9),
    )
    meeting.activities.add(activity)
    hidden = Meeting.objects.create(
        municipality=activity.focus_area.promise.municipality,
        title="Internt samverkansmöte",
        starts_at=NOW + dt.timedelta(days=9),
        is_public=False,
    )
    hidden.activities.add(activity)


def test_a_follower_of_the_promise_hears_of_executions_assessments_cancellations_and_new_meetings(
    promise: Promise,
) -> None:
    activity = _activity(promise)
    _follow(promise)
    _record(activity)

    body = _send()

    assert "Skolbesök i Lagan" in body
    assert "Hälften av besöken gjordes" in body
    assert "Ingen lokal" in body
    assert "Dialogmöte om Lagan" in body
    assert f"{BASE}{activity.get_absolute_url()}#utforanden" in body
    assert "Felregistrerad" not in body and "Internt samverkansmöte" not in body


def test_a_follower_of_a_focus_area_hears_of_its_activities_progress_but_not_of_another_areas(
    promise: Promise,
) -> None:
    activity = _activity(promise)
    other = (
        Activity.objects.filter(focus_area__promise=promise).exclude(focus_area=activity.focus_area).first()
    )
    assert other is not None
    _follow(other.focus_area)
    _record(activity)
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        Execution.objects.create(
            activity=other, done_on=dt.date(2026, 12, 4), description="Grannsamverkan i Ryssby"
        )

    body = _send()

    assert "Grannsamverkan i Ryssby" in body
    assert "Skolbesök i Lagan" not in body


def test_progress_from_before_the_follower_confirmed_is_not_sent(promise: Promise) -> None:
    activity = _activity(promise)
    with time_machine.travel(NOW - dt.timedelta(days=5), tick=False):
        Execution.objects.create(
            activity=activity, done_on=dt.date(2026, 11, 30), description="Gammalt besök"
        )
    _follow(promise)

    with TestCase.captureOnCommitCallbacks(execute=True):
        digests_send(today=NOW.date(), now=NOW, base_url=BASE)

    assert all("Gammalt besök" not in str(message.body) for message in mail.outbox)
