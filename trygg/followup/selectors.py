"""Reads for follow-up pages: each activity's progress as of a date, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Count,
    DateField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import JSONObject, RowNumber
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from trygg.municipalities import rules as municipality_rules
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.text import activity_commitment

from . import rules
from .history import CancellationSpan, StatusChange, status_changes
from .models import (
    ActivityLineage,
    Assessment,
    Cancellation,
    Execution,
    ExecutionRevision,
    PlannedDate,
    StatusChoice,
)
from .status import Status, StatusResult, activity_status, clock

#: How many executions the promise page lists per activity; the activity page lists them all.
LATEST_ON_PROMISE_PAGE = 3
#: Reminders and the staff page look this many days ahead.
DUE_WITHIN_DAYS = 30


def status_label(status: Status | str) -> str:
    return str(StatusChoice(str(status)).label)


@dataclass
class ActivityProgress:
    activity: Activity
    period: tuple[dt.date, dt.date]
    result: StatusResult
    executions_total: int
    latest: list[Execution]
    assessment: Assessment | None
    cancellation: Cancellation | None
    planned: list[PlannedDate] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def status_value(self) -> str:
        return self.result.status.value

    @property
    def label(self) -> str:
        return status_label(self.result.status)

    @property
    def unit(self) -> str:
        return self.activity.unit or _("gånger")

    @property
    def progress_text(self) -> str:
        """ "3 av 4 mätningar", or the number of registered executions when there is no target."""
        if self.result.target is not None:
            return _("%(done)s av %(target)s %(unit)s") % {
                "done": self.result.done,
                "target": self.result.target,
                "unit": self.unit,
            }
        if self.executions_total:
            return ngettext(
                "%(count)s utförande registrerat", "%(count)s utföranden registrerade", self.executions_total
            ) % {"count": self.executions_total}
        return _("Inget utförande registrerat")

    @property
    def has_more(self) -> bool:
        return self.executions_total > len(self.latest)

    @property
    def behind_by(self) -> int:
        """How many more should have been done by now (0 when on track or without a target)."""
        expected = self.result.expected_whole
        if expected is None:
            return 0
        return max(expected - self.result.done, 0)

    @property
    def is_finished(self) -> bool:
        return self.result.status in (Status.DONE, Status.CANCELLED)

    def next_planned(self, today: dt.date) -> PlannedDate | None:
        return next((planned for planned in self.planned if planned.date >= today), None)

    def is_due(self, today: dt.date, within_days: int = DUE_WITHIN_DAYS) -> bool:
        """Behind, or not finished with its period end or a planned date within the coming days."""
        if self.is_finished:
            return False
        if self.result.status is Status.DELAYED:
            return True
        horizon = today + dt.timedelta(days=within_days)
        if today <= self.period[1] <= horizon:
            return True
        return any(today <= planned.date <= horizon for planned in self.planned)


@dataclass
class ProgressSummary:
    total: int
    counts: list[tuple[str, str, int]]  # (status value, label, number), in the order of StatusChoice

    @property
    def done(self) -> int:
        return next((number for value, _label, number in self.counts if value == Status.DONE), 0)

    @property
    def text(self) -> str:
        return ngettext(
            "%(done)s av %(total)s aktivitet genomförd",
            "%(done)s av %(total)s aktiviteter genomförda",
            self.total,
        ) % {"done": self.done, "total": self.total}

    def number(self, value: str) -> int:
        return next((number for found, _label, number in self.counts if found == value), 0)


def summarise(progresses: Sequence[ActivityProgress]) -> ProgressSummary:
    counts: dict[str, int] = defaultdict(int)
    for progress in progresses:
        counts[progress.status_value] += 1
    return ProgressSummary(
        total=len(progresses),
        counts=[(value, str(label), counts[value]) for value, label in StatusChoice.choices if counts[value]],
    )


def _activity_period(activity: Activity) -> tuple[dt.date, dt.date]:
    promise = activity.focus_area.promise
    return clock(
        own_start=activity.start_date,
        own_end=activity.end_date,
        promise_start=promise.valid_from,
        promise_end=promise.valid_until,
    )


def with_followup(queryset: QuerySet[Activity], as_of: dt.date) -> QuerySet[Activity]:
    """Annotate each activity with its follow-up as of a date: the sum and number of counted executions,
    the latest assessment and the cancellation in force. Correlated subqueries, so no query is added."""
    counted = Execution.objects.counted().filter(activity=OuterRef("pk"), done_on__lte=as_of).order_by()
    assessment = (
        Assessment.objects.filter(activity=OuterRef("pk"), assessed_on__lte=as_of)
        .order_by("-assessed_on", "-created_at", "-pk")
        .values(
            json=JSONObject(
                pk="pk", status="status", reason="reason", assessed_on="assessed_on", is_example="is_example"
            )
        )[:1]
    )
    cancellation = (
        Cancellation.objects.filter(activity=OuterRef("pk"), cancelled_on__lte=as_of)
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=as_of))
        .order_by("-cancelled_on", "-pk")
        .values(
            json=JSONObject(pk="pk", reason="reason", cancelled_on="cancelled_on", is_example="is_example")
        )[:1]
    )
    return queryset.annotate(
        followup_done=Subquery(
            counted.values("activity").annotate(total=Sum("count")).values("total")[:1],
            output_field=IntegerField(),
        ),
        followup_number=Subquery(
            counted.values("activity").annotate(number=Count("pk")).values("number")[:1],
            output_field=IntegerField(),
        ),
        followup_assessment=Subquery(assessment, output_field=JSONField()),
        followup_cancellation=Subquery(cancellation, output_field=JSONField()),
        followup_as_of=Value(as_of, output_field=DateField()),
    )


def _json(value: object) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    return json.loads(str(value))  # some backends hand the subquery's JSON back as text


def _assessment(value: object, activity: Activity) -> Assessment | None:
    data = _json(value)
    if data is None:
        return None
    return Assessment(
        pk=data["pk"],
        activity=activity,
        status=data["status"],
        reason=data["reason"],
        assessed_on=dt.date.fromisoformat(str(data["assessed_on"])[:10]),
        is_example=bool(data["is_example"]),
    )


def _cancellation(value: object, activity: Activity) -> Cancellation | None:
    data = _json(value)
    if data is None:
        return None
    return Cancellation(
        pk=data["pk"],
        activity=activity,
        reason=data["reason"],
        cancelled_on=dt.date.fromisoformat(str(data["cancelled_on"])[:10]),
        is_example=bool(data["is_example"]),
    )


def _annotate(activities: Sequence[Activity], as_of: dt.date) -> None:
    """Fill in `with_followup`'s annotations where the activities lack them (or have another date's)."""
    missing = [activity for activity in activities if getattr(activity, "followup_as_of", None) != as_of]
    if not missing:
        return
    fields = ["followup_done", "followup_number", "followup_assessment", "followup_cancellation"]
    rows = {
        row["pk"]: row
        for row in with_followup(Activity.objects.filter(pk__in=[a.pk for a in missing]), as_of).values(
            "pk", *fields
        )
    }
    for activity in missing:
        for name in fields:
            setattr(activity, name, rows[activity.pk][name])
        activity.followup_as_of = as_of  # type: ignore[attr-defined]


def activities_progress(
    *,
    activities: Sequence[Activity],
    scope: Q,
    as_of: dt.date,
    latest: int = LATEST_ON_PROMISE_PAGE,
    with_planned: bool = False,
) -> dict[int, ActivityProgress]:
    """Progress of each activity as of a date, in a fixed number of queries whatever the number of executions.

    Activities from a `with_followup(…, as_of)` queryset cost no query here; others cost one. The latest
    executions cost one query (none with ``latest=0``), the planned dates one (with ``with_planned``).
    ``scope`` narrows those tables to these activities, e.g. ``Q(activity__focus_area__promise=promise)``.
    The activities need their focus area and promise loaded (a prefetch or select_related).
    """
    _annotate(activities, as_of)
    latest_rows: dict[int, list[Execution]] = defaultdict(list)
    if latest:
        ranked = (
            Execution.objects.counted()
            .filter(scope, done_on__lte=as_of)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("activity_id")],
                    order_by=[F("done_on").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=latest)
            .select_related("area")
            .order_by("activity_id", "-done_on", "-pk")
        )
        for execution in ranked:
            latest_rows[execution.activity_id].append(execution)
    planned: dict[int, list[PlannedDate]] = defaultdict(list)
    if with_planned:
        for planned_date in PlannedDate.objects.filter(scope).order_by("date", "pk"):
            planned[planned_date.activity_id].append(planned_date)

    progresses: dict[int, ActivityProgress] = {}
    for activity in activities:
        start, end = _activity_period(activity)
        assessment = _assessment(activity.followup_assessment, activity)  # type: ignore[attr-defined]
        cancellation = _cancellation(activity.followup_cancellation, activity)  # type: ignore[attr-defined]
        result = activity_status(
            today=as_of,
            start=start,
            end=end,
            quantity=activity.quantity,
            quantity_max=activity.quantity_max,
            at_least=activity.at_least,
            per=activity.per or None,
            done=activity.followup_done or 0,  # type: ignore[attr-defined]
            assessment=assessment.status if assessment else None,
            cancelled=cancellation is not None,
        )
        progresses[activity.pk] = ActivityProgress(
            activity=activity,
            period=(start, end),
            result=result,
            executions_total=activity.followup_number or 0,  # type: ignore[attr-defined]
            latest=latest_rows.get(activity.pk, []),
            assessment=assessment,
            cancellation=cancellation,
            planned=planned.get(activity.pk, []),
        )
    return progresses


def promise_attach_progress(
    *, promise: Promise, as_of: dt.date, latest: int = LATEST_ON_PROMISE_PAGE
) -> dict[int, ActivityProgress]:
    """Set `progress` on each prefetched activity and `progress_summary` on each focus area and the promise."""
    focus_areas = list(promise.focus_areas.all())
    activities = [activity for focus_area in focus_areas for activity in focus_area.activities.all()]
    for focus_area in focus_areas:
        focus_area.promise = promise
        for activity in focus_area.activities.all():
            activity.focus_area = focus_area
    progresses = activities_progress(
        activities=activities, scope=Q(activity__focus_area__promise=promise), as_of=as_of, latest=latest
    )
    for focus_area in focus_areas:
        own = []
        for activity in focus_area.activities.all():
            activity.progress = progresses[activity.pk]  # type: ignore[attr-defined]
            own.append(progresses[activity.pk])
        focus_area.progress_summary = summarise(own)  # type: ignore[attr-defined]
    promise.progress_summary = summarise(list(progresses.values()))  # type: ignore[attr-defined]
    promise.progress_as_of = as_of  # type: ignore[attr-defined]
    return progresses


def planned_date_list_public(*, activity: Activity) -> QuerySet[PlannedDate]:
    return PlannedDate.objects.filter(activity=activity).order_by("date", "pk")


def execution_list_public(*, activity: Activity) -> QuerySet[Execution]:
    """Every counted execution of an activity, newest first (the activity page)."""
    return (
        Execution.objects.counted()
        .filter(activity=activity)
        .select_related("area")
        .order_by("-done_on", "-pk")
    )


def promise_get_any_public(*, municipality_slug: str, promise_slug: str) -> Promise:
    focus_areas = FocusArea.objects.prefetch_related(
        Prefetch(
            "activities",
            queryset=Activity.objects.select_related("area").prefetch_related("responsible_parties"),
        )
    )
    queryset = (
        Promise.objects.public()
        .select_related("municipality")
        .prefetch_related(Prefetch("focus_areas", queryset=focus_areas))
    )
    return get_object_or_404(queryset, municipality__slug=municipality_slug, slug=promise_slug)


# ---------------------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEvent:
    on: dt.date
    activity: Activity
    kind: str  # "execution" or "status"
    execution: Execution | None = None
    change: StatusChange | None = None

    @property
    def title(self) -> str:
        if self.execution is not None:
            return _("Utfört: %(text)s") % {"text": self.execution.description}
        assert self.change is not None
        return _("Ny status: %(status)s") % {"status": status_label(self.change.status)}

    @property
    def label(self) -> str:
        return status_label(self.change.status) if self.change is not None else ""

    @property
    def key(self) -> str:
        if self.execution is not None:
            return f"execution-{self.execution.pk}"
        assert self.change is not None
        return f"status-{self.activity.pk}-{self.on.isoformat()}-{self.change.status.value}"


def promise_timeline(*, promise: Promise, today: dt.date) -> list[TimelineEvent]:
    """Every execution and every status change of the promise's activities up to today, newest first."""
    activities = [
        activity for focus_area in promise.focus_areas.all() for activity in focus_area.activities.all()
    ]
    for focus_area in promise.focus_areas.all():
        focus_area.promise = promise
        for activity in focus_area.activities.all():
            activity.focus_area = focus_area
    scope = Q(activity__focus_area__promise=promise)
    executions: dict[int, list[Execution]] = defaultdict(list)
    for execution in Execution.objects.counted().filter(scope, done_on__lte=today).select_related("area"):
        executions[execution.activity_id].append(execution)
    assessments: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for assessment in Assessment.objects.filter(scope, assessed_on__lte=today).order_by("assessed_on", "pk"):
        assessments[assessment.activity_id].append((assessment.assessed_on, assessment.status))
    spans: dict[int, list[CancellationSpan]] = defaultdict(list)
    for cancellation in Cancellation.objects.filter(scope, cancelled_on__lte=today):
        spans[cancellation.activity_id].append(
            CancellationSpan(cancellation.cancelled_on, cancellation.lifted_on)
        )

    events: list[TimelineEvent] = []
    for activity in activities:
        start, end = _activity_period(activity)
        for execution in executions.get(activity.pk, []):
            events.append(TimelineEvent(execution.done_on, activity, "execution", execution=execution))
        changes = status_changes(
            start=start,
            end=end,
            until=today,
            quantity=activity.quantity,
            quantity_max=activity.quantity_max,
            per=activity.per or None,
            executions=[
                (execution.done_on, execution.count) for execution in executions.get(activity.pk, [])
            ],
            assessments=assessments.get(activity.pk, []),
            cancellations=spans.get(activity.pk, []),
        )
        for change in changes:
            events.append(TimelineEvent(change.on, activity, "status", change=change))
    # Newest first; on the same day the status change follows (is listed above) the execution that caused it.
    events.sort(key=lambda event: (event.on, event.kind == "status"), reverse=True)
    return events


