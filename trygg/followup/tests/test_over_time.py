"""The truth over time (issue 16): ended promises get a verdict, every date means what it says.

Each test sets the clock itself (the demo is loaded under it), so it tells the same on any day the suite runs.
"""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Q
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trygg.demo.followup import load_current_followup_demo, load_followup_demo
from trygg.demo.services import DemoResult, demo_load
from trygg.followup import services
from trygg.followup.models import Assessment, Execution
from trygg.followup.selectors import activities_progress
from trygg.followup.status import Status
from trygg.indicators.models import Indicator
from trygg.indicators.services import measurement_record
from trygg.meetings.models import Meeting, MeetingActivity
from trygg.meetings.services import meeting_record_held
from trygg.municipalities.models import Party
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.reports.models import Report, ReportCategory

# Every test here sets the clock itself (the `ljungby` fixture), so the frozen passes of `make test` would add
# nothing: they are not marked date_sensitive.
pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 12, 6, 10, tzinfo=STOCKHOLM)
RUNNING_WORDS = ["Pågår enligt plan", "Försenad", "Ej påbörjad", "Ej bedömd"]


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _main(response) -> str:
    """The page's main content as text: the footer's advice on crimes in progress is not a status."""
    html = response.content.decode()
    main = html[html.index('<main id="main"') : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def ljungby(time_machine, db) -> DemoResult:
    """The demo as loaded on 6 December 2026: the 2023 promise with its follow-up, the 2026 one running."""
    time_machine.move_to(NOW, tick=False)
    result = demo_load(now=NOW)
    load_followup_demo(result.promise)
    assert result.current_promise is not None
    load_current_followup_demo(result.current_promise, today=NOW.date())
    return result


@pytest.fixture
def coordinator_2026(ljungby, make_staff):
    user = make_staff(ljungby.municipality, "samordnaren", "coordinator", "municipality")
    user.email = "samordnaren@example.org"
    user.save(update_fields=["email"])
    return user


def _activity(promise: Promise, words: str) -> Activity:
    return Activity.objects.select_related("focus_area__promise").get(
        focus_area__promise=promise, text__contains=words
    )


# ------------------------------------------------------------------------------ after the period


def test_three_years_on_the_2023_page_leads_with_its_verdict_and_shows_no_running_status(client, ljungby):
    response = client.get("/ljungby/2023/")
    main = _main(response)

    assert response.status_code == 200
    assert "Slutrapport: 8 av 19 genomförda, 4 delvis, 3 ej genomförda, 3 ej slutbedömda, 1 inställd." in main
    assert main.index("Slutrapport") < main.index("Klotter och skadegörelse")
    for word in RUNNING_WORDS:
        assert word not in main
    assert "pågår" not in main.lower()
    assert "Ej slutbedömd" in main and "Avslutat" in main


def test_the_verdict_bar_carries_its_numbers_and_words_as_text(client, ljungby):
    html = client.get("/ljungby/2023/").content.decode()
    bar = html[
        html.index('<ol class="verdict-bar"') : html.index("</ol>", html.index('<ol class="verdict-bar"'))
    ]

    segments = re.findall(r'class="verdict-segment status-(\w+) w-(\d+)">(.*?)</li>', bar)
    assert [value for value, _width, _text in segments] == [
        "done",
        "partly_done",
        "not_done",
        "not_finally_assessed",
        "cancelled",
    ]
    assert sum(int(width) for _value, width, _text in segments) == 100
    words = [re.sub(r"<[^>]+>", "", text).strip() for _value, _width, text in segments]
    assert words == ["8 genomförd", "4 delvis genomförd", "3 ej genomförd", "3 ej slutbedömd", "1 inställd"]
    assert 'style="' not in bar  # the page's CSP allows no inline styles


def test_an_ended_promises_report_card_opens_at_the_periods_end_with_today_one_click_away(client, ljungby):
    url = reverse("followup:report", args=["ljungby", "2023"])

    response = client.get(url)
    page = _text(response)

    assert response.status_code == 200
    assert "Läget vid periodens slut, 31 december 2023" in page
    assert "Det här är läget när löftets tid tog slut den 31 december 2023." in page
    assert "Slutrapport: 8 av 19 genomförda" in page
    for word in RUNNING_WORDS:
        assert word not in _main(response)
    assert 'href="?datum=2026-12-06"' in response.content.decode()

    today = client.get(url + "?datum=2026-12-06")
    assert "Läget den 6 december 2026" in _text(today)
    assert f'href="{url}"' in today.content.decode()  # and back to the period's end


def test_the_report_at_the_periods_end_counts_only_what_was_done_by_then(client, ljungby):
    sewage = _activity(ljungby.promise, "avloppsvattnet")
    Execution.objects.filter(activity=sewage, done_on=dt.date(2023, 11, 21)).delete()

    page = _text(client.get(reverse("followup:report", args=["ljungby", "2023"])))

    assert "3 av 4 mätningar" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?datum=2019-01-01", "Löftet började gälla 1 januari 2023. Välj ett datum från och med den dagen."),
        ("?datum=2022-12-31", "Löftet började gälla 1 januari 2023."),
        ("?datum=2026-12-07", "Det datumet har inte kommit än."),
    ],
)
def test_a_report_before_the_promise_began_or_in_the_future_does_not_exist_and_says_why(
    client, ljungby, query, message
):
    response = client.get(reverse("followup:report", args=["ljungby", "2023"]) + query)

    assert response.status_code == 404
    assert message in _text(response)
    assert "aktiviteter har inte börjat än" not in _text(response)
    for name in ["report_pdf", "report_chart", "export_activities", "export_executions", "export_json"]:
        assert client.get(reverse(f"followup:{name}", args=["ljungby", "2023"]) + query).status_code == 404


