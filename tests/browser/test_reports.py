import pytest

from tests.browser.conftest import assert_no_keyboard_trap, axe_violations, only_this_server, press, tab_to
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
    only_this_server(page, live_server.url)
    return live_server


def test_item_31_a_resident_files_a_report_by_place_name_with_the_keyboard_only_focus_visible_and_no_trap(
    demo, page, axe
) -> None:
    page.goto(f"{demo.url}/ljungby/felanmalan/")
    page.wait_for_selector("#pick-map.leaflet-container")  # the map came up (without tiles)
    assert axe_violations(axe, page) == []
    assert assert_no_keyboard_trap(page) > 10

    tab_to(page, "id_category")
    page.keyboard.type("Belysning")
    assert page.evaluate("document.getElementById('id_category').selectedOptions[0].text") == "Belysning"
    tab_to(page, "id_place")
    page.keyboard.type("Stora torget")
    tab_to(page, "id_description")
    page.keyboard.type("Lampan är släckt och någon hotade mig där i går kväll.")
    press(page, "Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        press(page, "Tab")
    with page.expect_navigation():
        press(page, "Enter")

    # The description reads like a crime against a person: the advice comes again, and a confirmation.
    assert page.locator(".emergency").is_visible()
    assert "112" in page.locator(".emergency").inner_text()
    assert axe_violations(axe, page) == []
    assert not Report.objects.filter(source=Report.Source.WEB).exists()
    tab_to(page, "id_not_emergency")
    press(page, "Space")
    press(page, "Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        press(page, "Tab")
    with page.expect_navigation():
        press(page, "Enter")

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
