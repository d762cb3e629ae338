import pytest
from django.contrib.sessions.models import Session

from tests.browser.conftest import axe_violations, only_this_server, staff_login
from trygg.demo.services import demo_load
from trygg.promises.models import Activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE_SECONDS = 60  # the warning comes half of it ahead: 30 s


@pytest.fixture
def staff_page(live_server, settings, page):
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    demo_load()
    only_this_server(page, live_server.url)
    # The page's own clock: timers are run forward without waiting, the server keeps real time.
    page.clock.install()
    staff_login(page, live_server.url)
    activity = Activity.objects.filter(focus_area__promise__slug="2023").order_by("pk").first()
    assert activity is not None
    page.goto(f"{live_server.url}/personal/aktiviteter/{activity.pk}/")
    return page


def _expiry_in_the_database() -> object:
    [session] = Session.objects.all()
    return session.expire_date


def test_item_34_a_staff_form_warns_30_seconds_ahead_and_extending_outlives_the_first_expiry(
    staff_page, axe
) -> None:
    page = staff_page
    dialog = page.locator("#session-warning")
    field = page.locator("form textarea").first
    field.focus()
    page.keyboard.type("Halvskrivet")
    first_expiry = _expiry_in_the_database()

    page.clock.run_for(25_000)
    assert dialog.is_hidden()

    page.clock.run_for(10_000)
    assert dialog.is_visible()
    assert dialog.get_attribute("role") == "alertdialog"
    ahead_ms = page.evaluate(
        "Number(document.getElementById('session-warning').dataset.deadline) - Date.now()"
    )
    assert ahead_ms >= 20_000
    assert page.evaluate("document.activeElement.textContent.trim()") == "Förläng sessionen"
    assert axe_violations(axe, page) == []

    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    assert page.locator("#session-status").inner_text() == "Sessionen är förlängd."
    # Back where the user was, with the text kept.
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    assert field.input_value() == "Halvskrivet"
    assert _expiry_in_the_database() > first_expiry

    # Past the first expiry (60 s after the page loaded) nothing has ended; the next warning comes 30 s before
    # the new one, about 95 s after the page loaded.
    page.clock.run_for(26_000)
    assert dialog.is_hidden()
    page.clock.run_for(60_000)
    assert dialog.is_visible()
    assert page.locator("#session-warning [data-state=expired]").is_visible()


def test_item_34_the_absolute_lifetime_is_announced_as_final_with_an_invitation_to_save(
    staff_page, settings
) -> None:
    import time

    from trygg.accounts.middleware import LOGIN_AT

    page = staff_page
    [row] = Session.objects.all()
    data = row.get_decoded()
    data[LOGIN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 45
    row.session_data = Session.objects.encode(data)
    row.save()
    page.reload()

    page.clock.run_for(20_000)
    dialog = page.locator("#session-warning")
    assert dialog.is_visible()
    assert "kan inte förlängas" in dialog.inner_text()
    assert "Spara" in dialog.inner_text()
    assert page.locator("#session-warning [data-action=extend]").is_hidden()
