"""Issue 19 item 3: each focus area and activity links to what a resident can do about it, and back."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trygg.indicators.models import Indicator
from trygg.meetings.models import Meeting, SafetyWalk, WalkActivity
from trygg.municipalities.tests.factories import MunicipalityFactory
from trygg.problems.models import Problem
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.tests.factories import ActivityFactory
from trygg.reports.models import ReportCategory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MIDSUMMER = dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM)


def _activity(promise: Promise) -> Activity:
    activity = Activity.objects.filter(focus_area__promise=promise).order_by("pk").first()
    assert activity is not None
    return activity


def _connect(activity: Activity, suffix: str = "") -> dict[str, object]:
    """A report category, an upcoming meeting, an indicator and a walk, all linked to the activity."""
    municipality = activity.focus_area.promise.municipality
    category = ReportCategory.objects.create(
        municipality=municipality, name=f"Klotter{suffix}", slug=f"klotter{suffix}"
    )
    category.activities.add(activity)
    meeting = Meeting.objects.create(
        municipality=municipality,
        title=f"Dialogmöte i centrum{suffix}",
        starts_at=MIDSUMMER + dt.timedelta(days=30),
    )
    meeting.activities.add(activity)
    indicator = Indicator.objects.create(
        municipality=municipality, name=f"Avloppsvatten{suffix}", slug=f"avlopp{suffix}", kind="wastewater"
    )
    indicator.activities.add(activity)
    walk = SafetyWalk.objects.create(
        municipality=municipality, title=f"Vandring i parken{suffix}", date=dt.date(2023, 5, 2)
    )
    WalkActivity.objects.create(walk=walk, activity=activity)
    return {"category": category, "meeting": meeting, "indicator": indicator, "walk": walk}


@time_machine.travel(MIDSUMMER, tick=False)
def test_an_activity_page_links_to_reporting_the_meeting_the_measurements_and_the_walk_protocol(
    client: Client, promise: Promise
) -> None:
    activity = _activity(promise)
    linked = _connect(activity)
    slug = promise.municipality.slug

    page = client.get(activity.get_absolute_url()).content.decode()

    assert f'href="{reverse("reports:create", args=[slug])}?kategori=klotter"' in page
    assert "Anmäl klotter" in page
    assert f'href="{linked["meeting"].get_absolute_url()}"' in page  # type: ignore[attr-defined]
    assert f'href="{linked["indicator"].get_absolute_url()}"' in page  # type: ignore[attr-defined]
    assert f'href="{linked["walk"].get_absolute_url()}"' in page  # type: ignore[attr-defined]
    assert "Det här kan du göra" in page


@time_machine.travel(MIDSUMMER, tick=False)
def test_the_linked_pages_link_back_to_the_activity_in_the_promise(client: Client, promise: Promise) -> None:
    activity = _activity(promise)
    linked = _connect(activity)
    back = f'href="{activity.get_absolute_url()}"'
    slug = promise.municipality.slug

    pages = [
        client.get(reverse("reports:create", args=[slug]) + "?kategori=klotter"),
        client.get(linked["meeting"].get_absolute_url()),  # type: ignore[attr-defined]
        client.get(linked["indicator"].get_absolute_url()),  # type: ignore[attr-defined]
        client.get(linked["walk"].get_absolute_url()),  # type: ignore[attr-defined]
    ]

    for response in pages:
        assert response.status_code == 200
        content = response.content.decode()
        assert "Hör till löftet:" in content and back in content


def test_the_report_form_preselects_the_category_the_link_names_by_code_or_id(
    client: Client, promise: Promise
) -> None:
    category = ReportCategory.objects.create(
        municipality=promise.municipality, name="Klotter", slug="klotter"
    )
    url = reverse("reports:create", args=[promise.municipality.slug])

    by_code = client.get(url + "?kategori=klotter")
    by_id = client.get(url + f"?kategori={category.pk}")
    plain = client.get(url)

    for response in (by_code, by_id):
        assert response.context["form"]["category"].value() == category.pk
    assert plain.context["form"]["category"].value() is None
    assert "Hör till löftet:" not in plain.content.decode()


def test_a_category_of_another_municipality_or_an_inactive_one_is_not_preselected(
    client: Client, promise: Promise
) -> None:
    other = MunicipalityFactory.create()
    ReportCategory.objects.create(municipality=other, name="Klotter", slug="klotter")
    ReportCategory.objects.create(
        municipality=promise.municipality, name="Gammal", slug="gammal", is_active=False
    )
    url = reverse("reports:create", args=[promise.municipality.slug])

    for key in ("klotter", "gammal", "nonsens", "99999"):
        response = client.get(url + f"?kategori={key}")
        assert response.status_code == 200
        assert response.context["form"]["category"].value() is None


@time_machine.travel(MIDSUMMER, tick=False)
def test_a_focus_area_links_to_reporting_the_kind_of_problem_it_is_about(
    client: Client, promise: Promise
) -> None:
    focus_area = FocusArea.objects.filter(promise=promise).order_by("pk").first()
    assert focus_area is not None
    problem = Problem.objects.create(name="Nedskräpning på torget", slug="nedskrapning-test")
    focus_area.problems.add(problem)
    ReportCategory.objects.create(
        municipality=promise.municipality, name="Skräp", slug="skrap", problem=problem
    )

    page = client.get(focus_area.get_absolute_url()).content.decode()

    assert f'href="{reverse("reports:create", args=[promise.municipality.slug])}?kategori=skrap"' in page


@time_machine.travel(MIDSUMMER, tick=False)
def test_links_to_another_municipalitys_or_closed_pages_are_left_out(
    client: Client, promise: Promise
) -> None:
    activity = _activity(promise)
    other = MunicipalityFactory.create()
    foreign = ReportCategory.objects.create(municipality=other, name="Främmande", slug="frammande")
    foreign.activities.add(activity)
    hidden = Indicator.objects.create(
        municipality=promise.municipality, name="Intern mätning", slug="intern", kind="other", is_public=False
    )
    hidden.activities.add(activity)
    past = Meeting.objects.create(
        municipality=promise.municipality, title="Gammalt möte", starts_at=MIDSUMMER - dt.timedelta(days=30)
    )
    past.activities.add(activity)

    page = client.get(activity.get_absolute_url()).content.decode()

    assert "frammande" not in page and "Intern mätning" not in page and "Gammalt möte" not in page


@time_machine.travel(MIDSUMMER, tick=False)
def test_the_activity_and_focus_area_pages_need_no_more_queries_for_more_linked_things(
    client: Client, promise: Promise, django_assert_max_num_queries
) -> None:
    activity = _activity(promise)
    _connect(activity)
    urls = [activity.get_absolute_url(), activity.focus_area.get_absolute_url()]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    for n, added in enumerate(ActivityFactory.create_batch(6, focus_area=activity.focus_area)):
        _connect(added, suffix=f"-{n}")
        _connect(activity, suffix=f"-x{n}")

    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_an_activity_page_of_another_municipalitys_promise_is_a_404(client: Client, promise: Promise) -> None:
    activity = _activity(promise)
    other = MunicipalityFactory.create()
    url = reverse("promises:activity", args=[other.slug, promise.slug, activity.pk])

    assert client.get(url).status_code == 404
