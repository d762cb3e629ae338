from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Municipality, Party
from trygg.promises.models import Promise

from . import rules, targets
from .models import Comment, CommentSettings, OfficialReply
from .targets import target_prefetch

AnyUser = AbstractBaseUser | AnonymousUser


def moderation_mode(*, municipality: Municipality) -> str:
    found = CommentSettings.objects.filter(municipality=municipality).values_list(
        "moderation_mode", flat=True
    )
    return next(iter(found), CommentSettings.Mode.PRE)


def _replies_prefetch() -> Prefetch:
    return Prefetch(
        "replies", queryset=OfficialReply.objects.select_related("party").order_by("created_at", "pk")
    )


def comments_public_for_target(*, target: models.Model) -> list[Comment]:
    """The published comments on one target with their replies: two queries however many there are."""
    return list(
        Comment.objects.published()
        .for_target(target)
        .prefetch_related(_replies_prefetch())
        .order_by("published_at", "pk")
    )


def comments_public_for_promise(*, promise: Promise) -> list[Comment]:
    """The published comments on a promise, its focus areas and its activities, newest first."""
    return list(
        Comment.objects.published()
        .filter(promise=promise)
        .select_related("content_type")
        .prefetch_related(_replies_prefetch(), target_prefetch())
        .order_by("-published_at", "-pk")
    )


def comment_get_public(*, pk: int) -> Comment:
    return get_object_or_404(Comment.objects.published(), pk=pk)


def promise_get_public(*, municipality_slug: str, promise_slug: str) -> Promise:
    return get_object_or_404(
        Promise.objects.public().select_related("municipality"),
        municipality__slug=municipality_slug,
        slug=promise_slug,
    )


# --- staff --------------------------------------------------------------------------------------------------


def _staff_comments(user: AnyUser) -> models.QuerySet[Comment]:
    return Comment.objects.filter(municipality__in=municipality_rules.staff_municipalities(user))


@dataclass(frozen=True)
class ModerationQueue:
    waiting: list[Comment]  # pending: threats first, then the oldest
    unreviewed: list[Comment]  # published at once under post-moderation, not yet looked at


def moderation_queue(*, user: AnyUser) -> ModerationQueue:
    base = (
        _staff_comments(user)
        .select_related("municipality", "promise", "content_type")
        .prefetch_related(target_prefetch())
    )
    waiting = base.filter(state=Comment.State.PENDING).order_by("-is_urgent", "created_at", "pk")
    unreviewed = base.filter(state=Comment.State.APPROVED, reviewed=False).order_by("created_at", "pk")
    return ModerationQueue(waiting=list(waiting), unreviewed=list(unreviewed))


@dataclass(frozen=True)
class AwaitingReply:
    """The published comments in one municipality that nobody has answered yet and that one of the user's
    parties is expected to answer: on an activity it is responsible for, or on a focus area or promise that
    holds one (or, for a promise, that the party signed)."""

    municipality: Municipality
    party: Party
    comments: list[Comment]


def comments_awaiting_reply(*, user: AnyUser) -> list[AwaitingReply]:
    """One group per (municipality, party) the user works for; one query per group however many comments."""
    memberships = (
        rules.reply_memberships(user)
        .select_related("municipality", "party")
        .order_by("municipality__name", "party__name")
        .distinct()
    )
    groups: list[AwaitingReply] = []
    seen: set[tuple[int, int]] = set()
    for membership in memberships:
        key = (membership.municipality_id, membership.party_id)
        if key in seen:
            continue
        seen.add(key)
        expected = models.Q(pk__in=[])
        for kind in targets.registered_kinds():
            if kind.answerable_by is None:
                continue
            expected |= models.Q(
                content_type=targets.content_type_for_label(kind.label),
                object_id__in=kind.answerable_by(membership.party, membership.municipality),
            )
        comments = (
            Comment.objects.published()
            .filter(municipality=membership.municipality)
            .filter(expected)
            .exclude(replies__isnull=False)
            .select_related("municipality", "promise", "content_type")
            .prefetch_related(target_prefetch())
            .order_by("published_at", "pk")
        )
        groups.append(AwaitingReply(membership.municipality, membership.party, list(comments)))
    return groups


def comment_get_for_staff(*, user: AnyUser, pk: int) -> Comment:
    """Any comment of the user's municipalities; others do not exist for them (404)."""
    queryset = (
        _staff_comments(user)
        .select_related("municipality", "promise", "content_type")
        .prefetch_related(_replies_prefetch(), "events")
    )
    return get_object_or_404(queryset, pk=pk)


def promise_get_for_staff(*, user: AnyUser, pk: int) -> Promise:
    return get_object_or_404(
        Promise.objects.filter(municipality__in=municipality_rules.staff_municipalities(user)).select_related(
            "municipality"
        ),
        pk=pk,
    )


def comments_without_reply(*, promise: Promise) -> list[Comment]:
    """The promise's published comments that nobody has answered yet, oldest first."""
    return list(
        Comment.objects.published()
        .filter(promise=promise)
        .annotate(reply_count=Count("replies"))
        .filter(reply_count=0)
        .select_related("content_type")
        .prefetch_related(target_prefetch())
        .order_by("published_at", "pk")
    )


def comments_by_author_name(*, municipality: Municipality, name: str) -> list[Comment]:
    return list(
        Comment.objects.filter(municipality=municipality)
        .filter(Q(author_name__iexact=name.strip()))
        .select_related("promise")
        .order_by("created_at", "pk")
    )
