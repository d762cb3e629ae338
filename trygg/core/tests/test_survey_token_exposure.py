"""Checklist item 25: after redemption a survey code is in no URL and no outgoing Referer.

Its absence from the logs is covered by the canaries of test_log_canaries.py (item 20).
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.models import User
from trygg.surveys import services
from trygg.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db

# The site-wide policy: a Referer goes only to this site, never to another. ("no-referrer" would also make
# browsers send "Origin: null" with the survey's own forms, which the CSRF check refuses.)
REFERRER_POLICY = "same-origin"


def _answer(client: Client, survey: Survey, code: str) -> list[str]:
    """Answer every page; the addresses the browser was sent to and the pages' HTML."""
    seen: list[str] = []
    step = 1
    while True:
        url = reverse("surveys:step", args=["ljungby", survey.slug, step])
        page = client.get(url)
        assert page.status_code == 200
        assert page["Referrer-Policy"] == REFERRER_POLICY
        seen += [url, page.content.decode()]
        data = {"next": "1"}
        if step == 1:
            data.update({"area": "Centrum", "kon": "1"})
        answered = client.post(url, data)
        assert answered.status_code == 302
        seen.append(answered["Location"])
        if answered["Location"].endswith("/tack/"):
            thanks = client.get(answered["Location"])
            assert thanks["Referrer-Policy"] == REFERRER_POLICY
            return [*seen, thanks.content.decode()]
        step += 1


def test_item_25_a_code_in_a_link_is_redeemed_and_the_browser_is_sent_on_without_it(
    client: Client, invitation_survey: Survey, coordinator: User
) -> None:
    [code] = services.invitation_codes_generate(survey=invitation_survey, count=1, by=coordinator)

    first = client.get(f"{invitation_survey.get_absolute_url()}?kod={code}&sprak=en")

    assert first.status_code == 302
    assert first["Location"] == reverse("surveys:step", args=["ljungby", invitation_survey.slug, 1])
    assert first["Referrer-Policy"] == REFERRER_POLICY
    session = str(dict(client.session.items()))
    assert code not in session and services.code_normalise(code) not in session
    seen = _answer(client, invitation_survey, code)
    assert Response.objects.filter(survey=invitation_survey).count() == 1
    for text in seen:
        assert code not in text and services.code_normalise(code) not in text


def test_item_25_a_used_code_in_a_link_is_refused_on_an_address_without_it(
    client: Client, invitation_survey: Survey, coordinator: User
) -> None:
    [code] = services.invitation_codes_generate(survey=invitation_survey, count=1, by=coordinator)
    services.answer_start(survey=invitation_survey, code=code, language="sv", now=timezone.now())

    first = client.get(f"{invitation_survey.get_absolute_url()}?sprak=en&kod={code.lower()}")
    page = client.get(first["Location"])

    assert first.status_code == 302
    assert first["Location"] == f"{invitation_survey.get_absolute_url()}?sprak=en"
    assert page.status_code == 400
    assert "Koden fungerar inte" in page.content.decode() or "The code does not work" in page.content.decode()
    assert code.lower() not in page.content.decode().lower()
    assert page["Referrer-Policy"] == REFERRER_POLICY


def test_item_25_a_typed_code_is_posted_and_never_put_in_an_address(
    client: Client, invitation_survey: Survey, coordinator: User
) -> None:
    [code] = services.invitation_codes_generate(survey=invitation_survey, count=1, by=coordinator)
    start = client.get(invitation_survey.get_absolute_url())

    redeemed = client.post(invitation_survey.get_absolute_url(), {"code": code})

    assert 'method="post"' in start.content.decode()
    assert start["Referrer-Policy"] == REFERRER_POLICY
    assert redeemed.status_code == 302 and code not in redeemed["Location"]
    for text in _answer(client, invitation_survey, code):
        assert code not in text


def test_item_25_every_page_sends_a_referer_only_to_this_site(
    client: Client, invitation_survey: Survey
) -> None:
    for url in (invitation_survey.get_absolute_url(), "/ljungby/2023/", "/ljungby/felanmalan/", "/om/"):
        assert client.get(url)["Referrer-Policy"] == REFERRER_POLICY
