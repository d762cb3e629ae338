import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import html5lib
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from trygg.followup.models import Execution, ExecutionRevision, PlannedDate
from trygg.promises.models import Activity, Promise

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

STOCKHOLM = ZoneInfo("Europe/Stockholm")

ATOM = "{http://www.w3.org/2005/Atom}"


def _parse(content: bytes) -> object:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _add_executions(activities, per_activity: int) -> None:
    Execution.objects.bulk_create(
        Execution(
            activity=activity, done_on=dt.date(2023, 1, 1) + dt.timedelta(days=n), description=f"Gjort {n}"
        )
        for activity in activities
        for n in range(per_activity)
    )


# ---------------------------------------------------------------------------------- public pages


@time_machine.travel(dt.datetime(2023, 12, 20, 12, tzinfo=STOCKHOLM), tick=False)
def test_a_running_promise_page_shows_each_status_in_words_progress_and_dated_executions(
    client, demo_followup
):
    response = client.get(demo_followup.get_absolute_url())
    page = _text(response)

    assert response.status_code == 200
    for label in [
        "Genomförd",
        "Delvis genomförd",
        "Ej genomförd",
        "Pågår enligt plan",
        "Försenad",
        "Ej påbörjad",
        "Ej bedömd",
        "Inställd",
    ]:
        assert f">{label}</span>" in page
    assert "Läget den 20 december 2023" in page and "Slutrapport" not in page
    assert "4 av 4 mätningar" in page
    assert "1 av 2 trygghetsvandringar" in page
    assert "20 sep 2023: Trygghetsvandring i Ryssby." in page  # the promise page's short dated line
    assert "Länsstyrelsen kunde inte delta under 2023" in page  # the cancellation's reason is public
    assert 'class="example-data">Exempeldata</span>' in page
    assert "aktiviteter genomförda" in page  # the promise's and the focus areas' summaries
    document = _parse(response.content)
    assert len(document.findall(".//h1")) == 1  # type: ignore[attr-defined]


def test_the_promise_page_lists_the_latest_executions_and_links_to_the_rest(client, demo_followup):
    activity = Activity.objects.get(focus_area__promise=demo_followup, text__contains="avloppsvattnet")

    page = _text(client.get(demo_followup.get_absolute_url()))
    activity_page = client.get(activity.get_absolute_url())

    row = page.split(f'id="aktivitet-{activity.pk}"')[1].split('<li id="aktivitet-')[0].split("</section>")[0]
    assert "21 nov 2023" in row and "14 mar 2023" not in row
    # Written relative to the promise page, as the browser follows it: the activity page's list of all.
    assert (
        f'href="{activity.get_absolute_url().removeprefix(demo_followup.get_absolute_url())}#utforanden">'
        in row
    )
    assert ">Se alla 4 utföranden</a>" in row
    assert activity_page.status_code == 200
    assert "14 mars 2023" in activity_page.content.decode()
    _parse(activity_page.content)


def test_the_focus_area_page_shows_its_summary_and_statuses(client, demo_followup):
    focus_area = demo_followup.focus_areas.get(slug="inbrott-pa-landsbygden")

    response = client.get(focus_area.get_absolute_url())

    assert "av 5 aktiviteter genomförda" in _text(response)
    assert ">Inställd</span>" in _text(response)
    _parse(response.content)


def test_the_promise_pages_query_count_does_not_grow_with_executions(client, demo_followup):
    activities = list(Activity.objects.filter(focus_area__promise=demo_followup))
    url = demo_followup.get_absolute_url()
    _add_executions(activities, 2)
    client.get(url)  # warm-up: the first request also fills caches
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    _add_executions(activities, 20)

    with CaptureQueriesContext(connection) as after:
        response = client.get(url)

    assert response.status_code == 200
    assert len(after) == len(before)
    assert len(after) <= 17


def test_the_activity_pages_query_count_does_not_grow_with_executions(client, demo_followup):
    activity = Activity.objects.get(focus_area__promise=demo_followup, text__contains="avloppsvattnet")
    _add_executions([activity], 2)
    client.get(activity.get_absolute_url())  # warm-up: the first request also fills caches
    with CaptureQueriesContext(connection) as before:
        client.get(activity.get_absolute_url())
    _add_executions([activity], 40)

    with CaptureQueriesContext(connection) as after:
        client.get(activity.get_absolute_url())

    assert len(after) == len(before)


