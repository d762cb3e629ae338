import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# A small example count keeps `make test` quick; `make fuzz` runs the long drill.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Every log record of the run goes through the project's log filters to a file, searched for canaries at the end.
pytest_plugins = ["tests.log_canaries", "tests.frozen_clock"]


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
    # Browser tests stay: their pages read and write through a live server on the database under test, with real
    # commits, as production does on PostgreSQL. The sweeps marked `appearance` (axe-core and the layout checks of
    # every page at each width, the PDFs' tables, the charts' text sizes) judge drawings that do not depend on the
    # database engine, and those marked `page_sweep` (every URL's security headers, refusals and admin links) what
    # the middleware and templates add; they are among the dearest tests of the suite and run once, on SQLite. The
    # sweeps whose answers can depend on the engine (the permission matrix, the query-string fuzz) run on both.
    if not config.getoption("--db-only"):
        return
    selected, deselected = [], []
    for item in items:
        wanted = _uses_database(item) and not (
            item.get_closest_marker("appearance") or item.get_closest_marker("page_sweep")
        )
        (selected if wanted else deselected).append(item)
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


# Personas: a coordinator, a police officer and a crew member of one municipality, a resident (no account)
# and an outsider (a coordinator of another municipality).
@pytest.fixture
def home_municipality(db):
    from trygg.demo.services import demo_load

    return demo_load().municipality


def _staff_user(municipality, username, role, party_kind):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trygg.municipalities.models import Membership, Party
    from trygg.municipalities.tests.factories import UserFactory

    user = UserFactory.create(username=username)
    party = (
        Party.objects.filter(kind=party_kind).filter(models_q_municipality_or_police(municipality)).first()
    )
    Membership.objects.create(user=user, municipality=municipality, party=party, role=role)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def models_q_municipality_or_police(municipality):
    from django.db.models import Q

    return Q(municipality=municipality) | Q(police_area__municipalities=municipality)


@pytest.fixture
def make_staff():
    """make_staff(municipality, username, role, party_kind): a verified staff member of any municipality, for
    tests that load the demo themselves (under a clock of their own) rather than through home_municipality."""
    return _staff_user


@pytest.fixture
def coordinator(home_municipality):
    return _staff_user(home_municipality, "coordinator", "coordinator", "municipality")


@pytest.fixture
def police_officer(home_municipality):
    return _staff_user(home_municipality, "officer", "police", "police")


@pytest.fixture
def crew_member(home_municipality):
    return _staff_user(home_municipality, "crew", "crew", "municipality")


@pytest.fixture
def outsider(db):
    from trygg.municipalities.tests.factories import MunicipalityFactory, PartyFactory

    other = MunicipalityFactory.create(name="Annanstad kommun", slug="annanstad")
    PartyFactory.create(municipality=other, name="Annanstad kommun", kind="municipality")
    return _staff_user(other, "outsider", "coordinator", "municipality")


@pytest.fixture
def login(client):
    """Log a user in as if they had given their password and a valid one-time code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    def log_in(user):
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.first().persistent_id
        session.save()
        return client

    return log_in


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Migrated (and demo) SQLite files made once per run, shared by the xdist workers (processes.SqliteTemplates)."""
    from trygg.core.tests.processes import SqliteTemplates

    root = tmp_path_factory.getbasetemp()
    # Under xdist each worker has its own directory (…/popen-gw0) in the run's root: the templates go in the root.
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    return SqliteTemplates(shared / "sqlite-templates")


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():  # type: ignore[no-untyped-def]
    """Passwords are hashed at a low work factor in the test process (tests/hashers.py says why)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.hashers.QuickPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _swedish_by_default():  # type: ignore[no-untyped-def]
    """Each test starts in Swedish: a request to an /en/ page leaves English active in its thread."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _form_fill_time_off(settings):  # type: ignore[no-untyped-def]
    """Test clients post forms at once: the minimum fill time is off unless a test switches it on."""
    settings.FORM_MIN_FILL_SECONDS = 0


@pytest.fixture(autouse=True)
def _page_cache_off(settings):  # type: ignore[no-untyped-def]
    """No page cache unless a test asks for it: inside a test's transaction no commit ever invalidates it."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.SURVEY_FORM_QUESTIONS_HELD = False
    # The machine's shared copy of the pages (files) only where a test asks for it, in its own directory.
    settings.PAGE_CACHE_SHARED_DIR = ""


@pytest.fixture
def page_cache(settings):
    """The page cache switched on (as in production) and empty before and after the test; the cache itself."""
    from django.core.cache import caches

    from trygg.core.pagecache import CACHE_ALIAS

    settings.PAGE_CACHE_SECONDS = 300
    caches[CACHE_ALIAS].clear()
    yield caches[CACHE_ALIAS]
    caches[CACHE_ALIAS].clear()
