import logging
import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.accounts.models import User
from trygg.accounts.services import user_end_sessions
from trygg.audit.models import AuditEntry
from trygg.core.logging import RedactingFilter, redact

pytestmark = pytest.mark.django_db
PASSWORD = "ett-långt-lösenord-för-test"
SAME_ANSWER = "Fel användarnamn, lösenord eller engångskod."


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _post_login(client: Client, username: str, password: str, code: str, ip: str = "10.0.0.1"):
    return client.post(
        "/personal/logga-in/",
        {"username": username, "password": password, "otp_token": code},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def staff(coordinator: User) -> User:
    coordinator.set_password(PASSWORD)
    coordinator.save()
    return coordinator


def test_login_needs_password_and_a_one_time_code(client: Client, staff: User) -> None:
    response = _post_login(client, staff.username, PASSWORD, _code(staff))

    assert response.status_code == 302
    assert client.get("/personal/").status_code == 200


def test_a_password_without_a_valid_code_does_not_log_in(client: Client, staff: User) -> None:
    response = _post_login(client, staff.username, PASSWORD, "000000")

    assert response.status_code == 200
    assert SAME_ANSWER in response.content.decode()
    assert client.get("/personal/").status_code == 302


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client: Client, staff: User) -> None:
    unknown = _post_login(client, "nobody", PASSWORD, "123456")
    wrong = _post_login(client, staff.username, "wrong-password-here", "123456")

    assert unknown.status_code == wrong.status_code == 200
    assert SAME_ANSWER in unknown.content.decode()
    assert SAME_ANSWER in wrong.content.decode()


def test_a_failed_login_puts_fel_first_in_the_title_and_keeps_the_username(
    client: Client, staff: User
) -> None:
    page = _post_login(client, staff.username, "wrong", "1").content.decode()

    assert "<title>Fel:" in page
    assert f'value="{staff.username}"' in page
    assert 'class="error-summary"' in page


def test_five_failures_lock_the_account_even_from_other_addresses(client: Client, staff: User) -> None:
    for attempt in range(5):
        _post_login(client, staff.username, "wrong", "1", ip=f"10.0.1.{attempt}")

    locked = _post_login(client, staff.username, PASSWORD, _code(staff), ip="10.0.2.1")

    assert locked.status_code == 429
    assert client.get("/personal/").status_code == 302


def test_five_failures_from_one_address_lock_that_client_for_every_account(
    client: Client, staff: User
) -> None:
    for attempt in range(5):
        _post_login(client, f"someone{attempt}", "wrong", "1", ip="10.0.3.3")

    locked = _post_login(client, staff.username, PASSWORD, _code(staff), ip="10.0.3.3")

    assert locked.status_code == 429


def test_staff_pages_send_anonymous_visitors_to_the_login(client: Client) -> None:
    response = client.get("/personal/")

    assert response.status_code == 302
    assert response["Location"].startswith("/personal/logga-in/?next=")


def test_a_password_only_session_is_not_enough_for_staff_pages_or_the_admin(
    client: Client, staff: User
) -> None:
    client.force_login(staff)

    assert client.get("/personal/").status_code == 302
    # The admin is the platform operators' alone: municipal staff are refused whatever their session.
    assert client.get("/admin/").status_code == 403


def test_logout_ends_the_session(login, coordinator: User) -> None:
    client = login(coordinator)
    assert client.get("/personal/").status_code == 200

    client.post("/personal/logga-ut/")

    assert client.get("/personal/").status_code == 302


def test_deactivating_a_user_ends_their_sessions(login, coordinator: User) -> None:
    client = login(coordinator)
    coordinator.is_active = False
    coordinator.save()

    assert client.get("/personal/").status_code == 302


def test_an_administrator_can_end_a_users_sessions(login, coordinator: User, crew_member: User) -> None:
    client = login(crew_member)
    assert client.get("/personal/").status_code == 200

    user_end_sessions(user=crew_member, by=coordinator)

    assert client.get("/personal/").status_code == 302
    assert AuditEntry.objects.filter(
        object_id=str(crew_member.pk), changes__sessions=["active", "ended"]
    ).exists()


def test_a_session_ends_after_its_absolute_lifetime(login, coordinator: User, settings) -> None:
    client = login(coordinator)
    assert client.get("/personal/").status_code == 200
    session = client.session
    session["trygg_login_at"] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()

    assert client.get("/personal/").status_code == 302


def test_logs_hide_personal_data_and_cannot_be_forged_with_line_breaks() -> None:
    text = redact(
        "anna.svensson@example.se ringde 070-123 45 67, pnr 19811224-1234\nFAKE login ok password=hemligt"
    )

    assert "anna.svensson" not in text
    assert "123 45 67" not in text
    assert "1234" not in text
    assert "hemligt" not in text
    assert "\n" not in text


def test_the_logging_filter_redacts_formatted_arguments() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login by %s", ("kim@example.se",), None)

    RedactingFilter().filter(record)

    assert record.getMessage() == "login by [e-post]"
