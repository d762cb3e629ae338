"""The meeting and walk forms offer the activities of current and coming promises, grouped, current first."""

import datetime as dt
import re

import html5lib
import pytest
import time_machine
from django.urls import reverse

from trygg.meetings.models import Meeting
from trygg.promises.models import Activity, Promise
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory

pytestmark = pytest.mark.django_db

CLOCK = dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC)


@pytest.fixture
def later_promises(home_municipality) -> dict[str, list[Activity]]:
    """A running 2026 promise (two focus areas, two activities each) and a coming 2027 draft (one)."""
    running = PromiseFactory.create(
        municipality=home_municipality,
        slug="2026",
        title="Medborgarlöfte 2026",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    coming = PromiseFactory.create(
        municipality=home_municipality,
        slug="2027",
        title="Medborgarlöfte 2027",
        valid_from=dt.date(2027, 1, 1),
        valid_until=dt.date(2027, 12, 31),
        status=Promise.Status.DRAFT,
    )
    activities: dict[str, list[Activity]] = {"2026": [], "2027": []}
    for order, title in enumerate(("Trygg stadskärna", "Narkotika")):
        area = FocusAreaFactory.create(promise=running, title=title, order=order)
        activities["2026"] += [
            ActivityFactory.create(focus_area=area, text=f"{title}: åtgärd {n}") for n in (1, 2)
        ]
    area = FocusAreaFactory.create(promise=coming, title="Ungas trygghet", order=0)
    activities["2027"].append(ActivityFactory.create(focus_area=area, text="Ungas trygghet: åtgärd 1"))
    return activities


def _offered(page: str) -> list[int]:
    return [int(value) for value in re.findall(r'name="activities" value="(\d+)"', page)]


@time_machine.travel(CLOCK, tick=False)
@pytest.mark.parametrize("form", ["meetings:staff_meeting_new", "meetings:staff_walk_new"])
def test_a_new_meeting_or_walk_offers_the_running_promise_first_then_the_coming_one(
    login, coordinator, later_promises, form
):
    response = login(coordinator).get(reverse(form, args=["ljungby"]))

    assert response.status_code == 200
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.content)
    page = response.content.decode()
    assert _offered(page) == [activity.pk for activity in later_promises["2026"] + later_promises["2027"]]
    ended = Activity.objects.filter(focus_area__promise__slug="2023")
    assert ended.count() == 19
    assert not set(_offered(page)) & set(ended.values_list("pk", flat=True))
    # Each promise and each focus area is a group with a legend, so a screen reader hears where a box belongs.
    assert page.index("Medborgarlöfte 2026") < page.index("Trygg stadskärna") < page.index("Narkotika")
    assert page.index("Narkotika") < page.index("Medborgarlöfte 2027") < page.index("Ungas trygghet")
    assert "pågår" in page and "kommande" in page and "utkast" in page
    assert page.count('<fieldset class="activity-focus-area">') == 3


@time_machine.travel(CLOCK, tick=False)
def test_an_earlier_meeting_keeps_the_promise_of_its_own_date_offered_after_the_current_ones(
    login, coordinator, later_promises, meeting, rural_dialogue
):
    page = login(coordinator).get(reverse("meetings:staff_meeting", args=[meeting.pk])).content.decode()

    offered = _offered(page)
    current = [activity.pk for activity in later_promises["2026"] + later_promises["2027"]]
    ended = list(
        Activity.objects.filter(focus_area__promise__slug="2023")
        .order_by("focus_area__order", "order", "pk")
        .values_list("pk", flat=True)
    )
    assert offered == current + ended
    assert re.search(rf'value="{rural_dialogue.pk}"[^>]*checked', page)
    assert page.index("Medborgarlöfte 2027") < page.index("avslutat")


@time_machine.travel(CLOCK, tick=False)
def test_a_meeting_linked_to_an_ended_promises_activity_is_refused_with_the_input_kept(
    login, coordinator, kommun, later_promises, rural_dialogue
):
    response = login(coordinator).post(
        reverse("meetings:staff_meeting_new", args=["ljungby"]),
        {
            "title": "Dialogmöte i Lidhult",
            "kind": "medborgardialog",
            "starts_at": "2026-12-10T18:00",
            "organisers": [kommun.pk],
            "activities": [rural_dialogue.pk, later_promises["2026"][0].pk],
        },
    )

    assert response.status_code == 400
    assert not Meeting.objects.filter(title="Dialogmöte i Lidhult").exists()
    page = response.content.decode()
    assert 'value="Dialogmöte i Lidhult"' in page
    assert re.search(rf'value="{later_promises["2026"][0].pk}"[^>]*checked', page)


@time_machine.travel(CLOCK, tick=False)
def test_the_planning_form_has_no_activities_to_offer_when_no_promise_runs_or_comes(login, coordinator):
    page = login(coordinator).get(reverse("meetings:staff_meeting_new", args=["ljungby"])).content.decode()

    assert _offered(page) == []
    assert "Inget löfte pågår eller kommer" in page


@time_machine.travel(CLOCK, tick=False)
def test_staff_of_another_municipality_cannot_open_the_planning_form(login, outsider, later_promises):
    assert login(outsider).get(reverse("meetings:staff_meeting_new", args=["ljungby"])).status_code == 404
