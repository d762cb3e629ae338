"""The K-nummer (police report number) survives every later change of a report, whatever channel makes it."""

import pytest
from django.core.exceptions import PermissionDenied

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality, Party
from trygg.reports.models import Report
from trygg.reports.services import report_assign, report_bulk_change, report_change, report_update_details

pytestmark = pytest.mark.django_db

NUMBER = "5000-K123456-24"


@pytest.fixture
def numbered(reports_demo: Municipality) -> Report:
    report = Report.objects.get(reference="EX-LJU-S1")
    assert report.police_report_number == NUMBER
    return report


def test_closing_a_report_on_the_staff_page_keeps_its_k_nummer(
    login, numbered: Report, coordinator: User
) -> None:
    # The form that changes the state posts the number field as it stands; an emptied field is "not given".
    response = login(coordinator).post(
        f"/personal/felanmalan/{numbered.pk}/andra/",
        {"state": "resolved", "police_report_number": "", "note": "Rutan är bytt."},
    )

    assert response.status_code == 302
    numbered.refresh_from_db()
    assert numbered.state == Report.State.RESOLVED
    assert numbered.police_report_number == NUMBER


def test_the_change_form_shows_the_recorded_k_nummer(login, numbered: Report, coordinator: User) -> None:
    page = login(coordinator).get(f"/personal/felanmalan/{numbered.pk}/").content.decode()

    assert f'name="police_report_number" value="{NUMBER}"' in page


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_no_state_change_through_the_service_blanks_the_k_nummer(
    numbered: Report, coordinator: User, blank: str | None
) -> None:
    for state in (Report.State.RESOLVED, Report.State.RECEIVED, Report.State.NOT_RESOLVED):
        report_change(
            report=numbered, by=coordinator, state=state, note="Motivering.", police_report_number=blank
        )
        numbered.refresh_from_db()
        assert numbered.state == state
        assert numbered.police_report_number == NUMBER


def test_assigning_correcting_and_bulk_changes_keep_the_k_nummer(numbered: Report, coordinator: User) -> None:
    crew = Party.objects.get(municipality=numbered.municipality, kind=Party.Kind.MUNICIPALITY)

    report_assign(report=numbered, by=coordinator, party=crew, user=None)
    report_update_details(report=numbered, by=coordinator, offensive=True, is_public=False)
    report_bulk_change(reports=[numbered], by=coordinator, state=Report.State.RESOLVED, note="Klart.")

    numbered.refresh_from_db()
    assert numbered.state == Report.State.RESOLVED
    assert numbered.police_report_number == NUMBER


def test_a_wrong_k_nummer_is_corrected_by_giving_the_right_one_and_audited(
    numbered: Report, police_officer: User
) -> None:
    report_change(report=numbered, by=police_officer, police_report_number=" 5000-K123457-24 ")

    numbered.refresh_from_db()
    assert numbered.police_report_number == "5000-K123457-24"
    entry = AuditEntry.objects.filter(model="reports.report", object_id=str(numbered.pk)).latest("pk")
    assert entry.changes["police_report_number"] == [NUMBER, "5000-K123457-24"]


def test_a_crew_member_may_not_change_the_k_nummer_and_nothing_changes(
    login, numbered: Report, crew_member: User
) -> None:
    with pytest.raises(PermissionDenied):
        report_change(report=numbered, by=crew_member, police_report_number="5000-K1-24")

    response = login(crew_member).post(
        f"/personal/felanmalan/{numbered.pk}/andra/",
        {"state": "resolved", "police_report_number": "5000-K1-24", "note": ""},
    )

    assert response.status_code == 403
    numbered.refresh_from_db()
    assert numbered.police_report_number == NUMBER
    assert numbered.state == Report.State.POLICE_REPORTED


def test_staff_of_another_municipality_cannot_touch_the_k_nummer(
    login, numbered: Report, outsider: User
) -> None:
    response = login(outsider).post(
        f"/personal/felanmalan/{numbered.pk}/andra/", {"state": "resolved", "police_report_number": ""}
    )

    assert response.status_code == 404
    numbered.refresh_from_db()
    assert numbered.police_report_number == NUMBER
    assert numbered.state == Report.State.POLICE_REPORTED
