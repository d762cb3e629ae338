"""Issue 20 on reports: the report limit, the minimum fill time, public notes only from the handling party."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from trygg.accounts.models import User
from trygg.municipalities.models import Municipality, Party
from trygg.reports.models import Report, ReportCategory, ReportEvent
from trygg.reports.services import report_assign, report_change

pytestmark = pytest.mark.django_db
FORM = "/ljungby/felanmalan/"
PLACES = [
    "Stora torget",
    "Resecentrum",
    "Storgatan",
    "Salvesbacken",
    "Drottninggatan",
    "Ljungbyporten",
    "Lagavallen",
]


def _post(client: Client, municipality: Municipality, place: str, **fields: object):
    category = ReportCategory.objects.get(municipality=municipality, slug="belysning")
    data = {
        "category": category.pk,
        "place": place,
        "description": f"Lampan vid {place} lyser inte.",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        **fields,
    }
    return client.post(FORM, data, REMOTE_ADDR="192.0.2.77")


def test_item_17_the_sixth_report_within_ten_minutes_from_one_client_gets_429(
    client: Client, reports_demo: Municipality, settings
) -> None:
    settings.RATE_LIMITS_ENABLED = True
    filed = []
    for place in PLACES[:5]:
        response = _post(client, reports_demo, place, not_emergency="on", step="check")
        assert response.status_code == 302, response.content.decode()[:500]
        filed.append(response["Location"])
    before = Report.objects.count()

    sixth = _post(client, reports_demo, PLACES[5], not_emergency="on", step="check")

    assert sixth.status_code == 429
    assert Report.objects.count() == before
    # Another client is not held back.
    other = Client().post(
        FORM,
        {
            "category": ReportCategory.objects.get(municipality=reports_demo, slug="belysning").pk,
            "place": PLACES[6],
            "description": "Lampan lyser inte.",
            "submission_id": str(uuid.uuid4()),
            "step": "check",
            "not_emergency": "on",
        },
        REMOTE_ADDR="192.0.2.78",
    )
    assert other.status_code == 302


def test_a_report_posted_sooner_than_the_minimum_fill_time_is_not_stored_and_keeps_the_input(
    client: Client, reports_demo: Municipality, settings
) -> None:
    settings.FORM_MIN_FILL_SECONDS = 3
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        form = client.get(FORM).content.decode()
    token = re.search(r'name="form_started" value="([^"]+)"', form)
    assert token is not None
    before = Report.objects.count()

    with time_machine.travel(start + dt.timedelta(seconds=1), tick=False):
        fast = _post(client, reports_demo, "Stora torget", form_started=token.group(1))
    with time_machine.travel(start, tick=False):
        forged = _post(client, reports_demo, "Stora torget", form_started="1700000000.0")
        missing = _post(client, reports_demo, "Stora torget")

    assert fast.status_code == forged.status_code == missing.status_code == 400
    assert "för snabbt" in fast.content.decode()
    assert "Lampan vid Stora torget lyser inte." in fast.content.decode()
    assert Report.objects.count() == before
    with time_machine.travel(start + dt.timedelta(seconds=4), tick=False):
        patient = _post(
            client,
            reports_demo,
            "Stora torget",
            form_started=token.group(1),
            not_emergency="on",
            step="check",
        )
    assert patient.status_code == 302
    assert Report.objects.count() == before + 1


def _kommun_report(municipality: Municipality) -> Report:
    report = Report.objects.filter(municipality=municipality, state=Report.State.NEW).first()
    assert report is not None
    return report


def test_a_police_officer_cannot_post_a_public_note_on_the_kommuns_report(
    login, reports_demo: Municipality, police_officer: User
) -> None:
    report = _kommun_report(reports_demo)
    events = ReportEvent.objects.filter(report=report).count()

    response = login(police_officer).post(
        f"/personal/felanmalan/{report.pk}/andra/", {"note": "Polisen har tittat på det här."}
    )

    assert response.status_code == 403
    assert ReportEvent.objects.filter(report=report).count() == events
    with pytest.raises(PermissionDenied):
        report_change(report=report, by=police_officer, note="Polisen har tittat på det här.")
    page = login(police_officer).get(f"/personal/felanmalan/{report.pk}/").content.decode()
    assert 'name="note"' not in page


def test_the_police_may_write_notes_on_a_report_handed_to_the_police(
    reports_demo: Municipality, coordinator: User, police_officer: User
) -> None:
    report = _kommun_report(reports_demo)
    police = Party.objects.get(pk=police_officer.memberships.get().party_id)
    report_assign(report=report, by=coordinator, party=police, user=None)

    report_change(report=report, by=police_officer, note="Polisen utreder.")

    assert ReportEvent.objects.filter(report=report, note="Polisen utreder.", by=police_officer).exists()


def test_a_crew_member_of_the_kommun_writes_notes(reports_demo: Municipality, crew_member: User) -> None:
    report = _kommun_report(reports_demo)

    report_change(report=report, by=crew_member, note="Vi åker dit i morgon.")

    assert ReportEvent.objects.filter(report=report, note="Vi åker dit i morgon.").exists()


def test_only_platform_operators_may_change_the_shared_problem_list(coordinator: User) -> None:
    from trygg.problems.rules import can_edit_problem_list

    operator = User.objects.create_superuser("operator", "op@example.se", "ett-långt-lösenord-för-test")
    assert can_edit_problem_list(operator)
    assert not can_edit_problem_list(coordinator)
    coordinator.is_staff = True
    coordinator.save()
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from trygg.problems.models import Problem

    request = RequestFactory().get("/admin/problems/problem/")
    request.user = coordinator
    problem_admin = site._registry[Problem]
    assert not problem_admin.has_change_permission(request)
    assert not problem_admin.has_add_permission(request)
    assert not problem_admin.has_delete_permission(request)


def test_the_hot_cell_layer_answers_with_stray_points_in_the_data_and_dates_at_the_calendars_ends(
    login, reports_demo: Municipality, coordinator: User
) -> None:
    report = Report.objects.filter(municipality=reports_demo).first()
    assert report is not None
    for latitude, longitude in [(-89.9, 179.9), (0.0, 0.0), (59.33, 18.06)]:
        Report.objects.create(
            municipality=reports_demo,
            category=report.category,
            reference=f"STRAY-{latitude}-{longitude}",
            description="Punkt var som helst",
            latitude=latitude,
            longitude=longitude,
            public_latitude=latitude,
            public_longitude=longitude,
            created_at=report.created_at,
            due_at=report.due_at,
        )
    client = login(coordinator)
    client.raise_request_exception = False
    for query in ("until=9999-12-31", "since=0001-01-01&until=9999-12-31", "since=9999-12-31"):
        for path in ("hotspots.geojson", "hotspots/"):
            response = client.get(f"/personal/felanmalan/{path}?municipality=ljungby&cell=100&{query}")
            assert response.status_code == 200, (path, query)
