"""Choosing activities of a municipality's promises on another app's form (a meeting, a walk, a report
category, an indicator): the running promises first, then the coming ones, grouped by promise and focus area.

The checkbox picker renders with `promises/_activity_picker.html`; a single choice uses `activity_select_choices`
(a select with one group per promise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, When
from django.forms.boundfield import BoundField, BoundWidget

from trygg.municipalities.models import Municipality

from .models import Activity, FocusArea, Promise

_PROMISE = "focus_area__promise__"


def activities_to_link(
    municipality: Municipality, *, today: dt.date, on: dt.date | None = None, linked: Iterable[int] = ()
) -> QuerySet[Activity]:
    """The activities of the promises that have not ended (today, or on the linking thing's own date ``on``)
    and those already linked. Running promises first, then coming ones, then ended ones; within a promise in
    the order of its focus areas and activities. Each carries ``promise_rank`` (0 running, 1 coming, 2 ended)."""
    since = min(today, on) if on is not None else today
    return (
        Activity.objects.filter(**{f"{_PROMISE}municipality": municipality})
        .filter(Q(**{f"{_PROMISE}valid_until__gte": since}) | Q(pk__in=list(linked)))
        .select_related("focus_area__promise")
        .annotate(
            promise_rank=Case(
                When(**{f"{_PROMISE}valid_from__lte": today, f"{_PROMISE}valid_until__gte": today}, then=0),
                When(**{f"{_PROMISE}valid_from__gt": today}, then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
        .order_by(
            "promise_rank",
            f"{_PROMISE}valid_from",
            f"{_PROMISE}pk",
            "focus_area__order",
            "focus_area__pk",
            "order",
            "pk",
        )
    )


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # The promise and the focus area are the group headings around the checkbox.
        return str(obj.text)


@dataclass(frozen=True)
class FocusAreaChoices:
    focus_area: FocusArea
    choices: list[BoundWidget]


@dataclass(frozen=True)
class PromiseChoices:
    promise: Promise
    when: str  # "current", "coming" or "ended", from the activities' promise_rank
    focus_areas: list[FocusAreaChoices]


_WHEN = {0: "current", 1: "coming", 2: "ended"}


def activity_choice_groups(field: BoundField) -> list[PromiseChoices]:
    """The checkboxes of an activity picker grouped by promise and focus area, in the queryset's order."""
    groups: list[PromiseChoices] = []
    for choice in field:
        activity = choice.data["value"].instance
        focus_area = activity.focus_area
        promise = focus_area.promise
        if not groups or groups[-1].promise.pk != promise.pk:
            groups.append(PromiseChoices(promise, _WHEN[getattr(activity, "promise_rank", 2)], []))
        areas = groups[-1].focus_areas
        if not areas or areas[-1].focus_area.pk != focus_area.pk:
            areas.append(FocusAreaChoices(focus_area, []))
        areas[-1].choices.append(choice)
    return groups


def activity_select_choices(activities: Iterable[Activity]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for a select of one activity: one group per promise, each activity named with its focus area."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    current = None
    for activity in activities:
        promise = activity.focus_area.promise
        if promise.pk != current:
            current = promise.pk
            groups.append(
                (f"{promise.title} ({promise.valid_from:%Y-%m-%d}–{promise.valid_until:%Y-%m-%d})", [])
            )
        groups[-1][1].append((activity.pk, f"{activity.focus_area.title}: {activity.text[:120]}"))
    return groups
