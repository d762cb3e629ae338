import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trygg.followup.models import Execution, PlannedDate
from trygg.followup.selectors import (
    ProgressSummary,
    VerdictView,
    activities_progress,
    promise_standing,
    summarise,
    with_followup,
)
from trygg.followup.status import Phase
from trygg.municipalities import rules
from trygg.municipalities.models import Area, Municipality, Party
from trygg.problems.models import Problem

from .findings import Finding, activity_findings
from .models import Activity, Correction, FocusArea, Promise, Signatory


def municipality_parties(municipality: Municipality) -> QuerySet[Party]:
    """The parties a promise of this municipality may name: its own and the police of its police areas."""
    return Party.objects.filter(
        Q(municipality=municipality) | Q(police_area__municipalities=municipality)
    ).distinct()


def activities_public(*, activities: QuerySet[Activity], municipality_id: int) -> list[Activity]:
    """Those of ``activities`` (a related manager's queryset: a category's, an indicator's, a walk's, a meeting's)
    that belong to a public promise of the municipality, newest promise first: the "Hör till löftet" links back."""
    return list(
        activities.filter(
            focus_area__promise__status__in=Promise.Status.public(),
            focus_area__promise__municipality_id=municipality_id,
        )
        .select_related("focus_area__promise__municipality")
        .order_by("-focus_area__promise__valid_from", "focus_area__order", "order", "pk")
    )


def municipality_get_public(*, slug: str) -> Municipality:
    return get_object_or_404(Municipality, slug=slug)


def promise_list_public(*, municipality: Municipality, today: dt.date) -> tuple[list[Promise], list[Promise]]:
    """The municipality's public promises, split into current (incl. coming) and earlier ones."""
    promises = list(
        Promise.objects.public().filter(municipality=municipality).order_by("-valid_from", "slug")
    )
    current = [promise for promise in promises if promise.valid_until >= today]
    earlier = [promise for promise in promises if promise.valid_until < today]
    return current, earlier


@dataclass(frozen=True)
class PromiseCard:
    """One public promise on the municipality page: its phase today, and its summary or verdict."""

    promise: Promise
    phase: Phase
    summary: ProgressSummary
    verdict: VerdictView | None

    @property
    def is_coming(self) -> bool:
        return self.phase is Phase.COMING

    @property
    def is_running(self) -> bool:
        return self.phase is Phase.RUNNING


@dataclass(frozen=True)
class MunicipalityPromises:
    """The municipality page's promises: the one it leads with, then the coming ones and the earlier years."""

    lead: list[PromiseCard]
    coming: list[PromiseCard]
    earlier: list[PromiseCard]

    @property
    def is_empty(self) -> bool:
        return not (self.lead or self.coming or self.earlier)


def municipality_promises_public(*, municipality: Municipality, today: dt.date) -> MunicipalityPromises:
    """Lead with the running promise(s); else the latest ended one with its verdict; else the first coming one.

    Drafts are never among them. Three queries however many promises and activities there are.
    """
    promises = list(
        Promise.objects.public()
        .filter(municipality=municipality)
        .select_related("municipality")
        .order_by("-valid_from", "-valid_until", "slug")
    )
    activities = list(
        with_followup(
            Activity.objects.filter(focus_area__promise__in=promises).select_related("focus_area"), today
        ).order_by("focus_area__order", "order", "pk")
    )
    by_promise: dict[int, list[Activity]] = {promise.pk: [] for promise in promises}
    promise_of = {promise.pk: promise for promise in promises}
    for activity in activities:
        activity.focus_area.promise = promise_of[activity.focus_area.promise_id]
        by_promise[activity.focus_area.promise_id].append(activity)
    progresses = activities_progress(activities=activities, scope=Q(pk__in=[]), as_of=today, latest=0)
    cards = []
    for promise in promises:
        own = [progresses[activity.pk] for activity in by_promise[promise.pk]]
        standing = promise_standing(promise=promise, as_of=today, closing=False, progresses=own)
        cards.append(PromiseCard(promise, standing.phase, summarise(own), standing.verdict))
    running = [card for card in cards if card.phase is Phase.RUNNING]
    ended = sorted(
        (card for card in cards if card.phase is Phase.ENDED),
        key=lambda card: (card.promise.valid_until, card.promise.valid_from),
        reverse=True,
    )
    coming = sorted(
        (card for card in cards if card.phase is Phase.COMING), key=lambda card: card.promise.valid_from
    )
    if running:
        lead = running
    elif ended:
        lead, ended = ended[:1], ended[1:]
    else:
        lead, coming = coming[:1], coming[1:]
    return MunicipalityPromises(lead=lead, coming=coming, earlier=ended)


