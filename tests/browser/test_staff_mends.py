"""Issue 15's mends in a real browser: a walk's task is closed and reopened from the walk page, and the hotspot
map numbers and names its cells as the table does, one keypress from a row to its cell."""

import datetime as dt
import uuid

import pytest
import time_machine

from tests.browser.conftest import axe_violations, only_this_server, press, staff_login
from trygg.demo.reports import load_reports_demo
from trygg.demo.services import demo_load
from trygg.meetings import services as meeting_services
from trygg.meetings.models import Observation, SafetyWalk, Task
from trygg.municipalities.models import Party
from trygg.reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The clock runs from a fixed morning, so "overdue by 19 days" is the same whenever the suite runs.
CLOCK = dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC)


@pytest.fixture
def staff_site(live_server, settings, tmp_path, page):
    settings.MAP_TILES_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    only_this_server(page, live_server.url)
    return live_server


def _overdue_task() -> Task:
    municipality = demo_load().municipality
    kommun = Party.objects.get(municipality=municipality, kind=Party.Kind.MUNICIPALITY)
    walk = SafetyWalk.objects.create(
        municipality=municipality, title="Trygghetsvandring i Centrum", date=dt.date(2026, 10, 1)
    )
    walk.organisers.set([kommun])
    coordinator = municipality.memberships.get(user__username="samordnare").user
    return meeting_services.observation_add(
        walk=walk,
        by=coordinator,
        submission_id=uuid.uuid4(),
        place="Gångtunneln vid stationen",
        category=Observation.Category.LIGHTING,
        owner_party=kommun,
        due_on=dt.date(2026, 11, 17),
    ).observation.task


def test_a_coordinator_closes_an_overdue_task_from_the_walk_page_and_reopens_it(
    staff_site, page, axe
) -> None:
    # The browser's clock runs from the same moment, or the session warning would think the session had ended.
    page.clock.install(time=CLOCK)
    with time_machine.travel(CLOCK, tick=True):
        task = _overdue_task()
        staff_login(page, staff_site.url)
        page.goto(f"{staff_site.url}/personal/trygghetsvandringar/{task.observation.walk_id}/")
        assert "Försenad: 19 dagar efter sista dagen" in page.locator("main").inner_text()

        with page.expect_navigation():
            page.get_by_role("link", name="Ändra uppgiften – Gångtunneln vid stationen").click()
        assert page.locator("h1").inner_text().startswith("Uppgift")
        assert axe_violations(axe, page) == []
        page.select_option(f"#id_task{task.pk}-state", "done")
        page.fill(f"#id_task{task.pk}-outcome", "Lamporna är bytta.")
        with page.expect_navigation():
            page.get_by_role("button", name="Spara").click()

        main = page.locator("main").inner_text()
        assert "Åtgärdad" in main and "Försenad" not in main
        task.refresh_from_db()
        assert (task.state, task.closed_on) == (Task.State.DONE, dt.date(2026, 12, 6))

        page.goto(f"{staff_site.url}/personal/uppgifter/{task.pk}/")
        page.select_option(f"#id_task{task.pk}-state", "open")
        with page.expect_navigation():
            page.get_by_role("button", name="Spara").click()
        assert "Försenad: 19 dagar efter sista dagen" in page.locator("main").inner_text()
        task.refresh_from_db()
        assert (task.state, task.closed_on) == (Task.State.OPEN, None)


def test_the_hotspot_map_numbers_its_cells_as_the_table_and_a_row_zooms_to_its_cell(
    staff_site, page, axe
) -> None:
    load_reports_demo(demo_load().municipality)
    base = Report.objects.get(reference="EX-LJU-K1")
    for number in range(12):
        base.pk = None
        base.reference = f"HOT-{number}"
        base.submission_id = None
        base.save()
    staff_login(page, staff_site.url)

    page.goto(f"{staff_site.url}/personal/felanmalan/hotspots/?municipality=ljungby&cell=250")
    page.wait_for_selector(".hot-cell-number")

    rows = page.locator("tbody tr[id^=ruta-]")
    labels = page.locator(".hot-cell-number")
    assert rows.count() == labels.count() > 0
    assert sorted(labels.all_inner_texts()) == sorted(str(n) for n in range(1, rows.count() + 1))
    place = rows.first.locator("th").inner_text().split(" (")[0]
    assert place and "SWEREF" not in place
    assert axe_violations(axe, page) == []

    # The keyboard from the row: the button is in the row's header cell, after the place.
    page.focus("[data-show-cell='1']")
    press(page, "Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text().startswith(f"Ruta 1: {place}")
