"""The statistics import in Chromium: a Brå file is previewed with its format and what it leaves out, then imported;
the public statistics page says what is missing. Both pages have no serious or critical WCAG violations."""

import pytest

from tests.browser.conftest import axe_violations, only_this_server, staff_login
from trygg.crimestats.tests import samples
from trygg.demo.services import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, settings, tmp_path, page):
    settings.MAP_TILES_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATE_LIMITS_ENABLED = False
    demo_load(with_examples=True)
    only_this_server(page, live_server.url)
    return live_server.url


def test_a_brå_export_is_previewed_then_imported_and_the_statistics_page_says_what_is_missing(
    site, page, axe, tmp_path
) -> None:
    from trygg.crimestats.models import ImportRun

    staff_login(page, site)
    upload = tmp_path / "Databasfil.txt"
    upload.write_bytes(samples.SOL)
    page.goto(f"{site}/personal/brottsstatistik/")
    page.set_input_files("#id_file", str(upload))
    page.check("#id_create_municipalities")
    page.click("button[type=submit]")

    assert "Brås statistikdatabas (SOL), textexport" in page.inner_text("main")
    assert "Mord och dråp" in page.inner_text("main")
    assert axe_violations(axe, page, impacts={"serious", "critical"}) == []
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    page.click("button[name=confirm]")
    page.wait_for_url(f"{site}/personal/brottsstatistik/import/*/")
    assert ImportRun.objects.latest("pk").file_format == "Brås statistikdatabas (SOL), textexport"
    assert "Okänd kommun (1)" in page.inner_text("main")

    page.goto(f"{site}/ljungby/brottsstatistik/")
    text = page.inner_text("main")
    assert "uppgift saknas" in text or "saknas" in text
    assert axe_violations(axe, page, impacts={"serious", "critical"}) == []
