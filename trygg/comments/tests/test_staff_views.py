import datetime as dt

import html5lib
import pytest
from django.urls import reverse
from django.utils import timezone

from trygg.comments.models import ANONYMOUS, Comment, CommentSettings, OfficialReply
from trygg.comments.tests.factories import CommentFactory, ReplyFactory
from trygg.municipalities.models import Party
from trygg.promises.models import Promise
from trygg.promises.tests.factories import PromiseFactory

pytestmark = pytest.mark.django_db


def _parse(content: bytes) -> object:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def test_the_queue_shows_threats_first_then_the_oldest(login, coordinator, promise: Promise) -> None:
    now = timezone.now()
    old = CommentFactory.create(on=promise, state=Comment.State.PENDING, original_text="Gammal")
    newer = CommentFactory.create(on=promise, state=Comment.State.PENDING, original_text="Nyare")
    threat = CommentFactory.create(on=promise, state=Comment.State.PENDING, is_urgent=True, flags=["threat"])
    Comment.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=3))
    Comment.objects.filter(pk=newer.pk).update(created_at=now - dt.timedelta(days=1))

    response = login(coordinator).get(reverse("comments:staff_queue"))

    assert response.status_code == 200
    _parse(response.content)
    page = response.content.decode()
    positions = [page.index(f'href="/personal/kommentarer/{c.pk}/"') for c in (threat, old, newer)]
    assert positions == sorted(positions)
    assert "ring 112" in page


def test_staff_must_log_in_with_a_second_factor(client, promise: Promise) -> None:
    response = client.get(reverse("comments:staff_queue"))

    assert response.status_code == 302
    assert "/personal/logga-in/" in response["Location"]


def test_a_coordinator_approves_a_comment(login, coordinator, promise: Promise) -> None:
    comment = CommentFactory.create(on=promise, state=Comment.State.PENDING)

    response = login(coordinator).post(reverse("comments:staff_approve", args=[comment.pk]), {"reason": ""})

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == Comment.State.APPROVED


def test_rejecting_without_a_reason_is_refused_and_nothing_changes(
    login, coordinator, promise: Promise
) -> None:
    comment = CommentFactory.create(on=promise, state=Comment.State.PENDING)

    response = login(coordinator).post(
        reverse("comments:staff_reject", args=[comment.pk]), {"avvisa-reason": ""}
    )

    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.state == Comment.State.PENDING


def test_a_coordinator_hides_and_edits_out_with_the_original_kept(
    login, coordinator, promise: Promise
) -> None:
    comment = CommentFactory.create(on=promise, original_text="Ring 070-123 45 67")
    client = login(coordinator)

    page = client.get(reverse("comments:staff_detail", args=[comment.pk]))
    assert "Ring [borttaget]" in page.content.decode()
    _parse(page.content)
    client.post(
        reverse("comments:staff_edit_out", args=[comment.pk]),
        {"published_text": "Ring [borttaget]", "reason": "Telefonnummer"},
    )
    client.post(reverse("comments:staff_hide", args=[comment.pk]), {"dolj-reason": "Utreds"})

    comment.refresh_from_db()
    assert (comment.published_text, comment.original_text, comment.is_edited) == (
        "Ring [borttaget]",
        "Ring 070-123 45 67",
        True,
    )
    assert comment.state == Comment.State.HIDDEN


def test_a_crew_member_may_not_moderate_403_and_nothing_changes(login, crew_member, promise: Promise) -> None:
    comment = CommentFactory.create(on=promise, state=Comment.State.PENDING)
    client = login(crew_member)

    for name, data in [
        ("staff_approve", {}),
        ("staff_reject", {"avvisa-reason": "x"}),
        ("staff_hide", {"dolj-reason": "x"}),
        ("staff_edit_out", {"published_text": "x"}),
    ]:
        assert client.post(reverse(f"comments:{name}", args=[comment.pk]), data).status_code == 403

    comment.refresh_from_db()
    assert (comment.state, comment.published_text) == (Comment.State.PENDING, comment.original_text)


