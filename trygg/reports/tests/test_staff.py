import datetime as dt
import json

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality, Party
from trygg.promises.models import Activity
from trygg.reports.models import Report, ReportCategory
from trygg.reports.selectors import activity_report_metrics
from trygg.reports.services import report_change

pytestmark = pytest.mark.django_db


def _report(reference: str) -> Report:
    return Report.objects.get(reference=reference)


@pytest.mark.date_sensitive
def test_the_full_workflow_from_new_to_resolved_is_audited_public_and_mailed(
    login,
    reports_demo: Municipality,
    coordinator: User,
    police_officer: User,
    crew_member: User,
    django_capture_on_commit_callbacks,
) -> None:
    report = _report("EX-LJU-K1")
    Report.objects.filter(pk=report.pk).update(reporter_email="ada@example.se")
    crew = Party.objects.get(municipality=reports_demo, kind=Party.Kind.MUNICIPALITY)
    base = f"/personal/felanmalan/{report.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        assigned = login(coordinator).post(f"{base}tilldela/", {"party": crew.pk, "user": crew_member.pk})
    assert assigned.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.RECEIVED and report.assigned_user == crew_member

    with django_capture_on_commit_callbacks(execute=True):
        numbered = login(police_officer).post(
            f"{base}andra/", {"police_report_number": "5000-K1-24", "note": ""}
        )
    assert numbered.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.POLICE_REPORTED and report.police_reported_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        resolved = login(crew_member).post(
            f"{base}andra/", {"state": "resolved", "note": "Klottret är borttaget."}
        )
    assert resolved.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.RESOLVED and report.resolved_at is not None

    history = [(event.state_to, event.note) for event in report.events.all()]
    assert history[-1] == ("resolved", "Klottret är borttaget.")
    assert ("police_reported", "") in history
    audits = AuditEntry.objects.filter(model="reports.report", object_id=str(report.pk)).order_by("at", "pk")
    assert [entry.actor for entry in audits] == [coordinator, police_officer, crew_member]
    assert audits.last().changes["state"] == ["police_reported", "resolved"]  # type: ignore[union-attr]
    assert len(mail.outbox) == 3
    assert all(message.to == ["ada@example.se"] for message in mail.outbox)
    assert "åtgärdad" in mail.outbox[-1].subject

    public = Client().get(report.get_absolute_url()).content.decode()
    assert "Klottret är borttaget." in public and "5000-K1-24" not in public
    assert crew_member.username not in public


def test_not_the_municipalitys_responsibility_needs_a_public_reason(
    login, reports_demo: Municipality, coordinator: User
) -> None:
    report = _report("EX-LJU-B1")
    client = login(coordinator)

    refused = client.post(
        f"/personal/felanmalan/{report.pk}/andra/", {"state": "not_responsible", "note": ""}
    )
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.state == Report.State.RECEIVED

    accepted = client.post(
        f"/personal/felanmalan/{report.pk}/andra/", {"state": "not_responsible", "note": "Trafikverkets väg."}
    )
    assert accepted.status_code == 302
    report.refresh_from_db()
    assert report.public_reason == "Trafikverkets väg."


def test_police_reported_needs_a_report_number(reports_demo: Municipality, coordinator: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        report_change(report=_report("EX-LJU-K1"), by=coordinator, state=Report.State.POLICE_REPORTED)


def test_viewing_the_reporters_contact_data_is_audited_as_a_view(
    login, reports_demo: Municipality, coordinator: User
) -> None:
    report = _report("EX-LJU-K1")
    Report.objects.filter(pk=report.pk).update(reporter_name="Ada A", reporter_email="ada@example.se")
    client = login(coordinator)

    detail = client.get(f"/personal/felanmalan/{report.pk}/").content.decode()
    assert "ada@example.se" not in detail
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).exists()

    shown = client.post(f"/personal/felanmalan/{report.pk}/kontakt/").content.decode()
    assert "ada@example.se" in shown
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW)
    assert entry.actor == coordinator and entry.object_id == str(report.pk)
    assert "ada@example.se" not in json.dumps(entry.changes)


