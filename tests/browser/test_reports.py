import pytest

from tests.browser.conftest import axe_violations
from trygg.demo.reports import load_reports_demo
from trygg.demo.services import demo_load
from trygg.reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings, tmp_path, page):
    # No tiles are ever fetched: the map runs without a tile layer, and anything off this server is refused.
    settings.MAP_TILES_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_reports_demo(demo_load().municipality)
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(live_server.url) else route.abort(),
    )
    return live_server


def _tab_to(page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def test_a_resident_files_a_report_with_the_keyboard_only_and_every_step_is_axe_clean(
    demo, page, axe
) -> None:
    page.goto(f"{demo.url}/ljungby/felanmalan/")
    page.wait_for_selector("#pick-map.leaflet-container")  # the map came up (without tiles)
    assert axe_violations(axe, page) == []

    _tab_to(page, "id_category")
    page.keyboard.type("Belysning")
    assert page.evaluate("document.getElementById('id_category').selectedOptions[0].text") == "Belysning"
    _tab_to(page, "id_place")
    page.keyboard.type("Stora torget")
    _tab_to(page, "id_description")
    page.keyboard.type("Lampan är släckt och någon hotade mig där i går kväll.")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The description reads like a crime against a person: the advice comes again, and a confirmation.
    assert page.locator(".emergency").is_visible()
    assert "112" in page.locator(".emergency").inner_text()
    assert axe_violations(axe, page) == []
    assert not Report.objects.filter(source=Report.Source.WEB).exists()
    _tab_to(page, "id_not_emergency")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "Tack för din felanmälan"
    report = Report.objects.get(source=Report.Source.WEB)
    assert report.place_name == "Stora torget"
    assert report.reference in page.locator("main").inner_text()
    assert axe_violations(axe, page) == []


def test_the_public_map_and_report_pages_are_axe_clean(demo, page, axe) -> None:
    page.goto(f"{demo.url}/ljungby/felanmalan/karta/")
    page.wait_for_selector(".report-map .leaflet-interactive")  # the GeoJSON points are drawn
    assert axe_violations(axe, page) == []

    page.goto(f"{demo.url}/ljungby/felanmalan/EX-LJU-S1/")
    assert axe_violations(axe, page) == []
