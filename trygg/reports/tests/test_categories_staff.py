"""Report categories and their promised response times are kept on the staff pages by coordinators."""

import datetime as dt
import uuid

import html5lib
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory
from trygg.reports.models import Report, ReportCategory
from trygg.reports.selectors import categories_public
from trygg.reports.services import report_submit

pytestmark = pytest.mark.django_db

CLOCK = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def graffiti(reports_demo: Municipality) -> ReportCategory:
    return ReportCategory.objects.get(municipality=reports_demo, slug="klotter")


@pytest.fixture
def current_activity(reports_demo: Municipality) -> Activity:
    promise = PromiseFactory.create(
        municipality=reports_demo,
        slug="2026",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    return ActivityFactory.create(
        focus_area=FocusAreaFactory.create(promise=promise, title="Klotter"),
        text="Kommunen tar bort klotter inom tre arbetsdagar.",
    )


def _data(category: ReportCategory, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "response_time": category.response_time,
        "response_unit": category.response_unit,
        "offensive_response_hours": category.offensive_response_hours or "",
        "duplicate_radius_m": category.duplicate_radius_m,
        "problem": category.problem_id or "",
        "order": category.order,
        "is_active": "on" if category.is_active else "",
        "activities": list(category.activities.values_list("pk", flat=True)),
    }
    data.update(changes)
    return data


def _submit(category: ReportCategory) -> Report:
    return report_submit(
        municipality=category.municipality,
        category=category,
        description="Klotter på busskuren.",
        latitude=56.8333,
        longitude=13.9410,
        submission_id=uuid.uuid4(),
    ).report


@time_machine.travel(CLOCK, tick=False)
def test_the_coordinator_changes_a_response_time_and_links_the_current_promise(
    login, coordinator: User, graffiti: ReportCategory, current_activity: Activity
) -> None:
    earlier = _submit(graffiti)
    client = login(coordinator)
    listing = client.get(reverse("reports:staff_list")).content.decode()
    assert reverse("reports:staff_categories") in listing
    page = client.get(reverse("reports:staff_categories"))
    assert page.status_code == 200
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.content)
    form = client.get(reverse("reports:staff_category", args=[graffiti.pk]))
    assert form.status_code == 200
    assert f'value="{current_activity.pk}"' in form.content.decode()

    response = client.post(
        reverse("reports:staff_category", args=[graffiti.pk]),
        _data(graffiti, response_time=3, offensive_response_hours=12, activities=[current_activity.pk]),
    )

    assert response.status_code == 302
    graffiti.refresh_from_db()
    assert (graffiti.response_time, graffiti.offensive_response_hours) == (3, 12)
    assert list(graffiti.activities.all()) == [current_activity]
    entry = AuditEntry.objects.get(model="reports.reportcategory", action="update")
    assert entry.changes["response_time"] == [5, 3] and entry.actor == coordinator
    # A report filed now gets the new time (three working days from Monday morning is Thursday); the one
    # filed before keeps the deadline it was given.
    assert timezone.localtime(_submit(graffiti).due_at).date() == dt.date(2026, 12, 10)
    before = earlier.due_at
    earlier.refresh_from_db()
    assert earlier.due_at == before


@time_machine.travel(CLOCK, tick=False)
def test_the_coordinator_adds_a_category_residents_can_choose_and_then_turns_it_off(
    login, coordinator: User, reports_demo: Municipality
) -> None:
    client = login(coordinator)
    response = client.post(
        reverse("reports:staff_category_new", args=[reports_demo.pk]),
        {
            "name": "Övergivna cyklar",
            "slug": "cyklar",
            "response_time": 10,
            "response_unit": "working_days",
            "duplicate_radius_m": 50,
            "order": 9,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    bikes = ReportCategory.objects.get(municipality=reports_demo, slug="cyklar")
    assert bikes in categories_public(municipality=reports_demo)

    off = client.post(reverse("reports:staff_category", args=[bikes.pk]), _data(bikes, is_active=""))

    assert off.status_code == 302
    assert bikes not in categories_public(municipality=reports_demo)


@time_machine.travel(CLOCK, tick=False)
def test_a_code_in_use_or_taken_is_refused_with_what_was_typed_kept(
    login, coordinator: User, graffiti: ReportCategory
) -> None:
    _submit(graffiti)
    client = login(coordinator)
    url = reverse("reports:staff_category", args=[graffiti.pk])

    renamed = client.post(url, _data(graffiti, slug="klotter-ny", name="Klotter och tags"))
    taken = client.post(
        reverse("reports:staff_category_new", args=[graffiti.municipality_id]),
        {**_data(graffiti, name="Klotter igen"), "activities": []},
    )

    assert renamed.status_code == 400 and taken.status_code == 400
    assert 'value="Klotter och tags"' in renamed.content.decode()
    assert "andra system använder den" in renamed.content.decode()
    assert 'value="Klotter igen"' in taken.content.decode()
    graffiti.refresh_from_db()
    assert (graffiti.slug, graffiti.name) == ("klotter", "Klotter")
    assert ReportCategory.objects.filter(municipality=graffiti.municipality, slug="klotter").count() == 1


@time_machine.travel(CLOCK, tick=False)
@pytest.mark.parametrize("persona", ["police_officer", "crew_member"])
def test_the_police_and_the_crew_see_the_categories_but_get_403_on_changes_and_nothing_changes(
    request, login, persona: str, graffiti: ReportCategory
) -> None:
    client = login(request.getfixturevalue(persona))
    listing = client.get(reverse("reports:staff_categories"))
    assert listing.status_code == 200
    assert reverse("reports:staff_category", args=[graffiti.pk]) not in listing.content.decode()

    answers = [
        client.get(reverse("reports:staff_category", args=[graffiti.pk])).status_code,
        client.post(
            reverse("reports:staff_category", args=[graffiti.pk]), _data(graffiti, response_time=1)
        ).status_code,
        client.post(
            reverse("reports:staff_category_new", args=[graffiti.municipality_id]), _data(graffiti, slug="ny")
        ).status_code,
    ]

    assert answers == [403, 403, 403]
    graffiti.refresh_from_db()
    assert graffiti.response_time == 5
    assert not ReportCategory.objects.filter(slug="ny").exists()
    assert not AuditEntry.objects.filter(model="reports.reportcategory").exists()


@time_machine.travel(CLOCK, tick=False)
def test_staff_of_another_municipality_get_404_and_nothing_changes(
    login, outsider: User, graffiti: ReportCategory
) -> None:
    client = login(outsider)

    answers = [
        client.get(reverse("reports:staff_category", args=[graffiti.pk])).status_code,
        client.post(
            reverse("reports:staff_category", args=[graffiti.pk]), _data(graffiti, response_time=1)
        ).status_code,
        client.post(
            reverse("reports:staff_category_new", args=[graffiti.municipality_id]), _data(graffiti, slug="ny")
        ).status_code,
    ]

    assert answers == [404, 404, 404]
    assert "Ljungby" not in client.get(reverse("reports:staff_categories")).content.decode()
    graffiti.refresh_from_db()
    assert graffiti.response_time == 5


def test_the_category_list_query_count_does_not_grow_with_its_categories(
    login, coordinator: User, reports_demo: Municipality, django_assert_max_num_queries
) -> None:
    client = login(coordinator)
    url = reverse("reports:staff_categories")
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for number in range(6):
        ReportCategory.objects.create(
            municipality=reports_demo, name=f"Kategori {number}", slug=f"kategori-{number}"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
