"""The public promise as one read model: the promise, its focus areas and activities with their progress.

The promise page, the focus area and activity pages, the report card (HTML, PDF, exports) and the API's status
read the same frozen objects, built in a fixed number of queries whatever the number of activities and
executions: the sums and counts are correlated subqueries written as SQL (`selectors.with_followup`), which also
pick the pks of each activity's latest executions through the `(activity, done_on, id)` index; those rows are then
read by pk as plain values. Nothing is set on model instances beyond Django's own relation caches (the parties, `_parties`).

What the promise page costs to build and render, and why it is built this way, is in docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trygg.indicators.models import Indicator
from trygg.meetings.models import Meeting, SafetyWalk
from trygg.municipalities.models import Party
from trygg.problems.models import Problem
from trygg.promises.models import Activity, FocusArea, Promise, Signatory
from trygg.reports.models import ReportCategory

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

#: What a resident can do about an activity or a focus area: (label, url) pairs, in the order shown.
Actions = tuple[tuple[str, str], ...]

#: How many of an activity's walk protocols are linked by name; the rest are behind "Alla trygghetsvandringar".
WALKS_LINKED = 3
#: How much of an execution's description the promise page's short line shows; the activity page shows it all.
LINE_CHARACTERS = 90


@lru_cache(maxsize=8)
def _month_names(language: str) -> tuple[str, ...]:
    """The months as the ``date:"j M Y"`` filter writes them ("okt"), looked up once per language, not per date."""
    return ("", *(str(MONTHS_3[number]) for number in range(1, 13)))


class RowTexts:
    """The promise page's row strings in the page's language, each worked out once per page.

    The translations and month names are looked up once, not for each of hundreds of rows (a translation lookup
    costs more than writing a row), and rows with the same figures share their sentence: a page has many rows
    but few different statuses, targets and totals. Made for one render, in the language it runs in."""

    def __init__(self, language: str) -> None:
        self.months = _month_names(language)
        self._known: dict[tuple[object, ...], str] = {}

    def status(self, progress: ActivityProgress) -> str:
        key = ("status", progress.status_value)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = capfirst(progress.label)
        return found

    def progress(self, progress: ActivityProgress) -> str:
        """ "3 av 4 mätningar" (`ActivityProgress.progress_text`)."""
        result = progress.result
        key = ("progress", result.target, result.done, progress.activity.unit, progress.executions_total)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = progress.progress_text
        return found

    def more(self, total: int) -> str:
        """ "Se alla 100 utföranden" for the link to the activity page's list of every execution."""
        key = ("more", total)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = ngettext(
                "Se alla %(counter)s utföranden", "Se alla %(counter)s utföranden", total
            ) % {"counter": total}
        return found

    def day(self, day: dt.date) -> str:
        """ "31 dec 2023": the short date of an execution line, as the ``date:"j M Y"`` filter writes it."""
        return f"{day.day} {self.months[day.month]} {day.year}"

    @staticmethod
    def line(description: str) -> str:
        """An execution's description cut to the promise page's short line; the activity page shows it all."""
        if len(description) <= LINE_CHARACTERS:
            return description
        return description[: LINE_CHARACTERS - 1].rstrip() + "…"


@dataclass(frozen=True)
class ActivityView:
    activity: Activity
    progress: ActivityProgress
    #: Report this kind of problem, come to the meeting, see the measurements, read the walk protocols.
    actions: Actions = ()
    #: The activity's own page, built from a prefix reversed once per page (``Activity.get_absolute_url``).
    url: str = ""
    #: Who is responsible, as the promise page's row names them ("Polisen, Kommunen").
    owners: str = ""

    @property
    def pk(self) -> int:
        return self.activity.pk


@dataclass(frozen=True)
class FocusAreaView:
    focus_area: FocusArea
    activities: tuple[ActivityView, ...]
    summary: ProgressSummary
    #: The report categories of the area's problems, then its activities' actions, each link once.
    actions: Actions = ()

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


