"""Issue 20, item 12: two anonymous posts with count=20 filled a 40-seat meeting."""

import re
import uuid

import pytest
from django.core import mail
from django.test import Client

from trygg.meetings.models import Meeting, SignUp
from trygg.meetings.selectors import places_left

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_meeting(future_meeting: Meeting) -> Meeting:
    future_meeting.capacity = 40
    future_meeting.save()
    return future_meeting


def _post(client: Client, meeting: Meeting, **fields: object):
    return client.post(meeting.get_absolute_url(), {"submission_id": str(uuid.uuid4()), **fields})


def test_two_anonymous_posts_for_twenty_hold_no_seats(client: Client, big_meeting: Meeting) -> None:
    first = _post(client, big_meeting, count="20")
    second = _post(client, big_meeting, count="20")

    assert first.status_code == second.status_code == 400
    assert "e-post" in first.content.decode()
    assert places_left(big_meeting) == 40
    assert not SignUp.objects.filter(meeting=big_meeting).exists()


def test_a_sign_up_within_the_maximum_holds_its_seats_at_once(client: Client, big_meeting: Meeting) -> None:
    assert _post(client, big_meeting, count="4").status_code == 302

    assert places_left(Meeting.objects.get(pk=big_meeting.pk)) == 36


def test_more_seats_than_the_maximum_are_held_only_after_the_e_mailed_link(
    client: Client, big_meeting: Meeting, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = _post(client, big_meeting, count="12", name="Föreningen", email="forening@example.org")

    assert answer.status_code == 302
    assert places_left(Meeting.objects.get(pk=big_meeting.pk)) == 40
    [message] = mail.outbox
    link = re.search(r"https?://\S+", str(message.body))
    assert link is not None
    assert Client().get(link.group().split("8000", 1)[-1]).status_code == 200
    assert places_left(Meeting.objects.get(pk=big_meeting.pk)) == 28


def test_the_maximum_is_a_setting(client: Client, big_meeting: Meeting, settings) -> None:
    settings.MEETING_SIGNUP_MAX = 2

    assert _post(client, big_meeting, count="3").status_code == 400
    assert _post(client, big_meeting, count="2").status_code == 302
