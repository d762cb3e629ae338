"""Issue 19 item 3 in Chromium: from a promise's activity to what a resident can do about it, and back."""

import pytest

from trygg.promises.models import Activity, Promise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(dated_demo, open_page):
    return dated_demo, open_page(dated_demo)


def _linked(**relation: object) -> Activity:
    found = (
        Activity.objects.filter(focus_area__promise__status__in=Promise.Status.public(), **relation)
        .select_related("focus_area__promise__municipality")
        .order_by("-focus_area__promise__valid_from", "pk")
        .first()
    )
    assert found is not None, f"the demo has no public activity with {relation}"
    return found


def _there_and_back(base: str, page, activity: Activity, link_text: str) -> None:
    page.goto(base + activity.get_absolute_url())
    actions = page.locator("section.resident-actions")
    actions.get_by_role("link", name=link_text).first.click()
    page.wait_for_load_state()
    assert page.url != base + activity.get_absolute_url()

    page.locator("ul.promised-by").get_by_role("link", name=activity.text, exact=True).first.click()

    page.wait_for_url(base + activity.get_absolute_url())
    assert page.locator("h1").inner_text() == activity.text


def test_a_resident_goes_from_an_activity_to_its_measurements_and_back(site) -> None:
    base, page = site
    activity = _linked(indicators__is_public=True)

    _there_and_back(base, page, activity, "Se mätningarna")


def test_a_resident_goes_from_an_activity_to_its_walk_protocol_and_back(site) -> None:
    base, page = site
    activity = _linked(safety_walks__is_public=True)

    _there_and_back(base, page, activity, "Läs protokollet")


def test_a_resident_goes_from_an_activity_to_the_report_form_with_its_category_chosen_and_back(site) -> None:
    base, page = site
    activity = _linked(report_categories__is_active=True)
    category = activity.report_categories.filter(is_active=True).order_by("order", "name").first()
    assert category is not None

    page.goto(base + activity.get_absolute_url())
    page.locator("section.resident-actions").get_by_role("link", name="Anmäl").first.click()
    page.wait_for_url("**/felanmalan/?kategori=*")
    chosen = page.locator("#id_category").input_value()
    assert chosen

    page.locator("ul.promised-by").get_by_role("link", name=activity.text, exact=True).first.click()
    page.wait_for_url(base + activity.get_absolute_url())
