"""Comments keep an optional reply address and the name they are signed with, and subscriptions an address:
a source for the personal-data registry. A comment is a public record and stays, signed "anonym"."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from trygg.core.privacy import retention_days

if TYPE_CHECKING:
    from trygg.accounts.models import User
    from trygg.municipalities.models import Municipality

# Addresses that never confirmed a subscription are kept a week at most.
UNCONFIRMED_SUBSCRIPTION_DAYS = 7


class CommentContactSource:
    name = "comments"

    def export(self, *, email: str, municipality: Municipality | None = None) -> list[dict[str, Any]]:
        from .models import CommentContact, Subscription

        contacts = CommentContact.objects.filter(email__iexact=email)
        subscriptions = Subscription.objects.filter(email__iexact=email)
        if municipality is not None:
            contacts = contacts.filter(comment__municipality=municipality)
            subscriptions = subscriptions.filter(municipality=municipality)
        rows: list[dict[str, Any]] = [
            {
                "comment": contact.comment.pk,
                "on": str(contact.comment.target),
                "name": contact.comment.author_name,
                "email": contact.email,
                "text": contact.comment.original_text,
                "published_text": contact.comment.published_text,
                "state": contact.comment.state,
                "sent_at": contact.comment.created_at.isoformat(),
            }
            # The target is a generic relation: prefetched, it costs one query per kind, not one per comment.
            for contact in contacts.select_related("comment", "comment__content_type").prefetch_related(
                "comment__target"
            )
        ]
        rows += [
            {
                "subscription_to": str(subscription.target),
                "email": subscription.email,
                "confirmed_at": subscription.confirmed_at.isoformat() if subscription.confirmed_at else None,
                "since": subscription.created_at.isoformat(),
            }
            for subscription in subscriptions.select_related("content_type").prefetch_related("target")
        ]
        return rows

    @transaction.atomic
    def erase(self, *, email: str, municipality: Municipality | None = None, by: User | None = None) -> int:
        from django.utils.translation import gettext as _

        from trygg.audit.models import AuditEntry
        from trygg.audit.services import audit_record

        from .models import ANONYMOUS, CommentContact, ModerationEvent, Subscription

        reason = _("Radering på begäran av den registrerade")
        actor_name = by.get_username() if by is not None else ""
        contacts = CommentContact.objects.filter(email__iexact=email).select_related("comment")
        subscriptions = Subscription.objects.filter(email__iexact=email)
        if municipality is not None:
            contacts = contacts.filter(comment__municipality=municipality)
            subscriptions = subscriptions.filter(municipality=municipality)
        erased = 0
        for contact in contacts:
            comment = contact.comment
            changes: dict[str, list[str]] = {"email": ["*", ""]}
            if comment.author_name != ANONYMOUS:
                comment.author_name = ANONYMOUS
                comment.save(update_fields=["author_name"])
                changes["author_name"] = ["…", ANONYMOUS]
                ModerationEvent.objects.create(
                    comment=comment, actor=by, actor_name=actor_name, action=ModerationEvent.Action.ANONYMISED
                )
            ModerationEvent.objects.create(
                comment=comment, actor=by, actor_name=actor_name, action=ModerationEvent.Action.EMAIL_PURGED
            )
            audit_record(
                actor=by, action=AuditEntry.Action.UPDATE, instance=comment, changes=changes, reason=reason
            )
            contact.delete()
            erased += 1
        for subscription in subscriptions:
            audit_record(actor=by, action=AuditEntry.Action.DELETE, instance=subscription, reason=reason)
            subscription.delete()
            erased += 1
        return erased

    def purge(self, *, now: dt.datetime) -> int:
        from .services import contact_emails_purge, unconfirmed_subscriptions_purge

        emails = contact_emails_purge(older_than=now - dt.timedelta(days=retention_days("comment_email")))
        unconfirmed = unconfirmed_subscriptions_purge(
            older_than=now - dt.timedelta(days=UNCONFIRMED_SUBSCRIPTION_DAYS)
        )
        return emails + unconfirmed
