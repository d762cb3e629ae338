"""Promised response times: hours on the clock, or Swedish working days (weekdays that are not holidays)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _swedish_holidays(year: int) -> holidays.HolidayBase:
    # Sweden's calendar in `holidays` counts every Sunday as a holiday; weekends are handled separately anyway.
    return holidays.country_holidays("SE", years=year, include_sundays=False)


def _eve(day: dt.date) -> bool:
    # Midsummer Eve, Christmas Eve and New Year's Eve are not public holidays in law, but treated as
    # Sundays for working time (semesterlagen 3 a §), and kommun crews do not work them.
    midsummer_eve = day.month == 6 and 19 <= day.day <= 25 and day.weekday() == 4
    return midsummer_eve or (day.month, day.day) in {(12, 24), (12, 31)}


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _swedish_holidays(day.year) and not _eve(day)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same clock time ``days`` working days later; a report on a Friday with 5 days is due next Friday."""
    if days < 0:
        raise ValueError("days cannot be negative")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current.date()):
            remaining -= 1
    return current


def due_at(start: dt.datetime, *, amount: int, unit: str) -> dt.datetime:
    """``unit`` is ``"hours"`` or ``"working_days"``; ``start`` should be local time for working days."""
    if unit == "hours":
        return start + dt.timedelta(hours=amount)
    if unit == "working_days":
        return add_working_days(start, amount)
    raise ValueError(f"unknown unit {unit!r}")
