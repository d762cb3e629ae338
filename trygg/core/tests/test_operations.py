"""The operators' health view: the databases, the standby's lag and Redis; administrators and monitors only."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.core.selectors import replication_lag_seconds
from trygg.municipalities.tests.factories import UserFactory

from .processes import RedisServer

PAGE = "/personal/drift/"
JSON = "/healthz/status"
TOKEN = "a-monitor-token-of-some-length-0123456789"


@pytest.fixture
def administrator(db):
    user = UserFactory.create(username="drift", is_superuser=True)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def test_an_administrator_sees_the_databases_and_redis(
    administrator, login, django_assert_max_num_queries
) -> None:
    staff = login(administrator)

    with django_assert_max_num_queries(12):
        page = staff.get(PAGE)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Driftstatus" in text and "Databasen (primär)" in text and "Svarar" in text
    assert "Ingen Redis är inställd" in text
    assert page["Cache-Control"] == "private, no-store"


def test_the_page_is_in_english_under_en(administrator, login) -> None:
    page = login(administrator).get(f"/en{PAGE}")

    assert page.status_code == 200
    assert "Operations status" in page.content.decode()


def test_a_coordinator_of_a_municipality_is_refused(coordinator, login) -> None:
    page = login(coordinator).get(PAGE)

    assert page.status_code == 403
    assert "Databasen (primär)" not in page.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, db) -> None:
    page = client.get(PAGE)

    assert page.status_code == 302
    assert page["Location"].startswith("/personal/logga-in/")


def test_a_monitor_with_the_token_gets_json(client: Client, db, settings) -> None:
    settings.HEALTH_TOKEN = TOKEN

    answer = client.get(JSON, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["healthy"] is True
    assert body["primary"]["reachable"] is True
    assert body["replica"]["configured"] is False
    assert body["redis"] == {
        "configured": False,
        "up": False,
        "error": "",
        "used_memory_bytes": None,
        "keys": None,
        "resting": False,
    }
    assert answer["Cache-Control"] == "no-store"


@pytest.mark.parametrize("header", ["", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_without_the_right_token_the_json_is_refused(client: Client, db, settings, header: str) -> None:
    settings.HEALTH_TOKEN = TOKEN

    answer = client.get(JSON, HTTP_AUTHORIZATION=header) if header else client.get(JSON)

    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"
    assert "primary" not in answer.json()


def test_with_no_token_configured_no_bearer_token_opens_the_json(client: Client, db, settings) -> None:
    settings.HEALTH_TOKEN = ""

    assert client.get(JSON, HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_a_coordinators_session_does_not_open_the_json_and_an_administrators_does(
    coordinator, administrator, login
) -> None:
    assert login(coordinator).get(JSON).status_code == 401
    assert login(administrator).get(JSON).status_code == 200


@pytest.mark.django_db
def test_the_health_view_says_redis_is_down_when_it_is_stopped(
    with_redis: RedisServer, client: Client, settings
) -> None:
    settings.HEALTH_TOKEN = TOKEN
    up = client.get(JSON, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    assert up["redis"]["up"] is True and up["healthy"] is True

    with_redis.stop()
    try:
        down = client.get(JSON, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    finally:
        with_redis.start()

    assert down["redis"]["configured"] is True and down["redis"]["up"] is False
    assert down["healthy"] is False
    assert down["primary"]["reachable"] is True, "the site itself goes on"


def test_a_standby_with_nothing_to_replay_has_no_lag_however_old_its_last_transaction() -> None:
    assert replication_lag_seconds(lag_bytes=0, seconds_since_replay=3600.0) == 0.0
    assert replication_lag_seconds(lag_bytes=8192, seconds_since_replay=2.5) == 2.5
    assert replication_lag_seconds(lag_bytes=8192, seconds_since_replay=None) is None
