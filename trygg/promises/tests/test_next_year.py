"""'Skapa nästa års löfte': every activity carried or dropped explicitly, and its links following when asked."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from trygg.followup.models import ActivityLineage
from trygg.indicators.models import Indicator
from trygg.meetings.models import Meeting, MeetingActivity
from trygg.promises import services
from trygg.promises.models import Activity, Promise, Signatory
from trygg.promises.tests.conftest import kommun
from trygg.reports.models import ReportCategory

pytestmark = pytest.mark.django_db


def activities(promise: Promise) -> list[Activity]:
    return list(Activity.objects.filter(focus_area__promise=promise).order_by("focus_area__order", "order"))


def next_year_form(promise: Promise, choices: dict[int, str], **extra: object) -> dict[str, object]:
    return {
        "title": "Medborgarlöfte 2028",
        "slug": "2028",
        "valid_from": "2028-01-01",
        "valid_until": "2028-12-31",
        **{f"aktivitet_{pk}": choice for pk, choice in choices.items()},
        **extra,
    }


@pytest.fixture
def signed(town, town_published: Promise) -> Promise:
    Signatory.objects.create(
        promise=town_published,
        name="Eva Ek",
        role="kommunalråd",
        party=kommun(town),
        signed_on=dt.date(2027, 1, 9),
    )
    return town_published


def test_the_staff_promise_page_links_to_next_years_promise(login, town_coordinator, town_published) -> None:
    page = login(town_coordinator).get(f"/personal/lofte/{town_published.pk}/").content.decode()

    assert f'href="/personal/lofte/{town_published.pk}/nasta-ar/"' in page
    assert "Skapa nästa års löfte" in page


def test_every_activity_must_be_carried_or_dropped_explicitly(
    login, town_coordinator, town_published
) -> None:
    first, second, _third = activities(town_published)
    client: Client = login(town_coordinator)

    form = client.get(f"/personal/lofte/{town_published.pk}/nasta-ar/").content.decode()
    response = client.post(
        f"/personal/lofte/{town_published.pk}/nasta-ar/",
        next_year_form(town_published, {first.pk: "carry", second.pk: "drop"}),
    )

    assert form.count('type="radio"') == 6
    assert "checked" not in form.split('name="aktivitet_')[1].split(">")[0]  # nothing is chosen for staff
    assert response.status_code == 400
    assert "Välj om aktiviteten ska tas med eller inte." in response.content.decode()
    assert not Promise.objects.filter(slug="2028").exists()


def test_the_service_refuses_a_choice_that_leaves_out_an_activity(town_coordinator, town_published) -> None:
    first, second, _third = activities(town_published)

    with pytest.raises(ValidationError):
        services.promise_create_next(
            promise=town_published,
            by=town_coordinator,
            title="2028",
            slug="2028",
            valid_from=dt.date(2028, 1, 1),
            valid_until=dt.date(2028, 12, 31),
            carried=[services.Carry(activity_id=first.pk)],
            dropped=[second.pk],
        )

    assert not Promise.objects.filter(slug="2028").exists()


def test_next_years_draft_has_the_carried_activities_linked_back_and_not_the_dropped(
    login, town_coordinator, signed
) -> None:
    first, second, third = activities(signed)

    response = login(town_coordinator).post(
        f"/personal/lofte/{signed.pk}/nasta-ar/",
        next_year_form(signed, {first.pk: "carry", second.pk: "drop", third.pk: "carry"}),
    )

    new = Promise.objects.get(municipality=signed.municipality, slug="2028")
    assert response["Location"] == f"/personal/lofte/{new.pk}/"
    assert (new.status, new.previous) == (Promise.Status.DRAFT, signed)
    copies = activities(new)
    assert [copy.text for copy in copies] == [first.text, third.text]
    assert [copy.lineage.source for copy in copies] == [first, third]
    assert list(copies[0].responsible_parties.all()) == list(first.responsible_parties.all())
    [signatory] = new.signatories.all()
    assert (signatory.name, signatory.role, signatory.signed_on) == ("Eva Ek", "kommunalråd", None)
    assert sorted(new.focus_areas.values_list("title", flat=True)) == ["Klotter", "Trafik"]


def test_linked_indicators_categories_and_later_meetings_follow_only_when_staff_say_so(
    login, town, town_coordinator, town_published
) -> None:
    first, second, third = activities(town_published)
    indicator = Indicator.objects.create(
        municipality=town, name="Avloppsvatten", slug="avlopp", kind="wastewater"
    )
    indicator.activities.add(first)
    category = ReportCategory.objects.create(municipality=town, name="Klotter", slug="klotter")
    category.activities.add(first)
    later_meeting = Meeting.objects.create(
        municipality=town, title="Vandring i februari", starts_at=dt.datetime(2028, 2, 10, 18, tzinfo=dt.UTC)
    )
    earlier_meeting = Meeting.objects.create(
        municipality=town, title="Vandring i maj", starts_at=dt.datetime(2027, 5, 10, 18, tzinfo=dt.UTC)
    )
    MeetingActivity.objects.create(meeting=later_meeting, activity=first)
    MeetingActivity.objects.create(meeting=earlier_meeting, activity=first)
    client: Client = login(town_coordinator)

    form = client.get(f"/personal/lofte/{town_published.pk}/nasta-ar/").content.decode()
    response = client.post(
        f"/personal/lofte/{town_published.pk}/nasta-ar/",
        next_year_form(
            town_published,
            {first.pk: "carry", second.pk: "carry", third.pk: "drop"},
            **{f"kopplingar_{first.pk}": [f"indicator:{indicator.pk}", f"meeting:{later_meeting.pk}"]},
        ),
    )

    assert response.status_code == 302
    copy = ActivityLineage.objects.get(source=first).activity
    assert "Indikatorn ”Avloppsvatten”" in form and "Kategorin ”Klotter” för felanmälan" in form
    assert "Mötet ”Vandring i februari”" in form and "Vandring i maj" not in form
    assert set(indicator.activities.all()) == {first, copy}
    assert list(category.activities.all()) == [first]
    assert set(MeetingActivity.objects.filter(meeting=later_meeting).values_list("activity", flat=True)) == {
        copy.pk
    }
    assert set(
        MeetingActivity.objects.filter(meeting=earlier_meeting).values_list("activity", flat=True)
    ) == {first.pk}


def test_a_link_that_is_not_the_activitys_cannot_follow_it(
    login, town, town_coordinator, town_published
) -> None:
    first, second, third = activities(town_published)
    own = Indicator.objects.create(municipality=town, name="Eget", slug="eget", kind="other")
    own.activities.add(first)
    unrelated = Indicator.objects.create(municipality=town, name="Annat", slug="annat", kind="other")
    every = {first.pk: "carry", second.pk: "carry", third.pk: "carry"}

    response = login(town_coordinator).post(
        f"/personal/lofte/{town_published.pk}/nasta-ar/",
        next_year_form(town_published, every, **{f"kopplingar_{first.pk}": [f"indicator:{unrelated.pk}"]}),
    )
    with pytest.raises(ValidationError):
        services.promise_create_next(
            promise=town_published,
            by=town_coordinator,
            title="2028",
            slug="2028",
            valid_from=dt.date(2028, 1, 1),
            valid_until=dt.date(2028, 12, 31),
            carried=[
                services.Carry(activity_id=first.pk, indicators=frozenset({unrelated.pk})),
                services.Carry(activity_id=second.pk),
                services.Carry(activity_id=third.pk),
            ],
            dropped=[],
        )

    assert response.status_code == 400
    assert not unrelated.activities.exists()
    assert not Promise.objects.filter(slug="2028").exists()


def test_carry_all_fills_in_every_choice_for_staff_to_review(login, town_coordinator, town_published) -> None:
    form = (
        login(town_coordinator)
        .get(f"/personal/lofte/{town_published.pk}/nasta-ar/?alla=med")
        .content.decode()
    )

    assert form.count('value="carry" id=') == 3
    assert form.count("checked") == 3
