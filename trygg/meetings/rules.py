"""Who may plan and record meetings and walks. Built on `trygg.municipalities.rules`.

Planning, changing and recording a meeting or a safety walk is for the municipality's coordinators and
administrators and for staff of one of its organising parties. Other staff of the municipality may look
(403 on changes); staff of other municipalities never see it (404). A task from a walk may also be
updated by its owner (the named person, or staff of the owning party).
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from trygg.municipalities import rules
from trygg.municipalities.models import Membership, Municipality, Party

from .models import Meeting, NeighbourhoodWatch, SafetyWalk, Task, TaskQuerySet

AnyUser = rules.AnyUser


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _is_superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) and _active(user)


def staff_meetings(user: AnyUser) -> QuerySet[Meeting]:
    return Meeting.objects.filter(municipality__in=rules.staff_municipalities(user))


def staff_walks(user: AnyUser) -> QuerySet[SafetyWalk]:
    return SafetyWalk.objects.filter(municipality__in=rules.staff_municipalities(user))


def staff_watches(user: AnyUser) -> QuerySet[NeighbourhoodWatch]:
    return NeighbourhoodWatch.objects.filter(municipality__in=rules.staff_municipalities(user))


def staff_tasks(user: AnyUser) -> TaskQuerySet:
    return Task.objects.filter(observation__walk__municipality__in=rules.staff_municipalities(user))


def can_plan_in(user: AnyUser, municipality: Municipality) -> bool:
    """May open the planning form: anyone working in the municipality (the organisers are checked on save)."""
    return _active(user) and rules.can_see_municipality_staff_pages(user, municipality)


def can_organise(user: AnyUser, municipality: Municipality, organisers: Iterable[Party]) -> bool:
    if not _active(user):
        return False
    if _is_superuser(user) or rules.roles_in(user, municipality) & rules.EDITOR_ROLES:
        return True
    own = set(rules.parties_in(user, municipality).values_list("pk", flat=True))
    return any(party.pk in own for party in organisers)


def can_manage_meeting(user: AnyUser, meeting: Meeting) -> bool:
    return can_organise(user, meeting.municipality, meeting.organisers.all())


def can_manage_walk(user: AnyUser, walk: SafetyWalk) -> bool:
    return can_organise(user, walk.municipality, walk.organisers.all())


def can_update_task(user: AnyUser, task: Task) -> bool:
    walk = task.observation.walk
    if can_manage_walk(user, walk):
        return True
    if not _active(user) or not rules.roles_in(user, walk.municipality):
        return False
    if task.owner_user_id is not None and task.owner_user_id == user.pk:
        return True
    return (
        task.owner_party_id is not None
        and rules.parties_in(user, walk.municipality).filter(pk=task.owner_party_id).exists()
    )


def can_manage_watches(user: AnyUser, municipality: Municipality) -> bool:
    """Neighbourhood watch is the police's and the coordinators' work."""
    if _is_superuser(user):
        return True
    return bool(rules.roles_in(user, municipality) & (rules.EDITOR_ROLES | {Membership.Role.POLICE}))


def can_see_watch_contacts(user: AnyUser, municipality: Municipality) -> bool:
    return _active(user) and rules.can_see_municipality_staff_pages(user, municipality)