def test_the_how_we_follow_up_page_explains_every_status(client, db):
    response = client.get(reverse("followup:explained"))

    page = _text(response)
    for label in [
        "Genomförd",
        "Pågår enligt plan",
        "Ej påbörjad",
        "Försenad",
        "Delvis genomförd",
        "Ej genomförd",
        "Ej bedömd",
        "Inställd",
    ]:
        assert label in page
    _parse(response.content)


def test_the_timeline_lists_executions_and_status_changes_newest_first(client, demo_followup):
    response = client.get(reverse("followup:timeline", args=["ljungby", "2023"]))
    page = _text(response)

    assert response.status_code == 200
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', page)
    assert dates == sorted(dates, reverse=True)
    assert "Trygghetsvandring i Ryssby." in page
    assert "Ny status" in page
    _parse(response.content)


def test_the_atom_feed_is_well_formed_xml_with_one_entry_per_event(client, demo_followup):
    response = client.get(reverse("followup:feed", args=["ljungby", "2023"]))

    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert entries
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(ids) == len(set(ids))
    assert any("Trygghetsvandring i Ryssby" in (entry.findtext(f"{ATOM}title") or "") for entry in entries)


def test_the_calendar_feed_holds_the_planned_dates(client, demo_followup):
    response = client.get(reverse("followup:calendar", args=["ljungby", "2023"]))

    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == PlannedDate.objects.count() == 4
    assert {event.decoded("dtstart") for event in events} >= {dt.date(2023, 3, 14), dt.date(2023, 9, 20)}
    assert all(str(event["uid"]).startswith("planerat-") for event in events)


# ------------------------------------------------------------------------------------ report card


def test_the_report_card_shows_the_state_as_of_the_date_with_a_chart_and_its_table(client, demo_followup):
    response = client.get(reverse("followup:report", args=["ljungby", "2023"]) + "?datum=2023-06-30")
    page = _text(response)

    assert response.status_code == 200
    assert "Det här är läget den 30 juni 2023." in page
    assert "2 av 4 mätningar" in page  # March and June, not September and November
    assert "Trygghetsvandring i Ryssby" not in page
    assert "diagram.svg?datum=2023-06-30" in page
    document = _parse(response.content)
    table = document.find(".//table")  # type: ignore[attr-defined]
    assert table.find("caption") is not None
    assert table.findall(".//th[@scope='col']") and table.findall(".//th[@scope='row']")


def test_the_report_chart_is_an_svg_with_its_text_as_text(client, demo_followup):
    response = client.get(reverse("followup:report_chart", args=["ljungby", "2023"]) + "?datum=2023-12-31")

    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag.endswith("svg")
    assert "Klotter och skadegörelse" in response.content.decode()


def test_the_report_card_pdf_holds_the_activity_texts(client, demo_followup):
    response = client.get(reverse("followup:report_pdf", args=["ljungby", "2023"]) + "?datum=2023-12-31")

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Uppföljningsrapport" in text
    for activity in Activity.objects.filter(focus_area__promise=demo_followup):
        assert activity.text[:40] in text, activity.text
    assert "4 av 4 mätningar" in text


def test_a_report_date_that_is_not_a_date_is_a_bad_request(client, demo_followup):
    url = reverse("followup:report", args=["ljungby", "2023"])

    response = client.get(url + "?datum=31/12")

    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert (
        client.get(reverse("followup:report_pdf", args=["ljungby", "2023"]) + "?datum=x").status_code == 400
    )


def test_a_draft_promise_has_no_public_report_or_feeds(client, demo_followup):
    Promise.objects.filter(pk=demo_followup.pk).update(status=Promise.Status.DRAFT)

    for name in ["report", "report_pdf", "timeline", "feed", "calendar", "export_json"]:
        assert client.get(reverse(f"followup:{name}", args=["ljungby", "2023"])).status_code == 404


