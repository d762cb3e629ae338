"""The blank report form kept rendered in the page cache: every visitor still gets a form of their own."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from trygg.municipalities.models import Municipality
from trygg.reports.models import ReportCategory

pytestmark = pytest.mark.django_db

FORM = "/ljungby/felanmalan/"
OWN = re.compile(r'name="(csrfmiddlewaretoken|submission_id|form_started)" value="([^"]*)"')


def own_values(page: str) -> dict[str, str]:
    return dict(OWN.findall(page))


def without_own_values(page: str) -> str:
    return OWN.sub(lambda match: f'name="{match.group(1)}" value=""', page)


def filled(page: str, category: ReportCategory) -> dict[str, str]:
    return {
        **own_values(page),
        "category": str(category.pk),
        "place": "Salvesbacken",
        "description": "Lampan vid parkens ingång lyser inte.",
        "website": "",
    }


def test_two_visitors_get_the_same_form_each_with_its_own_token_submission_and_time_and_each_can_send_it(
    reports_demo: Municipality, page_cache, settings
) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one = first.get(FORM).content.decode()
    answer = second.get(FORM)
    two = answer.content.decode()
    settings.PAGE_CACHE_SECONDS = 0
    rendered = Client().get(FORM).content.decode()

    assert not answer.templates  # the second visitor's form was not rendered again
    assert (
        set(own_values(one))
        == set(own_values(two))
        == {"csrfmiddlewaretoken", "submission_id", "form_started"}
    )
    # (The fill time is to a tenth of a second, so two forms opened together may share it: see the next test.)
    assert all(
        own_values(one)[name] != own_values(two)[name] for name in ("csrfmiddlewaretoken", "submission_id")
    )
    assert "trygg-mark" not in one + two
    assert without_own_values(one) == without_own_values(two) == without_own_values(rendered)
    category = ReportCategory.objects.get(municipality=reports_demo, slug="belysning")
    for client, page in ((first, one), (second, two)):
        answer = client.post(FORM, filled(page, category))
        # Filed, or the step that shows similar reports nearby: accepted either way, no CSRF refusal, no error.
        assert answer.status_code in (200, 302)
        assert 'class="errorlist' not in answer.content.decode()


def test_the_kept_form_carries_the_time_each_visitor_opened_it_so_a_quick_post_is_still_refused(
    reports_demo: Municipality, page_cache, settings
) -> None:
    settings.FORM_MIN_FILL_SECONDS = 3
    category = ReportCategory.objects.get(municipality=reports_demo, slug="belysning")
    opened = dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC)
    with time_machine.travel(opened, tick=False):
        Client().get(FORM)  # renders the form kept for everyone
    later = Client()
    with time_machine.travel(opened + dt.timedelta(hours=1), tick=False):
        page = later.get(FORM).content.decode()
    with time_machine.travel(opened + dt.timedelta(hours=1, seconds=1), tick=False):
        refused = later.post(FORM, filled(page, category))
    with time_machine.travel(opened + dt.timedelta(hours=1, seconds=10), tick=False):
        accepted = later.post(FORM, filled(page, category))

    assert refused.status_code == 400
    assert "Formuläret skickades för snabbt" in refused.content.decode()
    assert accepted.status_code == 302


def test_a_preselected_category_and_a_category_added_since_each_show_on_the_kept_form(
    reports_demo: Municipality, page_cache
) -> None:
    plain = Client().get(FORM).content.decode()
    graffiti = Client().get(f"{FORM}?kategori=klotter").content.decode()
    klotter = ReportCategory.objects.get(municipality=reports_demo, slug="klotter")
    assert f'<option value="{klotter.pk}" selected>' in graffiti
    assert f'<option value="{klotter.pk}" selected>' not in plain

    added = ReportCategory.objects.create(municipality=reports_demo, slug="bankar", name="Trasig bänk")
    from trygg.core.pagecache import generation_bump

    generation_bump()  # as the commit of the write does (these tests' transactions never commit)
    assert added.name in Client().get(FORM).content.decode()


def test_staff_and_visitors_with_a_session_get_the_form_rendered_for_them(
    reports_demo: Municipality, page_cache, coordinator
) -> None:
    Client().get(FORM)
    staff = Client()
    staff.force_login(coordinator)
    page = staff.get(FORM).content.decode()

    assert "trygg-mark" not in page
    assert own_values(page)["csrfmiddlewaretoken"]


def test_a_form_page_that_used_a_csp_nonce_is_rendered_for_each_visitor(page_cache, rf) -> None:
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from trygg.core.pagecache import blank_form_page

    rendered: list[str] = []

    def render(values: dict[str, str]) -> HttpResponse:
        # Reading the nonce as a template does: django-csp's own lazy value makes it on first use.
        nonce = str(request.csp_nonce)
        rendered.append(nonce)
        token = get_token(request)
        return HttpResponse(f'<script nonce="{nonce}"></script><input value="{token}">{values["id"]}')

    for visitor in ("a", "b"):
        request = rf.get(FORM)
        CSPMiddleware(lambda request: HttpResponse()).process_request(request)
        page = blank_form_page(request, render, {"id": visitor}).content.decode()
        assert page.endswith(visitor)

    # Each visitor's page was drawn with a nonce of its own, none kept for the next.
    assert len(rendered) == 2 and rendered[0] != rendered[1] and all(rendered)
