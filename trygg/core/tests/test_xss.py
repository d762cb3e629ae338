"""Checklist item 13: stored script payloads in residents' and staff's text come out escaped, never as markup."""

import pytest
from django.test import Client

from trygg.comments.tests.factories import CommentFactory
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">klicka</a>',
    "</textarea><script>alert(1)</script>",
    "{{ 7*7 }} {% now 'Y' %}",
]
DANGEROUS = ["<script>alert", "<img src=x", "<svg onload", 'href="javascript:', '<a href="javascript']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_item_13_a_payload_in_a_comment_and_an_activity_is_shown_as_text(
    client: Client, home_municipality: Municipality, payload: str
) -> None:
    promise = Promise.objects.get(municipality=home_municipality, slug="2023")
    CommentFactory.create(on=promise, original_text=payload, published_text=payload, author_name=payload)
    activity = Activity.objects.filter(focus_area__promise=promise).first()
    assert activity is not None
    activity.text = payload
    activity.target_group = payload
    activity.save()

    for url in (promise.get_absolute_url(), activity.get_absolute_url()):
        page = client.get(url).content.decode()
        assert not any(marker in page for marker in DANGEROUS), url
        if payload.startswith("{{"):
            assert "{{ 7*7 }}" in page, "template syntax in data is shown, not evaluated"
