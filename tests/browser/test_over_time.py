"""Issue 16 in Chromium: with the clock at 6 December 2026 the demo leads with the current promise, and the 2023
promise shows its final report and nothing that says it is still running."""

import pytest

from tests.browser.conftest import axe_violations, only_this_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(dated_demo, page) -> str:
    only_this_server(page, dated_demo)
    return dated_demo


def test_on_6_december_2026_ljungby_leads_with_the_current_promise(demo, page, axe) -> None:
    page.goto(f"{demo}/ljungby/")

    lead = page.locator("main section.lead-promise")
    assert lead.count() == 1
    assert lead.locator("h2").inner_text() == "Medborgarlöfte 2026 för ökad trygghet i Ljungby kommun"
    assert "Gäller nu" in lead.inner_text()
    first_heading = page.locator("main h2").first.inner_text()
    assert first_heading.startswith("Medborgarlöfte 2026")
    earlier = page.locator("main h2", has_text="Tidigare år").locator("xpath=following-sibling::ul[1]")
    assert "Medborgarlöfte 2023" in earlier.inner_text() and "Slutrapport:" in earlier.inner_text()
    assert axe_violations(axe, page) == []


def test_on_6_december_2026_the_2023_page_shows_its_final_report_and_no_running_word(demo, page, axe) -> None:
    page.goto(f"{demo}/ljungby/2023/")

    main = page.locator("main").inner_text()
    assert (
        "Slutrapport: 10 av 19 genomförda, 3 delvis, 2 ej genomförda, 3 ej slutbedömda, 1 inställd." in main
    )
    assert "pågår" not in main.lower()
    bar = page.locator("ol.verdict-bar li")
    assert bar.count() == 5
    assert page.locator("ol.verdict-bar").bounding_box()["width"] > 300
    assert axe_violations(axe, page) == []

    page.click("text=Uppföljningsrapport vid periodens slut")
    assert "Läget vid periodens slut, 31 december 2023" in page.locator("h1").inner_text()
    page.click("text=Visa läget i dag, 6 december 2026")
    assert "Läget den 6 december 2026" in page.locator("h1").inner_text()
    assert "pågår" not in page.locator("main").inner_text().lower()