def _action_prefetches(as_of: dt.date) -> tuple[list[Prefetch], list[Prefetch]]:
    """The relations an activity's and a focus area's actions are built from: five queries in all."""
    categories = ReportCategory.objects.active().order_by("order", "name")
    activity = [
        Prefetch("report_categories", queryset=categories),
        Prefetch(
            "meetings",
            queryset=Meeting.objects.public()
            .exclude(status=Meeting.Status.CANCELLED)
            .filter(starts_at__date__gte=as_of)
            .order_by("starts_at", "pk"),
        ),
        Prefetch("indicators", queryset=Indicator.objects.filter(is_public=True).order_by("name")),
        Prefetch(
            "safety_walks",
            queryset=SafetyWalk.objects.filter(is_public=True)
            .exclude(status=SafetyWalk.Status.CANCELLED)
            .order_by("-date", "-pk"),
        ),
    ]
    problems = Problem.objects.prefetch_related(Prefetch("report_categories", queryset=categories))
    return activity, [Prefetch("problems", queryset=problems)]


def _activities(
    as_of: dt.date, closing: bool, latest: int, prefetches: Sequence[Prefetch]
) -> QuerySet[Activity]:
    """Activities with their follow-up as of a date (`selectors.with_followup`) and the relations their actions
    are built from. The parties come from `_parties`, not a prefetch: Django's builds a manager and a filtered
    queryset for each activity and relation, which for 200 activities cost more than the rest of the read model.
    The area's boundary (a GeoJSON polygon, which can run to hundreds of kilobytes) is not read: these pages name
    the area and never draw it."""
    return with_followup(
        Activity.objects.select_related("area").defer("area__boundary").prefetch_related(*prefetches),
        as_of,
        closing,
        latest,
    )


def _public_promises(as_of: dt.date, closing: bool, actions: bool, latest: int) -> QuerySet[Promise]:
    activity_actions, area_actions = _action_prefetches(as_of) if actions else ([], [Prefetch("problems")])
    activities = _activities(as_of, closing, latest, activity_actions)
    focus_areas = FocusArea.objects.prefetch_related(
        *area_actions, Prefetch("activities", queryset=activities)
    )
    return (
        Promise.objects.public()
        .select_related("municipality", "previous")
        .prefetch_related(
            Prefetch("focus_areas", queryset=focus_areas),
            Prefetch("signatories", queryset=Signatory.objects.select_related("party")),
            "corrections",
            Prefetch("next_promises", queryset=Promise.objects.public().order_by("valid_from", "pk")),
        )
    )


#: The relations from an activity to its parties that `_parties` fills.
PARTY_RELATIONS = ("responsible_parties", "partners")


def _parties(activities: Sequence[Activity], scope: Q) -> dict[int, tuple[Party, ...]]:
    """Fill each activity's responsible parties and partners into Django's own prefetch cache, so that
    ``activity.responsible_parties.all()`` costs no query, from one query per relation that reads the (activity,
    party) pairs with the party's fields and builds each party once. Returns each activity's responsible parties.

    The same as ``prefetch_related("responsible_parties", "partners")`` (the parties in their model's order), at a
    tenth of its cost: no manager and no filtered queryset is made for each activity. ``scope`` picks the pairs
    from the through table: by the promise for all its activities (``Q(activity__focus_area__promise=promise)``),
    not by a list of hundreds of activity ids, or by the one activity (``Q(activity=activity)``)."""
    fields = [field.attname for field in Party._meta.concrete_fields]
    ordering = [
        f"-party__{name[1:]}" if name.startswith("-") else f"party__{name}"
        for name in map(str, Party._meta.ordering or ())
    ]
    found: dict[str, dict[int, list[Party]]] = {}
    built: dict[int, Party] = {}
    for relation in PARTY_RELATIONS:
        through = getattr(Activity, relation).through
        rows = (
            through.objects.filter(scope)
            .order_by(*ordering, "party_id")
            .values_list("activity_id", *(f"party__{name}" for name in fields))
        )
        lists: dict[int, list[Party]] = defaultdict(list)
        for activity_id, *values in rows:
            party = built.get(values[0])
            if party is None:
                party = built[values[0]] = Party.from_db(through.objects.db, fields, values)
            lists[activity_id].append(party)
        found[relation] = lists
    # One query object for every queryset below: making a fresh one for each of hundreds cost more than reading
    # the pairs. Nothing changes it in place; a queryset derived from one (`.filter()`…) copies it, as always.
    query = QuerySet(model=Party).query
    for activity in activities:
        cache = activity.__dict__.setdefault("_prefetched_objects_cache", {})
        for relation in PARTY_RELATIONS:
            # What Django's prefetch leaves: a queryset whose results are already there.
            queryset: QuerySet[Party] = QuerySet(model=Party, query=query)
            queryset._result_cache = found[relation].get(activity.pk, [])
            queryset._prefetch_done = True  # type: ignore[attr-defined]
            cache[relation] = queryset
    responsible = found["responsible_parties"]
    return {activity.pk: tuple(responsible.get(activity.pk, ())) for activity in activities}