def test_the_exports_hold_activities_and_executions(client, demo_followup):
    activities = client.get(
        reverse("followup:export_activities", args=["ljungby", "2023"]) + "?datum=2023-12-31"
    )
    executions = client.get(
        reverse("followup:export_executions", args=["ljungby", "2023"]) + "?datum=2023-12-31"
    )
    data = json.loads(
        client.get(reverse("followup:export_json", args=["ljungby", "2023"]) + "?datum=2023-12-31").content
    )

    rows = list(csv.DictReader(io.StringIO(activities.content.decode())))
    assert len(rows) == 19
    sewage = next(row for row in rows if "avloppsvattnet" in row["activity"])
    assert (sewage["target"], sewage["done"], sewage["status"]) == ("4", "4", "done")
    assert len(list(csv.DictReader(io.StringIO(executions.content.decode())))) == Execution.objects.count()
    assert len(data["activities"]) == 19 and len(data["executions"]) == Execution.objects.count()


# ------------------------------------------------------------------------------------ staff pages


def _record_url(activity):
    return reverse("followup:record", args=[activity.pk])


RECORD = {"done_on": "2023-03-14", "description": "Prov taget.", "count": "1"}


def test_my_activities_lists_the_users_own_activities(login, police_officer, promise):
    Promise.objects.filter(pk=promise.pk).update(valid_until=dt.date(2099, 12, 31))

    response = login(police_officer).get(reverse("followup:my_activities"))

    page = _text(response)
    assert response.status_code == 200
    assert "Centrumföreningen" in page
    assert "avloppsvattnet" not in page  # the kommun's, not the police's


def test_the_responsible_partys_staff_record_an_execution(login, police_officer, police_activity):
    response = login(police_officer).post(_record_url(police_activity), RECORD)

    assert response.status_code == 302
    assert Execution.objects.get().recorded_by == police_officer


def _form_submission_id(client, activity) -> str:
    page = client.get(reverse("followup:staff_activity", args=[activity.pk])).content.decode()
    found = re.search(r'<input type="hidden" name="submission_id" value="([0-9a-f-]{36})"', page)
    assert found is not None
    return found.group(1)


def test_the_same_record_form_posted_twice_records_one_execution_and_a_new_form_another(
    login, police_officer, police_activity
):
    client = login(police_officer)
    submission = {**RECORD, "submission_id": _form_submission_id(client, police_activity)}

    first = client.post(_record_url(police_activity), submission)
    again = client.post(_record_url(police_activity), submission)

    assert first.status_code == again.status_code == 302
    assert Execution.objects.count() == 1
    next_form = _form_submission_id(client, police_activity)
    assert next_form != submission["submission_id"]
    client.post(_record_url(police_activity), {**RECORD, "submission_id": next_form})
    assert Execution.objects.count() == 2


def test_a_refused_record_form_keeps_its_submission_id_so_the_corrected_post_records_once(
    login, police_officer, police_activity
):
    client = login(police_officer)
    submission_id = _form_submission_id(client, police_activity)

    refused = client.post(
        _record_url(police_activity), {**RECORD, "description": "", "submission_id": submission_id}
    )

    assert refused.status_code == 400
    assert f'value="{submission_id}"' in refused.content.decode()
    for _ in range(2):
        client.post(_record_url(police_activity), {**RECORD, "submission_id": submission_id})
    assert Execution.objects.count() == 1


def test_another_partys_staff_get_403_and_nothing_changes(login, crew_member, police_activity):
    client = login(crew_member)

    assert client.post(_record_url(police_activity), RECORD).status_code == 403
    assert (
        client.post(reverse("followup:cancel", args=[police_activity.pk]), {"cancel-reason": "x"}).status_code
        == 403
    )
    assert not Execution.objects.exists()
    assert client.get(reverse("followup:staff_activity", args=[police_activity.pk])).status_code == 200


def test_staff_of_another_municipality_get_404(login, outsider, police_activity):
    client = login(outsider)

    assert client.get(reverse("followup:staff_activity", args=[police_activity.pk])).status_code == 404
    assert client.post(_record_url(police_activity), RECORD).status_code == 404
    assert not Execution.objects.exists()


def test_a_correction_of_another_municipalitys_execution_is_404_and_of_another_party_403(
    login, outsider, crew_member, coordinator, police_activity
):
    login(coordinator).post(_record_url(police_activity), RECORD)
    execution = Execution.objects.get()
    url = reverse("followup:correct", args=[execution.pk])
    data = {**RECORD, "count": "7", "reason": "fel"}

    assert login(outsider).post(url, data).status_code == 404
    assert login(crew_member).post(url, data).status_code == 403
    execution.refresh_from_db()
    assert execution.count == 1 and not ExecutionRevision.objects.exists()


