"""Each party's staff see the published comments waiting for their party's reply, and get to them in one click."""

import html5lib
import pytest
from django.urls import reverse

from trygg.comments.models import Comment, OfficialReply
from trygg.comments.selectors import comments_awaiting_reply
from trygg.comments.tests.factories import CommentFactory, ReplyFactory
from trygg.municipalities.models import Party
from trygg.promises.models import Activity, FocusArea, Promise

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(home_municipality) -> Party:
    return Party.objects.get(kind=Party.Kind.POLICE, police_area__municipalities=home_municipality)


@pytest.fixture
def kommun(home_municipality) -> Party:
    return Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY)


def _activity(promise: Promise, *, only: Party) -> Activity:
    """An activity of the promise in a focus area whose every activity is ``only``'s alone."""
    for focus_area in FocusArea.objects.filter(promise=promise).order_by("order", "pk"):
        activities = list(focus_area.activities.order_by("pk"))
        if all(list(activity.responsible_parties.all()) == [only] for activity in activities):
            return activities[0]
    raise AssertionError(f"no focus area of {only} alone")


@pytest.fixture
def comments(promise: Promise, police: Party, kommun: Party) -> dict[str, Comment]:
    police_activity = _activity(promise, only=police)
    kommun_activity = _activity(promise, only=kommun)
    return {
        "police_activity": CommentFactory.create(on=police_activity),
        "police_focus_area": CommentFactory.create(on=police_activity.focus_area),
        "promise": CommentFactory.create(on=promise),
        "kommun_activity": CommentFactory.create(on=kommun_activity),
        "kommun_only_focus_area": CommentFactory.create(
            on=FocusArea.objects.get(promise=promise, slug="vald-i-samhallet")
        ),
        "pending": CommentFactory.create(on=police_activity, state=Comment.State.PENDING),
        "answered": CommentFactory.create(on=police_activity),
    }


def test_a_police_officer_sees_the_comments_waiting_for_the_polices_reply(
    login, police_officer, comments: dict[str, Comment], police: Party, kommun: Party
) -> None:
    ReplyFactory.create(comment=comments["answered"], party=kommun)

    response = login(police_officer).get(reverse("comments:staff_queue"))

    assert response.status_code == 200
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.content)
    page = response.content.decode()
    assert "3 kommentarer väntar på svar från Polisen (Ljungby kommun)" in page
    for waiting in ("police_activity", "police_focus_area", "promise"):
        assert f'href="/personal/kommentarer/{comments[waiting].pk}/#svara"' in page
    for other in ("kommun_activity", "kommun_only_focus_area", "pending", "answered"):
        assert f'href="/personal/kommentarer/{comments[other].pk}/#svara"' not in page


def test_the_coordinator_sees_the_kommuns_own_list(coordinator, comments: dict[str, Comment]) -> None:
    [group] = comments_awaiting_reply(user=coordinator)

    assert group.party.kind == Party.Kind.MUNICIPALITY
    assert {comment.pk for comment in group.comments} == {
        comments[key].pk for key in ("promise", "kommun_activity", "kommun_only_focus_area")
    }


def test_a_reply_from_the_police_takes_the_comment_off_the_list(
    login, police_officer, comments: dict[str, Comment], police: Party
) -> None:
    client = login(police_officer)
    comment = comments["police_activity"]

    replied = client.post(
        reverse("comments:staff_reply", args=[comment.pk]), {"party": police.pk, "text": "Vi tittar på det."}
    )

    assert replied.status_code == 302
    page = client.get(reverse("comments:staff_queue")).content.decode()
    assert "3 kommentarer väntar på svar från Polisen" in page
    assert f'/personal/kommentarer/{comment.pk}/#svara"' not in page


def test_staff_of_another_municipality_see_none_of_its_comments_and_cannot_answer_them(
    login, outsider, comments: dict[str, Comment], police: Party
) -> None:
    client = login(outsider)

    page = client.get(reverse("comments:staff_queue")).content.decode()
    assert "Ljungby" not in page
    assert all(f"/personal/kommentarer/{comment.pk}/" not in page for comment in comments.values())
    comment = comments["police_activity"]
    assert client.get(reverse("comments:staff_detail", args=[comment.pk])).status_code == 404
    response = client.post(
        reverse("comments:staff_reply", args=[comment.pk]), {"party": police.pk, "text": "X"}
    )
    assert response.status_code == 404
    assert not OfficialReply.objects.filter(comment=comment).exists()


def test_a_crew_member_cannot_answer_in_the_polices_name(
    login, crew_member, comments: dict[str, Comment], police: Party
) -> None:
    comment = comments["police_activity"]

    response = login(crew_member).post(
        reverse("comments:staff_reply", args=[comment.pk]), {"party": police.pk, "text": "Svar"}
    )

    assert response.status_code == 400
    assert not OfficialReply.objects.filter(comment=comment).exists()


def test_the_waiting_list_query_count_does_not_grow_with_its_comments(
    police_officer, promise: Promise, police: Party, django_assert_max_num_queries
) -> None:
    activity = _activity(promise, only=police)
    for target in (activity, activity.focus_area, promise):
        CommentFactory.create(on=target)
    with django_assert_max_num_queries(12) as few:
        [group] = comments_awaiting_reply(user=police_officer)
        assert len(group.comments) == 3
    for target in (activity, activity.focus_area, promise):
        CommentFactory.create_batch(5, on=target)
    with django_assert_max_num_queries(len(few.captured_queries)):
        [group] = comments_awaiting_reply(user=police_officer)
        assert len(group.comments) == 18
