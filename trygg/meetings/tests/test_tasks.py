"""Tasks from a safety walk's observations: edited, closed and reopened on their own page; overdue ones say so."""

import datetime as dt
import uuid

import html5lib
import pytest
import time_machine
from django.urls import reverse

from trygg.audit.models import AuditEntry
from trygg.meetings import selectors, services
from trygg.meetings.models import Observation, SafetyWalk, Task

pytestmark = pytest.mark.django_db

# 2023-10-30: the walk of 2023-09-20 gave its tasks 30 days, so they were due on 2023-10-20.
TODAY = dt.date(2023, 10, 30)
CLOCK = dt.datetime(2023, 10, 30, 10, tzinfo=dt.UTC)


@pytest.fixture
def task(walk: SafetyWalk, coordinator, kommun) -> Task:
    return services.observation_add(
        walk=walk,
        by=coordinator,
        submission_id=uuid.uuid4(),
        place="Gångtunneln vid skolan",
        category=Observation.Category.LIGHTING,
        note="Två lampor är trasiga.",
        owner_party=kommun,
    ).observation.task


def _form(task: Task, **values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "state": task.state,
        "outcome": task.outcome,
        "owner_party": task.owner_party_id,
        "due_on": "",
    }
    if task.due_on:
        data["due_on"] = task.due_on.isoformat()
    data.update(values)
    return {f"task{task.pk}-{name}": value for name, value in data.items() if value is not None}


@time_machine.travel(CLOCK, tick=False)
def test_the_change_link_on_the_walk_page_opens_the_task_form_with_its_values(login, coordinator, task):
    client = login(coordinator)
    walk_page = client.get(reverse("meetings:staff_walk", args=[task.observation.walk_id])).content.decode()
    link = reverse("meetings:staff_task", args=[task.pk])
    assert f'href="{link}"' in walk_page

    response = client.get(link)

    assert response.status_code == 200
    page = response.content.decode()
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.content)
    assert "Gångtunneln vid skolan" in page
    assert f'name="task{task.pk}-due_on" value="2023-10-20"' in page
    assert '<option value="open" selected>' in page


@time_machine.travel(CLOCK, tick=False)
def test_a_task_is_closed_and_then_reopened_on_its_page(login, coordinator, task):
    client = login(coordinator)
    url = reverse("meetings:staff_task", args=[task.pk])

    closed = client.post(url, _form(task, state="done", outcome="Lamporna är bytta."))
    assert closed.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.closed_on, task.outcome) == ("done", TODAY, "Lamporna är bytta.")

    reopened = client.post(url, _form(task, state="open"))
    assert reopened.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.closed_on, task.outcome) == ("open", None, "Lamporna är bytta.")
    changes = [
        entry.changes["state"] for entry in AuditEntry.objects.filter(model="meetings.task").order_by("pk")
    ]
    assert changes == [["open", "done"], ["done", "open"]]


@time_machine.travel(CLOCK, tick=False)
def test_not_our_responsibility_without_a_reason_is_refused_and_the_input_kept(login, coordinator, task):
    response = login(coordinator).post(
        reverse("meetings:staff_task", args=[task.pk]), _form(task, state="not_ours", due_on="2023-11-30")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Skriv varför det inte är ert ansvar" in page
    assert 'value="2023-11-30"' in page
    task.refresh_from_db()
    assert task.state == Task.State.OPEN and task.due_on == dt.date(2023, 10, 20)


@time_machine.travel(CLOCK, tick=False)
def test_an_overdue_task_says_so_in_words_on_the_walk_the_task_and_the_overview(login, coordinator, task):
    client = login(coordinator)
    expected = "Försenad: 10 dagar efter sista dagen"

    assert (
        expected
        in client.get(reverse("meetings:staff_walk", args=[task.observation.walk_id])).content.decode()
    )
    assert expected in client.get(reverse("meetings:staff_task", args=[task.pk])).content.decode()
    overview = client.get(reverse("meetings:staff_overview")).content.decode()
    assert "Försenad 10 dagar" in overview and "1 försenad" in overview


def test_only_open_tasks_past_their_last_day_are_overdue(task):
    assert task.days_overdue(dt.date(2023, 10, 20)) == 0
    assert task.days_overdue(dt.date(2023, 10, 21)) == 1
    task.state = Task.State.DONE
    assert task.days_overdue(dt.date(2023, 12, 1)) == 0
    task.state, task.due_on = Task.State.OPEN, None
    assert task.days_overdue(dt.date(2023, 12, 1)) == 0
    assert list(Task.objects.overdue(dt.date(2023, 10, 21))) == list(Task.objects.all())
    assert not Task.objects.overdue(dt.date(2023, 10, 20)).exists()


def test_the_open_task_list_puts_the_longest_overdue_first(coordinator, walk, kommun, task):
    later = services.observation_add(
        walk=walk,
        by=coordinator,
        submission_id=uuid.uuid4(),
        place="Parken",
        category=Observation.Category.LITTER,
        due_on=dt.date(2023, 12, 1),
    ).observation.task

    rows = selectors.staff_open_tasks(user=coordinator, today=TODAY)

    assert [(row.task.pk, row.is_overdue) for row in rows] == [(task.pk, True), (later.pk, False)]


@time_machine.travel(CLOCK, tick=False)
def test_staff_of_another_municipality_get_404_for_a_task_and_nothing_changes(login, outsider, task):
    client = login(outsider)
    url = reverse("meetings:staff_task", args=[task.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _form(task, state="done")).status_code == 404
    task.refresh_from_db()
    assert task.state == Task.State.OPEN


@time_machine.travel(CLOCK, tick=False)
def test_a_police_officer_may_see_the_kommuns_task_but_not_change_it(login, police_officer, task):
    client = login(police_officer)
    url = reverse("meetings:staff_task", args=[task.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "Du kan se uppgiften men inte ändra den" in page.content.decode()
    assert f"task{task.pk}-state" not in page.content.decode()
    assert client.post(url, _form(task, state="done", outcome="Klart.")).status_code == 403
    task.refresh_from_db()
    assert task.state == Task.State.OPEN and task.closed_on is None
    assert not AuditEntry.objects.filter(model="meetings.task").exists()
