"""The derived status of an activity in a medborgarlöfte (issue 4, "Status").

Pure and typed: no Django, no database, no translations. The Django layer gathers the
inputs (the clock, the activity's quantity, the sum of its executions' counts, any staff
assessment or cancellation) and translates :class:`Status` values into Swedish labels.

Rules
=====

* **Clock.** The period is the activity's own start and end dates when set, otherwise
  the promise's validity period (:func:`clock`). Both ends are inclusive.
* **Target.** ``quantity × intervals(per, period)`` (:func:`target_for`). ``per`` =
  ``"period"`` (or no ``per``) means the quantity in total. With only an upper bound
  (``quantity_max`` without ``quantity``, "upp till fem") the target is 1. "minst"
  (``at_least``) says the target is a floor; since reaching the target already counts
  as done, it does not change the arithmetic. An activity with neither quantity nor
  upper bound has no target: its status comes from a staff assessment.
* **Status**, first rule that applies:

  1. cancelled → ``CANCELLED`` (inställd), whatever else holds;
  2. no target, after the last day → the staff assessment when it is a *final* one
     (:data:`FINAL`: genomförd, delvis genomförd, ej genomförd), else
     ``NOT_FINALLY_ASSESSED`` (ej slutbedömd): an assessment of an ongoing kind (pågår
     enligt plan, försenad, ej påbörjad) says nothing once the period is over;
  3. no target, up to the last day → the staff assessment, or ``NOT_ASSESSED`` (ej bedömd)
     without one;
  4. done ≥ target → ``DONE`` (genomförd), also before the period ends;
  5. after the last day → ``NOT_DONE`` (ej genomförd) when nothing was done, else
     ``PARTLY_DONE`` (delvis genomförd);
  6. otherwise, with ``expected = target × elapsed share``:
     nothing done and expected < 1 → ``NOT_STARTED`` (ej påbörjad);
     done < ⌊expected⌋ → ``DELAYED`` (försenad);
     else ``ON_TRACK`` (pågår enligt plan).

  So after the last day no activity has a "running" status (:data:`RUNNING`): every one is
  genomförd, delvis genomförd, ej genomförd, ej slutbedömd or inställd (:func:`verdict`).

* **After the last day** means from the day after it. A report "at the close of" a day
  (``period_over=True``, the report card's "Läget vid periodens slut") treats the last day
  itself as over.
* **Done** counts only what was done inside the period (:func:`done_in_period`): an
  execution, a measurement or a held meeting dated before the first day or after the last
  day belongs to no activity of this period.

* **Elapsed share** = days elapsed, inclusive of today / days in the period, inclusive.
  It is 0 before the first day, 1/len on the first day and 1 on the last day.

Counting intervals
==================

The number of ``per`` intervals in a period is the period's length in days (both ends
inclusive) divided by the interval's mean length in days, rounded to the nearest whole
number (halves up), and at least 1::

    year    = 365.2425 days  (the mean Gregorian year, leap years included)
    term    = year / 2       (a half-year, "termin")
    quarter = year / 4
    month   = year / 12      (30.436875 days)
    week    = 7 days
    day     = 1 day

Examples: 2023-01-01..2023-12-31 is 365 days: 365 / 30.436875 = 11.99 → 12 months,
365 / 7 = 52.1 → 52 weeks, 1 year. 2023-01-01..2024-12-31 is 731 days → 2.001 → 2 years,
24 months. 2024 (leap) is 366 days → 12.02 → 12 months, 52 weeks, 366 days.

Why this definition: it needs no calendar alignment and is exact for every period made
of whole calendar months, quarters, half-years or years, whatever month it starts in and
however many leap days it holds — such a period differs from its count of mean intervals
by a few days at most, far from the half-interval it would take to round wrongly (the
tests check every span of 1 to 240 whole months starting on the 1st, 15th or 28th of any
month of 2000–2003, and whole weeks and days are exact). Partial periods round to the
nearest whole interval: a 6-week activity with "1 per month" has 42 / 30.44 = 1.38 → 1, a
46-day one has 1.51 → 2. The arithmetic is exact (fractions), so no float rounding
decides a boundary.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

__all__ = [
    "ASSESSABLE",
    "FINAL",
    "INTERVAL_DAYS",
    "RUNNING",
    "VERDICT_ORDER",
    "Per",
    "Phase",
    "Status",
    "StatusResult",
    "Verdict",
    "activity_status",
    "assessable_on",
    "clock",
    "done_in_period",
    "elapsed_days",
    "intervals_in",
    "period_days",
    "phase",
    "target_for",
    "verdict",
]


class Status(enum.StrEnum):
    """Status values; the Django layer supplies the (Swedish) labels in the comments."""

    NOT_STARTED = "not_started"  # ej påbörjad
    ON_TRACK = "on_track"  # pågår enligt plan
    DELAYED = "delayed"  # försenad
    DONE = "done"  # genomförd
    PARTLY_DONE = "partly_done"  # delvis genomförd
    NOT_DONE = "not_done"  # ej genomförd
    NOT_ASSESSED = "not_assessed"  # ej bedömd
    CANCELLED = "cancelled"  # inställd
    NOT_FINALLY_ASSESSED = "not_finally_assessed"  # ej slutbedömd


class Phase(enum.StrEnum):
    """Where a period stands on a day: not begun (kommande), running (pågår) or over (avslutad)."""

    COMING = "coming"
    RUNNING = "running"
    ENDED = "ended"


#: Statuses a staff assessment may give an activity without a quantity. "Not assessed"
#: is the absence of an assessment, and cancelling has its own flag (and reason).
ASSESSABLE: frozenset[Status] = frozenset(
    {
        Status.NOT_STARTED,
        Status.ON_TRACK,
        Status.DELAYED,
        Status.DONE,
        Status.PARTLY_DONE,
        Status.NOT_DONE,
    }
)


#: The assessments that settle an activity without a target once its period is over.
FINAL: frozenset[Status] = frozenset({Status.DONE, Status.PARTLY_DONE, Status.NOT_DONE})

#: Statuses that say the period is still running; none of them is shown after the last day.
RUNNING: frozenset[Status] = frozenset({Status.NOT_STARTED, Status.ON_TRACK, Status.DELAYED})

#: The verdict's categories, in the order the final report names them.
VERDICT_ORDER: tuple[Status, ...] = (
    Status.DONE,
    Status.PARTLY_DONE,
    Status.NOT_DONE,
    Status.NOT_FINALLY_ASSESSED,
    Status.CANCELLED,
)


class Per(enum.StrEnum):
    """The interval a quantity is counted per ("1 per månad")."""

    YEAR = "year"
    TERM = "term"  # half-year
    QUARTER = "quarter"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"
    PERIOD = "period"  # the quantity in total


_YEAR = Fraction(3_652_425, 10_000)

#: Mean length in days of each interval; ``None`` for the whole period.
INTERVAL_DAYS: dict[Per, Fraction | None] = {
    Per.YEAR: _YEAR,
    Per.TERM: _YEAR / 2,
    Per.QUARTER: _YEAR / 4,
    Per.MONTH: _YEAR / 12,
    Per.WEEK: Fraction(7),
    Per.DAY: Fraction(1),
    Per.PERIOD: None,
}


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")


def clock(
    *, own_start: date | None, own_end: date | None, promise_start: date, promise_end: date
) -> tuple[date, date]:
    """The activity's period: its own dates where set, else the promise's (each end separately)."""
    start = own_start if own_start is not None else promise_start
    end = own_end if own_end is not None else promise_end
    _check_period(start, end)
    return start, end


def period_days(start: date, end: date) -> int:
    """Days in the period, both ends included."""
    _check_period(start, end)
    return (end - start).days + 1


def elapsed_days(today: date, start: date, end: date) -> int:
    """Days of the period up to and including ``today``, between 0 and the period's length."""
    total = period_days(start, end)
    return min(max((today - start).days + 1, 0), total)


