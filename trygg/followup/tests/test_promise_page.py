import dataclasses
import datetime as dt
from html.parser import HTMLParser
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models.signals import post_init
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trygg.followup.models import Execution
from trygg.followup.promise_page import PromisePage, promise_page_build
from trygg.followup.status import Status
from trygg.municipalities.models import Party
from trygg.municipalities.tests.factories import AreaFactory, PartyFactory
from trygg.promises.models import Activity, Promise
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MIDSUMMER_2023 = dt.date(2023, 6, 20)


def _executions(activity: Activity, number: int, first: dt.date = dt.date(2023, 2, 1)) -> None:
    Execution.objects.bulk_create(
        Execution(activity=activity, done_on=first + dt.timedelta(days=n), description=f"Gång {n + 1}")
        for n in range(number)
    )


def _links(page: str, address: str) -> list[str]:
    """Every link on a page as the browser follows it, from the page at ``address``."""
    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href is not None:
                found.append(urljoin(f"http://testserver{address}", href).removeprefix("http://testserver"))

    Links().feed(page)
    return found


def _build(promise: Promise, as_of: dt.date = MIDSUMMER_2023) -> PromisePage:
    return promise_page_build(
        municipality_slug=promise.municipality.slug, promise_slug=promise.slug, as_of=as_of
    )


def test_the_read_model_costs_the_same_queries_with_ten_times_the_activities_and_executions(
    promise: Promise,
) -> None:
    with CaptureQueriesContext(connection) as before:
        _build(promise)
    focus_area = promise.focus_areas.first()
    assert focus_area is not None
    for activity in ActivityFactory.create_batch(20, focus_area=focus_area):
        _executions(activity, 30)
    FocusAreaFactory.create_batch(3, promise=promise)

    with CaptureQueriesContext(connection) as after:
        page = _build(promise)

    assert len(page.activities) == 39
    assert len(after) <= len(before)  # the first build also warms Django's content-type cache


def test_each_activity_carries_its_latest_three_executions_and_the_count_of_all(promise: Promise) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    _executions(activity, 7)

    _area, view = _build(promise).activity(activity.pk)

    assert [execution.description for execution in view.progress.latest] == ["Gång 7", "Gång 6", "Gång 5"]
    assert view.progress.executions_total == 7
    assert view.progress.has_more


def test_the_read_model_is_frozen_and_sets_nothing_on_the_model_instances(promise: Promise) -> None:
    page = _build(promise)

    with pytest.raises(dataclasses.FrozenInstanceError):
        page.summary = page.summary  # type: ignore[misc,unused-ignore]
    assert not hasattr(page.promise, "standing") and not hasattr(page.promise, "progress_summary")
    for area in page.focus_areas:
        assert not hasattr(area.focus_area, "progress_summary")
        assert all(not hasattr(view.activity, "progress") for view in area.activities)


def test_the_summaries_of_the_focus_areas_add_up_to_the_promises(promise: Promise) -> None:
    page = _build(promise)

    assert sum(area.summary.total for area in page.focus_areas) == page.summary.total == 19
    for value, _label, number in page.summary.counts:
        assert sum(area.summary.number(value) for area in page.focus_areas) == number


def test_an_ended_promise_carries_the_follow_ups_verdict_and_a_running_one_none(promise: Promise) -> None:
    running = _build(promise)
    ended = _build(promise, as_of=dt.date(2024, 3, 1))

    assert running.standing.verdict is None
    assert ended.standing.verdict is not None
    assert ended.standing.verdict.total == 19
    assert ended.standing.verdict.text.startswith("Slutrapport:")
    assert {view.progress.status for view in ended.activities} <= {
        Status.DONE,
        Status.PARTLY_DONE,
        Status.NOT_DONE,
        Status.NOT_FINALLY_ASSESSED,
        Status.CANCELLED,
    }


