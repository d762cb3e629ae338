"""The suite passes on any date: the date-sensitive tests run again with the clock frozen on chosen days.

A test whose outcome could depend on today's date or the time of day carries ``@pytest.mark.date_sensitive``
(status, report cards, reminders, the demo, retention, report deadlines, digests, the lägesbild …). Given
``--frozen-clock=MOMENTS`` (or the environment variable ``TRYGG_FROZEN_CLOCK``), only those tests run, once
for each moment, each run with the clock set to its moment through time-machine, from its fixtures' setup to
their teardown. MOMENTS is one or more ISO dates or dates and times, separated by spaces or commas, read as
Stockholm time: ``2028-02-29`` or ``"2028-02-29 2030-12-31T23:30"``. Each run of a test carries its moment in
its id (``test_x[frozen-2030-12-31T23:30:00+01:00]``). The clock keeps ticking from there (``tick=True``), so
code that measures durations still sees time pass; a test that travels itself (``time_machine.travel`` inside
it) still gets its own moment.

`make test` runs them under a leap day, a New Year's Eve half an hour before midnight and a day more than
three years after the demo's current promise (see the Makefile), all three moments in one pytest session (one
start-up, one collection and one set of test databases instead of three), so a test that silently assumed
"today" fails there even when it passes on the day it was written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

OPTION = "--frozen-clock"
ENVIRONMENT = "TRYGG_FROZEN_CLOCK"
MARKER = "date_sensitive"
ZONE = ZoneInfo("Europe/Stockholm")
# The parameter each date-sensitive test gets once per moment; its value is the moment.
PARAMETER = "frozen_clock_moment"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION,
        default=os.environ.get(ENVIRONMENT, ""),
        help=(
            "Run only the tests marked date_sensitive, once for each of these Stockholm dates or dates and times "
            "(separated by spaces or commas, e.g. '2028-02-29 2030-12-31T23:30'), with the clock frozen there. "
            f"Also read from ${ENVIRONMENT}."
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


def frozen_moments(text: str) -> list[dt.datetime]:
    """The moments an option value names, in the order given, each once."""
    moments: list[dt.datetime] = []
    for part in re.split(r"[\s,]+", text.strip()):
        moment = frozen_moment(part)
        if moment is not None and moment not in moments:
            moments.append(moment)
    return moments


def _moments(config: pytest.Config) -> list[dt.datetime]:
    return frozen_moments(config.getoption(OPTION))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    moments = _moments(metafunc.config)
    if not moments or not metafunc.definition.get_closest_marker(MARKER):
        return
    # The test does not take the fixture as an argument; the hook below reads the moment from the item's callspec.
    metafunc.fixturenames.append(PARAMETER)
    metafunc.parametrize(
        PARAMETER, moments, indirect=True, ids=[f"frozen-{moment.isoformat()}" for moment in moments]
    )


@pytest.fixture
def frozen_clock_moment(request: pytest.FixtureRequest) -> dt.datetime:
    """The moment this run of a date-sensitive test has the clock at (only under --frozen-clock)."""
    moment: dt.datetime = request.param
    return moment


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _moments(config):
        return
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        (selected if item.get_closest_marker(MARKER) else deselected).append(item)
    config.hook.pytest_deselected(items=deselected)
    items[:] = selected


def pytest_report_header(config: pytest.Config) -> str | None:
    moments = _moments(config)
    if not moments:
        return None
    return f"frozen clocks: {', '.join(moment.isoformat() for moment in moments)} (date_sensitive tests only)"


def _moment_of(item: pytest.Item) -> dt.datetime | None:
    callspec = getattr(item, "callspec", None)
    moment = callspec.params.get(PARAMETER) if callspec is not None else None
    return moment if isinstance(moment, dt.datetime) else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    moment = _moment_of(item)
    if moment is None:
        yield
        return
    import time_machine

    with time_machine.travel(moment, tick=True):
        yield
