import datetime as dt
import io
import re
import uuid

import html5lib
import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from trygg.meetings import services
from trygg.meetings.models import Meeting, Observation, SignUp, Task

pytestmark = pytest.mark.django_db


def _parse(content: bytes) -> object:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def test_the_calendar_shows_public_meetings_only_and_is_valid_html(client, future_meeting, home_municipality):
    closed = Meeting.objects.create(
        municipality=home_municipality,
        title="Internt samverkansmöte",
        starts_at=future_meeting.starts_at,
        is_public=False,
    )

    response = client.get(reverse("meetings:calendar", args=["ljungby"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert future_meeting.title in page
    assert closed.title not in page
    document = _parse(response.content)
    assert len(document.findall(".//h1")) == 1  # type: ignore[attr-defined]


def test_the_calendar_feed_is_valid_icalendar_with_public_meetings(
    client, future_meeting, police_meeting, home_municipality
):
    Meeting.objects.create(
        municipality=home_municipality, title="Internt", starts_at=future_meeting.starts_at, is_public=False
    )

    response = client.get(reverse("meetings:calendar_ics", args=["ljungby"]))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {future_meeting.title, police_meeting.title}
    event = events[future_meeting.title]
    assert event.decoded("dtstart") == future_meeting.starts_at.replace(microsecond=0)
    assert str(event["location"]) == "Stadshuset"
    assert str(event["uid"]).startswith(f"mote-{future_meeting.pk}@")
    assert str(calendar["version"]) == "2.0"


def test_a_closed_meeting_has_no_public_page(client, home_municipality):
    closed = Meeting.objects.create(
        municipality=home_municipality, title="Internt", starts_at=timezone.now(), is_public=False
    )

    assert client.get(reverse("meetings:meeting", args=["ljungby", closed.pk])).status_code == 404


def test_signing_up_on_the_meeting_page_stores_it_and_tells_how_long_it_is_kept(client, future_meeting):
    url = future_meeting.get_absolute_url()
    page = client.get(url).content.decode()
    assert "bara tills mötet är över" in page

    response = client.post(
        url, {"submission_id": uuid.uuid4(), "name": "Alva", "email": "alva@example.org", "count": 2}
    )

    assert response.status_code == 302
    assert SignUp.objects.get().count == 2
    assert "Tack!" in client.get(response["Location"]).content.decode()


def test_a_sign_up_with_errors_keeps_what_was_typed_and_shows_an_error_summary(client, future_meeting):
    response = client.post(
        future_meeting.get_absolute_url(),
        {"submission_id": uuid.uuid4(), "name": "Alva Andersson", "email": "inte-en-adress", "count": 9},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in page
    assert 'value="Alva Andersson"' in page
    assert 'value="inte-en-adress"' in page
    assert SignUp.objects.count() == 0
    _parse(response.content)


def test_a_sign_up_beyond_the_places_left_is_refused_with_the_number_left(client, future_meeting):
    SignUp.objects.create(meeting=future_meeting, count=4)

    response = client.post(future_meeting.get_absolute_url(), {"submission_id": uuid.uuid4(), "count": 3})

    assert response.status_code == 400
    assert "bara 1 plats kvar" in response.content.decode()
    assert SignUp.objects.count() == 1


def test_the_staff_meeting_page_of_another_municipality_is_not_found(login, outsider, future_meeting):
    client = login(outsider)

    assert client.get(reverse("meetings:staff_meeting", args=[future_meeting.pk])).status_code == 404
    response = client.post(
        reverse("meetings:staff_meeting_record", args=[future_meeting.pk]), {"participants": 3}
    )
    assert response.status_code == 404


def test_staff_who_do_not_organise_the_meeting_get_403_and_nothing_changes(
    login, crew_member, police_meeting
):
    client = login(crew_member)

    assert client.get(reverse("meetings:staff_meeting", args=[police_meeting.pk])).status_code == 200
    response = client.post(
        reverse("meetings:staff_meeting_cancel", args=[police_meeting.pk]), {"cancel-reason": "Sjuk"}
    )

    assert response.status_code == 403
    police_meeting.refresh_from_db()
    assert police_meeting.status == Meeting.Status.PLANNED


# Late in the demo promise's year, after the meeting: the planning form offers the activities of promises still
# running, and a meeting is recorded as held only once its day has passed.
@time_machine.travel(dt.datetime(2023, 11, 1, 10, tzinfo=dt.UTC), tick=False)
def test_a_coordinator_plans_a_meeting_and_records_it_held(login, coordinator, kommun, rural_dialogue):
    client = login(coordinator)
    # In 2023: a held meeting counts only toward an activity whose period holds its date.
    starts = dt.datetime(2023, 10, 10, 18, 30)

    response = client.post(
        reverse("meetings:staff_meeting_new", args=["ljungby"]),
        {
            "title": "Dialogmöte i Agunnaryd",
            "kind": "medborgardialog",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "organisers": [kommun.pk],
            "activities": [rural_dialogue.pk],
            "is_public": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(title="Dialogmöte i Agunnaryd")
    response = client.post(
        reverse("meetings:staff_meeting_record", args=[meeting.pk]),
        {"participants": 21, "minutes": "Om stölder.", "problem_inbrott-landsbygd": 12},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.activity_links.get().execution is not None
    assert meeting.raised_problems.get().mentions == 12


def test_the_observation_form_keeps_its_input_after_a_failed_submit(login, coordinator, walk):
    client = login(coordinator)
    url = reverse("meetings:staff_observation", args=[walk.pk])
    page = client.get(url).content.decode()
    assert "meetings/offline.js" in page
    assert "<script>" not in page
    submission = uuid.uuid4()

    response = client.post(
        url, {"submission_id": submission, "place": "Tunneln", "category": "", "note": "Mörkt"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Tunneln"' in page
    assert "Mörkt" in page
    assert str(submission) in page
    assert Observation.objects.count() == 0
    response = client.post(url, {"submission_id": submission, "place": "Tunneln", "category": "belysning"})
    assert response.status_code == 302
    client.post(url, {"submission_id": submission, "place": "Tunneln", "category": "belysning"})
    assert Observation.objects.count() == 1


def test_the_walk_protocol_is_a_public_page_and_a_pdf(client, coordinator, walk, kommun):
    added = services.observation_add(
        walk=walk,
        by=coordinator,
        submission_id=uuid.uuid4(),
        place="Gångvägen bakom skolan",
        category=Observation.Category.LIGHTING,
        note="Trasiga lampor",
        latitude=56.8593,
        longitude=14.0141,
    )
    services.task_update(
        task=added.observation.task,
        by=coordinator,
        state=Task.State.DONE,
        outcome="Lamporna byttes.",
        owner_party=kommun,
        owner_user=None,
        due_on=None,
        today=dt.date(2023, 10, 1),
    )

    page = client.get(walk.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Gångvägen bakom skolan" in text and "Lamporna byttes." in text
    _parse(page.content)
    svg = client.get(reverse("meetings:walk_route", args=["ljungby", walk.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    response = client.get(reverse("meetings:walk_pdf", args=["ljungby", walk.pk]))

    assert response["Content-Type"] == "application/pdf"
    # Table cells wrap their text over lines; compare with the whitespace folded.
    pdf_text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Trygghetsvandring i Ryssby" in pdf_text
    assert "Gångvägen bakom skolan" in pdf_text
    assert "Lamporna byttes." in pdf_text
    assert "Skolan" in pdf_text


def test_neighbourhood_watch_contacts_are_never_on_the_public_page(
    client, login, coordinator, home_municipality
):
    from trygg.meetings.models import NeighbourhoodWatch

    watch = NeighbourhoodWatch.objects.create(
        municipality=home_municipality,
        name="Vittaryd",
        contact_name="Kim Kontakt",
        contact_phone="0372-123456",
    )

    public = client.get(reverse("meetings:watches", args=["ljungby"])).content.decode()
    assert "Vittaryd" in public and "Kim Kontakt" not in public and "123456" not in public
    staff = login(coordinator).get(reverse("meetings:staff_watch", args=[watch.pk])).content.decode()
    assert "Kim Kontakt" in staff


def test_the_calendar_query_count_does_not_grow_with_its_meetings(
    client, future_meeting, home_municipality, kommun, django_assert_max_num_queries
):
    url = reverse("meetings:calendar", args=["ljungby"])
    client.get(url)
    for number in range(15):
        extra = Meeting.objects.create(
            municipality=home_municipality,
            title=f"Möte {number}",
            starts_at=future_meeting.starts_at,
            is_public=True,
        )
        extra.organisers.set([kommun])

    with django_assert_max_num_queries(8):
        client.get(url)


def test_a_walks_observation_photo_is_shown_to_its_staff_and_hidden_from_others(
    login, coordinator, outsider, walk, settings, tmp_path
) -> None:
    from django.core.files.base import ContentFile

    from trygg.meetings.models import Observation

    settings.MEDIA_ROOT = tmp_path
    observation = Observation.objects.create(
        walk=walk, place="Skolan", category=Observation.Category.choices[0][0]
    )
    observation.photo.save("foto.jpg", ContentFile(b"\xff\xd8\xff\xe0 a photo"))
    url = reverse("meetings:staff_observation_photo", args=[observation.pk])

    mine = login(coordinator).get(url)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/jpeg"
    assert mine["Content-Disposition"].startswith("inline;")
    assert login(outsider).get(url).status_code == 404


def test_the_meeting_calendar_takes_uids_and_links_from_the_site_address_not_the_host_header(
    client, future_meeting, settings
):
    import vobject

    settings.SITE_URL = "https://trygg.example.se"
    settings.ALLOWED_HOSTS = ["testserver", "annat-namn.example"]

    response = client.get(reverse("meetings:calendar_ics", args=["ljungby"]), HTTP_HOST="annat-namn.example")

    calendar = vobject.readOne(response.content.decode())
    [event] = calendar.vevent_list
    assert event.uid.value == f"mote-{future_meeting.pk}@trygg.example.se"
    assert event.url.value == f"https://trygg.example.se{future_meeting.get_absolute_url()}"
    assert event.summary.value == future_meeting.title
    assert "annat-namn" not in response.content.decode()


def test_the_walk_protocol_pdf_is_tagged_pdf_ua(client, walk):
    from trygg.core.tests.formats import assert_pdf_ua

    response = client.get(reverse("meetings:walk_pdf", args=["ljungby", walk.pk]))

    types = assert_pdf_ua(response.content, title=walk.title)
    assert "/Figure" in types  # the route drawing, with its alternative text


def test_a_meeting_form_sent_twice_from_the_page_plans_one_meeting(login, coordinator, kommun) -> None:
    client = login(coordinator)
    url = reverse("meetings:staff_meeting_new", args=["ljungby"])
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "title": "Dialogmöte i Agunnaryd",
        "kind": "medborgardialog",
        "starts_at": "2026-12-10T18:30",
        "organisers": [kommun.pk],
        "is_public": "on",
    }

    first, second = client.post(url, data), client.post(url, data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Meeting.objects.filter(title="Dialogmöte i Agunnaryd").count() == 1
