"""Reads of meetings and walks for the public pages, the staff pages and the lägesbild."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Municipality

from . import rules
from .models import Meeting, MeetingActivity, NeighbourhoodWatch, Observation, RaisedProblem, SafetyWalk, Task

AnyUser = AbstractBaseUser | AnonymousUser


def meeting_problem_mentions(municipality: Municipality, year: int) -> dict[str, int]:
    """How many raised each problem at the municipality's held meetings in a year: {problem slug: count}.

    The lägesbild's dialogue input."""
    rows = (
        RaisedProblem.objects.filter(
            meeting__municipality=municipality,
            meeting__status=Meeting.Status.HELD,
            meeting__starts_at__year=year,
        )
        .values("problem__slug")
        .annotate(total=Sum("mentions"))
        .order_by("problem__slug")
    )
    return {row["problem__slug"]: int(row["total"]) for row in rows}


def _with_places(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    # Only held seats count: a sign-up for many waits for its confirmation (services.signup_confirm).
    return queryset.annotate(
        places_taken=Sum("signups__count", default=0, filter=Q(signups__awaiting_confirmation=False))
    )


def meetings_public(*, municipality: Municipality, since: dt.datetime) -> list[Meeting]:
    """The municipality's public meetings from ``since`` on, soonest first, with places taken."""
    return list(
        _with_places(Meeting.objects.public().filter(municipality=municipality))
        .filter(Q(starts_at__gte=since) | Q(ends_at__gte=since))
        .exclude(status=Meeting.Status.CANCELLED, starts_at__lt=since)
        .select_related("area", "municipality")
        .prefetch_related("organisers")
        .order_by("starts_at", "pk")
    )


def meetings_public_past(
    *, municipality: Municipality, before: dt.datetime, limit: int = 50
) -> list[Meeting]:
    return list(
        Meeting.objects.public()
        .filter(municipality=municipality, starts_at__lt=before, status=Meeting.Status.HELD)
        .select_related("area")
        .order_by("-starts_at", "-pk")[:limit]
    )


def meetings_for_feed(*, municipality: Municipality) -> QuerySet[Meeting]:
    return (
        Meeting.objects.public()
        .filter(municipality=municipality)
        .select_related("municipality")
        .prefetch_related("organisers")
        .order_by("starts_at", "pk")
    )


def meeting_get_public(*, municipality_slug: str, pk: int) -> Meeting:
    queryset = _with_places(Meeting.objects.public().filter(municipality__slug=municipality_slug))
    return get_object_or_404(
        queryset.select_related("municipality", "area").prefetch_related(
            "organisers",
            Prefetch(
                "raised_problems",
                queryset=RaisedProblem.objects.select_related("problem").order_by("-mentions"),
            ),
        ),
        pk=pk,
    )


def places_left(meeting: Meeting) -> int | None:
    if meeting.capacity is None:
        return None
    taken = getattr(meeting, "places_taken", None)
    if taken is None:
        taken = (
            meeting.signups.filter(awaiting_confirmation=False).aggregate(total=Sum("count"))["total"] or 0
        )
    return max(meeting.capacity - int(taken), 0)


# ------------------------------------------------------------------------------------------- staff


def staff_meeting_list(*, user: AnyUser) -> list[Meeting]:
    return list(
        _with_places(rules.staff_meetings(user))
        .select_related("municipality", "area")
        .prefetch_related("organisers")
        .order_by("-starts_at", "-pk")[:300]
    )


def staff_meeting_get(*, user: AnyUser, pk: int) -> Meeting:
    """A meeting of the user's municipalities; others do not exist for them (404)."""
    return get_object_or_404(
        _with_places(rules.staff_meetings(user))
        .select_related("municipality", "area", "neighbourhood_watch")
        .prefetch_related(
            "organisers",
            "signups",
            Prefetch(
                "activity_links",
                queryset=MeetingActivity.objects.select_related("activity__focus_area__promise", "execution"),
            ),
            Prefetch("raised_problems", queryset=RaisedProblem.objects.select_related("problem")),
        ),
        pk=pk,
    )


def staff_municipality_get(*, user: AnyUser, slug: str) -> Municipality:
    return get_object_or_404(municipality_rules.staff_municipalities(user), slug=slug)


def staff_walk_list(*, user: AnyUser, today: dt.date) -> list[SafetyWalk]:
    open_task = Q(observations__task__state=Task.State.OPEN)
    return list(
        rules.staff_walks(user)
        .select_related("municipality", "area")
        .annotate(
            observation_count=Count("observations", distinct=True),
            open_tasks=Count("observations__task", filter=open_task, distinct=True),
            overdue_tasks=Count(
                "observations__task",
                filter=open_task & Q(observations__task__due_on__lt=today),
                distinct=True,
            ),
        )
        .order_by("-date", "-pk")[:300]
    )


@dataclass(frozen=True)
class TaskView:
    """A task as the staff pages show it; an overdue one says so in words, with the days it is late."""

    task: Task
    observation: Observation
    days_overdue: int

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


def task_view(task: Task, *, today: dt.date) -> TaskView:
    return TaskView(task=task, observation=task.observation, days_overdue=task.days_overdue(today))


@dataclass(frozen=True)
class ObservationRow:
    observation: Observation
    task: TaskView | None


def walk_observation_rows(walk: SafetyWalk, *, today: dt.date) -> list[ObservationRow]:
    """The walk's observations with their tasks, from the prefetched rows: no extra query."""
    rows = []
    for observation in walk.observations.all():
        task = getattr(observation, "task", None)
        rows.append(ObservationRow(observation, task_view(task, today=today) if task is not None else None))
    return rows


def staff_open_tasks(*, user: AnyUser, today: dt.date, limit: int = 200) -> list[TaskView]:
    """Open tasks of the user's municipalities, the longest overdue first and those without a date last."""
    tasks = (
        rules.staff_tasks(user)
        .open()
        .select_related("observation__walk__municipality", "owner_party", "owner_user")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:limit]
    )
    return [task_view(task, today=today) for task in tasks]


