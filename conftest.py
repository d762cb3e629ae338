import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# Playwright's sync API runs an event loop in the test thread; the test itself never touches the
# database from inside that loop, so Django's async-safety guard would only get in the way.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A small example count keeps `make test` quick; `make fuzz` runs the long drill.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-only",
        action="store_true",
        help="Run only the tests that use a database (the rest already ran once on SQLite).",
    )


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def _uses_database(item: pytest.Item) -> bool:
    # fixturenames holds the whole closure, so a persona fixture that needs `db` counts too.
    return bool(item.get_closest_marker("django_db")) or bool(
        set(getattr(item, "fixturenames", ())) & DATABASE_FIXTURES
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--db-only"):
        return
    selected, deselected = [], []
    for item in items:
        (selected if _uses_database(item) and not item.get_closest_marker("browser") else deselected).append(
            item
        )
    config.hook.pytest_deselected(items=deselected)
    items[:] = selected


def require_program(path_or_name: str, what: str) -> str:
    """The program's path; a visible skip where it is missing, and a failure where CI=true."""
    found = shutil.which(path_or_name)
    if found:
        return found
    message = f"{what} ({path_or_name}) is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must have it.")
    pytest.skip(f"{message}; install it to run this test.")
