import datetime as dt
import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from trygg.accounts.middleware import LOGIN_AT, session_time
from trygg.accounts.models import User

pytestmark = pytest.mark.django_db
EXTEND = "/personal/session/forlang/"


def _session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_item_34_the_extend_endpoint_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    for response in [client.post(EXTEND), client.get(EXTEND)]:
        assert response.status_code == 302
        assert response["Location"].startswith("/personal/logga-in/")


def test_item_34_the_extend_endpoint_refuses_a_post_without_the_csrf_token(coordinator: User) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = coordinator.totpdevice_set.first().persistent_id  # type: ignore[attr-defined]
    session.save()
    page = client.get("/personal/")
    token = re.search(r'data-csrf-token="([^"]+)"', page.content.decode())
    assert token is not None

    assert client.post(EXTEND).status_code == 403
    answer = client.post(EXTEND, HTTP_X_CSRFTOKEN=token.group(1))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"


def test_item_34_extending_gives_a_nearly_ended_session_a_whole_idle_period(
    login, coordinator: User, settings
) -> None:
    client = login(coordinator)
    client.get("/personal/")
    row = _session_row(client)
    row.expire_date = timezone.now() + dt.timedelta(seconds=5)
    row.save()

    answer = client.post(EXTEND)

    assert answer.json() == {"seconds_left": settings.SESSION_COOKIE_AGE, "extendable": True}
    assert _session_row(client).expire_date > timezone.now() + dt.timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 60
    )
    assert client.get("/personal/").status_code == 200


def test_item_34_the_absolute_lifetime_is_not_extended_and_the_answer_says_so(
    login, coordinator: User, settings
) -> None:
    client = login(coordinator)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 100
    session.save()

    answer = client.post(EXTEND).json()

    assert answer["extendable"] is False
    assert 90 <= answer["seconds_left"] <= 100


def test_item_34_a_staff_page_carries_the_seconds_left_and_the_warning(
    login, coordinator: User, settings
) -> None:
    settings.SESSION_COOKIE_AGE = 600
    page = login(coordinator).get("/personal/").content.decode()

    assert 'role="alertdialog"' in page
    assert 'data-seconds-left="600"' in page
    assert 'data-warning-seconds="120"' in page
    assert f'data-extend-url="{EXTEND}"' in page
    assert "Förläng sessionen" in page
    assert 'src="/static/trygg/session.js"' in page


def test_item_34_public_pages_without_a_session_have_no_time_limit_and_no_warning(
    client: Client, home_municipality
) -> None:
    page = client.get("/ljungby/").content.decode()

    assert "session-warning" not in page
    assert "session.js" not in page


def test_item_34_a_visitor_with_survey_answers_in_the_session_is_warned_too(
    client: Client, home_municipality
) -> None:
    session = client.session
    session["surveys:draft:1"] = "00000000-0000-4000-8000-000000000000"
    session.save()

    page = client.get("/ljungby/").content.decode()

    assert 'role="alertdialog"' in page
    # Its extension is a new load of the same page; a visitor's session has no absolute lifetime.
    assert 'data-extend-url="/ljungby/"' in page
    assert "data-csrf-token" not in page


def test_item_34_the_warning_comes_at_least_20_seconds_and_at_most_2_minutes_ahead(settings) -> None:
    warnings = {}
    for idle in [30, 60, 240, 1800]:
        settings.SESSION_COOKIE_AGE = idle
        warnings[idle] = session_time(session={}, authenticated=False, now=0).warning_seconds

    assert warnings == {30: 20, 60: 30, 240: 120, 1800: 120}
