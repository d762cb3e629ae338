"""Each promise's progress or verdict for the national table and the comparison, through ONE function.

`promise_progress_overview` is the only place the national app reads follow-up: it builds on the follow-up app's
selectors (`with_followup`, `activities_progress`, `summarise`, `promise_verdict`), so the status rules and the
verdict of an ended promise are the follow-up app's own: the national table's "Slutrapport" is the sentence the
promise's own page leads with.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.followup.models import Execution
from trygg.followup.selectors import (
    VerdictView,
    activities_progress,
    promise_verdict,
    summarise,
    with_followup,
)
from trygg.followup.status import Status
from trygg.promises.models import Activity, Promise

COMING = "coming"
RUNNING = "running"
ENDED = "ended"


def promise_phase(promise: Promise, today: dt.date) -> str:
    if promise.valid_from > today:
        return COMING
    return ENDED if promise.valid_until < today else RUNNING


@dataclass(frozen=True)
class PromiseProgress:
    phase: str
    total: int
    done: int
    #: (status value, Swedish label, number of activities), in the follow-up app's order.
    counts: tuple[tuple[str, str, int], ...]
    #: False for a promise read from a document and not yet verified: nothing about it counts as follow-up.
    followed_up: bool
    latest_execution: dt.date | None
    starts: dt.date
    #: The follow-up app's verdict once the period has ended (None while coming or running).
    verdict: VerdictView | None = None

    def number(self, status: str) -> int:
        return next((number for value, _label, number in self.counts if value == status), 0)

    @property
    def rate(self) -> float | None:
        """The share of activities done, or None when there is nothing to count."""
        if not self.followed_up or not self.total or self.phase == COMING:
            return None
        return self.done / self.total

    @property
    def text(self) -> str:
        if not self.followed_up:
            return _("Ingen uppföljning: inläst ur dokument, ej verifierad")
        if self.phase == COMING:
            return _("Kommande: börjar %(date)s") % {"date": date_format(self.starts, "j F Y")}
        if not self.total:
            return _("Inga aktiviteter")
        if self.phase == ENDED and self.verdict is not None:
            return self.verdict.text
        if self.phase == ENDED:
            return ngettext(
                "Slutrapport: %(done)s av %(total)s aktivitet genomförd",
                "Slutrapport: %(done)s av %(total)s aktiviteter genomförda",
                self.total,
            ) % {"done": self.done, "total": self.total}
        return ngettext(
            "%(done)s av %(total)s aktivitet genomförd",
            "%(done)s av %(total)s aktiviteter genomförda",
            self.total,
        ) % {"done": self.done, "total": self.total}

    @property
    def delayed(self) -> int:
        return self.number(Status.DELAYED.value)


def promise_progress_overview(
    *, promises: Sequence[Promise], today: dt.date, followed_up: dict[int, bool]
) -> dict[int, PromiseProgress]:
    """Progress (running), verdict (ended) or start (coming) of each promise as of `today`, in three queries
    whatever the number of promises, activities and executions. `followed_up` says, by promise id, whether the
    promise's follow-up counts (a promise read from a document and not verified has none)."""
    ids = [promise.pk for promise in promises]
    if not ids:
        return {}
    by_id = {promise.pk: promise for promise in promises}
    activities = list(
        with_followup(
            Activity.objects.filter(focus_area__promise_id__in=ids)
            .select_related("focus_area")
            .only(
                "pk",
                "quantity",
                "quantity_max",
                "at_least",
                "per",
                "start_date",
                "end_date",
                "focus_area__promise_id",
            ),
            today,
        )
    )
    for activity in activities:
        activity.focus_area.promise = by_id[activity.focus_area.promise_id]
    progresses = activities_progress(
        activities=activities, scope=Q(activity__focus_area__promise_id__in=ids), as_of=today, latest=0
    )
    per_promise: dict[int, list] = defaultdict(list)
    for activity in activities:
        per_promise[activity.focus_area.promise_id].append(progresses[activity.pk])
    latest = dict(
        Execution.objects.counted()
        .filter(activity__focus_area__promise_id__in=ids, done_on__lte=today)
        .values("activity__focus_area__promise_id")
        .annotate(latest=Max("done_on"))
        .values_list("activity__focus_area__promise_id", "latest")
    )
    overview: dict[int, PromiseProgress] = {}
    for promise in promises:
        summary = summarise(per_promise.get(promise.pk, []))
        counted = followed_up.get(promise.pk, True)
        phase = promise_phase(promise, today)
        overview[promise.pk] = PromiseProgress(
            phase=phase,
            total=summary.total,
            done=summary.done if counted else 0,
            counts=tuple(summary.counts) if counted else (),
            followed_up=counted,
            latest_execution=latest.get(promise.pk) if counted else None,
            starts=promise.valid_from,
            verdict=_verdict(per_promise.get(promise.pk, [])) if counted and phase == ENDED else None,
        )
    return overview


def _verdict(progresses: Sequence) -> VerdictView | None:
    try:
        return promise_verdict(progresses)
    except ValueError:
        # An activity whose own dates run past the promise's end is still running: no verdict yet.
        return None
