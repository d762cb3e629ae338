"""Reads for follow-up pages: each activity's progress as of a date, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    Expression,
    F,
    Field,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Area
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.text import activity_commitment

from . import rules
from .history import CancellationSpan, Done, StatusChange, status_changes
from .models import (
    ActivityLineage,
    Assessment,
    Cancellation,
    Execution,
    ExecutionRevision,
    PlannedDate,
    StatusChoice,
)
from .status import (
    FINAL,
    Phase,
    Status,
    StatusResult,
    Verdict,
    activity_status,
    clock,
    phase,
    verdict,
)

#: How many executions the promise page lists per activity; the activity page lists them all.
LATEST_ON_PROMISE_PAGE = 3
#: Reminders and the staff page look this many days ahead.
DUE_WITHIN_DAYS = 30


def status_label(status: Status | str) -> str:
    return str(StatusChoice(str(status)).label)


@dataclass(frozen=True)
class LatestExecution:
    """One of an activity's latest counted executions as the promise page and the report card list it: the shown
    fields read as plain values (an Execution instance, with its area's boundary, cost more than its line)."""

    pk: int
    done_on: dt.date
    description: str
    count: int
    participants: int | None
    place: str
    #: The name of the area it was done in ("" for none), as `Execution.area_name`.
    area_name: str
    is_example: bool


@dataclass
class ActivityProgress:
    activity: Activity
    period: tuple[dt.date, dt.date]
    result: StatusResult
    executions_total: int
    latest: list[LatestExecution]
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
        if self.activity.unit:
            return self.activity.unit
        return ngettext("gång", "gånger", self.result.target if self.result.target is not None else 2)

    @property
    def progress_text(self) -> str:
        """ "3 av 4 mätningar", or the number of registered executions when there is no target."""
        if self.result.target is not None:
            values = {"done": self.result.done, "target": self.result.target, "unit": self.unit}
            if self.result.done > self.result.target:
                # Never "2 av 1 grannsamverkansmöte": more was done than promised.
                return (
                    ngettext(
                        "%(done)s genomförd, målet var %(target)s %(unit)s",
                        "%(done)s genomförda, målet var %(target)s %(unit)s",
                        self.result.done,
                    )
                    % values
                )
            return _("%(done)s av %(target)s %(unit)s") % values
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

    @property
    def needs_final_assessment(self) -> bool:
        """Its period is over and it waits for staff's final assessment (ej slutbedömd)."""
        return self.result.status is Status.NOT_FINALLY_ASSESSED

    def next_planned(self, today: dt.date) -> PlannedDate | None:
        return next((planned for planned in self.planned if planned.date >= today), None)

    def is_due(self, today: dt.date, within_days: int = DUE_WITHIN_DAYS) -> bool:
        """Behind, or not finished with its period end or a planned date within the coming days."""
        if self.is_finished:
            return False
        if self.result.status in (Status.DELAYED, Status.NOT_FINALLY_ASSESSED):
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

    @property
    def segments(self) -> list[tuple[str, str, int, int]]:
        """(status value, label, number, width in whole per cent) of the progress bar, as `VerdictView.segments`."""
        widths = whole_percentages([number for _value, _label, number in self.counts])
        return [
            (value, label, number, width)
            for (value, label, number), width in zip(self.counts, widths, strict=True)
        ]


def summarise(progresses: Sequence[ActivityProgress]) -> ProgressSummary:
    counts: dict[str, int] = defaultdict(int)
    for progress in progresses:
        counts[progress.status_value] += 1
    return ProgressSummary(
        total=len(progresses),
        counts=[(value, str(label), counts[value]) for value, label in StatusChoice.choices if counts[value]],
    )


def activity_period(activity: Activity) -> tuple[dt.date, dt.date]:
    """The activity's own dates where set, else its promise's (the activity needs its promise loaded)."""
    promise = activity.focus_area.promise
    return clock(
        own_start=activity.start_date,
        own_end=activity.end_date,
        promise_start=promise.valid_from,
        promise_end=promise.valid_until,
    )


def activity_covers(activity: Activity, day: dt.date) -> bool:
    """Whether ``day`` lies in the activity's period: what is done that day may count for it."""
    start, end = activity_period(activity)
    return start <= day <= end


def _in_period(prefix: str = "") -> Q:
    """Rows (executions …) of an activity dated inside its period; ``prefix`` leads from the row to the activity,
    with OuterRef when the activity is the outer query's row."""

    def ref(name: str) -> F:
        return OuterRef(name) if not prefix else F(f"{prefix}{name}")

    start = Coalesce(ref("start_date"), ref("focus_area__promise__valid_from"))
    end = Coalesce(ref("end_date"), ref("focus_area__promise__valid_until"))
    return Q(done_on__gte=start, done_on__lte=end)


def executions_in_period() -> Q:
    """Executions dated inside their own activity's period: the only ones that count or are shown publicly."""
    return _in_period("activity__")


def _newest_executions(as_of: dt.date) -> QuerySet[Execution, Any]:
    """The outer activity's counted executions dated inside its period and by ``as_of``, newest first, as pks:
    sliced ``[n : n + 1]`` it picks the n-th newest through the ``(activity, done_on, id)`` index."""
    return (
        Execution.objects.counted()
        .filter(_in_period(), activity=OuterRef("pk"), done_on__lte=as_of)
        .order_by("-done_on", "-pk")
        .values("pk")
    )


class _FollowupSql(Expression):
    """A correlated subquery on the outer query's activity, written as SQL by hand (`with_followup`).

    Django built and compiled the same subqueries from OuterRef and JSONObject on every request, which cost the
    promise page of 200 activities more CPU than running them (docs/performance.md, issue 21). The SQL names the
    outer activity's id and the first and last day of its period as ``{outer}``, ``{start}`` and ``{end}``:
    expressions of the outer query that Django resolves and compiles (with the aliases that query gives its
    tables, also when it is itself nested), so that the subquery reads no activity or promise row per execution.
    Table names come from the models and every value is a parameter: nothing from a request is in the SQL."""

    def __init__(self, sql: str, params: Sequence[object], output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.sql = sql
        self.params = tuple(params)
        self.outer: Any = F("pk")
        self.start: Any = Coalesce(F("start_date"), F("focus_area__promise__valid_from"))
        self.end: Any = Coalesce(F("end_date"), F("focus_area__promise__valid_until"))

    def get_source_expressions(self) -> list[Any]:
        return [self.outer, self.start, self.end]

    def set_source_expressions(self, expressions: Sequence[Any]) -> None:
        self.outer, self.start, self.end = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # PostgreSQL and SQLite name the functions that build a JSON object and pick the smaller of two values
        # differently (Django's JSONObject and Least use the same names).
        sql = self.sql
        if connection.vendor == "postgresql":
            sql = sql.replace("JSON_OBJECT", "JSONB_BUILD_OBJECT")
        else:
            sql = sql.replace("LEAST(", "MIN(")
        for name, expression in (("outer", self.outer), ("start", self.start), ("end", self.end)):
            compiled, expression_params = compiler.compile(expression)
            if expression_params:
                raise ValueError(f"{name} of a follow-up subquery must compile without parameters")
            sql = sql.replace("{" + name + "}", compiled)
        params = tuple(
            connection.ops.adapt_datefield_value(value) if isinstance(value, dt.date) else value
            for value in self.params
        )
        return f"({sql})", params

    def get_group_by_cols(self) -> list[Any]:
        return []


#: The outer activity's counted executions dated inside its period and by the date given as the parameter, as
#: a FROM and WHERE with ``e`` the execution. The date is folded into the period's last day (the smaller of the
#: two; neither is ever empty), so that the index's range ends there: a third condition was checked row by row.
_COUNTED_SQL = f"""
    FROM {Execution._meta.db_table} e
    WHERE e.activity_id = {{outer}} AND NOT e.withdrawn
      AND e.done_on >= {{start}} AND e.done_on <= LEAST({{end}}, %s)"""
_ASSESSMENT_SQL = f"""
    SELECT JSON_OBJECT('pk', s.id, 'status', s.status, 'reason', s.reason, 'assessed_on', s.assessed_on,
                       'is_example', s.is_example)
    FROM {Assessment._meta.db_table} s
    WHERE s.activity_id = {{outer}} AND {{assessed}}
    ORDER BY s.assessed_on DESC, s.created_at DESC, s.id DESC LIMIT 1"""  # noqa: S608 - see _FollowupSql
_CANCELLATION_SQL = f"""
    SELECT JSON_OBJECT('pk', c.id, 'reason', c.reason, 'cancelled_on', c.cancelled_on,
                       'is_example', c.is_example)
    FROM {Cancellation._meta.db_table} c
    WHERE c.activity_id = {{outer}} AND c.cancelled_on <= %s AND (c.lifted_on IS NULL OR c.lifted_on > %s)
    ORDER BY c.cancelled_on DESC, c.id DESC LIMIT 1"""  # noqa: S608 - see _FollowupSql


def _followup_annotations(as_of: dt.date, closing: bool, latest: int) -> dict[str, _FollowupSql]:
    finals = sorted(status.value for status in FINAL)
    if closing:
        assessed = "(s.assessed_on <= %s OR s.status IN ({}))".format(", ".join("%s" for _value in finals))
        assessed_params: list[object] = [as_of, *finals]
    else:
        assessed, assessed_params = "s.assessed_on <= %s", [as_of]
    annotations = {
        # The sum and the number in one pass over the activity's part of the `execution_counted` index.
        "followup_counted": _FollowupSql(
            f"SELECT JSON_OBJECT('done', SUM(e.count), 'number', COUNT(*)) {_COUNTED_SQL}",
            [as_of],
            JSONField(),
        ),
        "followup_assessment": _FollowupSql(
            _ASSESSMENT_SQL.replace("{assessed}", assessed), assessed_params, JSONField()
        ),
        "followup_cancellation": _FollowupSql(_CANCELLATION_SQL, [as_of, as_of], JSONField()),
    }
    for place in range(latest):
        # The n-th newest through the `(activity, done_on, id)` index, read backwards: no sort.
        annotations[f"followup_latest_{place}"] = _FollowupSql(
            f"SELECT e.id {_COUNTED_SQL} ORDER BY e.done_on DESC, e.id DESC LIMIT 1 OFFSET {place:d}",
            [as_of],
            IntegerField(),
        )
    return annotations


def with_followup(
    queryset: QuerySet[Activity], as_of: dt.date, closing: bool = False, latest: int = 0
) -> QuerySet[Activity]:
    """Annotate each activity with its follow-up as of a date: the sum and number of counted executions
    dated inside its period (one JSON object), the latest assessment and the cancellation in force. Correlated
    subqueries (`_FollowupSql`), so no query is added.

    With ``closing`` (the state at the close of the period, "Läget vid periodens slut") a final assessment
    counts whenever it was given: it judges how the period ended, and is by nature given after it.

    With ``latest`` each activity also carries the pks of its ``latest`` newest counted executions
    (``followup_latest_0`` …), so that `activities_progress` reads those rows by pk: cheaper than a query of
    its own that picks them again through the activities."""
    return queryset.annotate(
        **_followup_annotations(as_of, closing, latest),
        followup_as_of=Value(as_of, output_field=DateField()),
        followup_closing=Value(closing, output_field=BooleanField()),
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


def _annotate(activities: Sequence[Activity], as_of: dt.date, closing: bool = False) -> None:
    """Fill in `with_followup`'s annotations where the activities lack them (or have another date's)."""
    missing = [
        activity
        for activity in activities
        if (getattr(activity, "followup_as_of", None), getattr(activity, "followup_closing", False))
        != (as_of, closing)
    ]
    if not missing:
        return
    fields = ["followup_counted", "followup_assessment", "followup_cancellation"]
    rows = {
        row["pk"]: row
        for row in with_followup(
            Activity.objects.filter(pk__in=[a.pk for a in missing]), as_of, closing
        ).values("pk", *fields)
    }
    for activity in missing:
        for name in fields:
            setattr(activity, name, rows[activity.pk][name])
        activity.followup_as_of = as_of  # type: ignore[attr-defined]
        activity.followup_closing = closing  # type: ignore[attr-defined]


#: The fields of a `LatestExecution`, after the activity's id, as the ORM names them.
_LATEST_FIELDS = (
    "activity_id",
    "pk",
    "done_on",
    "description",
    "count",
    "participants",
    "place",
    "area__name",
    "is_example",
)


def _executions_by_pk(pks: Sequence[int]) -> list[tuple[Any, ...]]:
    """`_LATEST_FIELDS` of these executions, ordered as the promise page lists them."""
    execution = Execution._meta.db_table
    area = Area._meta.db_table
    placeholders = ", ".join(["%s"] * len(pks))
    sql = (
        "SELECT e.activity_id, e.id, e.done_on, e.description, e.count, e.participants, e.place, r.name, "  # noqa: S608 - table names from the models
        f"e.is_example FROM {execution} e LEFT JOIN {area} r ON r.id = e.area_id "
        f"WHERE e.id IN ({placeholders}) ORDER BY e.activity_id, e.done_on DESC, e.id DESC"
    )
    with connections[Execution.objects.db].cursor() as cursor:
        cursor.execute(sql, list(pks))
        rows = cursor.fetchall()
    if rows and not isinstance(rows[0][2], dt.date):
        # SQLite hands back a date as text, and a boolean as 0 or 1, where the column's type is not declared.
        return [(*row[:2], dt.date.fromisoformat(row[2]), *row[3:8], bool(row[8])) for row in rows]
    return [(*row[:8], bool(row[8])) for row in rows]


def _latest_executions(
    activities: Sequence[Activity], as_of: dt.date, latest: int
) -> dict[int, list[LatestExecution]]:
    """Each activity's ``latest`` counted executions dated inside its period, newest first, in one query.

    Each is picked per activity through the ``(activity, -done_on)`` index (a correlated subquery with
    ``LIMIT 1 OFFSET n`` for each place), so the cost grows with the activities shown, not with every execution
    they ever had: a window over all of them cost 200 ms for 200 activities with 20,000 executions. Activities
    from `with_followup(…, latest=…)` for this date carry those pks already, and the rows are read by pk. The
    rows are read as values: model instances (with each area's boundary) cost more than the rest of the read."""
    carried = [f"followup_latest_{place}" for place in range(latest)]
    if all(
        getattr(activity, "followup_as_of", None) == as_of and hasattr(activity, carried[-1])
        for activity in activities
    ):
        pks = [pk for activity in activities for name in carried if (pk := getattr(activity, name))]
        # Read by pk with SQL written by hand: the ORM built a lookup for each of hundreds of pks. With none to
        # read the query still runs (pk 0 is never used), so the count does not depend on the data.
        rows = _executions_by_pk(pks or [0])
    else:
        newest = _newest_executions(as_of)
        places = Activity.objects.filter(pk__in=[activity.pk for activity in activities]).annotate(
            **{f"latest_{place}": Subquery(newest[place : place + 1]) for place in range(latest)}
        )
        chosen = Q()
        for place in range(latest):
            chosen |= Q(pk__in=places.values(f"latest_{place}"))
        rows = list(
            Execution.objects.filter(chosen)
            .order_by("activity_id", "-done_on", "-pk")
            .values_list(*_LATEST_FIELDS)
        )
    found: dict[int, list[LatestExecution]] = defaultdict(list)
    for activity_id, pk, done_on, description, count, participants, where, area, is_example in rows:
        found[activity_id].append(
            LatestExecution(pk, done_on, description, count, participants, where, area or "", is_example)
        )
    return found


def activities_progress(
    *,
    activities: Sequence[Activity],
    scope: Q,
    as_of: dt.date,
    latest: int = LATEST_ON_PROMISE_PAGE,
    with_planned: bool = False,
    closing: bool = False,
) -> dict[int, ActivityProgress]:
    """Progress of each activity as of a date, in a fixed number of queries whatever the number of executions.

    Activities from a `with_followup(…, as_of)` queryset cost no query here; others cost one. The latest
    executions cost one query (none with ``latest=0``), the planned dates one (with ``with_planned``).
    ``scope`` narrows those tables to these activities, e.g. ``Q(activity__focus_area__promise=promise)``.
    The activities need their focus area and promise loaded (a prefetch or select_related).

    An activity's period is over after its own last day and after its promise's. With ``closing`` the state
    is the one at the close of ``as_of``: a period whose last day is ``as_of`` is over too ("Läget vid
    periodens slut").
    """
    # The latest executions first: `_annotate` replaces another date's annotations, not the latest pks.
    latest_rows = _latest_executions(activities, as_of, latest) if latest and activities else {}
    _annotate(activities, as_of, closing)
    planned: dict[int, list[PlannedDate]] = defaultdict(list)
    if with_planned:
        for planned_date in PlannedDate.objects.filter(scope).order_by("date", "pk"):
            planned[planned_date.activity_id].append(planned_date)

    progresses: dict[int, ActivityProgress] = {}
    over_day = as_of if closing else as_of - dt.timedelta(days=1)
    for activity in activities:
        start, end = activity_period(activity)
        counted = _json(activity.followup_counted) or {}  # type: ignore[attr-defined]
        assessment = _assessment(activity.followup_assessment, activity)  # type: ignore[attr-defined]
        cancellation = _cancellation(activity.followup_cancellation, activity)  # type: ignore[attr-defined]
        # When the promise is over, so is each of its activities, whatever dates they carry.
        last_day = min(end, activity.focus_area.promise.valid_until)
        result = activity_status(
            today=as_of,
            start=start,
            end=end,
            quantity=activity.quantity,
            quantity_max=activity.quantity_max,
            at_least=activity.at_least,
            per=activity.per or None,
            done=counted.get("done") or 0,
            assessment=assessment.status if assessment else None,
            cancelled=cancellation is not None,
            period_over=over_day >= last_day,
        )
        progresses[activity.pk] = ActivityProgress(
            activity=activity,
            period=(start, end),
            result=result,
            executions_total=counted.get("number") or 0,
            latest=latest_rows.get(activity.pk, []),
            assessment=assessment,
            cancellation=cancellation,
            planned=planned.get(activity.pk, []),
        )
    return progresses


def whole_percentages(numbers: Sequence[int]) -> list[int]:
    """Whole per cents of the total for each (positive) number, adding up to 100, each at least 1."""
    total = sum(numbers)
    if not total:
        return [0 for _number in numbers]
    exact = [Fraction(100 * number, total) for number in numbers]
    widths = [max(1, int(share)) for share in exact]
    order = sorted(range(len(numbers)), key=lambda index: exact[index] - int(exact[index]), reverse=True)
    index = 0
    while sum(widths) < 100:
        widths[order[index % len(order)]] += 1
        index += 1
    while sum(widths) > 100:
        widest = max(range(len(widths)), key=lambda position: widths[position])
        widths[widest] -= 1
    return widths


@dataclass(frozen=True)
class VerdictView:
    """The final report of an ended promise, as a sentence and as the segments of a bar."""

    verdict: Verdict

    @property
    def total(self) -> int:
        return self.verdict.total

    @property
    def text(self) -> str:
        """ "Slutrapport: 8 av 19 genomförda, 3 delvis, 2 ej genomförda, 5 ej slutbedömda, 1 inställd" """
        verdict = self.verdict
        parts = [
            ngettext("%(done)s av %(total)s genomförd", "%(done)s av %(total)s genomförda", verdict.total)
            % {"done": verdict.done, "total": verdict.total},
            _("%(count)s delvis") % {"count": verdict.partly_done},
            ngettext("%(count)s ej genomförd", "%(count)s ej genomförda", verdict.not_done)
            % {"count": verdict.not_done},
            ngettext("%(count)s ej slutbedömd", "%(count)s ej slutbedömda", verdict.not_finally_assessed)
            % {"count": verdict.not_finally_assessed},
            ngettext("%(count)s inställd", "%(count)s inställda", verdict.cancelled)
            % {"count": verdict.cancelled},
        ]
        return _("Slutrapport: %(parts)s") % {"parts": ", ".join(parts)}

    @property
    def segments(self) -> list[tuple[str, str, int, int]]:
        """(status value, label, number, width in whole per cent) of the non-empty parts of the bar; the widths
        add up to 100 (largest remainders) and none is below 1."""
        present = [(status, number) for status, number in self.verdict.counts() if number]
        widths = whole_percentages([number for _status, number in present])
        return [
            (status.value, status_label(status), number, width)
            for (status, number), width in zip(present, widths, strict=True)
        ]


@dataclass(frozen=True)
class PromiseStanding:
    """Where a promise stands on the date its page or report shows: coming, running or ended with a verdict."""

    phase: Phase
    as_of: dt.date
    #: The state at the close of ``as_of`` ("Läget vid periodens slut" when it is the last day).
    closing: bool
    verdict: VerdictView | None

    @property
    def is_coming(self) -> bool:
        return self.phase is Phase.COMING

    @property
    def is_running(self) -> bool:
        return self.phase is Phase.RUNNING

    @property
    def is_ended(self) -> bool:
        return self.phase is Phase.ENDED


def promise_verdict(progresses: Sequence[ActivityProgress]) -> VerdictView:
    return VerdictView(verdict(progress.status for progress in progresses))


def promise_phase(*, promise: Promise, as_of: dt.date, closing: bool) -> Phase:
    """Coming, running or ended on ``as_of``; with ``closing`` a promise is over at the close of its last day."""
    over = as_of >= promise.valid_until if closing else as_of > promise.valid_until
    return Phase.ENDED if over else phase(as_of, promise.valid_from, promise.valid_until)


def promise_standing(
    *,
    promise: Promise,
    as_of: dt.date,
    closing: bool,
    progresses: Sequence[ActivityProgress] | None,
) -> PromiseStanding:
    """The promise's standing; once it is over, with the verdict on ``progresses`` (every activity's). With
    ``progresses`` None (a page that shows one activity) only the phase is worked out and the verdict is None."""
    found = promise_phase(promise=promise, as_of=as_of, closing=closing)
    over = found is Phase.ENDED
    return PromiseStanding(
        phase=found,
        as_of=as_of,
        closing=closing,
        verdict=promise_verdict(progresses) if over and progresses is not None else None,
    )


def promise_progresses(*, promise: Promise, as_of: dt.date, latest: int = 0) -> dict[int, ActivityProgress]:
    """Each activity's progress of a promise whose focus areas and activities are prefetched, in the promise's
    order (the promise page's read model, `promise_page`, is built the same way)."""
    focus_areas = list(promise.focus_areas.all())
    for focus_area in focus_areas:
        focus_area.promise = promise
        for activity in focus_area.activities.all():
            activity.focus_area = focus_area
    return activities_progress(
        activities=[activity for focus_area in focus_areas for activity in focus_area.activities.all()],
        scope=Q(activity__focus_area__promise=promise),
        as_of=as_of,
        latest=latest,
    )


def planned_date_list_public(*, activity: Activity) -> QuerySet[PlannedDate]:
    return PlannedDate.objects.filter(activity=activity).order_by("date", "pk")


def execution_list_public(*, activity: Activity) -> QuerySet[Execution]:
    """Every counted execution of an activity dated inside its period, newest first (the activity page)."""
    return (
        Execution.objects.counted()
        .filter(executions_in_period(), activity=activity)
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
    """Every execution and every status change of the promise's activities up to today, newest first.

    An execution is listed on its own date; a status change on the day it really happened, with what was
    recorded by then, and none before the promise was published (see `history`)."""
    activities = [
        activity for focus_area in promise.focus_areas.all() for activity in focus_area.activities.all()
    ]
    for focus_area in promise.focus_areas.all():
        focus_area.promise = promise
        for activity in focus_area.activities.all():
            activity.focus_area = focus_area
    scope = Q(activity__focus_area__promise=promise)
    executions: dict[int, list[Execution]] = defaultdict(list)
    in_period = Execution.objects.counted().filter(scope, executions_in_period(), done_on__lte=today)
    for execution in in_period.select_related("area"):
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
        start, end = activity_period(activity)
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
                Done(execution.done_on, execution.count, timezone.localdate(execution.recorded_at))
                for execution in executions.get(activity.pk, [])
            ],
            assessments=assessments.get(activity.pk, []),
            cancellations=spans.get(activity.pk, []),
            since=promise.published_on,
        )
        for change in changes:
            events.append(TimelineEvent(change.on, activity, "status", change=change))
    # Newest first; on the same day the status change follows (is listed above) the execution that caused it.
    events.sort(key=lambda event: (event.on, event.kind == "status"), reverse=True)
    return events


# ------------------------------------------------------------------------------------------- staff


def awaiting_final_assessment(today: dt.date) -> Q:
    """Activities without a count whose period (or promise) is over on ``today``, whose latest assessment is
    not a final one and with no cancellation in force: those that are ej slutbedömd. For Activity querysets."""
    latest_status = Subquery(
        Assessment.objects.filter(activity=OuterRef("pk"))
        .order_by("-assessed_on", "-created_at", "-pk")
        .values("status")[:1]
    )
    settled = Activity.objects.annotate(latest_status=latest_status).filter(latest_status__in=FINAL)
    cancelled = Cancellation.objects.filter(activity=OuterRef("pk"), lifted_on__isnull=True)
    return (
        Q(quantity__isnull=True, quantity_max__isnull=True)
        & (Q(focus_area__promise__valid_until__lt=today) | Q(end_date__lt=today))
        & ~Q(pk__in=settled.values("pk"))
        & Q(~Exists(cancelled))
    )


def staff_own_activities(*, user: AbstractBaseUser | AnonymousUser, today: dt.date) -> list[ActivityProgress]:
    """The user's activities in current and coming promises (drafts included), with their progress, and those of
    ended promises that still wait for a final assessment."""
    activities = list(
        rules.own_activities(user)
        .filter(
            Q(focus_area__promise__valid_until__gte=today - dt.timedelta(days=DUE_WITHIN_DAYS))
            | awaiting_final_assessment(today)
        )
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


def final_assessment_asked(*, activity: Activity, today: dt.date) -> bool:
    """From the day after its period (or its promise) ends, staff give the activity a final assessment."""
    _start, end = activity_period(activity)
    return today > min(end, activity.focus_area.promise.valid_until)


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


def promise_comparison(*, earlier: Promise, later: Promise, today: dt.date) -> list[ComparisonRow]:
    """Rows of activities side by side: those carried from the earlier promise beside their source (unchanged
    or changed), then the new ones, then those that were not carried."""
    earlier_progress = promise_progresses(promise=earlier, as_of=today)
    later_progress = promise_progresses(promise=later, as_of=today)
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
