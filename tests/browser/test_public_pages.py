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
def demo(live_server):
    demo_load(with_examples=True)
    return live_server


def test_the_promise_page_shows_the_focus_areas_in_chromium(demo, page) -> None:
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


def test_every_public_page_has_no_wcag_21_a_or_aa_violations(demo, page, axe) -> None:
    found = {}
    for path in PUBLIC_PATHS:
        page.goto(f"{demo.url}{path}")
        violations = axe_violations(axe, page)
        if violations:
            found[path] = violations

    assert found == {}


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(demo, page) -> None:
    page.goto(f"{demo.url}/ljungby/2023/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_promise_page_fits_a_320_pixel_screen_without_sideways_scrolling(demo, browser) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{demo.url}/ljungby/2023/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_the_accessibility_check_itself_reports_a_broken_page(page, axe) -> None:
    page.set_content("<html><body><img src='x.png'><a href='#'></a></body></html>")

    ids = {violation["id"] for violation in axe_violations(axe, page)}

    assert {"image-alt", "html-has-lang", "link-name"} <= ids


def test_the_login_form_empty_and_with_errors_has_no_violations(demo, page, axe) -> None:
    page.goto(f"{demo.url}/personal/logga-in/")
    assert axe_violations(axe, page) == []

    page.fill("#id_username", "nobody")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    assert page.title().startswith("Fel:")
    # autofocus moves focus to the error summary once the page has rendered.
    page.wait_for_function("document.activeElement.className === 'error-summary'", timeout=5000)
    assert page.input_value("#id_username") == "nobody"
    assert axe_violations(axe, page) == []


def test_staff_pages_have_no_serious_or_critical_violations(demo, page, axe) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trygg.demo import ljungby
    from trygg.promises.models import Promise

    device = TOTPDevice.objects.get(user__username="samordnare")
    page.goto(f"{demo.url}/personal/logga-in/")
    page.fill("#id_username", "samordnare")
    page.fill("#id_password", ljungby.DEMO_PASSWORD)
    page.fill(
        "#id_otp_token", f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    )
    page.click("button[type=submit]")
    page.wait_for_url(f"{demo.url}/personal/")

    serious = {"serious", "critical"}
    assert axe_violations(axe, page, impacts=serious) == []
    page.goto(f"{demo.url}/personal/lofte/{Promise.objects.get(slug='2023').pk}/")
    assert page.locator("h1").inner_text().startswith("Medborgarlöfte 2023")
    assert axe_violations(axe, page, impacts=serious) == []