def test_staff_of_another_municipality_get_404_for_its_reports(
    login, reports_demo: Municipality, outsider: User
) -> None:
    report = _report("EX-LJU-K1")
    client = login(outsider)

    assert client.get(f"/personal/felanmalan/{report.pk}/").status_code == 404
    assert client.post(f"/personal/felanmalan/{report.pk}/andra/", {"state": "resolved"}).status_code == 404
    assert client.post(f"/personal/felanmalan/{report.pk}/kontakt/").status_code == 404
    assert "EX-LJU-K1" not in client.get("/personal/felanmalan/").content.decode()
    client.post("/personal/felanmalan/massandring/", {"reports": [report.pk], "state": "resolved"})
    report.refresh_from_db()
    assert report.state == Report.State.NEW


def test_a_police_officer_may_enter_the_number_but_not_close_a_report(
    login, reports_demo: Municipality, police_officer: User
) -> None:
    report = _report("EX-LJU-K1")

    response = login(police_officer).post(
        f"/personal/felanmalan/{report.pk}/andra/", {"state": "resolved", "note": ""}
    )

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == Report.State.NEW


def test_a_crew_member_cannot_assign_reports_or_use_bulk_actions(
    login, reports_demo: Municipality, crew_member: User
) -> None:
    report = _report("EX-LJU-K1")
    client = login(crew_member)
    crew = Party.objects.get(municipality=reports_demo, kind=Party.Kind.MUNICIPALITY)

    assert client.post(f"/personal/felanmalan/{report.pk}/tilldela/", {"party": crew.pk}).status_code == 403
    bulk = client.post("/personal/felanmalan/massandring/", {"reports": [report.pk], "state": "received"})
    assert bulk.status_code == 403
    report.refresh_from_db()
    assert report.state == Report.State.NEW and report.assigned_party is None


def test_a_police_officer_cannot_see_the_reporters_contact_data(
    login, reports_demo: Municipality, police_officer: User
) -> None:
    report = _report("EX-LJU-K1")
    Report.objects.filter(pk=report.pk).update(reporter_email="ada@example.se")

    assert login(police_officer).post(f"/personal/felanmalan/{report.pk}/kontakt/").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW).exists()


@pytest.mark.date_sensitive
def test_bulk_actions_change_every_chosen_report_with_its_own_history(
    login, reports_demo: Municipality, coordinator: User
) -> None:
    chosen = [_report("EX-LJU-K1"), _report("EX-LJU-N1")]

    response = login(coordinator).post(
        "/personal/felanmalan/massandring/",
        {"reports": [r.pk for r in chosen], "state": "received", "note": "Vi har tagit emot ärendet."},
    )

    assert response.status_code == 302
    for report in chosen:
        report.refresh_from_db()
        assert report.state == Report.State.RECEIVED
        assert report.events.last().note == "Vi har tagit emot ärendet."  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(model="reports.report", actor=coordinator).count() == 2


@pytest.mark.date_sensitive
def test_overdue_reports_stand_out_in_the_list_in_words(
    login, reports_demo: Municipality, coordinator: User
) -> None:
    Report.objects.filter(reference="EX-LJU-B1").update(due_at=timezone.now() - dt.timedelta(days=1))
    Report.objects.filter(reference="EX-LJU-K1").update(due_at=timezone.now() + dt.timedelta(days=1))

    page = login(coordinator).get("/personal/felanmalan/?overdue=on&state=open").content.decode()

    assert "EX-LJU-B1" in page and "Försenad" in page
    assert "EX-LJU-K1" not in page


@pytest.mark.date_sensitive
def test_offensive_graffiti_is_due_in_24_hours_and_other_graffiti_in_5_working_days(
    reports_demo: Municipality,
) -> None:
    offensive, ordinary = _report("EX-LJU-K2"), _report("EX-LJU-K1")

    assert offensive.due_at - offensive.created_at == dt.timedelta(hours=24)
    assert ordinary.due_at - ordinary.created_at >= dt.timedelta(days=5)