def phase(today: date, start: date, end: date) -> Phase:
    """``COMING`` before the first day, ``ENDED`` from the day after the last, else ``RUNNING``."""
    _check_period(start, end)
    if today < start:
        return Phase.COMING
    if today > end:
        return Phase.ENDED
    return Phase.RUNNING


def done_in_period(executions: Iterable[tuple[date, int]], start: date, end: date, today: date) -> int:
    """The sum of the counts of the executions dated inside the period and on or before ``today``."""
    _check_period(start, end)
    last = min(end, today)
    return sum(count for done_on, count in executions if start <= done_on <= last)


def assessable_on(today: date, end: date) -> frozenset[Status]:
    """The assessments staff may give on ``today``: only final ones from the day after the last day."""
    return FINAL if today > end else ASSESSABLE


def _per(per: Per | str | None) -> Per:
    if per is None:
        return Per.PERIOD
    try:
        return Per(per)
    except ValueError:
        choices = ", ".join(p.value for p in Per)
        raise ValueError(f"unknown per {per!r}; expected one of {choices}") from None


# Kept: a page works out the target of hundreds of activities that mostly share their period and interval.
@lru_cache(maxsize=1024)
def intervals_in(per: Per | str | None, start: date, end: date) -> int:
    """How many ``per`` intervals the period holds (see "Counting intervals" above)."""
    days = period_days(start, end)
    length = INTERVAL_DAYS[_per(per)]
    if length is None:
        return 1
    return max(1, math.floor(days / length + Fraction(1, 2)))


