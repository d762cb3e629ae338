"""The daily digest to subscribers: at most one e-mail a day, and only when something changed.

What counts as a change comes from *change sources*. This app registers two: newly published comments and
new official replies. Another app adds its own with `register_change_source`, for example the follow-up app
when an activity's execution is recorded:

    from trygg.comments.digest import DigestItem, register_change_source

    def executions_since(*, targets, since, until):
        return [DigestItem(when=..., text=..., url=...) for ... in ...]

    register_change_source(executions_since)   # in FollowupConfig.ready()

A source gets the subscribed target plus the targets it covers (a focus area's activities), and the
half-open period (since, until]; it returns what a subscriber should hear about, public items only.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .models import Comment, DigestLog, OfficialReply, Subscription
from .targets import kind_for_object, target_prefetch


@dataclass(frozen=True)
class DigestItem:
    when: dt.datetime
    text: str
    url: str


ChangeSource = Callable[..., list[DigestItem]]
_SOURCES: list[ChangeSource] = []


def register_change_source(source: ChangeSource) -> ChangeSource:
    """Add a source of changes to the digests; usable as a decorator."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def _short(text: str, length: int = 300) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _url(base_url: str, target: models.Model | None, anchor: str) -> str:
    path = target.get_absolute_url() if target is not None and hasattr(target, "get_absolute_url") else "/"
    return f"{base_url}{path}#{anchor}"


@register_change_source
def comments_published(
    *, targets: list[models.Model], since: dt.datetime, until: dt.datetime, base_url: str
) -> list[DigestItem]:
    comments = (
        Comment.objects.published()
        .for_targets(targets)
        .filter(published_at__gt=since, published_at__lte=until)
        .prefetch_related(target_prefetch())
    )
    return [
        DigestItem(
            when=comment.published_at or until,
            text=_("Ny kommentar från %(name)s: %(text)s")
            % {"name": comment.author_name, "text": _short(comment.published_text)},
            url=_url(base_url, comment.target, f"kommentar-{comment.pk}"),
        )
        for comment in comments
    ]


@register_change_source
def replies_published(
    *, targets: list[models.Model], since: dt.datetime, until: dt.datetime, base_url: str
) -> list[DigestItem]:
    replies = (
        OfficialReply.objects.filter(
            comment__in=Comment.objects.published().for_targets(targets),
            created_at__gt=since,
            created_at__lte=until,
        )
        .select_related("party", "comment")
        .prefetch_related(target_prefetch("comment__target"))
    )
    return [
        DigestItem(
            when=reply.created_at,
            text=_("Svar från %(party)s: %(text)s") % {"party": reply.party.name, "text": _short(reply.text)},
            url=_url(base_url, reply.comment.target, f"kommentar-{reply.comment.pk}"),
        )
        for reply in replies
    ]


def digest_items(*, subscription: Subscription, until: dt.datetime, base_url: str) -> list[DigestItem]:
    target = subscription.target
    kind = kind_for_object(target) if target is not None else None
    if target is None or kind is None or not kind.is_public(target):
        return []
    since = max(filter(None, [subscription.confirmed_at, subscription.last_digest_at]))
    targets = [target, *kind.covered(target)]
    items = [
        item
        for source in _SOURCES
        for item in source(targets=targets, since=since, until=until, base_url=base_url)
    ]
    return sorted(items, key=lambda item: item.when)


def _message(*, subscription: Subscription, items: list[DigestItem], unsubscribe_url: str) -> EmailMessage:
    title = str(subscription.target)
    lines = [
        _("Hej!"),
        "",
        _("Det här är nytt i ”%(title)s” sedan förra sammanfattningen:") % {"title": title},
        "",
    ]
    for item in items:
        lines += [f"– {item.text}", f"  {item.url}", ""]
    lines += [
        _("Du får det här för att du har valt att följa ”%(title)s”.") % {"title": title},
        _("Sluta prenumerera med ett klick: %(url)s") % {"url": unsubscribe_url},
    ]
    return EmailMessage(
        subject=_("Nytt i %(title)s") % {"title": title},
        body="\n".join(lines),
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def digests_send(*, today: dt.date, now: dt.datetime, base_url: str) -> int:
    """Send today's digests; run it as often as you like, each subscription gets at most one a day."""
    from .services import unsubscribe_url

    sent = 0
    subscriptions = Subscription.objects.filter(confirmed_at__isnull=False, confirmed_at__lte=now).exclude(
        digests__sent_on=today
    )
    for subscription in subscriptions.prefetch_related(target_prefetch()):
        items = digest_items(subscription=subscription, until=now, base_url=base_url)
        if not items:
            continue  # Nothing changed: no e-mail.
        try:
            with transaction.atomic():
                # The log row is written before the e-mail goes: a second run the same day finds it and
                # sends nothing, and a crash in between loses one digest rather than sending two.
                DigestLog.objects.create(subscription=subscription, sent_on=today, item_count=len(items))
                Subscription.objects.filter(pk=subscription.pk).update(
                    last_digest_on=today, last_digest_at=now
                )
                message = _message(
                    subscription=subscription, items=items, unsubscribe_url=unsubscribe_url(subscription)
                )
                # Sent once the log row is committed; a caller's transaction that rolls back sends nothing.
                transaction.on_commit(message.send)
        except IntegrityError:
            continue
        sent += 1
    return sent