def test_an_activity_of_another_promise_is_not_in_the_read_model(promise: Promise) -> None:
    other = ActivityFactory.create()

    with pytest.raises(Http404):
        _build(promise).activity(other.pk)


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_promise_page_lists_three_executions_and_links_to_all_on_the_activity_page(
    client: Client, promise: Promise
) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    _executions(activity, 5)

    page = client.get(promise.get_absolute_url()).content.decode()
    own_page = client.get(activity.get_absolute_url()).content.decode()

    assert "Gång 5" in page and "Gång 3" in page and "Gång 2" not in page
    assert f"{activity.get_absolute_url()}#utforanden" in _links(page, promise.get_absolute_url())
    assert all(f"Gång {n}" in own_page for n in range(1, 6))


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_promise_focus_area_and_activity_pages_need_no_more_queries_for_more_rows(
    client: Client, promise: Promise, django_assert_max_num_queries
) -> None:
    focus_area = promise.focus_areas.first()
    assert focus_area is not None
    activity = focus_area.activities.first()
    assert activity is not None
    urls = [promise.get_absolute_url(), focus_area.get_absolute_url(), activity.get_absolute_url()]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    for added in ActivityFactory.create_batch(15, focus_area=focus_area):
        _executions(added, 12)
    _executions(activity, 40)

    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_latest_executions_leave_out_withdrawn_ones_and_those_outside_the_period_or_after_the_day(
    promise: Promise,
) -> None:
    activity, other = Activity.objects.filter(focus_area__promise=promise).order_by("pk")[:2]
    _executions(activity, 4)  # Gång 1-4 on 1-4 February 2023
    Execution.objects.bulk_create(
        [
            Execution(
                activity=activity, done_on=dt.date(2023, 3, 1), description="Återtagen", withdrawn=True
            ),
            Execution(activity=activity, done_on=dt.date(2023, 6, 21), description="Efter dagen"),
            Execution(activity=activity, done_on=dt.date(2022, 12, 31), description="Före perioden"),
            Execution(activity=other, done_on=dt.date(2023, 3, 2), description="En annan aktivitets"),
        ]
    )

    _area, view = _build(promise).activity(activity.pk)

    assert [execution.description for execution in view.progress.latest] == ["Gång 4", "Gång 3", "Gång 2"]
    assert view.progress.executions_total == 4


def test_executions_on_the_same_day_come_newest_registered_first(promise: Promise) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    Execution.objects.bulk_create(
        Execution(activity=activity, done_on=dt.date(2023, 5, 1), description=f"Samma dag {n}")
        for n in range(5)
    )

    _area, view = _build(promise).activity(activity.pk)

    assert [execution.description for execution in view.progress.latest] == [
        "Samma dag 4",
        "Samma dag 3",
        "Samma dag 2",
    ]


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_promise_page_shows_a_lean_row_for_each_activity_and_leaves_the_facts_to_its_own_page(
    client: Client, promise: Promise
) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise, responsible_parties__isnull=False).first()
    assert activity is not None
    owner = activity.responsible_parties.first()
    assert owner is not None
    _executions(activity, 5)

    page = client.get(promise.get_absolute_url()).content.decode()
    own_page = client.get(activity.get_absolute_url()).content.decode()

    row = page[page.index(f'<li id="aktivitet-{activity.pk}">') :]
    row = row[: row.index("</li>\n")]
    assert _links(row, promise.get_absolute_url()) == [
        activity.get_absolute_url(),
        f"{activity.get_absolute_url()}#utforanden",
    ]
    assert f"Ansvarig: {owner.name}" in row
    assert 'class="status status-' in row
    assert "5 feb 2023: Gång 5" in row and "3 feb 2023: Gång 3" in row and "Gång 2" not in row
    assert ">Se alla 5 utföranden</a>" in row
    # The full facts are on the activity's own page only.
    assert "Vad som lovas" not in page and "Vad som lovas" in own_page
    assert page.count('<li id="aktivitet-') == Activity.objects.filter(focus_area__promise=promise).count()


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_promise_pages_rows_escape_what_people_wrote_and_mark_it_swedish_on_the_english_page(
    client: Client, promise: Promise
) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    Activity.objects.filter(pk=activity.pk).update(text='Trygghet <script>alert("x")</script> & mer')
    Execution.objects.create(activity=activity, done_on=dt.date(2023, 2, 1), description="<b>Vandring</b>")
    Execution.objects.create(
        activity=activity, done_on=dt.date(2023, 1, 20), description="Möte", is_example=True
    )

    swedish = client.get(promise.get_absolute_url()).content.decode()
    english = client.get(f"/en{promise.get_absolute_url()}").content.decode()

    assert "<script>alert" not in swedish and "<b>Vandring" not in swedish
    assert "Trygghet &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mer" in swedish
    assert "1 feb 2023: &lt;b&gt;Vandring&lt;/b&gt;" in swedish
    assert '<span lang="sv">Trygghet &lt;script&gt;' in english
    assert '<span lang="sv">&lt;b&gt;Vandring&lt;/b&gt;</span>' in english
    assert "Responsible:" in english
    assert '20 jan 2023: Möte <span class="example-data">Exempeldata</span>' in swedish
    assert '<span lang="sv">Möte</span> <span class="example-data">Example data</span>' in english
    assert f"/en{activity.get_absolute_url()}" in _links(english, f"/en{promise.get_absolute_url()}")


