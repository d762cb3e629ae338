"""Issue 19 item 2 in Chromium: on a 375 px phone the first screen of a promise answers "did they keep it?"."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(dated_demo, open_page):
    return dated_demo, open_page(dated_demo, **PHONE)


def _within_first_screen(page, selector: str) -> str:
    found = page.locator(selector).first
    box = found.bounding_box()
    assert box is not None, selector
    assert box["y"] + box["height"] <= PHONE["height"], (selector, box)
    return found.inner_text()


def test_an_ended_promise_shows_its_verdict_on_the_first_phone_screen(phone) -> None:
    base, page = phone
    page.goto(f"{base}/ljungby/2023/")

    text = _within_first_screen(page, ".verdict-text")

    assert text.startswith("Slutrapport: 10 av 19 genomförda")
    _within_first_screen(page, "ol.verdict-bar")


def test_a_running_promise_shows_its_progress_in_words_and_as_a_bar_on_the_first_phone_screen(phone) -> None:
    base, page = phone
    page.goto(f"{base}/ljungby/2026/")

    text = _within_first_screen(page, ".followup-summary")

    assert "aktiviteter genomförda" in text and "Pågår enligt plan:" in text
    _within_first_screen(page, ".progress-bar")


def test_each_focus_area_page_shows_its_own_progress_on_the_first_phone_screen(phone) -> None:
    base, page = phone
    page.goto(f"{base}/ljungby/2026/")
    areas = page.locator("section.focus-area")
    assert areas.count() >= 2
    for index in range(areas.count()):
        area = areas.nth(index)
        assert area.locator(".followup-summary").count() == 1
        assert area.locator(".progress-bar").count() == 1
    page.locator("section.focus-area").first.get_by_role("link", name="Fokusområdets egen sida").click()

    text = _within_first_screen(page, ".followup-summary")

    assert "genomförd" in text
    _within_first_screen(page, ".progress-bar")
