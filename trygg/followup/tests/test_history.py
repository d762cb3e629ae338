from datetime import date
from typing import Any

import pytest

from trygg.followup.history import CancellationSpan, Done, status_changes
from trygg.followup.status import Status

pytestmark = pytest.mark.date_sensitive

D = date.fromisoformat
YEAR: dict[str, Any] = {"start": D("2023-01-01"), "end": D("2023-12-31")}


def _statuses(changes):
    return [(change.on.isoformat(), change.status) for change in changes]


def test_a_quarterly_activity_with_nothing_done_becomes_delayed_when_the_first_is_due_and_not_done_after_the_end():
    changes = status_changes(**YEAR, until=D("2024-06-01"), quantity=4, per="year")

    assert _statuses(changes) == [
        ("2023-01-01", Status.NOT_STARTED),
        # 4 · 92/365 = 1.008: the first measurement is due on 2 April (day 92).
        ("2023-04-02", Status.DELAYED),
        ("2024-01-01", Status.NOT_DONE),
    ]


def test_executions_move_the_status_and_the_target_reached_is_done():
    changes = status_changes(
        **YEAR,
        until=D("2024-06-01"),
        quantity=2,
        per="year",
        executions=[(D("2023-03-01"), 1), (D("2023-09-01"), 1)],
    )

    assert _statuses(changes) == [
        ("2023-01-01", Status.NOT_STARTED),
        ("2023-03-01", Status.ON_TRACK),
        ("2023-09-01", Status.DONE),
    ]


def test_a_cancellation_and_its_lifting_are_status_changes():
    changes = status_changes(
        **YEAR,
        until=D("2023-12-31"),
        quantity=None,
        assessments=[(D("2023-02-01"), "on_track")],
        cancellations=[CancellationSpan(D("2023-05-01"), D("2023-06-01"))],
    )

    assert _statuses(changes) == [
        ("2023-01-01", Status.NOT_ASSESSED),
        ("2023-02-01", Status.ON_TRACK),
        ("2023-05-01", Status.CANCELLED),
        ("2023-06-01", Status.ON_TRACK),
    ]


def test_nothing_after_the_day_asked_for_is_listed():
    changes = status_changes(**YEAR, until=D("2023-03-01"), quantity=4, per="year")

    assert _statuses(changes) == [("2023-01-01", Status.NOT_STARTED)]


def test_a_two_year_promise_in_a_leap_year_expects_the_second_yearly_event_in_its_second_year():
    changes = status_changes(
        start=D("2023-01-01"),
        end=D("2024-12-31"),
        until=D("2025-01-01"),
        quantity=1,
        per="year",
        executions=[(D("2023-06-01"), 1)],
    )

    # 731 days, target 2: the first is due on day 366 (1 January 2024), the second on day 731.
    assert _statuses(changes) == [
        ("2023-01-01", Status.NOT_STARTED),
        ("2023-06-01", Status.ON_TRACK),
        ("2024-12-31", Status.DELAYED),
        ("2025-01-01", Status.PARTLY_DONE),
    ]


def test_an_execution_recorded_late_moves_the_status_on_the_day_it_was_recorded_not_before():
    changes = status_changes(
        **YEAR,
        until=D("2023-06-01"),
        quantity=4,
        per="year",
        # Done on 10 March but only recorded on 20 April: until then the page said "försenad".
        executions=[Done(D("2023-03-10"), 1, known_on=D("2023-04-20"))],
    )

    assert _statuses(changes) == [
        ("2023-01-01", Status.NOT_STARTED),
        ("2023-04-02", Status.DELAYED),
        ("2023-04-20", Status.ON_TRACK),
    ]


def test_no_status_change_is_dated_before_the_promise_was_published():
    changes = status_changes(
        start=D("2026-01-01"),
        end=D("2026-12-31"),
        until=D("2026-12-06"),
        quantity=2,
        per="month",
        since=D("2026-12-06"),
    )

    # Published on 6 December: nobody saw it "försenad" on 16 January, so nothing is dated then.
    assert _statuses(changes) == [("2026-12-06", Status.DELAYED)]


def test_executions_outside_the_period_never_move_the_status():
    changes = status_changes(
        **YEAR,
        until=D("2027-01-01"),
        quantity=1,
        per="year",
        executions=[(D("2022-12-30"), 1), (D("2026-01-16"), 1)],
    )

    assert _statuses(changes) == [
        ("2023-01-01", Status.NOT_STARTED),
        ("2023-12-31", Status.DELAYED),
        ("2024-01-01", Status.NOT_DONE),
    ]


def test_after_the_end_an_ongoing_assessment_becomes_not_finally_assessed_until_a_final_one():
    changes = status_changes(
        **YEAR,
        until=D("2024-03-01"),
        quantity=None,
        assessments=[(D("2023-06-01"), "on_track"), (D("2024-01-15"), "partly_done")],
    )

    assert _statuses(changes) == [
        ("2023-01-01", Status.NOT_ASSESSED),
        ("2023-06-01", Status.ON_TRACK),
        ("2024-01-01", Status.NOT_FINALLY_ASSESSED),
        ("2024-01-15", Status.PARTLY_DONE),
    ]