def _report_action(municipality: str, category: ReportCategory) -> tuple[str, str]:
    url = reverse("reports:create", kwargs={"municipality": municipality})
    return _("Anmäl %(category)s") % {
        "category": category.display_name.lower()
    }, f"{url}?kategori={category.slug}"


def _activity_actions(activity: Activity, municipality: str) -> Actions:
    """Built from the prefetched relations only: no query. Each category, meeting, indicator and walk of
    another municipality is left out (a link row may point across municipalities; its page would be a 404)."""
    own = activity.focus_area.promise.municipality_id
    actions = [
        _report_action(municipality, category)
        for category in activity.report_categories.all()
        if category.municipality_id == own
    ]
    for meeting in activity.meetings.all():
        if meeting.municipality_id == own:
            actions.append(
                (
                    _("Kom till mötet: %(title)s, %(date)s")
                    % {"title": meeting.title, "date": date_format(meeting.starts_at.date(), "j F")},
                    reverse("meetings:meeting", kwargs={"municipality": municipality, "pk": meeting.pk}),
                )
            )
    for indicator in activity.indicators.all():
        if indicator.municipality_id == own:
            actions.append(
                (
                    _("Se mätningarna: %(name)s") % {"name": indicator.name},
                    reverse(
                        "indicators:detail",
                        kwargs={"municipality": municipality, "indicator": indicator.slug},
                    ),
                )
            )
    walks = [walk for walk in activity.safety_walks.all() if walk.municipality_id == own]
    for walk in walks[:WALKS_LINKED]:
        actions.append(
            (
                _("Läs protokollet: %(title)s, %(date)s")
                % {"title": walk.title, "date": date_format(walk.date, "j F Y")},
                reverse("meetings:walk", kwargs={"municipality": municipality, "pk": walk.pk}),
            )
        )
    if len(walks) > WALKS_LINKED:
        actions.append(
            (_("Alla trygghetsvandringar"), reverse("meetings:walks", kwargs={"municipality": municipality}))
        )
    return tuple(actions)


def _focus_area_actions(area: FocusArea, activities: tuple[ActivityView, ...], municipality: str) -> Actions:
    own = area.promise.municipality_id
    found = [
        _report_action(municipality, category)
        for problem in area.problems.all()
        for category in problem.report_categories.all()
        if category.municipality_id == own
    ]
    found += [action for view in activities for action in view.actions]
    seen: set[str] = set()
    unique = []
    for label, url in found:
        if url not in seen:
            seen.add(url)
            unique.append((label, url))
    return tuple(unique)


def _activity_url(promise: Promise) -> Callable[[Activity], str]:
    """Each activity's own address from one reversal for the whole promise (a reversal costs as much as a row)."""
    kwargs = {"municipality": promise.municipality.slug, "promise": promise.slug}
    first = reverse("promises:activity", kwargs={**kwargs, "activity": 1})
    second = reverse("promises:activity", kwargs={**kwargs, "activity": 2})
    head, _one, tail = first.rpartition("/1/")
    if not head or f"{head}/2/{tail}" != second:
        return Activity.get_absolute_url
    return lambda activity: f"{head}/{activity.pk}/{tail}"


