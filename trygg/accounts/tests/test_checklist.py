"""Items of the security checklist (shared/reference/security.md, section 9) not covered elsewhere."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.promises.models import Promise

pytestmark = pytest.mark.django_db


def test_item_2_the_policy_forbids_base_uri_objects_and_framing(client: Client, home_municipality) -> None:
    policy = client.get("/ljungby/2023/")["Content-Security-Policy"]

    assert "base-uri 'none'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_item_7_a_one_time_code_cannot_be_used_twice(coordinator: User) -> None:
    device = TOTPDevice.objects.get(user=coordinator)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"

    assert device.verify_token(code) is True
    assert device.verify_token(code) is False


def test_item_8_an_unsafe_request_without_a_csrf_token_is_refused_and_changes_nothing(
    coordinator: User, home_municipality
) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = coordinator.totpdevice_set.first().persistent_id  # type: ignore[attr-defined]
    session.save()
    promise = Promise.objects.get(slug="2023")
    before = AuditEntry.objects.count()

    response = client.post(f"/personal/lofte/{promise.pk}/publicera/", {"confirm_findings": "on"})

    assert response.status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("password", ["kort-lösen", "password123", "qwertyuiop12"])
def test_item_10_short_and_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_item_10_a_long_passphrase_without_composition_rules_is_accepted() -> None:
    validate_password("det regnar ofta i ljungby men trygghetsvandringen blir av ändå i år")