def test_the_report_date_field_offers_only_days_with_data(client, ljungby):
    html = client.get(reverse("followup:report", args=["ljungby", "2023"])).content.decode()

    assert 'min="2023-01-01"' in html and 'max="2026-12-06"' in html


def test_a_coming_promise_is_kommande_shows_no_statuses_and_has_no_report_yet(client, ljungby):
    coming = Promise.objects.create(
        municipality=ljungby.municipality,
        slug="2027",
        title="Medborgarlöfte 2027",
        valid_from=dt.date(2027, 1, 1),
        valid_until=dt.date(2027, 12, 31),
        status=Promise.Status.PUBLISHED,
    )
    focus_area = FocusArea.objects.create(promise=coming, title="Klotter", slug="klotter")
    Activity.objects.create(focus_area=focus_area, text="Kommunen sanerar klotter.")

    page = _main(client.get(coming.get_absolute_url()))
    report = client.get(reverse("followup:report", args=["ljungby", "2027"]))

    assert "Kommande" in page and "Löftet börjar gälla 1 januari 2027" in page
    for word in [*RUNNING_WORDS, "Slutrapport", "genomförda"]:
        assert word not in page
    assert report.status_code == 404
    assert "Löftet börjar gälla 1 januari 2027. Det finns ingen uppföljning förrän då." in _text(report)


# ---------------------------------------------------------------------------- the municipality page


def _lead(response) -> str:
    main = _main(response)
    start = main.index("Medborgarlöften i Ljungby kommun")
    end = min(main.find(marker, start) % len(main) for marker in ["Kommande löften", "Mer om tryggheten"])
    return main[start:end]


def test_the_municipality_page_leads_with_the_current_promise_and_lists_earlier_years_with_their_verdict(
    client, ljungby
):
    response = client.get("/ljungby/")
    lead = _lead(response)

    assert "Gäller nu" in lead and "Medborgarlöfte 2026" in lead
    assert "Medborgarlöfte 2023" not in lead
    earlier = _main(response).split("Tidigare år", 1)[1]
    assert "Medborgarlöfte 2023" in earlier and "Slutrapport: 8 av 19 genomförda" in earlier


def test_without_a_current_promise_the_page_leads_with_the_latest_ended_one_and_its_verdict(client, ljungby):
    Promise.objects.filter(pk=ljungby.current_promise.pk).delete()

    lead = _lead(client.get("/ljungby/"))

    assert "Medborgarlöfte 2023" in lead
    assert "Slutrapport: 8 av 19 genomförda, 4 delvis, 3 ej genomförda, 3 ej slutbedömda, 1 inställd." in lead
    assert "Det finns inget publicerat löfte" not in lead


def _promise(ljungby: DemoResult, year: int, status: str = Promise.Status.PUBLISHED) -> Promise:
    return Promise.objects.create(
        municipality=ljungby.municipality,
        slug=str(year),
        title=f"Medborgarlöfte {year} (test)",
        valid_from=dt.date(year, 1, 1),
        valid_until=dt.date(year, 12, 31),
        status=status,
    )


