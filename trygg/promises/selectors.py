import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from trygg.followup.selectors import promise_attach_progress, with_followup
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


def _activities_prefetch() -> Prefetch:
    return Prefetch(
        "activities",
        queryset=Activity.objects.select_related("area").prefetch_related("responsible_parties", "partners"),
    )


def promise_get_public(
    *, municipality_slug: str, promise_slug: str, progress_as_of: dt.date | None = None
) -> Promise:
    """A published or closed promise with everything its page shows, in a fixed number of queries.

    Each activity carries its follow-up (`activity.progress`: status, progress and latest executions) as of
    `progress_as_of` (default today), each focus area and the promise a `progress_summary`.
    """
    as_of = progress_as_of or timezone.localdate()
    activities = with_followup(
        Activity.objects.select_related("area").prefetch_related("responsible_parties", "partners"), as_of
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
    promise_attach_progress(promise=promise, as_of=as_of)
    return promise


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