def _walk_prefetches() -> list[Prefetch]:
    return [
        Prefetch(
            "observations",
            queryset=Observation.objects.select_related(
                "problem", "task__owner_party", "task__owner_user"
            ).order_by("created_at", "pk"),
        ),
    ]


def staff_walk_get(*, user: AnyUser, pk: int) -> SafetyWalk:
    return get_object_or_404(
        rules.staff_walks(user)
        .select_related("municipality", "area")
        .prefetch_related(
            "organisers",
            "activity_links__activity__focus_area__promise",
            *_walk_prefetches(),
        ),
        pk=pk,
    )


def staff_observation_get(*, user: AnyUser, pk: int) -> Observation:
    return get_object_or_404(Observation.objects.filter(walk__in=rules.staff_walks(user)), pk=pk)


def staff_task_get(*, user: AnyUser, pk: int) -> Task:
    return get_object_or_404(
        rules.staff_tasks(user).select_related(
            "observation__walk__municipality", "owner_party", "owner_user"
        ),
        pk=pk,
    )


def walks_public(*, municipality: Municipality) -> list[SafetyWalk]:
    return list(
        SafetyWalk.objects.filter(municipality=municipality, is_public=True)
        .exclude(status=SafetyWalk.Status.CANCELLED)
        .select_related("area")
        .annotate(observation_count=Count("observations"))
        .order_by("-date", "-pk")
    )


def walk_get_public(*, municipality_slug: str, pk: int) -> SafetyWalk:
    return get_object_or_404(
        SafetyWalk.objects.filter(municipality__slug=municipality_slug, is_public=True)
        .select_related("municipality", "area")
        .prefetch_related("organisers", *_walk_prefetches()),
        pk=pk,
    )


@dataclass(frozen=True)
class TaskSummary:
    total: int
    open: int
    done: int
    not_ours: int


def walk_task_summary(walk: SafetyWalk) -> TaskSummary:
    """From the prefetched observations: no extra query."""
    states = [
        observation.task.state for observation in walk.observations.all() if hasattr(observation, "task")
    ]
    return TaskSummary(
        total=len(states),
        open=states.count(Task.State.OPEN),
        done=states.count(Task.State.DONE),
        not_ours=states.count(Task.State.NOT_OURS),
    )


def staff_watch_list(*, user: AnyUser) -> list[NeighbourhoodWatch]:
    return list(
        rules.staff_watches(user)
        .select_related("municipality", "area")
        .annotate(
            meetings_held=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD)),
        )
        .order_by("municipality__name", "name")
    )


def staff_watch_get(*, user: AnyUser, pk: int) -> NeighbourhoodWatch:
    return get_object_or_404(rules.staff_watches(user).select_related("municipality", "area"), pk=pk)


def watches_public(*, municipality: Municipality) -> list[NeighbourhoodWatch]:
    """The areas and their held meetings; never the contact."""
    return list(
        NeighbourhoodWatch.objects.filter(municipality=municipality)
        .select_related("area")
        .only("pk", "name", "area__name", "signed_up_on", "households", "is_example", "municipality_id")
        .annotate(meetings_held=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD)))
        .order_by("name")
    )
