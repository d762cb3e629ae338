"""Issue 19 item 4 in Chromium: typed addresses, the map's suggestion, "Använd min position", a refused then
fixed submission, the first field on a phone's first screen and the receipt e-mail."""

from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, only_this_server
from trygg.demo.reports import load_reports_demo
from trygg.demo.services import demo_load
from trygg.reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = "/ljungby/felanmalan/"


@pytest.fixture
def demo(live_server, settings, tmp_path):
    # No tiles are ever fetched: the map runs without a tile layer, and anything off this server is refused.
    settings.MAP_TILES_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_reports_demo(demo_load().municipality)
    return live_server


@pytest.fixture
def form(demo, page):
    only_this_server(page, demo.url)
    page.goto(f"{demo.url}{FORM}")
    page.wait_for_selector("#pick-map.leaflet-container")
    return page


def _fill(page: Any, *, place: str, description: str = "Gatlampan utanför porten är släckt.") -> None:
    page.select_option("#id_category", label="Belysning")
    page.fill("#id_place", place)
    page.fill("#id_description", description)


def _send(page: Any) -> None:
    """Press the form's button, and once more on the check page (a report of the kind nearby) if it comes."""
    with page.expect_navigation():
        page.click("form.stack-form button[type=submit]")
    if page.locator("h1").inner_text() == "Kontrollera innan du skickar":
        with page.expect_navigation():
            page.click("form.stack-form button[type=submit]")


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("storgatan 12 ljungby", "Storgatan 12"),
        ("STORGATAN 12, Ljungby", "Storgatan 12"),
        ("Kungsgatan 5", "Kungsgatan 5"),
        ("olofsgatan", "Olofsgatan"),
    ],
)
def test_a_typed_address_is_found_and_filed(form, typed: str, name: str) -> None:
    _fill(form, place=typed)
    _send(form)

    assert form.locator("h1").inner_text() == "Tack för din felanmälan"
    assert Report.objects.get(source=Report.Source.WEB).place_name == name


def test_a_map_click_suggests_its_address_and_keeps_the_typed_one_until_the_resident_picks_it(form) -> None:
    _fill(form, place="Kungsgatan 5")
    form.locator("#pick-map").scroll_into_view_if_needed()
    box = form.locator("#pick-map").bounding_box()
    form.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    suggestion = form.locator("#map-suggestion")
    suggestion.wait_for(state="visible")
    suggested = suggestion.locator("span").inner_text()
    assert suggested.startswith("Kartan föreslår: ")
    assert form.input_value("#id_place") == "Kungsgatan 5"  # the click replaced nothing
    assert form.input_value("#id_latitude") and form.input_value("#id_longitude")
    clicked = float(form.input_value("#id_latitude")), float(form.input_value("#id_longitude"))

    suggestion.get_by_role("button", name="Använd").click()
    assert form.input_value("#id_place") == suggested.removeprefix("Kartan föreslår: ")
    assert suggestion.is_hidden()
    _send(form)

    report = Report.objects.get(source=Report.Source.WEB)
    assert report.place_name == suggested.removeprefix("Kartan föreslår: ")
    assert (round(report.latitude, 6), round(report.longitude, 6)) == clicked


def test_a_map_click_fills_an_empty_place_with_the_nearest_address(form) -> None:
    form.locator("#pick-map").scroll_into_view_if_needed()
    box = form.locator("#pick-map").bounding_box()
    form.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    expect(form.locator("#id_place")).not_to_have_value("")
    assert form.locator("#map-suggestion").is_hidden()


def test_a_refused_submission_keeps_what_was_typed_and_the_fixed_one_is_filed(form, axe) -> None:
    _fill(form, place="Okändvägen 99", description="Trasig lampa vid cykelstället.")
    form.fill("#id_reporter_email", "ada@example.se")
    with form.expect_navigation():
        form.click("form.stack-form button[type=submit]")

    assert "Vi hittar inte ”Okändvägen 99”" in form.locator(".error-summary").inner_text()
    assert form.input_value("#id_description") == "Trasig lampa vid cykelstället."
    assert form.input_value("#id_reporter_email") == "ada@example.se"
    assert axe_violations(axe, form) == []

    form.fill("#id_place", "Kungsgatan 5")
    _send(form)

    assert form.locator("h1").inner_text() == "Tack för din felanmälan"
    assert Report.objects.get(source=Report.Source.WEB).place_name == "Kungsgatan 5"


def test_the_first_field_is_on_the_first_phone_screen(demo, browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="sv-SE")
    page = context.new_page()
    only_this_server(page, demo.url)
    page.goto(f"{demo.url}{FORM}")

    box = page.locator("#id_category").bounding_box()
    label = page.locator("label[for=id_place]").inner_text()
    context.close()
    assert box is not None and box["y"] + box["height"] <= 812
    assert "*" in label


def test_a_resident_who_gives_an_address_gets_the_receipt(form) -> None:
    mail.outbox.clear()
    _fill(form, place="Drottninggatan 3")
    form.fill("#id_reporter_email", "ada@example.se")
    _send(form)

    report = Report.objects.get(source=Report.Source.WEB)
    receipts = [message for message in mail.outbox if message.to == ["ada@example.se"]]
    assert [message.subject for message in receipts] == [f"Kvittens: felanmälan {report.reference}"]
    assert report.get_absolute_url() in receipts[0].body
    assert "kvittens" in form.locator("main").inner_text()


def test_use_my_position_picks_the_point_and_names_it(demo, browser) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="sv-SE",
        geolocation={"latitude": 56.83222, "longitude": 13.93982},
        permissions=["geolocation"],
    )
    page = context.new_page()
    only_this_server(page, demo.url)
    page.goto(f"{demo.url}{FORM}")
    page.wait_for_selector("#pick-map.leaflet-container")

    page.get_by_role("button", name="Använd min position").click()
    expect(page.locator("#id_place")).not_to_have_value("")

    assert page.input_value("#id_place") == "Storgatan"
    assert abs(float(page.input_value("#id_latitude")) - 56.83222) < 1e-5
    context.close()


def test_without_scripts_the_form_has_no_position_button_and_still_files(demo, browser) -> None:
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    only_this_server(page, demo.url)
    page.goto(f"{demo.url}{FORM}")

    assert page.get_by_role("button", name="Använd min position").count() == 0
    _fill(page, place="Kungsgatan 5")
    _send(page)
    context.close()

    assert Report.objects.get(source=Report.Source.WEB).place_name == "Kungsgatan 5"