@time_machine.travel(dt.datetime(2022, 12, 1, 10, tzinfo=STOCKHOLM), tick=False)
def test_the_rows_of_a_promise_that_has_not_begun_show_no_status(client: Client, promise: Promise) -> None:
    page = client.get(promise.get_absolute_url()).content.decode()

    assert page.count('<li id="aktivitet-') == 19
    assert 'class="status status-' not in page


def test_building_the_read_model_makes_no_execution_and_each_party_once(promise: Promise) -> None:
    """Issue 21: the promise page read its latest executions as model instances and made a party instance for
    each activity it was responsible for; both cost more than the rest of the page with hundreds of rows."""
    police, town = (
        PartyFactory.create(name="Polisen", kind=Party.Kind.POLICE),
        PartyFactory.create(name="Kommunen"),
    )
    activities = list(Activity.objects.filter(focus_area__promise=promise))
    for activity in activities:
        activity.responsible_parties.set([police, town])
        activity.partners.set([police])
        _executions(activity, 4)
    made: list[type] = []

    def count(sender: type, **kwargs: object) -> None:
        made.append(sender)

    post_init.connect(count)
    try:
        page = _build(promise)
    finally:
        post_init.disconnect(count)

    assert len(page.activities) == len(activities) > 2
    assert made.count(Execution) == 0
    assert made.count(Party) <= 2 + len(page.signatories)
    assert all(len(view.progress.latest) == 3 for view in page.activities)


def test_the_parties_read_without_a_prefetch_are_those_of_the_database_in_their_order(
    promise: Promise, django_assert_num_queries
) -> None:
    first, second, third = (
        PartyFactory.create(name="Öckerö fritid"),
        PartyFactory.create(name="Polisen", kind=Party.Kind.POLICE),
        PartyFactory.create(name="Anderssons bygg"),
    )
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    activity.responsible_parties.set([first, second, third])
    activity.partners.set([third])
    expected = [list(activity.responsible_parties.all()), list(activity.partners.all())]

    _area, view = _build(promise).activity(activity.pk)

    with django_assert_num_queries(0):
        found = [list(view.activity.responsible_parties.all()), list(view.activity.partners.all())]
    assert found == expected
    assert [party.name for party in found[0]] == [party.name for party in expected[0]]
    assert view.owners == ", ".join(party.name for party in expected[0])
    # The cached querysets share one query object: a queryset derived from one leaves the others as they were.
    partners = view.activity.partners.all()
    before = str(partners.query)
    assert list(view.activity.responsible_parties.all().filter(pk=second.pk)) == [second]
    assert str(partners.query) == before and list(partners) == [third]


@time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False)
def test_a_latest_execution_shows_its_place_and_area_on_the_focus_area_page(
    client: Client, promise: Promise
) -> None:
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    area = AreaFactory.create(name="Kvarteret Test", municipality=promise.municipality)
    Execution.objects.create(
        activity=activity,
        done_on=dt.date(2023, 3, 1),
        description="Trygghetsvandring",
        place="Torget",
        area=area,
    )

    page = client.get(activity.focus_area.get_absolute_url()).content.decode()

    assert "Trygghetsvandring" in page
    assert "· Torget, Kvarteret Test</span>" in page


def test_the_read_model_names_an_activitys_area_without_reading_its_boundary(promise: Promise) -> None:
    # A district's boundary can run to hundreds of kilobytes; the pages only name the area.
    ring = [[14.9 + n / 1000, 56.8 + (n % 7) / 1000] for n in range(2000)]
    area = AreaFactory.create(
        municipality=promise.municipality,
        name="Östra staden",
        boundary={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
    )
    Activity.objects.filter(focus_area__promise=promise).update(area=area)

    with CaptureQueriesContext(connection) as queries:
        page = _build(promise)
        names = {view.activity.area and view.activity.area.name for view in page.activities}

    assert names == {"Östra staden"}
    assert not [query["sql"] for query in queries if "boundary" in query["sql"]]