def _activity_view(
    activity: Activity,
    progresses: dict[int, ActivityProgress],
    responsible: dict[int, tuple[Party, ...]],
    url: Callable[[Activity], str],
    municipality: str | None,
) -> ActivityView:
    """An activity's view from its progress and parties; with the municipality's slug, also its actions."""
    return ActivityView(
        activity,
        progresses[activity.pk],
        _activity_actions(activity, municipality) if municipality is not None else (),
        url(activity),
        ", ".join(party.name for party in responsible[activity.pk]),
    )


def promise_page_build(
    *,
    municipality_slug: str,
    promise_slug: str,
    as_of: dt.date,
    closing: bool = False,
    latest: int = LATEST_ON_PROMISE_PAGE,
    actions: bool = False,
) -> PromisePage:
    """The promise's read model as of a date (404 for a draft or an unknown promise).

    With ``closing`` the state is the one at the close of ``as_of`` (see `selectors.activities_progress`);
    ``latest`` is how many of each activity's latest executions come along (0: none, one query fewer);
    with ``actions`` each focus area and activity carries what a resident can do about it (five queries more).
    """
    promise = get_object_or_404(
        _public_promises(as_of, closing, actions, latest),
        municipality__slug=municipality_slug,
        slug=promise_slug,
    )
    areas = list(promise.focus_areas.all())
    for area in areas:
        # Relation caches, so that an activity's period finds its promise without a query.
        area.promise = promise
        for activity in area.activities.all():
            activity.focus_area = area
    everyone = [activity for area in areas for activity in area.activities.all()]
    responsible = _parties(everyone, Q(activity__focus_area__promise=promise))
    progresses = activities_progress(
        activities=everyone,
        scope=Q(activity__focus_area__promise=promise),
        as_of=as_of,
        latest=latest,
        closing=closing,
    )
    municipality = promise.municipality.slug
    url = _activity_url(promise)
    views = []
    for area in areas:
        activities = tuple(
            _activity_view(activity, progresses, responsible, url, municipality if actions else None)
            for activity in area.activities.all()
        )
        views.append(
            FocusAreaView(
                area,
                activities,
                summarise([view.progress for view in activities]),
                _focus_area_actions(area, activities, municipality) if actions else (),
            )
        )
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
    """One activity's own page: the activity with its progress, parties and actions, its focus area, the promise's
    header facts (the promise and its phase), every counted execution and the planned dates.

    Built without the rest of the promise: the promise's verdict is not worked out (``standing.verdict`` is None;
    ``standing.is_ended`` still says whether the period is over), and ``focus_area`` is the model, not a
    `FocusAreaView` with its other activities."""

    promise: Promise
    standing: PromiseStanding
    focus_area: FocusArea
    activity: ActivityView
    executions: tuple[Execution, ...]
    planned: tuple[PlannedDate, ...]


def activity_page_build(
    *, municipality_slug: str, promise_slug: str, activity_id: int, as_of: dt.date, closing: bool = False
) -> ActivityPage:
    """An activity of this published or closed promise (404 for one of another promise, a draft or an unknown
    promise), with all its counted executions: the same objects `promise_page_build` makes for the activity, in
    a fixed number of queries whatever the number of the promise's activities."""
    promise = get_object_or_404(
        Promise.objects.public().select_related("municipality"),
        municipality__slug=municipality_slug,
        slug=promise_slug,
    )
    activity_actions, _area_actions = _action_prefetches(as_of)
    activity = get_object_or_404(
        _activities(as_of, closing, 0, activity_actions).select_related("focus_area"),
        focus_area__promise=promise,
        pk=activity_id,
    )
    # Relation caches, so that the activity's period and addresses find the promise without a query.
    activity.focus_area.promise = promise
    responsible = _parties([activity], Q(activity=activity))
    progresses = activities_progress(
        activities=[activity], scope=Q(activity=activity), as_of=as_of, latest=0, closing=closing
    )
    return ActivityPage(
        promise=promise,
        standing=promise_standing(promise=promise, as_of=as_of, closing=closing, progresses=None),
        focus_area=activity.focus_area,
        activity=_activity_view(
            activity, progresses, responsible, Activity.get_absolute_url, promise.municipality.slug
        ),
        executions=tuple(execution_list_public(activity=activity)),
        planned=tuple(planned_date_list_public(activity=activity)),
    )