def test_coming_promises_are_kommande_not_current_and_drafts_are_never_named(client, ljungby):
    _promise(ljungby, 2027)
    _promise(ljungby, 2028)
    _promise(ljungby, 2029, Promise.Status.DRAFT)

    response = client.get("/ljungby/")
    main = _main(response)

    assert "Gäller nu" in _lead(response) and "Medborgarlöfte 2027" not in _lead(response)
    coming = main.split("Kommande löften", 1)[1].split("Mer om tryggheten", 1)[0]
    assert "Medborgarlöfte 2027 (test)" in coming and "Medborgarlöfte 2028 (test)" in coming
    assert "Aktuella löften" not in main
    assert "2029" not in response.content.decode()


def test_with_only_coming_promises_the_page_leads_with_the_first(client, ljungby):
    Promise.objects.filter(municipality=ljungby.municipality).delete()
    _promise(ljungby, 2028)
    _promise(ljungby, 2027)

    lead = _lead(client.get("/ljungby/"))

    assert "Kommande" in lead and "Medborgarlöfte 2027 (test)" in lead and "2028" not in lead


def test_the_municipality_pages_queries_do_not_grow_with_promises(client, ljungby):
    client.get("/ljungby/")  # warm-up: the first request also fills caches
    with CaptureQueriesContext(connection) as before:
        client.get("/ljungby/")
    for year in range(2010, 2020):
        focus_area = FocusArea.objects.create(promise=_promise(ljungby, year), title="Område", slug="omrade")
        Activity.objects.create(focus_area=focus_area, text="Något görs.")

    with CaptureQueriesContext(connection) as after:
        response = client.get("/ljungby/")

    assert len(after) == len(before)
    assert _main(response).count("Slutrapport:") == 11  # ten old years and 2023


# ------------------------------------------------------------------------------------- timeline


def test_no_status_change_is_dated_before_the_promise_was_published(client, ljungby, time_machine):
    Promise.objects.filter(pk=ljungby.current_promise.pk).delete()
    promise = _promise(ljungby, 2026)
    Promise.objects.filter(pk=promise.pk).update(slug="nytt", published_on=dt.date(2026, 12, 6))
    focus_area = FocusArea.objects.create(promise=promise, title="Patrull", slug="patrull")
    Activity.objects.create(
        focus_area=focus_area, text="Polisen patrullerar två gånger i månaden.", quantity=2, per="month"
    )

    page = _text(client.get(reverse("followup:timeline", args=["ljungby", "nytt"])))

    assert "16 januari 2026" not in page and "januari" not in page
    assert "6 december 2026 : Ny status – Försenad" in page


def test_an_execution_recorded_late_moves_the_status_on_the_day_it_was_recorded(
    client, ljungby, coordinator_2026
):
    sewage = _activity(ljungby.current_promise, "avloppsvattnet")
    Execution.objects.filter(activity=sewage).delete()
    execution = services.execution_record(
        activity=sewage,
        by=coordinator_2026,
        done_on=dt.date(2026, 3, 1),
        description="Prov taget.",
        today=NOW.date(),
    )

    page = _text(client.get(reverse("followup:timeline", args=["ljungby", "2026"])))

    assert execution.recorded_at.date() == NOW.date()
    assert "1 mars 2026 : Utfört – Prov taget." in page  # the execution carries its own date
    assert "6 december 2026 : Ny status – Försenad" not in page
    assert "1 mars 2026 : Ny status" not in page  # nobody knew of it before 6 December
    assert "6 december 2026 : Ny status – Pågår enligt plan" not in page  # 1 of 4 by December is still behind
    assert re.search(r"2 april 2026 : Ny status – Försenad", page)


# --------------------------------------------------------------------------- the activity's period


def test_an_activity_page_shows_only_what_falls_in_its_period(client, ljungby):
    sewage = _activity(ljungby.promise, "avloppsvattnet")
    # Rows from before this rule: a 2026 sample once counted toward the 2023 activity.
    Execution.objects.create(activity=sewage, done_on=dt.date(2026, 1, 16), description="Prov januari 2026.")
    category = ReportCategory.objects.filter(
        municipality=ljungby.municipality
    ).first() or ReportCategory.objects.create(
        municipality=ljungby.municipality, slug="klotter", name="Klotter"
    )
    category.activities.add(sewage)
    Report.objects.create(
        municipality=ljungby.municipality,
        category=category,
        reference="EX-TEST-1",
        description="Klotter på skylten.",
        latitude=56.83,
        longitude=13.94,
        public_latitude=56.83,
        public_longitude=13.94,
        submission_id="6f1f7c1e-52f4-4c52-9a0e-6b7f0f3c1a21",
        created_at=dt.datetime(2026, 11, 20, 9, tzinfo=STOCKHOLM),
        due_at=dt.datetime(2026, 11, 27, 9, tzinfo=STOCKHOLM),
    )

    page = _text(client.get(sewage.get_absolute_url()))

    assert "Prov januari 2026" not in page
    assert "4 av 4 mätningar" in page
    assert "november 2026" not in page
    assert "Inga felanmälningar i de kopplade kategorierna." in page


