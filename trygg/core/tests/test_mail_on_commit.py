"""Checklist item 43: a rolled-back transaction sends no e-mail, because every send waits for the commit.

Each send path is run twice inside a caller's transaction, with the commit callbacks captured and run: once
rolled back (nothing may be sent) and once committed (the e-mail goes), so the test would notice a path that
sends nothing at all as well as one that sends too early.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import transaction
from django.utils import timezone

from trygg.accounts.models import User
from trygg.municipalities.models import Municipality, Party
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


@contextmanager
def _caller_transaction(capture: Any, *, roll_back: bool) -> Iterator[None]:
    """A caller's transaction around a service call; the on-commit callbacks run if it commits."""
    with capture(execute=True):
        try:
            with transaction.atomic():
                yield
                if roll_back:
                    raise RolledBack
        except RolledBack:
            pass


def _sends_only_on_commit(capture: Any, send: Callable[[], object]) -> None:
    mail.outbox.clear()
    with _caller_transaction(capture, roll_back=True):
        send()
    assert mail.outbox == [], "an e-mail went out from a transaction that was rolled back"

    with _caller_transaction(capture, roll_back=False):
        send()
    assert len(mail.outbox) >= 1, "the committed call sent nothing, so the rollback check proves nothing"


@pytest.fixture
def promise(home_municipality: Municipality) -> Promise:
    return Promise.objects.get(municipality=home_municipality, slug="2023")


def test_item_43_a_rolled_back_reminder_run_sends_no_reminder(
    promise: Promise, crew_member: User, django_capture_on_commit_callbacks: Any
) -> None:
    from trygg.followup.services import reminders_send

    crew_member.email = "crew@example.org"
    crew_member.save(update_fields=["email"])
    activity = Activity.objects.get(focus_area__promise=promise, text__contains="avloppsvattnet")
    activity.responsible_users.set([crew_member])

    _sends_only_on_commit(
        django_capture_on_commit_callbacks, lambda: reminders_send(today=dt.date(2023, 7, 1))
    )


def test_item_43_a_rolled_back_digest_run_sends_no_digest(
    promise: Promise, django_capture_on_commit_callbacks: Any
) -> None:
    from trygg.comments.digest import digests_send
    from trygg.comments.models import Comment, Subscription
    from trygg.comments.tests.factories import CommentFactory

    Subscription.objects.create(
        municipality=promise.municipality,
        email="eva@example.se",
        content_type=ContentType.objects.get_for_model(promise),
        object_id=promise.pk,
        confirmed_at=timezone.now() - dt.timedelta(days=2),
    )
    CommentFactory.create(on=promise, state=Comment.State.APPROVED)
    now = timezone.now()

    _sends_only_on_commit(
        django_capture_on_commit_callbacks,
        lambda: digests_send(today=timezone.localdate(now), now=now, base_url="https://trygg.example"),
    )


def test_item_43_a_rolled_back_subscription_request_sends_no_confirmation(
    promise: Promise, django_capture_on_commit_callbacks: Any
) -> None:
    from trygg.comments.models import Subscription
    from trygg.comments.services import subscription_request

    def subscribe() -> None:
        Subscription.objects.filter(email="eva@example.se").delete()
        subscription_request(target=promise, email="eva@example.se", base_url="https://trygg.example")

    _sends_only_on_commit(django_capture_on_commit_callbacks, subscribe)


def test_item_43_a_rolled_back_official_reply_tells_the_commenter_nothing(
    promise: Promise, police_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    from trygg.comments.models import Comment, CommentContact
    from trygg.comments.services import reply_create
    from trygg.comments.tests.factories import CommentFactory

    comment = CommentFactory.create(on=promise, state=Comment.State.APPROVED)
    CommentContact.objects.create(comment=comment, email="eva@example.se")
    police = Party.objects.get(kind=Party.Kind.POLICE)

    _sends_only_on_commit(
        django_capture_on_commit_callbacks,
        lambda: reply_create(comment=comment, party=police, by=police_officer, text="Vi patrullerar där."),
    )


def test_item_43_a_rolled_back_report_change_tells_the_reporter_nothing(
    home_municipality: Municipality, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    from trygg.demo.reports import load_reports_demo
    from trygg.reports.models import Report
    from trygg.reports.services import report_assign, report_change

    load_reports_demo(home_municipality)
    report = Report.objects.filter(municipality=home_municipality, state=Report.State.NEW).first()
    assert report is not None
    Report.objects.filter(pk=report.pk).update(reporter_email="ada@example.se")
    municipality_party = Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY)

    _sends_only_on_commit(
        django_capture_on_commit_callbacks,
        lambda: report_change(report=report, by=coordinator, state=Report.State.RECEIVED),
    )
    _sends_only_on_commit(
        django_capture_on_commit_callbacks,
        lambda: report_assign(report=report, by=coordinator, party=municipality_party, user=None),
    )