def test_staff_of_another_municipality_get_404_and_nothing_changes(login, outsider, promise: Promise) -> None:
    comment = CommentFactory.create(on=promise, state=Comment.State.PENDING)
    client = login(outsider)

    assert client.get(reverse("comments:staff_detail", args=[comment.pk])).status_code == 404
    assert client.post(reverse("comments:staff_approve", args=[comment.pk]), {}).status_code == 404
    assert client.get(reverse("comments:staff_unanswered", args=[promise.pk])).status_code == 404
    assert client.get(reverse("comments:staff_names", args=[promise.municipality.pk])).status_code == 404
    assert client.get(reverse("comments:staff_settings", args=[promise.municipality.pk])).status_code == 404
    assert (
        f"/personal/kommentarer/{comment.pk}/"
        not in client.get(reverse("comments:staff_queue")).content.decode()
    )
    comment.refresh_from_db()
    assert comment.state == Comment.State.PENDING


def test_a_police_officer_replies_as_the_police_shown_as_svar_fran_polisen(
    client, login, police_officer, promise: Promise
) -> None:
    comment = CommentFactory.create(on=promise)
    police = Party.objects.get(kind=Party.Kind.POLICE)

    response = login(police_officer).post(
        reverse("comments:staff_reply", args=[comment.pk]), {"party": police.pk, "text": "Vi ökar närvaron."}
    )

    assert response.status_code == 302
    client.logout()
    page = client.get(promise.get_absolute_url()).content.decode()
    assert "Svar från Polisen" in page
    assert "Vi ökar närvaron." in page


def test_a_police_officer_cannot_reply_as_the_kommun(login, police_officer, promise: Promise) -> None:
    comment = CommentFactory.create(on=promise)
    kommun = Party.objects.get(municipality=promise.municipality, kind=Party.Kind.MUNICIPALITY)

    response = login(police_officer).post(
        reverse("comments:staff_reply", args=[comment.pk]), {"party": kommun.pk, "text": "Svar"}
    )

    assert response.status_code == 400
    assert OfficialReply.objects.count() == 0


def test_the_unanswered_list_shows_comments_without_a_reply_oldest_first(
    login, police_officer, promise: Promise
) -> None:
    now = timezone.now()
    newer = CommentFactory.create(on=promise, published_at=now - dt.timedelta(days=1))
    older = CommentFactory.create(on=promise.focus_areas.first(), published_at=now - dt.timedelta(days=5))
    answered = CommentFactory.create(on=promise)
    ReplyFactory.create(comment=answered, party=Party.objects.get(kind=Party.Kind.POLICE))
    CommentFactory.create(on=promise, state=Comment.State.PENDING)
    CommentFactory.create(on=PromiseFactory.create(municipality=promise.municipality))

    response = login(police_officer).get(reverse("comments:staff_unanswered", args=[promise.pk]))

    page = response.content.decode()
    _parse(response.content)
    assert page.index(f"/personal/kommentarer/{older.pk}/") < page.index(f"/personal/kommentarer/{newer.pk}/")
    assert f"/personal/kommentarer/{answered.pk}/" not in page
    assert page.count('href="/personal/kommentarer/') == 2


def test_a_coordinator_removes_a_residents_name_from_their_comments(
    login, coordinator, promise: Promise
) -> None:
    mine = CommentFactory.create(on=promise, author_name="Eva Ek")
    client = login(coordinator)
    url = reverse("comments:staff_names", args=[promise.municipality.pk])

    found = client.get(url, {"name": "eva ek"})
    assert found.status_code == 200
    _parse(found.content)
    client.post(f"{url}?name=Eva+Ek", {"comments": [mine.pk], "reason": "Bad om det i e-post 3 maj"})

    mine.refresh_from_db()
    assert mine.author_name == ANONYMOUS


def test_a_police_officer_may_not_remove_names_or_change_the_setting(
    login, police_officer, promise: Promise
) -> None:
    client = login(police_officer)

    assert client.get(reverse("comments:staff_names", args=[promise.municipality.pk])).status_code == 403
    response = client.post(
        reverse("comments:staff_settings", args=[promise.municipality.pk]), {"moderation_mode": "post"}
    )
    assert response.status_code == 403
    assert not CommentSettings.objects.exists()


def test_a_coordinator_switches_to_post_moderation(login, coordinator, promise: Promise) -> None:
    response = login(coordinator).post(
        reverse("comments:staff_settings", args=[promise.municipality.pk]), {"moderation_mode": "post"}
    )

    assert response.status_code == 302
    assert CommentSettings.objects.get(municipality=promise.municipality).moderation_mode == "post"
