"""The national view in Chromium at 375 and 1280 px: the map and the table of all kommuner, a kommun page with a
harvested promise and one read from a document, and the comparison within a kommungrupp. No serious or critical
WCAG 2.1 AA violations on any of them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe_violations, only_this_server
from trygg.municipalities.models import Municipality
from trygg.national.models import HarvestSource, PromiseSource
from trygg.national.services import document_promise_publish, municipalities_ensure_official
from trygg.national.tests.conftest import make_promise
from trygg.promises.models import Promise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/trygg-national-shots"
# The clock the pages are served on: the promises made below run through this year, with their executions on
# 1 March behind them. (On the real clock the comparison found nothing done before March, or on New Year's night,
# when the date in Stockholm is already the next year's.)
NOW = dt.datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def site(live_server, settings, page, time_machine):
    time_machine.move_to(NOW, tick=True)
    settings.MAP_TILES_URL = ""
    settings.RATE_LIMITS_ENABLED = False
    settings.NATIONAL = True
    municipalities_ensure_official()
    call_command("load_municipality_groups", "--example")
    call_command("load_police_areas", "--example")
    today = NOW.date()
    year = today.year
    markaryd = Municipality.objects.get(scb_code="0767")
    harvested = make_promise(markaryd, slug=f"{year}", year=year, activities=12, executions=1)
    PromiseSource.objects.create(
        promise=harvested,
        kind=PromiseSource.Kind.HARVESTED,
        source_url="https://trygg.markaryd.example/markaryd/",
        fetched_at=dt.datetime(year, 1, 20, tzinfo=dt.UTC),
        extraction="Trygg-flöde 1 från Markaryds Trygg",
        harvest_source=HarvestSource.objects.create(
            name="Markaryds Trygg", discovery_url="https://trygg.markaryd.example/api/federation/discovery"
        ),
    )
    document = make_promise(
        markaryd, slug=f"dokument-{year}", year=year, activities=3, executions=0, status=Promise.Status.DRAFT
    )
    document_promise_publish(
        promise=document,
        file_name="medborgarlofte-markaryd.pdf",
        checksum="0" * 64,
        source_url="https://polisen.se/exempel/markaryd.pdf",
        fetched_at=dt.datetime(year, 1, 5, tzinfo=dt.UTC),
        today=today,
    )
    for code in ("0763", "0761", "0760"):
        make_promise(
            Municipality.objects.get(scb_code=code), year=year, slug=str(year), activities=10, executions=1
        )
    only_this_server(page, live_server.url)
    return live_server.url


@pytest.mark.parametrize("width", [375, 1280])
def test_the_national_map_and_table_list_every_kommun(site, page, axe, width) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/")
    page.wait_for_selector("#national-map path.leaflet-interactive")
    assert page.locator("table.national-table tbody tr").count() == 290
    assert page.locator("#national-map path.leaflet-interactive").count() >= 290
    assert "Inget medborgarlöfte finns här för kommunen." in page.inner_text("table")
    assert "Hämtat från kommunens egen Trygg" in page.inner_text("#kommun-0767")
    assert axe_violations(axe, page, impacts={"serious", "critical"}) == []
    page.screenshot(path=f"{SHOTS}-home-{width}.png", full_page=False)

    page.select_option("#id_grupp", "C8")
    page.click("form.national-filters button[type=submit]")
    page.wait_for_url("**grupp=C8**")
    assert page.locator("table.national-table tbody tr").count() == 4
    assert axe_violations(axe, page, impacts={"serious", "critical"}) == []


@pytest.mark.parametrize("width", [375, 1280])
def test_a_kommun_page_shows_a_harvested_promise_and_one_read_from_a_document_with_their_sources(
    site, page, axe, width
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/markaryd/")
    text = page.inner_text("main")
    assert "Hämtat från kommunens egen Trygg" in text
    assert "Inläst ur dokument, ej verifierad" in text
    assert "Kommungrupp" in text
    assert axe_violations(axe, page, impacts={"serious", "critical"}) == []
    page.screenshot(path=f"{SHOTS}-kommun-{width}.png", full_page=True)
    page.goto(f"{site}/markaryd/dokument-{NOW.year}/")
    text = page.inner_text("main")
    assert "Inläst ur dokument, ej verifierad" in text and "medborgarlofte-markaryd.pdf" in text
    assert page.locator('a[href="https://polisen.se/exempel/markaryd.pdf"]').count() == 1
    assert axe_violations(axe, page, impacts={"serious", "critical"}) == []
    page.screenshot(path=f"{SHOTS}-document-{width}.png", full_page=False)


@pytest.mark.parametrize("width", [375, 1280])
def test_the_comparison_within_a_kommungrupp_has_counts_marks_and_the_caveat(site, page, axe, width) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/jamforelse/C8/")
    text = page.inner_text("main")
    assert "Färgen är inget betyg." in text
    assert "10 av 10" in text or "12 av 12" in text
    assert axe_violations(axe, page, impacts={"serious", "critical"}) == []
    page.screenshot(path=f"{SHOTS}-group-{width}.png", full_page=True)