def test_the_staff_list_query_count_does_not_grow_with_its_rows(
    login, reports_demo: Municipality, coordinator: User, django_assert_max_num_queries
) -> None:
    client = login(coordinator)
    client.get("/personal/felanmalan/?state=")
    with django_assert_max_num_queries(20):
        client.get("/personal/felanmalan/?state=")
    for report in Report.objects.all()[:5]:
        report.pk = None
        report.reference += "X"
        report.submission_id = None
        report.save()
    with django_assert_max_num_queries(20):
        assert client.get("/personal/felanmalan/?state=").content.decode().count("EX-LJU-") >= 18


def test_staff_pages_need_a_verified_login(client: Client, reports_demo: Municipality) -> None:
    assert client.get("/personal/felanmalan/").status_code == 302


@pytest.mark.date_sensitive
def test_activity_metrics_count_police_reported_share_and_median_days_per_month(
    reports_demo: Municipality, coordinator: User
) -> None:
    activity = Activity.objects.get(text__startswith="All skadegörelse anmäls")
    category = ReportCategory.objects.get(municipality=reports_demo, slug="skadegorelse")
    assert activity in category.activities.all()
    Report.objects.filter(category=category).update(created_at=dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC))
    s2 = _report("EX-LJU-S2")
    Report.objects.filter(pk=s2.pk).update(resolved_at=dt.datetime(2024, 3, 9, 12, tzinfo=dt.UTC))

    metrics = activity_report_metrics(activity)

    assert len(metrics) == 1
    month = metrics[0]
    assert month.month == dt.date(2024, 3, 1)
    assert (month.reports, month.police_reported) == (3, 2)
    assert month.police_share == pytest.approx(2 / 3)
    assert (month.resolved, month.median_days_to_resolved) == (1, 4.0)


def test_the_metrics_page_shows_a_table_with_caption(
    login, reports_demo: Municipality, coordinator: User
) -> None:
    activity = Activity.objects.get(text__startswith="All skadegörelse anmäls")
    client = login(coordinator)

    assert activity.text in client.get("/personal/felanmalan/uppfoljning/").content.decode()
    page = client.get(f"/personal/felanmalan/uppfoljning/{activity.pk}/").content.decode()
    assert "<caption>" in page and "Andel polisanmälda" in page


def test_the_hot_cell_layer_is_geojson_of_cells_for_staff_only(
    login, reports_demo: Municipality, coordinator: User, outsider: User
) -> None:
    # A cluster at Ljungbyporten among reports spread over the town makes its cell hot.
    base = _report("EX-LJU-K1")
    for n in range(12):
        base.pk = None
        base.reference = f"HOT-{n}"
        base.submission_id = None
        base.save()
    url = "/personal/felanmalan/hotspots.geojson?municipality=ljungby&cell=250"

    data = json.loads(login(coordinator).get(url).content)

    assert data["type"] == "FeatureCollection" and data["features"]
    assert data["features"][0]["geometry"]["type"] == "Polygon"
    assert data["features"][0]["properties"]["z"] >= 1.96
    page = (
        login(coordinator)
        .get("/personal/felanmalan/hotspots/?municipality=ljungby&cell=250")
        .content.decode()
    )
    assert "<caption>" in page
    assert login(outsider).get(url).status_code == 400


@pytest.mark.date_sensitive
def test_the_privacy_source_exports_erases_and_purges_reporter_contact_data(
    reports_demo: Municipality,
) -> None:
    from trygg.reports.models import ReportFollower
    from trygg.reports.privacy import ReportContactSource

    source = ReportContactSource()
    Report.objects.filter(reference="EX-LJU-K1").update(reporter_name="Ada", reporter_email="ada@example.se")
    Report.objects.filter(reference="EX-LJU-S2").update(reporter_email="bo@example.se")
    ReportFollower.objects.create(report=Report.objects.get(reference="EX-LJU-B1"), email="ada@example.se")

    assert {row["report"] for row in source.export(email="ADA@example.se")} == {"EX-LJU-K1", "EX-LJU-B1"}
    assert source.erase(email="ada@example.se") == 2
    assert _report("EX-LJU-K1").reporter_email == "" and not ReportFollower.objects.exists()

    source.purge(now=timezone.now() + dt.timedelta(days=400))
    assert _report("EX-LJU-S2").reporter_email == ""
