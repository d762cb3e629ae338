import pytest

from tests.browser.conftest import axe_violations
from trygg.demo.services import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PATHS = [
    "/",
    "/ljungby/",
    "/ljungby/2023/",
    "/ljungby/2023/narkotika/",
    "/tillganglighet/",
    "/om/",
    "/en/ljungby/2023/",
    "/ljungby/1999/",
]


@pytest.fixture
def demo(live_server):  # type: ignore[no-untyped-def]
    demo_load()
    return live_server


def test_the_promise_page_shows_the_focus_areas_in_chromium(demo, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo.url}/ljungby/2023/")

    headings = page.locator("section.focus-area h2").all_inner_texts()
    assert headings == [
        "Klotter och skadegörelse",
        "Förekomst av narkotika",
        "Drogpåverkade personer i offentlig miljö",
        "Bedrägeri",
        "Handelsplats Ljungbyporten",
        "Oro för inbrott på landsbygden",
        "Våld i samhället",
    ]
    assert page.locator("article.activity").count() == 19


def test_every_public_page_has_no_wcag_21_a_or_aa_violations(demo, page, axe) -> None:  # type: ignore[no-untyped-def]
    found = {}
    for path in PUBLIC_PATHS:
        page.goto(f"{demo.url}{path}")
        violations = axe_violations(axe, page)
        if violations:
            found[path] = violations

    assert found == {}


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(demo, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo.url}/ljungby/2023/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_promise_page_fits_a_320_pixel_screen_without_sideways_scrolling(demo, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{demo.url}/ljungby/2023/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_the_accessibility_check_itself_reports_a_broken_page(page, axe) -> None:  # type: ignore[no-untyped-def]
    page.set_content("<html><body><img src='x.png'><a href='#'></a></body></html>")

    ids = {violation["id"] for violation in axe_violations(axe, page)}

    assert {"image-alt", "html-has-lang", "link-name"} <= ids
