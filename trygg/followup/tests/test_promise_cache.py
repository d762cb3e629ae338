"""The promise, focus area and activity pages are the same for every anonymous visitor: the page cache serves them."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trygg.comments import services as comment_services
from trygg.followup import services
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.tests.factories import FocusAreaFactory, PromiseFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = dt.date(2023, 6, 20)

pytestmark = pytest.mark.usefixtures("page_cache")


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2023, 6, 20, 10, tzinfo=STOCKHOLM), tick=False):
        yield


def _activity(promise: Promise) -> Activity:
    found = Activity.objects.filter(focus_area__promise=promise, text__contains="avloppsvattnet").first()
    assert found is not None
    return found


def _urls(promise: Promise) -> list[str]:
    activity = _activity(promise)
    return [promise.get_absolute_url(), activity.focus_area.get_absolute_url(), activity.get_absolute_url()]


@pytest.mark.django_db
def test_a_second_anonymous_visit_to_each_promise_page_comes_from_the_cache_without_a_csrf_token(
    client: Client, promise: Promise, frozen, django_assert_num_queries
) -> None:
    for url in _urls(promise):
        first = client.get(url)
        with django_assert_num_queries(1):  # the generation number, nothing else
            second = client.get(url)

        assert first.status_code == second.status_code == 200
        assert second.content == first.content
        assert b"csrfmiddlewaretoken" not in first.content
        assert "csrftoken" not in first.cookies and "csrftoken" not in second.cookies


@pytest.mark.django_db
def test_each_promise_page_links_to_its_comment_page_which_has_the_form(
    client: Client, promise: Promise, frozen
) -> None:
    activity = _activity(promise)
    targets: list[tuple[str, Promise | FocusArea | Activity]] = [
        ("lofte", promise),
        ("fokusomrade", activity.focus_area),
        ("aktivitet", activity),
    ]
    for (kind, target), url in zip(targets, _urls(promise), strict=True):
        comment_page = reverse("comments:create", kwargs={"kind": kind, "pk": target.pk})

        assert f'href="{comment_page}"' in client.get(url).content.decode()
        answer = client.get(comment_page)
        assert answer.status_code == 200
        assert b"csrfmiddlewaretoken" in answer.content
        assert f'href="{target.get_absolute_url()}"' in answer.content.decode()


@pytest.mark.django_db
def test_the_comment_page_of_a_draft_promises_focus_area_is_not_found(
    client: Client, home_municipality
) -> None:
    draft = PromiseFactory.create(municipality=home_municipality, status=Promise.Status.DRAFT)
    focus_area = FocusAreaFactory.create(promise=draft)

    answer = client.get(reverse("comments:create", kwargs={"kind": "fokusomrade", "pk": focus_area.pk}))

    assert answer.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_new_execution_comment_and_status_change_are_visible_on_the_next_request(
    client: Client, promise: Promise, coordinator, frozen
) -> None:
    activity = _activity(promise)
    promise_url, focus_area_url, activity_url = _urls(promise)
    for url in (promise_url, focus_area_url, activity_url):
        client.get(url)
        assert client.get(url).status_code == 200

    services.execution_record(
        activity=activity,
        by=coordinator,
        done_on=TODAY,
        description="Provtagning vid reningsverket",
        today=TODAY,
    )
    for url in (promise_url, focus_area_url, activity_url):
        assert "Provtagning vid reningsverket" in client.get(url).content.decode()

    comment, _created = comment_services.comment_submit(
        target=activity,
        author_name="Eva",
        email="eva@example.se",
        text="Bra att ni mäter, visa gärna resultaten.",
        submission_id=uuid.uuid4(),
        now=timezone.now(),
    )
    comment_services.comment_approve(comment=comment, by=coordinator, now=timezone.now())
    assert "visa gärna resultaten" in client.get(activity_url).content.decode()

    services.activity_cancel(activity=activity, by=coordinator, reason="Labbet har lagt ner.", today=TODAY)
    for url in (promise_url, focus_area_url, activity_url):
        assert "Labbet har lagt ner." in client.get(url).content.decode()
