"""When an activity's derived status changed: the public timeline's status events.

Pure and typed, built on :func:`trygg.followup.status.activity_status`. The status can only change on
a day when something happens (an execution, an assessment, a cancellation or its lifting), on the first
day of the period, on the day after its end, or on a day when the whole part of the pro-rata expectation
steps up. Evaluating the status on those days only finds every change without walking the calendar.

Never back-dated: a change is dated on the day the status really changed, with what was known that day.
An execution is known from the day it was recorded (``known_on``), so one recorded in March for a day in
January moves the status in March, not in January; and nothing is listed before the day the promise was
published (``since``): the status on that day is its first entry. Only executions dated inside the period
count (:func:`trygg.followup.status.done_in_period`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .status import Per, Status, activity_status, period_days, target_for

__all__ = ["CancellationSpan", "Done", "StatusChange", "status_changes"]


@dataclass(frozen=True, slots=True)
class CancellationSpan:
    cancelled_on: date
    lifted_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.cancelled_on <= day and (self.lifted_on is None or day < self.lifted_on)


@dataclass(frozen=True, slots=True)
class Done:
    """An execution as the history sees it: its date, its count and the day it became known."""

    done_on: date
    count: int
    known_on: date | None = None

    @property
    def effective(self) -> date:
        """The day it starts to count: its own date, or the day it was recorded when that is later."""
        if self.known_on is None or self.known_on <= self.done_on:
            return self.done_on
        return self.known_on


@dataclass(frozen=True, slots=True)
class StatusChange:
    on: date
    status: Status
    previous: Status | None


def _threshold_days(start: date, end: date, target: int) -> Iterable[date]:
    # The k-th whole unit of the expectation is due on the first day with elapsed · target / total ≥ k.
    total = period_days(start, end)
    for k in range(1, target + 1):
        elapsed = math.ceil(k * total / target)
        yield start + timedelta(days=elapsed - 1)


def status_changes(
    *,
    start: date,
    end: date,
    until: date,
    quantity: int | None = None,
    quantity_max: int | None = None,
    per: Per | str | None = None,
    executions: Iterable[Done | tuple[date, int]] = (),
    assessments: Iterable[tuple[date, Status | str]] = (),
    cancellations: Iterable[CancellationSpan] = (),
    since: date | None = None,
) -> list[StatusChange]:
    """Every change of status from the start of the period (or the first event) up to ``until``, oldest first.

    ``executions`` are :class:`Done` rows or ``(date, count)`` pairs (known on their own date); those dated
    outside the period never count. With ``since`` (the day the promise was published) the first entry is
    the status on that day, when it is later than the start.
    """
    rows = [item if isinstance(item, Done) else Done(item[0], item[1]) for item in executions]
    # (the day it counts from, count) of the executions inside the period
    done_by_day = sorted((row.effective, row.count) for row in rows if start <= row.done_on <= end)
    assessed = sorted(assessments, key=lambda item: item[0])
    spans = list(cancellations)
    target = target_for(start=start, end=end, quantity=quantity, quantity_max=quantity_max, per=per)
    first = start if since is None or since < start else since

    days: set[date] = {first, end + timedelta(days=1)}
    days.update(day for day, _count in done_by_day)
    days.update(day for day, _status in assessed)
    for span in spans:
        days.add(span.cancelled_on)
        if span.lifted_on is not None:
            days.add(span.lifted_on)
    if target is not None:
        days.update(_threshold_days(start, end, target))

    changes: list[StatusChange] = []
    previous: Status | None = None
    for day in sorted(d for d in days if first <= d <= until):
        done = sum(count for done_on, count in done_by_day if done_on <= day)
        assessment: Status | str | None = None
        for assessed_on, status in assessed:
            if assessed_on <= day:
                assessment = status
        result = activity_status(
            today=day,
            start=start,
            end=end,
            quantity=quantity,
            quantity_max=quantity_max,
            per=per,
            done=done,
            assessment=assessment,
            cancelled=any(span.covers(day) for span in spans),
        )
        if result.status is not previous:
            changes.append(StatusChange(on=day, status=result.status, previous=previous))
            previous = result.status
    return changes
