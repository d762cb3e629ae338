"""Issue 20, items 8 and 9: lockouts a colleague cannot reset, second-factor failures, and rights that end."""

import datetime as dt
import logging

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.accounts.admin import TryggUserAdmin
from trygg.accounts.models import ApiToken, User
from trygg.accounts.services import api_token_create, user_deactivate
from trygg.municipalities.models import Membership, Municipality

pytestmark = pytest.mark.django_db
PASSWORD = "ett-långt-lösenord-för-test"


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _post(client: Client, username: str, password: str, code: str, ip: str):
    return client.post(
        "/personal/logga-in/", {"username": username, "password": password, "otp_token": code}, REMOTE_ADDR=ip
    )


@pytest.fixture
def victim(coordinator: User) -> User:
    coordinator.set_password(PASSWORD)
    coordinator.save()
    return coordinator


@pytest.fixture
def insider(crew_member: User) -> User:
    crew_member.set_password(PASSWORD)
    crew_member.save()
    return crew_member


def test_an_insiders_own_good_login_does_not_clear_his_guesses_at_a_colleagues_password(
    victim: User, insider: User
) -> None:
    for _guess in range(4):
        _post(Client(), victim.username, "gissning", "1", ip="10.9.9.9")

    assert _post(Client(), insider.username, PASSWORD, _code(insider), ip="10.9.9.9").status_code == 302
    _post(Client(), victim.username, "gissning igen", "1", ip="10.9.9.9")

    # The fifth guess locked the account: even the right password and code from elsewhere are refused now.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        locked = _post(Client(), victim.username, PASSWORD, _code(victim), ip="10.1.1.1")
    assert locked.status_code == 429


def test_failures_against_other_accounts_from_an_address_survive_a_good_login_from_it(
    victim: User, insider: User
) -> None:
    for attempt in range(4):
        _post(Client(), f"kollega{attempt}", "gissning", "1", ip="10.8.8.8")
    assert _post(Client(), insider.username, PASSWORD, _code(insider), ip="10.8.8.8").status_code == 302

    _post(Client(), "kollega9", "gissning", "1", ip="10.8.8.8")

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        assert _post(Client(), victim.username, PASSWORD, _code(victim), ip="10.8.8.8").status_code == 429


def test_a_good_login_still_clears_the_accounts_own_failures(victim: User) -> None:
    for _typo in range(4):
        _post(Client(), victim.username, "felskrivet", "1", ip="10.7.7.7")
    assert _post(Client(), victim.username, PASSWORD, _code(victim), ip="10.7.7.7").status_code == 302

    for _typo in range(4):
        _post(Client(), victim.username, "felskrivet", "1", ip="10.7.7.8")

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        assert _post(Client(), victim.username, PASSWORD, _code(victim), ip="10.7.7.9").status_code == 302


def test_wrong_one_time_codes_after_the_right_password_lock_the_account_and_are_logged(
    victim: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="trygg.security")
    for attempt in range(5):
        _post(Client(), victim.username, PASSWORD, f"{attempt:06d}", ip=f"10.6.6.{attempt}")

    events = [getattr(record, "event", "") for record in caplog.records]
    assert events.count("second_factor_failed") == 5
    assert "lockout" in events
    assert victim.username not in caplog.text
    locked = _post(Client(), victim.username, PASSWORD, _code(victim), ip="10.6.7.1")
    assert locked.status_code == 429


def test_a_reactivated_users_old_session_does_not_work_again(login, coordinator: User) -> None:
    client = login(coordinator)
    assert client.get("/personal/").status_code == 200

    user_deactivate(user=coordinator, by=None, now=timezone.now())
    coordinator.refresh_from_db()
    coordinator.is_active = True
    coordinator.save()

    assert client.get("/personal/").status_code == 302


def test_deactivating_in_the_admin_ends_sessions_for_good(login, coordinator: User) -> None:
    client = login(coordinator)
    superuser = User.objects.create_superuser("root", "root@example.se", PASSWORD)
    request = RequestFactory().post("/admin/")
    request.user = superuser
    coordinator.is_active = False

    class ChangedForm:
        changed_data = ["is_active"]
        initial = {"is_active": True}
        cleaned_data = {"is_active": False}

    TryggUserAdmin(User, admin_site).save_model(request, coordinator, ChangedForm(), change=True)
    coordinator.is_active = True
    coordinator.save()

    assert client.get("/personal/").status_code == 302


def _token(user: User, municipality: Municipality) -> str:
    user.is_verified = lambda: True  # type: ignore[attr-defined]
    _token, raw = api_token_create(
        user=user, municipality=municipality, name="t", days=30, now=timezone.now()
    )
    return raw


def test_an_api_token_stops_answering_when_its_users_membership_is_removed(
    coordinator: User, home_municipality: Municipality
) -> None:
    raw = _token(coordinator, home_municipality)
    assert Client().get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    Membership.objects.filter(user=coordinator).delete()

    assert Client().get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_an_api_token_ends_with_a_deactivation_and_stays_ended_after_reactivation(
    coordinator: User, home_municipality: Municipality
) -> None:
    raw = _token(coordinator, home_municipality)

    user_deactivate(user=coordinator, by=None, now=timezone.now())
    User.objects.filter(pk=coordinator.pk).update(is_active=True)

    assert Client().get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert ApiToken.objects.get(user=coordinator).revoked_at is not None


def test_a_staff_session_ends_eight_hours_after_login_however_active(login, coordinator: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(coordinator)
        assert client.get("/personal/").status_code == 200
    for minutes in range(20, 8 * 60, 20):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get("/personal/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=8, minutes=1), tick=False):
        assert client.get("/personal/").status_code == 302
