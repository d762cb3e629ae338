"""The suite passes on any date: the date-sensitive tests run again with the clock frozen on chosen days.

A test whose outcome could depend on today's date or the time of day carries ``@pytest.mark.date_sensitive``
(status, report cards, reminders, the demo, retention, report deadlines, digests, the lägesbild …). Given
``--frozen-clock=MOMENT`` (or the environment variable ``TRYGG_FROZEN_CLOCK``), only those tests run, each
with the clock set to MOMENT through time-machine, from its fixtures' setup to their teardown. MOMENT is an
ISO date or date and time, read as Stockholm time: ``2028-02-29`` or ``2030-12-31T23:30``. The clock keeps
ticking from there (``tick=True``), so code that measures durations still sees time pass; a test that travels
itself (``time_machine.travel`` inside it) still gets its own moment.

`make test` runs them under a leap day, a New Year's Eve half an hour before midnight and a day more than
three years after the demo's current promise (see the Makefile), so a test that silently assumed "today"
fails there even when it passes on the day it was written.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

OPTION = "--frozen-clock"
ENVIRONMENT = "TRYGG_FROZEN_CLOCK"
MARKER = "date_sensitive"
ZONE = ZoneInfo("Europe/Stockholm")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        default=os.environ.get(ENVIRONMENT, ""),
        help=(
            "Run only the tests marked date_sensitive, with the clock frozen at this Stockholm date or date and "
            f"time (e.g. 2028-02-29 or 2030-12-31T23:30). Also read from ${ENVIRONMENT}."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: depends on today's date or the time of day; `make test` runs it again under frozen clocks",
    )


def frozen_moment(text: str) -> dt.datetime | None:
    """The moment an option value names, in Stockholm time; None for an empty value."""
    text = text.strip()
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if len(text) == len("2028-02-29"):
        moment = moment.replace(hour=10)  # a date alone: the middle of an office morning
    return moment if moment.tzinfo else moment.replace(tzinfo=ZONE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if frozen_moment(config.getoption(OPTION)) is None:
        return
    selected, deselected = [], []
    for item in items:
        (selected if item.get_closest_marker(MARKER) else deselected).append(item)
    config.hook.pytest_deselected(items=deselected)
    items[:] = selected


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = frozen_moment(config.getoption(OPTION))
    return None if moment is None else f"frozen clock: {moment.isoformat()} (date_sensitive tests only)"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    moment = frozen_moment(item.config.getoption(OPTION))
    if moment is None or not item.get_closest_marker(MARKER):
        yield
        return
    import time_machine

    with time_machine.travel(moment, tick=True):
        yield