# ------------------------------------------------------------------------------------------- staff


def staff_own_activities(*, user: AbstractBaseUser | AnonymousUser, today: dt.date) -> list[ActivityProgress]:
    """The user's activities in current and coming promises (drafts included), with their progress."""
    activities = list(
        rules.own_activities(user)
        .filter(focus_area__promise__valid_until__gte=today - dt.timedelta(days=DUE_WITHIN_DAYS))
        .select_related("focus_area__promise__municipality")
        .prefetch_related("responsible_parties")
        .order_by("focus_area__promise__valid_from", "focus_area__order", "order", "pk")
    )
    ids = [activity.pk for activity in activities]
    progresses = activities_progress(
        activities=activities, scope=Q(activity_id__in=ids), as_of=today, with_planned=True
    )
    return [progresses[activity.pk] for activity in activities]


def staff_activity_get(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Activity:
    """An activity of the user's municipalities; others do not exist for them (404)."""
    queryset = rules.staff_activities(user).select_related("focus_area__promise__municipality", "area")
    return get_object_or_404(queryset.prefetch_related("responsible_parties", "responsible_users"), pk=pk)


def staff_activity_progress(*, activity: Activity, today: dt.date) -> ActivityProgress:
    return activities_progress(
        activities=[activity], scope=Q(activity=activity), as_of=today, latest=0, with_planned=True
    )[activity.pk]


def staff_execution_list(*, activity: Activity) -> QuerySet[Execution]:
    """Every execution, withdrawn ones too, with its corrections."""
    return (
        Execution.objects.filter(activity=activity)
        .select_related("area", "recorded_by")
        .prefetch_related(
            Prefetch("revisions", queryset=ExecutionRevision.objects.order_by("changed_at", "pk"))
        )
        .order_by("-done_on", "-pk")
    )


def staff_execution_get(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Execution:
    queryset = Execution.objects.filter(
        activity__focus_area__promise__municipality__in=municipality_rules.staff_municipalities(user)
    ).select_related("activity__focus_area__promise__municipality", "area")
    return get_object_or_404(queryset, pk=pk)


# -------------------------------------------------------------------------------------- comparison


class Change:
    """How an activity of the later promise relates to the earlier one."""

    CARRIED = "carried"  # copied from the earlier promise and unchanged
    CHANGED = "changed"  # copied, then its text, amount, parties, target group or place changed
    ADDED = "added"  # new in the later promise
    REMOVED = "removed"  # in the earlier promise only


CHANGE_LABELS = {
    Change.CARRIED: gettext_lazy("Förd vidare"),
    Change.CHANGED: gettext_lazy("Förd vidare med ändringar"),
    Change.ADDED: gettext_lazy("Ny"),
    Change.REMOVED: gettext_lazy("Togs inte med"),
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ComparisonRow:
    earlier: ActivityProgress | None
    later: ActivityProgress | None
    change: str
    changes: tuple[FieldChange, ...] = ()

    @property
    def activity(self) -> Activity:
        shown = self.later or self.earlier
        assert shown is not None
        return shown.activity

    @property
    def change_label(self) -> str:
        return str(CHANGE_LABELS[self.change])


def _parties(activity: Activity) -> str:
    return ", ".join(party.name for party in activity.responsible_parties.all())


def _field_changes(earlier: Activity, later: Activity) -> tuple[FieldChange, ...]:
    """What staff changed in a carried activity, each as it reads on the page."""
    compared = [
        (_("Aktivitet"), earlier.text, later.text),
        (
            _("Vad som lovas"),
            activity_commitment(activity=earlier, promise=earlier.focus_area.promise),
            activity_commitment(activity=later, promise=later.focus_area.promise),
        ),
        (_("Ansvarig"), _parties(earlier), _parties(later)),
        (_("För vem"), earlier.target_group, later.target_group),
        (_("Var"), earlier.place, later.place),
    ]
    return tuple(
        FieldChange(label=label, before=before or "–", after=after or "–")
        for label, before, after in compared
        if before != after
    )


def _attached(promise: Promise, as_of: dt.date) -> dict[int, ActivityProgress]:
    if getattr(promise, "progress_as_of", None) != as_of:
        return promise_attach_progress(promise=promise, as_of=as_of, latest=0)
    return {
        activity.pk: activity.progress  # type: ignore[attr-defined]
        for focus_area in promise.focus_areas.all()
        for activity in focus_area.activities.all()
    }


def promise_comparison(*, earlier: Promise, later: Promise, today: dt.date) -> list[ComparisonRow]:
    """Rows of activities side by side: those carried from the earlier promise beside their source (unchanged
    or changed), then the new ones, then those that were not carried."""
    earlier_progress = _attached(earlier, today)
    later_progress = _attached(later, today)
    sources = dict(
        ActivityLineage.objects.filter(
            activity_id__in=later_progress.keys(), source_id__in=earlier_progress.keys()
        ).values_list("activity_id", "source_id")
    )
    rows: list[ComparisonRow] = []
    matched: set[int] = set()
    for activity_id, progress in later_progress.items():
        source = earlier_progress.get(sources.get(activity_id, 0))
        if source is None:
            rows.append(ComparisonRow(None, progress, Change.ADDED))
            continue
        matched.add(source.activity.pk)
        changes = _field_changes(source.activity, progress.activity)
        rows.append(ComparisonRow(source, progress, Change.CHANGED if changes else Change.CARRIED, changes))
    for activity_id, progress in earlier_progress.items():
        if activity_id not in matched:
            rows.append(ComparisonRow(progress, None, Change.REMOVED))
    return rows


def comparison_counts(rows: Sequence[ComparisonRow]) -> list[tuple[str, int]]:
    """How many activities were carried, changed, added and removed, in that order, leaving out zeros."""
    counted: dict[str, int] = defaultdict(int)
    for row in rows:
        counted[row.change] += 1
    order = (Change.CARRIED, Change.CHANGED, Change.ADDED, Change.REMOVED)
    return [(str(CHANGE_LABELS[change]), counted[change]) for change in order if counted[change]]
