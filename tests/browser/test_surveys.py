import pytest

from tests.browser.conftest import assert_no_keyboard_trap, axe_violations, press, tab_until
from trygg.demo.services import demo_load
from trygg.demo.surveys import load_surveys_demo
from trygg.municipalities.tests.factories import UserFactory
from trygg.surveys import services
from trygg.surveys.models import Response, Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_survey(live_server):
    municipality = demo_load().municipality
    builder = UserFactory.create(username="bygger", is_superuser=True)
    survey = services.survey_create(
        municipality=municipality,
        year=2025,
        title="Trygghetsmätning 2025",
        slug="2025",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=["en"],
        areas=["Centrum", "Landsbygd"],
        by=builder,
    )
    services.survey_set_status(survey=survey, status=Survey.Status.OPEN, by=builder)
    [code] = services.invitation_codes_generate(survey=survey, count=1, by=builder)
    return live_server, survey, code


def test_item_31_a_resident_answers_the_whole_survey_with_the_keyboard_only_focus_visible_and_no_trap(
    open_survey, page, axe
) -> None:
    server, survey, code = open_survey
    page.goto(f"{server.url}{survey.get_absolute_url()}")
    assert axe_violations(axe, page) == []

    tab_until(page, "el.name === 'code'")
    page.keyboard.type(code)
    press(page, "Enter")
    page.wait_for_url("**/fragor/1/")
    assert axe_violations(axe, page) == []
    assert assert_no_keyboard_trap(page) > 5

    # A radio group takes one Tab stop; the arrow keys move the choice within it.
    tab_until(page, "el.name === 'area'")
    press(page, "ArrowDown")
    assert page.evaluate("document.querySelector('input[name=area]:checked').value") == "Landsbygd"
    tab_until(page, "el.name === 'next'")
    press(page, "Enter")
    page.wait_for_url("**/fragor/2/")

    tab_until(page, "el.name === 'p_klotter'")
    press(page, "Space")
    press(page, "ArrowDown")
    assert axe_violations(axe, page) == []
    for step in range(2, 6):
        tab_until(page, "el.name === 'next'")
        press(page, "Enter")
        page.wait_for_load_state()
        if step < 5:
            page.wait_for_url(f"**/fragor/{step + 1}/")

    page.wait_for_url("**/tack/")
    assert page.locator("h1").inner_text() == "Tack för dina svar"
    stored = Response.objects.get(survey=survey)
    assert stored.area == "Landsbygd"
    assert stored.answers == {"p_klotter": 2}


def test_the_results_page_has_no_wcag_violations(live_server, page, axe) -> None:
    municipality = demo_load().municipality
    surveys = load_surveys_demo(municipality)

    for url in [surveys[1].get_results_url(), surveys[1].get_results_url() + "landsbygd/"]:
        page.goto(f"{live_server.url}{url}")
        assert axe_violations(axe, page) == [], url
        assert page.locator("img.chart").first.evaluate("img => img.naturalWidth") > 0
