import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from trygg.comments import digest as digest_module
from trygg.comments import services
from trygg.comments.digest import DigestItem, digests_send, register_change_source
from trygg.comments.models import Comment, CommentContact, DigestLog, Subscription
from trygg.comments.tests.factories import CommentFactory, ReplyFactory
from trygg.core.site import site_url
from trygg.municipalities.models import Party
from trygg.promises.models import Promise

pytestmark = pytest.mark.django_db

BASE = "https://trygg.example"


def _confirmed(target, email="eva@example.se", days_ago=2) -> Subscription:
    subscription = services.subscription_request(target=target, email=email, base_url=BASE)
    return services.subscription_confirm(
        subscription=subscription, now=timezone.now() - dt.timedelta(days=days_ago)
    )


def _send(today: dt.date | None = None) -> int:
    now = timezone.now()
    return _digests_send(today=today or timezone.localdate(now), now=now)


def _digests_send(*, today: dt.date, now: dt.datetime) -> int:
    # Digests go out when their log row commits; the test's transaction never does, so run the callbacks.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return digests_send(today=today, now=now, base_url=BASE)


def test_following_takes_a_confirmation_by_post_before_anything_is_sent(
    client: Client, promise: Promise, django_capture_on_commit_callbacks
) -> None:
    url = reverse("comments:subscribe", kwargs={"kind": "lofte", "pk": promise.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"prenumeration-email": "eva@example.se", "prenumeration-website": ""})

    assert response.status_code == 303
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None
    found = re.search(r"https?://\S+/prenumerera/bekrafta/\S+/", str(mail.outbox[0].body))
    assert found is not None
    link = found.group()
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None  # opening the link alone (a mail scanner) confirms nothing
    client.post(path)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


def test_a_forged_confirmation_token_is_refused(client: Client) -> None:
    response = client.get(reverse("comments:subscription_confirm", kwargs={"token": "1:forged:token"}))

    assert response.status_code == 404


def test_the_subscribe_honeypot_writes_nothing(client: Client, promise: Promise) -> None:
    url = reverse("comments:subscribe", kwargs={"kind": "lofte", "pk": promise.pk})

    client.post(url, {"prenumeration-email": "bot@example.se", "prenumeration-website": "x"})

    assert Subscription.objects.count() == 0
    assert mail.outbox == []


def test_an_activity_cannot_be_followed(client: Client, promise: Promise) -> None:
    activity = promise.focus_areas.all()[0].activities.all()[0]
    url = reverse("comments:subscribe", kwargs={"kind": "aktivitet", "pk": activity.pk})

    assert client.post(url, {"prenumeration-email": "eva@example.se"}).status_code == 404


@pytest.mark.date_sensitive
def test_a_digest_lists_new_comments_and_replies_with_an_unsubscribe_header(promise: Promise) -> None:
    subscription = _confirmed(promise)
    comment = CommentFactory.create(on=promise.focus_areas.first(), published_text="Mer ljus i parken")
    ReplyFactory.create(comment=comment, party=Party.objects.get(kind="police"), text="Vi tittar på det")
    mail.outbox.clear()

    assert _send() == 1

    message = mail.outbox[0]
    assert message.to == ["eva@example.se"]
    assert "Mer ljus i parken" in message.body
    assert "Svar från Polisen: Vi tittar på det" in message.body
    unsubscribe = f"{site_url()}/prenumerera/sluta/{subscription.unsubscribe_token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body


@pytest.mark.date_sensitive
def test_digests_are_idempotent_per_day(promise: Promise) -> None:
    _confirmed(promise)
    CommentFactory.create(on=promise)
    mail.outbox.clear()

    first, second = _send(), _send()

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    assert DigestLog.objects.count() == 1


@pytest.mark.date_sensitive
def test_at_most_one_digest_a_day_even_when_more_happens(promise: Promise) -> None:
    _confirmed(promise)
    CommentFactory.create(on=promise)
    _send()
    CommentFactory.create(on=promise, published_at=timezone.now())

    assert _send() == 0
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert _digests_send(today=tomorrow, now=timezone.now()) == 1


@pytest.mark.date_sensitive
def test_nothing_new_means_no_email(promise: Promise) -> None:
    _confirmed(promise)
    CommentFactory.create(on=promise, state=Comment.State.PENDING)
    CommentFactory.create(on=promise, state=Comment.State.HIDDEN)
    mail.outbox.clear()

    assert _send() == 0
    assert mail.outbox == []
    assert DigestLog.objects.count() == 0


