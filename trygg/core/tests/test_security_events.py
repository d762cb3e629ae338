"""Checklist item 22: failed login, lockout, 403 and a view of reporter contact data each emit one security event."""

import logging

import pytest
from django.test import Client

from trygg.accounts.models import User

pytestmark = pytest.mark.django_db


def _events(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [getattr(record, "event", "") for record in caplog.records if record.name == "trygg.security"]


def test_item_22_a_failed_login_emits_one_event_without_the_username(
    client: Client, coordinator: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="trygg.security")

    client.post("/personal/logga-in/", {"username": "kim.secret", "password": "wrong", "otp_token": "1"})

    assert _events(caplog).count("login_failed") == 1
    assert "kim.secret" not in caplog.text


def test_item_22_a_lockout_emits_an_event(
    client: Client, coordinator: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="trygg.security")

    for _attempt in range(6):
        client.post("/personal/logga-in/", {"username": "coordinator", "password": "wrong", "otp_token": "1"})

    assert "lockout" in _events(caplog)


def test_item_22_a_refusal_emits_an_event(login, crew_member: User, caplog: pytest.LogCaptureFixture) -> None:
    from trygg.promises.models import Promise

    caplog.set_level(logging.WARNING, logger="trygg.security")
    promise = Promise.objects.get(slug="2023")

    response = login(crew_member).post(f"/personal/lofte/{promise.pk}/publicera/", {})

    assert response.status_code == 403
    assert _events(caplog).count("forbidden") == 1


def test_item_22_viewing_a_reporters_contact_data_emits_an_event(
    coordinator: User, home_municipality, caplog: pytest.LogCaptureFixture
) -> None:
    from trygg.demo.reports import load_reports_demo
    from trygg.reports.models import Report
    from trygg.reports.services import report_contact_view

    load_reports_demo(home_municipality)
    caplog.set_level(logging.WARNING, logger="trygg.security")

    report_contact_view(report=Report.objects.filter(municipality=home_municipality).first(), by=coordinator)  # type: ignore[arg-type]

    assert _events(caplog) == ["contact_viewed"]