def target_for(
    *,
    start: date,
    end: date,
    quantity: int | None,
    quantity_max: int | None = None,
    per: Per | str | None = None,
) -> int | None:
    """The target over the period, or ``None`` for an activity without a quantity.

    ``quantity × intervals_in(per, start, end)``; only an upper bound gives 1.
    """
    _check_period(start, end)
    per_value = _per(per)
    if quantity is not None and (isinstance(quantity, bool) or quantity < 1):
        raise ValueError(f"quantity must be at least 1, not {quantity!r}")
    if quantity_max is not None and (isinstance(quantity_max, bool) or quantity_max < 1):
        raise ValueError(f"quantity_max must be at least 1, not {quantity_max!r}")
    if quantity is not None and quantity_max is not None and quantity_max < quantity:
        raise ValueError(f"quantity_max ({quantity_max}) is below quantity ({quantity})")
    if quantity is None:
        return None if quantity_max is None else 1
    return quantity * intervals_in(per_value, start, end)


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The status with the numbers behind it, for pages like "3 av 4"."""

    status: Status
    #: The target over the whole period; ``None`` without a quantity.
    target: int | None
    #: Sum of the executions' counts.
    done: int
    #: Pro-rata expectation today: ``target × elapsed share`` (exact); ``None`` without a target.
    expected: Fraction | None
    #: Days of the period elapsed (inclusive of today, 0 before the start).
    elapsed_days: int
    #: Days in the period (both ends inclusive).
    period_days: int

    @property
    def elapsed_share(self) -> Fraction:
        return Fraction(self.elapsed_days, self.period_days)

    @property
    def expected_whole(self) -> int | None:
        """The whole part of the expectation: what should be done by today."""
        return None if self.expected is None else math.floor(self.expected)


def activity_status(
    *,
    today: date,
    start: date,
    end: date,
    quantity: int | None = None,
    quantity_max: int | None = None,
    at_least: bool = False,
    per: Per | str | None = None,
    done: int = 0,
    assessment: Status | str | None = None,
    cancelled: bool = False,
    period_over: bool | None = None,
) -> StatusResult:
    """Derive an activity's status on ``today`` (see the module docstring for the rules).

    ``done`` is the sum of the counts of the executions dated inside the period and on or
    before ``today`` (:func:`done_in_period`). ``assessment`` is the staff's latest assessed
    status (a value of :data:`ASSESSABLE`); it is used only for activities without a target
    and ignored otherwise. ``at_least`` does not change the status (see the module
    docstring); it is accepted so that callers can pass an activity's fields unchanged.
    ``period_over`` says whether the period is over; by default it is from the day after
    the last day, and a report at the close of ``today`` passes ``today >= end``.
    """
    del at_least  # a floor target behaves like any target: reaching it is done
    if isinstance(done, bool) or done < 0:
        raise ValueError(f"done must be a count of 0 or more, not {done!r}")
    assessed: Status | None = None
    if assessment is not None:
        try:
            assessed = Status(assessment)
        except ValueError:
            assessed = None
        if assessed not in ASSESSABLE:
            choices = ", ".join(sorted(s.value for s in ASSESSABLE))
            raise ValueError(f"an assessment must be one of {choices}, not {assessment!r}")
    target = target_for(start=start, end=end, quantity=quantity, quantity_max=quantity_max, per=per)
    total = period_days(start, end)
    elapsed = elapsed_days(today, start, end)
    expected = None if target is None else target * Fraction(elapsed, total)

    def result(status: Status) -> StatusResult:
        return StatusResult(status, target, done, expected, elapsed, total)

    over = today > end if period_over is None else period_over
    if cancelled:
        return result(Status.CANCELLED)
    if target is None or expected is None:
        if over:
            return result(assessed if assessed in FINAL else Status.NOT_FINALLY_ASSESSED)
        return result(assessed if assessed is not None else Status.NOT_ASSESSED)
    if done >= target:
        return result(Status.DONE)
    if over:
        return result(Status.NOT_DONE if done == 0 else Status.PARTLY_DONE)
    if done == 0 and expected < 1:
        return result(Status.NOT_STARTED)
    if done < math.floor(expected):
        return result(Status.DELAYED)
    return result(Status.ON_TRACK)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The final report of an ended period: how many activities ended in each way."""

    done: int
    partly_done: int
    not_done: int
    not_finally_assessed: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.done + self.partly_done + self.not_done + self.not_finally_assessed + self.cancelled

    def counts(self) -> list[tuple[Status, int]]:
        """(status, number) in :data:`VERDICT_ORDER`, zeros included."""
        numbers = (self.done, self.partly_done, self.not_done, self.not_finally_assessed, self.cancelled)
        return list(zip(VERDICT_ORDER, numbers, strict=True))


def verdict(statuses: Iterable[Status | str]) -> Verdict:
    """Count the statuses of an ended period's activities; a running status there is a bug, so it raises."""
    numbers = dict.fromkeys(VERDICT_ORDER, 0)
    for value in statuses:
        status = Status(value)
        if status not in numbers:
            raise ValueError(f"{status.value!r} is not a status of an ended period")
        numbers[status] += 1
    return Verdict(*(numbers[status] for status in VERDICT_ORDER))
