"""Residents' flags on comments are kept only while they matter: 30 days after a moderator decided.

Registered as a source of the personal-data registry, so `trygg purge_personal_data` (daily) runs the purge.
A flag names no person (its client key is a keyed hash of the day), so export and erasure by address find none.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Max

if TYPE_CHECKING:
    from trygg.accounts.models import User
    from trygg.municipalities.models import Municipality

FLAG_DAYS_AFTER_MODERATION = 30


class CommentFlagSource:
    name = "comment_flags"

    def export(self, *, email: str, municipality: Municipality | None = None) -> list[dict[str, Any]]:
        return []

    def erase(self, *, email: str, municipality: Municipality | None = None, by: User | None = None) -> int:
        return 0

    def purge(self, *, now: dt.datetime) -> int:
        from .models import Comment, CommentReport, ModerationEvent

        decided = [
            ModerationEvent.Action.APPROVED,
            ModerationEvent.Action.REJECTED,
            ModerationEvent.Action.HIDDEN,
        ]
        before = now - dt.timedelta(days=FLAG_DAYS_AFTER_MODERATION)
        # A comment waiting for a moderator again (flagged after an approval) keeps its flags until decided.
        comments = (
            Comment.objects.filter(reviewed=True, events__action__in=decided)
            .annotate(decided_at=Max("events__at"))
            .filter(decided_at__lt=before)
            .values("pk")
        )
        deleted, _counts = CommentReport.objects.filter(comment__in=comments).delete()
        return deleted