def test_a_2026_sample_counts_toward_the_2026_activity_and_never_the_2023_one(ljungby, coordinator_2026):
    old = _activity(ljungby.promise, "avloppsvattnet")
    current = _activity(ljungby.current_promise, "avloppsvattnet")
    indicator = Indicator.objects.create(
        municipality=ljungby.municipality, name="Avloppsvatten", slug="avlopp", kind=Indicator.Kind.WASTEWATER
    )
    indicator.activities.set([old, current])
    before = Execution.objects.filter(activity=old).count()

    measurement_record(
        indicator=indicator,
        by=coordinator_2026,
        sampled_on=dt.date(2026, 1, 16),
        today=NOW.date(),
        substance="amfetamin",
        value=Decimal("12.5"),
    )

    assert Execution.objects.filter(activity=old).count() == before
    assert Execution.objects.filter(activity=current, done_on=dt.date(2026, 1, 16)).count() == 1


def test_a_meeting_held_in_2026_counts_toward_the_2026_activity_only(ljungby, coordinator_2026):
    old = _activity(ljungby.promise, "hyresvärdarna")
    focus_area = ljungby.current_promise.focus_areas.first()
    current = Activity.objects.create(
        focus_area=focus_area, text="Dialogmöte med hyresvärdarna.", quantity=1, per="year"
    )
    meeting = Meeting.objects.create(
        municipality=ljungby.municipality,
        title="Dialogmöte med hyresvärdarna 2026",
        starts_at=dt.datetime(2026, 10, 1, 15, tzinfo=STOCKHOLM),
    )
    meeting.organisers.set(Party.objects.filter(municipality=ljungby.municipality, kind="municipality"))
    for activity in (old, current):
        MeetingActivity.objects.create(meeting=meeting, activity=activity)
    before = Execution.objects.filter(activity=old).count()

    recorded = meeting_record_held(
        meeting=meeting, by=coordinator_2026, participants=9, minutes="", problems={}, today=NOW.date()
    )

    assert [execution.activity_id for execution in recorded.executions] == [current.pk]
    assert Execution.objects.filter(activity=old).count() == before


def test_an_execution_dated_outside_the_activitys_period_is_refused(ljungby, coordinator_2026):
    from django.core.exceptions import ValidationError

    old = _activity(ljungby.promise, "avloppsvattnet")

    with pytest.raises(ValidationError) as raised:
        services.execution_record(
            activity=old,
            by=coordinator_2026,
            done_on=dt.date(2026, 1, 16),
            description="Prov.",
            today=NOW.date(),
        )

    assert "utanför aktivitetens period" in str(raised.value)
    assert not Execution.objects.filter(activity=old, done_on=dt.date(2026, 1, 16)).exists()


# ----------------------------------------------------------------------------- final assessments


def test_after_the_period_staff_are_asked_for_a_final_assessment_with_a_reason(
    login, ljungby, coordinator_2026
):
    client = login(coordinator_2026)
    activity = _activity(ljungby.promise, "fri från våld")
    url = reverse("followup:staff_activity", args=[activity.pk])

    page = client.get(url).content.decode()
    mine = _text(client.get(reverse("followup:my_activities")))

    assert "Ge en slutbedömning" in page
    assert re.findall(r'<option value="(\w+)"', page.split('id="bedom"')[1]) == [
        "done",
        "partly_done",
        "not_done",
    ]
    assert "Ge en slutbedömning" in mine and "Ej slutbedömd" in mine

    refused = client.post(
        reverse("followup:assess", args=[activity.pk]),
        {"assess-status": "on_track", "assess-reason": "Pågår."},
    )
    assert refused.status_code == 400
    assert not Assessment.objects.filter(activity=activity, assessed_on=NOW.date()).exists()

    given = client.post(
        reverse("followup:assess", args=[activity.pk]),
        {"assess-status": "partly_done", "assess-reason": "Hälften av verksamheterna har arbetssättet."},
    )
    assert given.status_code == 302
    progress = activities_progress(activities=[activity], scope=Q(activity=activity), as_of=NOW.date())
    assert progress[activity.pk].status is Status.PARTLY_DONE


