import pytest

from tests.browser.conftest import assert_no_keyboard_trap, axe_violations, press, tab_to
from trygg.comments.models import Comment
from trygg.demo.services import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    demo_load()
    return live_server


def test_item_31_a_resident_sends_a_comment_with_the_keyboard_only_focus_visible_and_no_trap(
    demo, page, axe
) -> None:
    page.goto(f"{demo.url}/ljungby/2023/")
    assert axe_violations(axe, page) == []
    # The promise page is the same for everyone (and cached); the form is on the page behind "Kommentera".
    page.get_by_role("link", name="Kommentera", exact=True).click()
    page.wait_for_url("**/kommentera/lofte/**")
    assert axe_violations(axe, page) == []
    assert assert_no_keyboard_trap(page) > 3

    tab_to(page, "id_kommentar-author_name")
    page.keyboard.type("Eva")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.id") == "id_kommentar-email"
    page.keyboard.type("eva@example.se")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.id") == "id_kommentar-text"
    page.keyboard.type("Mer belysning vid gångtunneln, tack.")
    press(page, "Tab")
    # The honeypot is hidden: the next stop is the send button.
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skicka kommentaren"
    press(page, "Enter")
    page.wait_for_url("**kommentar=granskas**")

    assert "visas här när den har granskats" in page.locator("#kommentarer-tack").inner_text()
    assert axe_violations(axe, page) == []
    comment = Comment.objects.get()
    assert (comment.author_name, comment.state) == ("Eva", Comment.State.PENDING)


def test_the_comment_form_with_errors_has_no_violations(demo, page, axe) -> None:
    page.goto(f"{demo.url}/ljungby/2023/")
    page.get_by_role("link", name="Kommentera", exact=True).click()
    page.locator("#id_kommentar-text").fill("   ")
    # Skip the browser's own check so the server's error page is the one tested.
    page.evaluate("document.querySelector('.comment-form').noValidate = true")
    page.locator(".comment-form button[type=submit]").click()

    assert page.locator(".error-summary").is_visible()
    assert axe_violations(axe, page) == []
    assert Comment.objects.count() == 0