def test_a_correction_through_the_page_keeps_history(login, coordinator, police_activity):
    client = login(coordinator)
    client.post(_record_url(police_activity), RECORD)
    execution = Execution.objects.get()

    response = client.post(
        reverse("followup:correct", args=[execution.pk]), {**RECORD, "count": "2", "reason": "Två möten."}
    )

    assert response.status_code == 302
    revision = ExecutionRevision.objects.get()
    assert (revision.before["count"], revision.after["count"], revision.reason) == (1, 2, "Två möten.")
    page = _text(client.get(reverse("followup:staff_activity", args=[police_activity.pk])))
    assert "Två möten." in page


def test_an_invalid_execution_shows_an_error_summary_and_keeps_the_input(
    login, police_officer, police_activity
):
    response = login(police_officer).post(
        _record_url(police_activity), {"done_on": "", "description": "Möte med föreningen", "count": "0"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in page
    assert "Möte med föreningen" in page
    assert not Execution.objects.exists()


def test_staff_pages_need_a_login(client, police_activity):
    response = client.get(reverse("followup:my_activities"))

    assert response.status_code == 302
    assert client.post(_record_url(police_activity), RECORD).status_code == 302
    assert not Execution.objects.exists()


# ----------------------------------------------------------------- formats checked by other implementations


def test_the_timeline_feed_is_valid_atom_and_every_title_names_its_activity(client, demo_followup, settings):
    from trygg.core.tests.formats import assert_atom_rfc4287

    settings.SITE_URL = "https://trygg.example.se"
    settings.ALLOWED_HOSTS = ["testserver", "annat-namn.example"]

    response = client.get(reverse("followup:feed", args=["ljungby", "2023"]), HTTP_HOST="annat-namn.example")

    entries = assert_atom_rfc4287(response.content)
    activities = [
        activity.text[:30] for activity in Activity.objects.filter(focus_area__promise=demo_followup)
    ]
    assert entries
    for entry in entries:
        assert any(text in entry.title for text in activities), entry.title
        assert entry.link.startswith("https://trygg.example.se/")
    assert not [entry for entry in entries if entry.title.startswith("Ny status:")]
    assert "annat-namn" not in response.content.decode()


def test_the_calendar_takes_uids_and_links_from_the_site_address_not_the_host_header(
    client, demo_followup, settings
):
    import vobject

    settings.SITE_URL = "https://trygg.example.se"
    settings.ALLOWED_HOSTS = ["testserver", "annat-namn.example"]

    response = client.get(
        reverse("followup:calendar", args=["ljungby", "2023"]), HTTP_HOST="annat-namn.example"
    )

    calendar = vobject.readOne(response.content.decode())
    events = calendar.vevent_list
    assert len(events) == PlannedDate.objects.count()
    for event in events:
        assert event.uid.value.endswith("@trygg.example.se")
        assert event.url.value.startswith("https://trygg.example.se/")
        assert event.dtstamp.value is not None
    assert "annat-namn" not in response.content.decode()


def test_the_report_card_pdf_is_tagged_pdf_ua(client, demo_followup, settings):
    from trygg.core.tests.formats import assert_pdf_ua

    settings.SITE_URL = "https://trygg.example.se"
    response = client.get(reverse("followup:report_pdf", args=["ljungby", "2023"]) + "?datum=2023-12-31")

    types = assert_pdf_ua(response.content, title="Uppföljningsrapport")
    assert "/Figure" in types  # the chart, with its alternative text


def test_formula_text_in_an_execution_is_neutralised_in_the_csv_exports(client, demo_followup):
    execution = Execution.objects.filter(activity__focus_area__promise=demo_followup).first()
    assert execution is not None
    Execution.objects.filter(pk=execution.pk).update(
        description='=HYPERLINK("http://x.se","Läs")', place="@SUM(A1)"
    )
    url = reverse("followup:export_executions", args=["ljungby", "2023"]) + "?datum=2023-12-31"

    plain = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    excel_body = client.get(url + "&excel=1").content.decode()
    excel = list(csv.DictReader(io.StringIO(excel_body.removeprefix("\ufeff")), delimiter=";"))

    for rows in (plain, excel):
        row = next(row for row in rows if row["execution_id"] == str(execution.pk))
        assert row["description"] == '\'=HYPERLINK("http://x.se","Läs")'
        assert row["place"] == "'@SUM(A1)"
    assert excel_body.startswith("\ufeff")