def test_the_final_assessment_service_refuses_an_ongoing_kind_after_the_end(ljungby, coordinator_2026):
    from django.core.exceptions import ValidationError

    activity = _activity(ljungby.promise, "fri från våld")

    with pytest.raises(ValidationError):
        services.activity_assess(
            activity=activity, by=coordinator_2026, status="delayed", reason="Sent.", today=NOW.date()
        )
    services.activity_assess(
        activity=activity, by=coordinator_2026, status="done", reason="Klart.", today=NOW.date()
    )

    assert Assessment.objects.filter(activity=activity, assessed_on=NOW.date()).get().status == "done"


def test_final_assessments_are_404_for_another_municipality_and_403_for_another_party(
    login, ljungby, outsider, make_staff
):
    activity = _activity(ljungby.promise, "fri från våld")
    police = make_staff(ljungby.municipality, "polisen", "police", "police")
    data = {"assess-status": "done", "assess-reason": "Klart."}

    assert login(outsider).post(reverse("followup:assess", args=[activity.pk]), data).status_code == 404
    assert login(police).post(reverse("followup:assess", args=[activity.pk]), data).status_code == 403
    assert not Assessment.objects.filter(activity=activity, assessed_on=NOW.date()).exists()


def test_reminders_ask_for_final_assessments_from_the_day_after_the_end(
    ljungby, coordinator_2026, time_machine
):
    promise = ljungby.current_promise
    activity = _activity(promise, "tidiga brottsförebyggande")
    activity.responsible_users.set([coordinator_2026])

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_send(today=dt.date(2026, 12, 31))
    before_end = [message.body for message in mail.outbox if "tidiga brottsförebyggande" in message.body]
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_send(today=dt.date(2027, 1, 1))
    after_end = [message.body for message in mail.outbox if "tidiga brottsförebyggande" in message.body]

    assert not any("slutbedömning" in body for body in before_end)
    assert after_end and "ge aktiviteten en slutbedömning" in after_end[0]
    assert "Ej slutbedömd".lower() in after_end[0].lower()


def test_the_status_api_tells_the_phase_the_verdict_and_which_activities_need_a_final_assessment(
    client, ljungby
):
    ended = client.get("/api/municipalities/ljungby/promises/2023/status").json()
    running = client.get("/api/municipalities/ljungby/promises/2026/status").json()

    assert ended["as_of"] == "2026-12-06" and ended["phase"] == "ended"
    assert ended["verdict"] == {
        "done": 8,
        "partly_done": 4,
        "not_done": 3,
        "not_finally_assessed": 3,
        "cancelled": 1,
        "total": 19,
    }
    waiting = sorted(item["text"][:30] for item in ended["activities"] if item["needs_final_assessment"])
    assert waiting == [
        "All skadegörelse anmäls till p",
        "Kommunen inför arbetssättet ”E",
        "Polisen gör snabba och riktade",
    ]
    assert running["phase"] == "running" and running["verdict"] is None
    assert not any(item["needs_final_assessment"] for item in running["activities"])


def test_how_we_follow_up_states_the_rule_after_the_period(client, db):
    page = _text(client.get(reverse("followup:explained")))

    assert "Ej slutbedömd" in page
    assert (
        "Efter periodens sista dag säger ”pågår enligt plan”, ”försenad” och ”ej påbörjad” inte längre något."
        in page
    )
    assert "Används aldrig efter periodens sista dag." in page
    assert "kommande" in page


def test_the_public_indicator_page_never_names_a_drafts_activity(client, ljungby):
    draft = _promise(ljungby, 2029, Promise.Status.DRAFT)
    focus_area = FocusArea.objects.create(promise=draft, title="Narkotika", slug="narkotika")
    secret = Activity.objects.create(focus_area=focus_area, text="Ett hemligt utkast om avloppsvatten.")
    indicator = Indicator.objects.create(
        municipality=ljungby.municipality, name="Avloppsvatten", slug="avlopp", kind=Indicator.Kind.WASTEWATER
    )
    indicator.activities.set([secret, _activity(ljungby.current_promise, "avloppsvattnet")])

    page = client.get("/ljungby/matningar/avlopp/").content.decode()

    assert "Ett hemligt utkast" not in page
    assert "Kommunen mäter förekomsten av droger i avloppsvattnet" in page
