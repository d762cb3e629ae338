"""Sign-ups hold residents' names and e-mail addresses, and a neighbourhood watch names its contact person:
two sources for the personal-data registry."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from trygg.accounts.models import User
    from trygg.municipalities.models import Municipality


class SignUpSource:
    name = "meeting_signups"

    def export(self, *, email: str, municipality: Municipality | None = None) -> list[dict[str, Any]]:
        from .models import SignUp

        signups = SignUp.objects.filter(email__iexact=email)
        if municipality is not None:
            signups = signups.filter(meeting__municipality=municipality)
        return [
            {
                "meeting": signup.meeting.title,
                "starts_at": signup.meeting.starts_at.isoformat(),
                "name": signup.name,
                "email": signup.email,
                "count": signup.count,
                "signed_up_at": signup.created_at.isoformat(),
            }
            for signup in signups.select_related("meeting")
        ]

    def erase(self, *, email: str, municipality: Municipality | None = None, by: User | None = None) -> int:
        from .models import SignUp

        signups = SignUp.objects.filter(email__iexact=email)
        if municipality is not None:
            signups = signups.filter(meeting__municipality=municipality)
        # A sign-up is no public record: the whole row goes, and the count of places with it.
        deleted, _counts = signups.delete()
        return deleted

    def purge(self, *, now: dt.datetime) -> int:
        from .services import signups_purge

        return signups_purge(now=now)


class WatchContactSource:
    """The contact person of a grannsamverkan area, entered by staff and shown to staff only."""

    name = "neighbourhood_watch_contacts"

    def export(self, *, email: str, municipality: Municipality | None = None) -> list[dict[str, Any]]:
        from .models import NeighbourhoodWatch

        watches = NeighbourhoodWatch.objects.filter(contact_email__iexact=email)
        if municipality is not None:
            watches = watches.filter(municipality=municipality)
        return [
            {
                "neighbourhood_watch": watch.name,
                "name": watch.contact_name,
                "phone": watch.contact_phone,
                "email": watch.contact_email,
            }
            for watch in watches
        ]

    @transaction.atomic
    def erase(self, *, email: str, municipality: Municipality | None = None, by: User | None = None) -> int:
        from django.utils.translation import gettext as _

        from trygg.audit.models import AuditEntry
        from trygg.audit.services import audit_record

        from .models import NeighbourhoodWatch

        watches = NeighbourhoodWatch.objects.select_for_update().filter(contact_email__iexact=email)
        if municipality is not None:
            watches = watches.filter(municipality=municipality)
        erased = 0
        for watch in watches:
            changed = {
                name: ["*", None]
                for name in ("contact_name", "contact_phone", "contact_email")
                if getattr(watch, name)
            }
            watch.contact_name = watch.contact_phone = watch.contact_email = ""
            watch.save(update_fields=["contact_name", "contact_phone", "contact_email"])
            audit_record(
                actor=by,
                action=AuditEntry.Action.UPDATE,
                instance=watch,
                changes=changed,
                reason=_("Radering på begäran av den registrerade"),
            )
            erased += 1
        return erased

    def purge(self, *, now: dt.datetime) -> int:
        # The contact stays as long as the area has a watch; staff change or remove it when that ends.
        return 0
