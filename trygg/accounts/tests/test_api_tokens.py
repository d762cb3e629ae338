import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from trygg.accounts.models import ApiToken, User
from trygg.accounts.services import api_token_create, token_hash
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality

pytestmark = pytest.mark.django_db


def test_a_verified_staff_member_creates_a_token_shown_once(login, coordinator: User) -> None:
    client: Client = login(coordinator)

    page = client.post(
        "/personal/api-nycklar/",
        {"name": "Driftsystem", "municipality": coordinator.memberships.get().municipality_id, "days": "30"},
    ).content.decode()

    token = ApiToken.objects.get(user=coordinator)
    secret = re.search(r'<code class="secret">([^<]+)</code>', page)
    assert secret is not None and secret.group(1).startswith(token.prefix)
    assert token_hash(secret.group(1)) == token.key_hash
    assert AuditEntry.objects.filter(model="accounts.apitoken", action="create").exists()
    assert secret.group(1) not in client.get("/personal/api-nycklar/").content.decode()


def test_a_token_cannot_be_issued_without_a_second_factor(
    coordinator: User, home_municipality: Municipality
) -> None:
    # Without the OTP middleware's verification the user object has no verified device.
    with pytest.raises(PermissionDenied):
        api_token_create(
            user=coordinator, municipality=home_municipality, name="x", days=5, now=timezone.now()
        )


def _issue(user: User, municipality: Municipality, days: int = 30) -> str:
    user.is_verified = lambda: True  # type: ignore[attr-defined]
    _token, raw = api_token_create(
        user=user, municipality=municipality, name="test", days=days, now=timezone.now()
    )
    return raw


def test_a_token_authenticates_and_is_scoped_to_its_municipality(
    coordinator: User, home_municipality: Municipality
) -> None:
    raw = _issue(coordinator, home_municipality)

    response = Client().get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    assert response.json() == {"user": coordinator.username, "municipality": "ljungby"}


def test_a_token_call_that_carries_a_session_cookie_is_refused(
    coordinator: User, home_municipality: Municipality
) -> None:
    raw = _issue(coordinator, home_municipality)
    client = Client()
    client.cookies["sessionid"] = "anything"

    assert client.get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_expired_revoked_and_unknown_tokens_are_refused(
    coordinator: User, home_municipality: Municipality
) -> None:
    raw = _issue(coordinator, home_municipality)
    token = ApiToken.objects.get()
    client = Client()

    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    assert client.get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401

    token.expires_at = timezone.now() + dt.timedelta(days=1)
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/staff/whoami", HTTP_AUTHORIZATION="Bearer trygg_unknown").status_code == 401


def test_a_token_lives_at_most_ninety_days(coordinator: User, home_municipality: Municipality) -> None:
    _issue(coordinator, home_municipality, days=3650)

    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at <= dt.timedelta(days=90, seconds=5)


def test_a_deactivated_users_token_stops_working(coordinator: User, home_municipality: Municipality) -> None:
    raw = _issue(coordinator, home_municipality)
    coordinator.is_active = False
    coordinator.save()

    assert Client().get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_a_user_can_revoke_only_their_own_tokens(
    login, coordinator: User, crew_member: User, home_municipality
) -> None:
    _issue(crew_member, home_municipality)
    token = ApiToken.objects.get()

    response = login(coordinator).post(f"/personal/api-nycklar/{token.pk}/aterkalla/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
