"""The promise's progress in the followers' daily digest (`trygg.comments.digest`): executions recorded,
assessments made and activities called off, for the activities a subscription covers."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trygg.comments.digest import DigestItem, register_change_source
from trygg.promises.models import Activity

from .models import Assessment, Cancellation, Execution


def _activities(targets: list[models.Model]) -> list[int]:
    return [target.pk for target in targets if isinstance(target, Activity)]


def _short(text: str, length: int = 200) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _url(base_url: str, activity: Activity, anchor: str = "") -> str:
    return f"{base_url}{activity.get_absolute_url()}{anchor}"


@register_change_source
def executions_recorded(
    *, targets: list[models.Model], since: dt.datetime, until: dt.datetime, base_url: str
) -> list[DigestItem]:
    executions = (
        Execution.objects.counted()
        .filter(activity__in=_activities(targets), recorded_at__gt=since, recorded_at__lte=until)
        .select_related("activity__focus_area__promise__municipality")
        .order_by("recorded_at", "pk")
    )
    return [
        DigestItem(
            when=execution.recorded_at,
            text=_("Genomfört %(date)s för ”%(activity)s”: %(text)s")
            % {
                "date": date_format(execution.done_on, "j F Y"),
                "activity": _short(execution.activity.text, 120),
                "text": _short(execution.description),
            },
            url=_url(base_url, execution.activity, "#utforanden"),
        )
        for execution in executions
    ]


@register_change_source
def statuses_changed(
    *, targets: list[models.Model], since: dt.datetime, until: dt.datetime, base_url: str
) -> list[DigestItem]:
    activities = _activities(targets)
    window = {"activity__in": activities, "created_at__gt": since, "created_at__lte": until}
    related = "activity__focus_area__promise__municipality"
    items = [
        DigestItem(
            when=assessment.created_at,
            text=_("Ny bedömning av ”%(activity)s”: %(status)s. %(reason)s")
            % {
                "activity": _short(assessment.activity.text, 120),
                "status": assessment.get_status_display(),
                "reason": _short(assessment.reason),
            },
            url=_url(base_url, assessment.activity),
        )
        for assessment in Assessment.objects.filter(**window).select_related(related)
    ]
    items += [
        DigestItem(
            when=cancellation.created_at,
            text=_("Inställd: ”%(activity)s”. %(reason)s")
            % {"activity": _short(cancellation.activity.text, 120), "reason": _short(cancellation.reason)},
            url=_url(base_url, cancellation.activity),
        )
        for cancellation in Cancellation.objects.filter(**window).select_related(related)
    ]
    return items
