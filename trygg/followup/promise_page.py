"""The public promise as one read model: the promise, its focus areas and activities with their progress.

The promise page, the focus area and activity pages, the report card (HTML, PDF, exports) and the API's status
read the same frozen objects, built in a fixed number of queries whatever the number of activities and
executions: the sums and counts are correlated subqueries (`selectors.with_followup`), each activity's latest
executions one windowed query. Nothing is set on model instances beyond Django's own relation caches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from trygg.promises.models import Activity, FocusArea, Promise, Signatory

from .models import Execution, PlannedDate
from .selectors import (
    LATEST_ON_PROMISE_PAGE,
    ActivityProgress,
    ProgressSummary,
    PromiseStanding,
    activities_progress,
    execution_list_public,
    planned_date_list_public,
    promise_standing,
    summarise,
    with_followup,
)


@dataclass(frozen=True)
class ActivityView:
    activity: Activity
    progress: ActivityProgress

    @property
    def pk(self) -> int:
        return self.activity.pk


@dataclass(frozen=True)
class FocusAreaView:
    focus_area: FocusArea
    activities: tuple[ActivityView, ...]
    summary: ProgressSummary

    @property
    def slug(self) -> str:
        return self.focus_area.slug

    @property
    def title(self) -> str:
        return self.focus_area.title


@dataclass(frozen=True)
class PromisePage:
    """A published or closed promise as of a date: its standing (phase and, once over, the verdict), the summary
    by status for the whole promise and for each focus area, and each activity's progress."""

    promise: Promise
    as_of: dt.date
    #: The state at the close of ``as_of`` ("Läget vid periodens slut").
    closing: bool
    standing: PromiseStanding
    summary: ProgressSummary
    focus_areas: tuple[FocusAreaView, ...]
    signatories: tuple[Signatory, ...]

    @property
    def activities(self) -> list[ActivityView]:
        return [view for area in self.focus_areas for view in area.activities]

    @property
    def progresses(self) -> list[ActivityProgress]:
        return [view.progress for view in self.activities]

    def focus_area(self, slug: str) -> FocusAreaView:
        found = next((area for area in self.focus_areas if area.slug == slug), None)
        if found is None:
            raise Http404
        return found

    def activity(self, pk: int) -> tuple[FocusAreaView, ActivityView]:
        for area in self.focus_areas:
            for view in area.activities:
                if view.pk == pk:
                    return area, view
        raise Http404


def _public_promises(as_of: dt.date, closing: bool) -> QuerySet[Promise]:
    activities = with_followup(
        Activity.objects.select_related("area").prefetch_related("responsible_parties", "partners"),
        as_of,
        closing,
    )
    focus_areas = FocusArea.objects.prefetch_related("problems", Prefetch("activities", queryset=activities))
    return (
        Promise.objects.public()
        .select_related("municipality", "previous")
        .prefetch_related(
            Prefetch("focus_areas", queryset=focus_areas),
            "signatories__party",
            "corrections",
            Prefetch("next_promises", queryset=Promise.objects.public().order_by("valid_from", "pk")),
        )
    )


def promise_page_build(
    *,
    municipality_slug: str,
    promise_slug: str,
    as_of: dt.date,
    closing: bool = False,
    latest: int = LATEST_ON_PROMISE_PAGE,
) -> PromisePage:
    """The promise's read model as of a date (404 for a draft or an unknown promise).

    With ``closing`` the state is the one at the close of ``as_of`` (see `selectors.activities_progress`);
    ``latest`` is how many of each activity's latest executions come along (0: none, one query fewer).
    """
    promise = get_object_or_404(
        _public_promises(as_of, closing),
        municipality__slug=municipality_slug,
        slug=promise_slug,
    )
    areas = list(promise.focus_areas.all())
    for area in areas:
        # Relation caches, so that an activity's period finds its promise without a query.
        area.promise = promise
        for activity in area.activities.all():
            activity.focus_area = area
    progresses = activities_progress(
        activities=[activity for area in areas for activity in area.activities.all()],
        scope=Q(activity__focus_area__promise=promise),
        as_of=as_of,
        latest=latest,
        closing=closing,
    )
    views = []
    for area in areas:
        activities = tuple(
            ActivityView(activity, progresses[activity.pk]) for activity in area.activities.all()
        )
        views.append(FocusAreaView(area, activities, summarise([view.progress for view in activities])))
    everything = list(progresses.values())
    return PromisePage(
        promise=promise,
        as_of=as_of,
        closing=closing,
        standing=promise_standing(promise=promise, as_of=as_of, closing=closing, progresses=everything),
        summary=summarise(everything),
        focus_areas=tuple(views),
        signatories=tuple(promise.signatories.all()),
    )


@dataclass(frozen=True)
class ActivityPage:
    """One activity's own page: the promise's read model around it, every execution and the planned dates."""

    page: PromisePage
    focus_area: FocusAreaView
    activity: ActivityView
    executions: tuple[Execution, ...]
    planned: tuple[PlannedDate, ...]


def activity_page_build(
    *, municipality_slug: str, promise_slug: str, activity_id: int, as_of: dt.date
) -> ActivityPage:
    """An activity of this promise (404 for one of another promise), with all its counted executions."""
    page = promise_page_build(
        municipality_slug=municipality_slug, promise_slug=promise_slug, as_of=as_of, latest=0
    )
    area, view = page.activity(activity_id)
    return ActivityPage(
        page=page,
        focus_area=area,
        activity=view,
        executions=tuple(execution_list_public(activity=view.activity)),
        planned=tuple(planned_date_list_public(activity=view.activity)),
    )
