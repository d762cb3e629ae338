import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from trygg.followup.selectors import (
    ProgressSummary,
    VerdictView,
    activities_progress,
    promise_attach_progress,
    promise_standing,
    summarise,
    with_followup,
)
from trygg.followup.status import Phase
from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from .models import Activity, FocusArea, Promise


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


def promise_get_public(
    *,
    municipality_slug: str,
    promise_slug: str,
    progress_as_of: dt.date | None = None,
    closing: bool = False,
) -> Promise:
    """A published or closed promise with everything its page shows, in a fixed number of queries.

    Each activity carries its follow-up (`activity.progress`: status, progress and latest executions) as of
    `progress_as_of` (default today), each focus area and the promise a `progress_summary`, and the promise
    its `standing` (phase and, once over, the verdict). With ``closing`` the state is the one at the close of
    that day (see `followup.selectors.activities_progress`).
    """
    as_of = progress_as_of or timezone.localdate()
    activities = with_followup(
        Activity.objects.select_related("area").prefetch_related("responsible_parties", "partners"),
        as_of,
        closing,
    )
    focus_areas = FocusArea.objects.prefetch_related("problems", Prefetch("activities", queryset=activities))
    queryset = (
        Promise.objects.public()
        .select_related("municipality")
        .prefetch_related(
            Prefetch("focus_areas", queryset=focus_areas),
            "signatories__party",
        )
    )
    promise = get_object_or_404(queryset, municipality__slug=municipality_slug, slug=promise_slug)
    promise_attach_progress(promise=promise, as_of=as_of, closing=closing)
    return promise


def promise_dates_public(*, municipality_slug: str, promise_slug: str) -> Promise:
    """A published or closed promise alone (its period, title and municipality), in one query."""
    return get_object_or_404(
        Promise.objects.public().select_related("municipality"),
        municipality__slug=municipality_slug,
        slug=promise_slug,
    )


def focus_area_get_public(*, promise: Promise, slug: str) -> FocusArea:
    for focus_area in promise.focus_areas.all():
        if focus_area.slug == slug:
            return focus_area
    raise Http404


def activity_get_public(*, promise: Promise, activity_id: int) -> tuple[FocusArea, Activity]:
    for focus_area in promise.focus_areas.all():
        for activity in focus_area.activities.all():
            if activity.pk == activity_id:
                return focus_area, activity
    raise Http404


def promise_get_for_staff(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Promise:
    """Any promise (drafts too) of the user's municipalities; others do not exist for them."""
    focus_areas = FocusArea.objects.prefetch_related("problems", _activities_prefetch())
    queryset = (
        Promise.objects.filter(municipality__in=rules.staff_municipalities(user))
        .select_related("municipality")
        .prefetch_related(Prefetch("focus_areas", queryset=focus_areas), "signatories__party")
    )
    return get_object_or_404(queryset, pk=pk)
