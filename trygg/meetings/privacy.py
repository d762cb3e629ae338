"""Sign-ups hold residents' names and e-mail addresses: a source for the personal-data registry."""

from __future__ import annotations

import datetime as dt
from typing import Any


class SignUpSource:
    name = "meeting_signups"

    def export(self, *, email: str) -> list[dict[str, Any]]:
        from .models import SignUp

        return [
            {
                "meeting": signup.meeting.title,
                "starts_at": signup.meeting.starts_at.isoformat(),
                "name": signup.name,
                "email": signup.email,
                "count": signup.count,
                "signed_up_at": signup.created_at.isoformat(),
            }
            for signup in SignUp.objects.filter(email__iexact=email).select_related("meeting")
        ]

    def erase(self, *, email: str) -> int:
        from .models import SignUp

        # A sign-up is no public record: the whole row goes, and the count of places with it.
        deleted, _counts = SignUp.objects.filter(email__iexact=email).delete()
        return deleted

    def purge(self, *, now: dt.datetime) -> int:
        from .services import signups_purge

        return signups_purge(now=now)