def _activities_prefetch() -> Prefetch:
    return Prefetch(
        "activities",
        queryset=Activity.objects.select_related("area").prefetch_related("responsible_parties", "partners"),
    )


def promise_dates_public(*, municipality_slug: str, promise_slug: str) -> Promise:
    """A published or closed promise alone (its period, title and municipality), in one query."""
    return get_object_or_404(
        Promise.objects.public().select_related("municipality"),
        municipality__slug=municipality_slug,
        slug=promise_slug,
    )


def promise_get_for_staff(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Promise:
    """Any promise (drafts too) of the user's municipalities; others do not exist for them."""
    focus_areas = FocusArea.objects.prefetch_related("problems", _activities_prefetch())
    queryset = (
        Promise.objects.filter(municipality__in=rules.staff_municipalities(user))
        .select_related("municipality", "previous")
        .prefetch_related(Prefetch("focus_areas", queryset=focus_areas), "signatories__party")
    )
    return get_object_or_404(queryset, pk=pk)


# ------------------------------------------------------------------------------------------- the editor


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    findings: tuple[Finding, ...]
    # The findings under the name of the field each concerns ("quantity", "text" …): shown beside that field.
    findings_by_field: Mapping[str, tuple[Finding, ...]]
    planned_dates: tuple[PlannedDate, ...]
    has_followup: bool


@dataclass(frozen=True)
class FocusAreaRow:
    focus_area: FocusArea
    activities: tuple[ActivityRow, ...]


@dataclass(frozen=True)
class PromiseEditor:
    """The staff promise page: the promise with everything it shows and every choice its forms offer."""

    promise: Promise
    signatories: tuple[Signatory, ...]
    focus_areas: tuple[FocusAreaRow, ...]
    parties: tuple[Party, ...]
    areas: tuple[Area, ...]
    problems: tuple[Problem, ...]
    corrections: tuple[Correction, ...]
    next_promises: tuple[Promise, ...]

    @property
    def finding_count(self) -> int:
        return sum(1 for area in self.focus_areas for row in area.activities if row.findings)

    @property
    def party_choices(self) -> list[tuple[int, str]]:
        return [(party.pk, party_label(party)) for party in self.parties]

    @property
    def area_choices(self) -> list[tuple[int, str]]:
        return [(area.pk, area.name) for area in self.areas]

    @property
    def problem_choices(self) -> list[tuple[int, str]]:
        return [(problem.pk, problem.name) for problem in self.problems]

    @property
    def focus_area_choices(self) -> list[tuple[int, str]]:
        return [(row.focus_area.pk, row.focus_area.title) for row in self.focus_areas]

    def party(self, pk: int) -> Party:
        return next(party for party in self.parties if party.pk == pk)

    def area(self, pk: int | None) -> Area | None:
        return next((area for area in self.areas if area.pk == pk), None)

    def focus_area(self, pk: int) -> FocusArea:
        return next(row.focus_area for row in self.focus_areas if row.focus_area.pk == pk)

    def activity(self, pk: int) -> Activity:
        for area in self.focus_areas:
            for row in area.activities:
                if row.activity.pk == pk:
                    return row.activity
        raise Http404

    def signatory(self, pk: int) -> Signatory:
        found = next((signatory for signatory in self.signatories if signatory.pk == pk), None)
        if found is None:
            raise Http404
        return found


# The municipality first, then the police, then the other parties by name: the order of every party list.
PARTY_ORDER: dict[str, int] = {Party.Kind.MUNICIPALITY: 0, Party.Kind.POLICE: 1}


def party_label(party: Party) -> str:
    if party.kind == Party.Kind.POLICE and party.police_area is not None:
        return f"{party.name} ({party.police_area.name})"
    return party.name


def promise_editor(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> PromiseEditor:
    """The editor's read model in a fixed number of queries, however many focus areas and activities."""
    promise = promise_get_for_staff(user=user, pk=pk)
    focus_areas = list(promise.focus_areas.all())
    activity_ids = [activity.pk for area in focus_areas for activity in area.activities.all()]
    planned: dict[int, list[PlannedDate]] = defaultdict(list)
    for planned_date in PlannedDate.objects.filter(activity_id__in=activity_ids).order_by("date", "pk"):
        planned[planned_date.activity_id].append(planned_date)
    followed_up = set(
        Execution.objects.filter(activity_id__in=activity_ids)
        .values_list("activity_id", flat=True)
        .distinct()
    )
    rows = []
    for focus_area in focus_areas:
        focus_area.promise = promise
        activity_rows = []
        for activity in focus_area.activities.all():
            activity.focus_area = focus_area
            findings = activity_findings(activity=activity, promise=promise)
            by_field: dict[str, list[Finding]] = defaultdict(list)
            for finding in findings:
                by_field[finding.field].append(finding)
            activity_rows.append(
                ActivityRow(
                    activity=activity,
                    findings=tuple(findings),
                    findings_by_field={name: tuple(items) for name, items in by_field.items()},
                    planned_dates=tuple(planned[activity.pk]),
                    has_followup=activity.pk in followed_up,
                )
            )
        rows.append(FocusAreaRow(focus_area=focus_area, activities=tuple(activity_rows)))
    return PromiseEditor(
        promise=promise,
        signatories=tuple(promise.signatories.all()),
        focus_areas=tuple(rows),
        parties=tuple(
            sorted(
                municipality_parties(promise.municipality).select_related("police_area"),
                key=lambda party: (PARTY_ORDER.get(party.kind, 2), party.name.casefold(), party.pk),
            )
        ),
        areas=tuple(Area.objects.filter(municipality=promise.municipality).order_by("name")),
        problems=tuple(Problem.objects.order_by("order", "name")),
        corrections=tuple(Correction.objects.filter(promise=promise).order_by("-made_on", "-pk")),
        next_promises=tuple(Promise.objects.filter(previous=promise).order_by("valid_from", "pk")),
    )


# ---------------------------------------------------------------------------------------- yearly cycle


@dataclass(frozen=True)
class Link:
    """Something linked to an activity that may follow it into next year's promise: "indicator:3"."""

    value: str
    label: str


def next_year_activities(*, promise: Promise) -> list[tuple[Activity, tuple[Link, ...]]]:
    """Every activity of the promise with the links that may follow it: its indicators, report categories and
    the meetings linked to it that fall after the promise's period (the next occasion of a recurring meeting)."""
    from trygg.meetings.models import MeetingActivity

    activities = list(
        Activity.objects.filter(focus_area__promise=promise)
        .select_related("focus_area")
        .prefetch_related("indicators", "report_categories")
        .order_by("focus_area__order", "focus_area__pk", "order", "pk")
    )
    meetings: dict[int, list[Link]] = defaultdict(list)
    later = (
        MeetingActivity.objects.filter(
            activity__in=activities, meeting__starts_at__date__gt=promise.valid_until
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )
    for link in later:
        starts = timezone.localtime(link.meeting.starts_at).date()
        label = _("Mötet ”%(title)s” %(date)s") % {
            "title": link.meeting.title,
            "date": date_format(starts, "j F Y"),
        }
        meetings[link.activity_id].append(Link(f"meeting:{link.meeting_id}", label))
    result = []
    for activity in activities:
        links = [
            *(
                Link(f"indicator:{indicator.pk}", _("Indikatorn ”%(name)s”") % {"name": indicator.name})
                for indicator in activity.indicators.all()
            ),
            *(
                Link(
                    f"category:{category.pk}",
                    _("Kategorin ”%(name)s” för felanmälan") % {"name": category.name},
                )
                for category in activity.report_categories.all()
            ),
            *meetings[activity.pk],
        ]
        result.append((activity, tuple(links)))
    return result
