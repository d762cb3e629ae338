"""Issue 21: the public activity page builds its one activity, not the whole promise's read model."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_init
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trygg.followup.models import Cancellation, Execution, PlannedDate
from trygg.followup.promise_page import activity_page_build, promise_page_build
from trygg.municipalities.models import Party
from trygg.municipalities.tests.factories import PartyFactory
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MIDSUMMER_2023 = dt.date(2023, 6, 20)
#: What the activity page may cost cold, whatever the number of the promise's activities.
MOST_QUERIES = 13


def _promise_with(activities: int) -> tuple[Promise, Activity]:
    """A published promise of two focus areas with ``activities`` activities, each with parties, executions and a
    planned date; returns the promise and one activity in the middle."""
    promise = PromiseFactory.create()
    police = PartyFactory.create(name="Polisen", kind=Party.Kind.POLICE)
    town = PartyFactory.create(name="Kommunen")
    areas = FocusAreaFactory.create_batch(2, promise=promise)
    made = [ActivityFactory.create(focus_area=areas[n % 2]) for n in range(activities)]
    for activity in made:
        activity.responsible_parties.set([police, town])
        activity.partners.set([town])
        Execution.objects.bulk_create(
            Execution(
                activity=activity, done_on=dt.date(2023, 2, 1) + dt.timedelta(days=n), description=f"Gång {n}"
            )
            for n in range(4)
        )
        PlannedDate.objects.create(activity=activity, date=dt.date(2023, 9, 1), note="Höstens tillfälle")
    return promise, made[len(made) // 2]


def _cold_queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "Gång 3" in response.content.decode()
    return len(queries)


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_activity_page_needs_as_few_queries_in_a_promise_of_fifty_activities_as_in_one_of_five(
    client: Client, django_assert_max_num_queries
) -> None:
    _small, few = _promise_with(5)
    _large, many = _promise_with(50)
    _cold_queries(client, few.get_absolute_url())  # warms Django's content-type cache

    small = _cold_queries(client, few.get_absolute_url())
    print("QUERIES", small)
    large = _cold_queries(client, many.get_absolute_url())

    assert small == large
    cache.clear()
    with django_assert_max_num_queries(MOST_QUERIES):
        assert client.get(many.get_absolute_url()).status_code == 200


def test_building_the_activity_page_makes_no_other_activity_or_focus_area() -> None:
    """The old page built every activity of the promise (with its progress and parties) to show one."""
    promise, activity = _promise_with(12)
    made: list[type] = []

    def count(sender: type, **kwargs: object) -> None:
        made.append(sender)

    post_init.connect(count)
    try:
        found = activity_page_build(
            municipality_slug=promise.municipality.slug,
            promise_slug=promise.slug,
            activity_id=activity.pk,
            as_of=MIDSUMMER_2023,
        )
    finally:
        post_init.disconnect(count)

    assert found.activity.activity == activity
    assert made.count(Activity) == 1
    assert made.count(FocusArea) == 1
    assert made.count(Party) == 2
    assert made.count(Execution) == 4


@pytest.mark.parametrize("as_of", [MIDSUMMER_2023, dt.date(2024, 3, 1)], ids=["running", "ended"])
def test_each_activity_is_built_alone_as_the_promise_builds_it(promise: Promise, as_of: dt.date) -> None:
    """The demo promise, with a cancelled activity and one behind: the same progress, parties, actions and
    address as in the whole promise's read model."""
    cancelled = Activity.objects.filter(focus_area__promise=promise).order_by("pk").last()
    assert cancelled is not None
    Cancellation.objects.create(
        activity=cancelled, cancelled_on=dt.date(2023, 5, 1), reason="Lokalen stängde."
    )
    whole = promise_page_build(
        municipality_slug=promise.municipality.slug,
        promise_slug=promise.slug,
        as_of=as_of,
        latest=0,
        actions=True,
    )

    for area in whole.focus_areas:
        for view in area.activities:
            alone = activity_page_build(
                municipality_slug=promise.municipality.slug,
                promise_slug=promise.slug,
                activity_id=view.pk,
                as_of=as_of,
            )
            assert alone.activity == view
            assert alone.activity.progress == view.progress
            assert (alone.activity.owners, alone.activity.actions, alone.activity.url) == (
                view.owners,
                view.actions,
                view.url,
            )
            assert list(alone.activity.activity.partners.all()) == list(view.activity.partners.all())
            assert alone.focus_area == area.focus_area
            assert alone.standing.phase is whole.standing.phase
            assert alone.standing.is_ended is whole.standing.is_ended
    assert any(view.progress.status_value == "cancelled" for view in whole.activities)


@time_machine.travel(dt.datetime(2024, 3, 1, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_activity_page_of_an_ended_promise_says_it_has_ended_without_judging_the_promise(
    client: Client, promise: Promise
) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None

    found = activity_page_build(
        municipality_slug=promise.municipality.slug,
        promise_slug=promise.slug,
        activity_id=activity.pk,
        as_of=dt.date(2024, 3, 1),
    )
    page = client.get(activity.get_absolute_url()).content.decode()

    assert found.standing.is_ended and found.standing.verdict is None
    assert "Avslutat" in page
    assert "Slutrapport:" not in page


def test_an_activity_is_not_found_under_another_promise_or_a_draft(promise: Promise) -> None:
    other = ActivityFactory.create()
    draft = PromiseFactory.create(municipality=promise.municipality, status=Promise.Status.DRAFT)
    hidden = ActivityFactory.create(focus_area=FocusAreaFactory.create(promise=draft))

    for slug, activity in ((promise.slug, other), (draft.slug, hidden)):
        with pytest.raises(Http404):
            activity_page_build(
                municipality_slug=promise.municipality.slug,
                promise_slug=slug,
                activity_id=activity.pk,
                as_of=MIDSUMMER_2023,
            )


def test_the_activity_page_of_another_municipalitys_promise_is_a_404(
    client: Client, promise: Promise
) -> None:
    other = ActivityFactory.create()

    response = client.get(f"/{promise.municipality.slug}/{promise.slug}/aktivitet/{other.pk}/")

    assert response.status_code == 404
