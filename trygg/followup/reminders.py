"""The reminder log: what `send_reminders` e-mailed to whom in a municipality, shaped like its page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trygg.accounts.models import User
from trygg.accounts.selectors import staff_without_email
from trygg.municipalities.models import Municipality

from .models import ReminderSent

#: The log page shows this many of the latest digests.
LOG_ROWS = 200


@dataclass(frozen=True)
class LoggedReminder:
    sent_on: dt.date
    recipient: str
    username: str
    activities: int


@dataclass(frozen=True)
class ReminderLog:
    rows: tuple[LoggedReminder, ...]
    without_email: tuple[User, ...]
    truncated: bool


def reminder_log(*, municipality: Municipality) -> ReminderLog:
    """The municipality's latest reminders and the staff who get none: three queries, whatever the rows."""
    sent = list(
        ReminderSent.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("-sent_on", "-pk")[: LOG_ROWS + 1]
    )
    rows = tuple(
        LoggedReminder(
            sent_on=record.sent_on,
            recipient=record.user.get_full_name() or record.user.get_username(),
            username=record.user.get_username(),
            activities=len(record.activity_ids),
        )
        for record in sent[:LOG_ROWS]
    )
    return ReminderLog(
        rows=rows,
        without_email=tuple(staff_without_email(municipality=municipality)),
        truncated=len(sent) > LOG_ROWS,
    )
