"""New public meetings linked to the activities a follower of the promise subscribed to, in the daily digest."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trygg.comments.digest import DigestItem, register_change_source
from trygg.promises.models import Activity

from .models import Meeting


@register_change_source
def meetings_announced(
    *, targets: list[models.Model], since: dt.datetime, until: dt.datetime, base_url: str
) -> list[DigestItem]:
    activities = [target.pk for target in targets if isinstance(target, Activity)]
    meetings = (
        Meeting.objects.public()
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(activities__in=activities, created_at__gt=since, created_at__lte=until)
        .select_related("municipality")
        .distinct()
        .order_by("created_at", "pk")
    )
    return [
        DigestItem(
            when=meeting.created_at,
            text=_("Nytt möte %(date)s: %(title)s")
            % {"date": date_format(meeting.starts_at, "j F Y"), "title": meeting.title},
            url=f"{base_url}{meeting.get_absolute_url()}",
        )
        for meeting in meetings
    ]