@pytest.mark.date_sensitive
def test_things_from_before_the_last_digest_are_not_sent_again(promise: Promise) -> None:
    _confirmed(promise)
    CommentFactory.create(on=promise, published_text="Första")
    _send()
    mail.outbox.clear()
    CommentFactory.create(
        on=promise, published_text="Andra", published_at=timezone.now() + dt.timedelta(minutes=1)
    )

    _digests_send(
        today=timezone.localdate() + dt.timedelta(days=1), now=timezone.now() + dt.timedelta(hours=1)
    )

    assert "Andra" in mail.outbox[0].body
    assert "Första" not in mail.outbox[0].body


def test_an_unconfirmed_subscription_gets_nothing(promise: Promise) -> None:
    services.subscription_request(target=promise, email="eva@example.se", base_url=BASE)
    CommentFactory.create(on=promise)
    mail.outbox.clear()

    assert _send() == 0


def test_one_click_unsubscribe_deletes_the_subscription_and_the_address(
    client: Client, promise: Promise
) -> None:
    subscription = _confirmed(promise)
    url = reverse("comments:unsubscribe", kwargs={"token": subscription.unsubscribe_token})

    assert client.get(url).status_code == 200
    assert Subscription.objects.exists()
    # The mail client's one-click POST carries no CSRF token.
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not Subscription.objects.filter(email="eva@example.se").exists()


def test_another_app_adds_a_change_source(promise: Promise, monkeypatch) -> None:
    monkeypatch.setattr(digest_module, "_SOURCES", list(digest_module._SOURCES))
    _confirmed(promise)

    @register_change_source
    def executions(*, targets, since, until, base_url):
        return [DigestItem(when=until, text="Trygghetsvandring genomförd", url=f"{base_url}/x")]

    mail.outbox.clear()
    assert _send() == 1
    assert "Trygghetsvandring genomförd" in mail.outbox[0].body


@pytest.mark.date_sensitive
def test_the_send_digests_command_is_idempotent(promise: Promise) -> None:
    _confirmed(promise)
    CommentFactory.create(on=promise)
    mail.outbox.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_digests")
        call_command("send_digests")

    assert len(mail.outbox) == 1


@pytest.mark.date_sensitive
def test_purge_comment_emails_uses_the_retention_setting(promise: Promise, settings) -> None:
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "comment_email": 30}
    old, new = CommentFactory.create(on=promise), CommentFactory.create(on=promise)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    CommentContact.objects.create(comment=old, email="old@example.se")
    CommentContact.objects.create(comment=new, email="new@example.se")

    call_command("purge_comment_emails")

    assert list(CommentContact.objects.values_list("email", flat=True)) == ["new@example.se"]
    call_command("purge_comment_emails", "--older-than-days", "0")
    assert not CommentContact.objects.exists()


def test_each_subscription_step_answers_its_post_with_a_redirect_so_a_reload_posts_nothing(
    client: Client, promise: Promise, django_capture_on_commit_callbacks
) -> None:
    url = reverse("comments:subscribe", kwargs={"kind": "lofte", "pk": promise.pk})
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url, {"prenumeration-email": "eva@example.se", "prenumeration-website": ""})

    assert asked.status_code == 303
    requested = client.get(asked["Location"])
    assert requested.status_code == 200 and "Vi har skickat ett e-brev" in requested.content.decode()
    assert len(mail.outbox) == 1 and Subscription.objects.count() == 1

    subscription = Subscription.objects.get()
    confirm = reverse(
        "comments:subscription_confirm", kwargs={"token": services.subscription_confirm_token(subscription)}
    )
    confirmed = client.post(confirm)
    assert confirmed.status_code == 303
    page = client.get(confirmed["Location"]).content.decode()
    assert "Du följer nu" in page and "Ja, jag vill följa" not in page

    stop = reverse("comments:unsubscribe", kwargs={"token": subscription.unsubscribe_token})
    stopped = client.post(stop)
    assert stopped.status_code == 303
    done = client.get(stopped["Location"])
    assert done.status_code == 200 and "Du prenumererar inte längre" in done.content.decode()
    assert not Subscription.objects.exists()
    assert len(mail.outbox) == 1  # the pages after the redirects, reloaded, sent and wrote nothing
