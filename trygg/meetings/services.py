"""Writes of meetings, sign-ups, safety walks, observations, tasks and neighbourhood watch.

Each one checks the rule, runs in one transaction and leaves an audit entry. Recording a meeting or a walk
as held records an Execution for each linked activity through `trygg.followup.services.execution_record`,
once: the link row keeps the execution's id, and the meeting (walk) row is locked while it is done.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.core.tasks import email_send_on_commit
from trygg.followup import rules as followup_rules
from trygg.followup.selectors import activity_covers
from trygg.followup.services import execution_record
from trygg.municipalities.models import Area, Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import Activity
from trygg.reports.photos import PhotoError, photo_reencode

from . import rules
from .models import (
    Meeting,
    MeetingActivity,
    NeighbourhoodWatch,
    Observation,
    RaisedProblem,
    SafetyWalk,
    SignUp,
    Task,
    WalkActivity,
)

#: Which problem of the shared list an observation's category stands for (None: staff choose).
CATEGORY_PROBLEMS: dict[str, str | None] = {
    Observation.Category.LIGHTING: "belysning",
    Observation.Category.VEGETATION: "otrygga-platser",
    Observation.Category.GRAFFITI: "klotter",
    Observation.Category.VANDALISM: "skadegorelse",
    Observation.Category.LITTER: "nedskrapning",
    Observation.Category.UNSAFE_PASSAGE: "otrygga-platser",
    Observation.Category.OTHER: None,
}
#: A task from a walk is due this many days after the walk unless staff say otherwise.
TASK_DAYS = 30
MAX_SIGNUP_COUNT = 20


class MeetingFull(ValidationError):
    """The meeting has no room left for this sign-up."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_municipality(
    municipality: Municipality,
    *,
    area: Area | None = None,
    parties: Iterable[Party] = (),
    activities: Iterable[Activity] = (),
) -> None:
    errors: dict[str, str] = {}
    if area is not None and area.municipality_id != municipality.pk:
        errors["area"] = _("Området hör till en annan kommun.")
    for party in parties:
        local = party.municipality_id == municipality.pk
        police = (
            party.municipality_id is None
            and party.police_area_id is not None
            and (municipality.police_areas.filter(pk=party.police_area_id).exists())
        )
        if not (local or police):
            errors["organisers"] = _("En arrangör hör till en annan kommun.")
    activity_municipalities = {
        activity.focus_area.promise.municipality_id
        for activity in Activity.objects.filter(
            pk__in=[activity.pk for activity in activities]
        ).select_related("focus_area__promise")
    }
    if activity_municipalities - {municipality.pk}:
        errors["activities"] = _("En aktivitet hör till en annan kommuns löfte.")
    if errors:
        raise ValidationError(errors)


def _set_links(
    link_model: type[MeetingActivity] | type[WalkActivity],
    owner: Meeting | SafetyWalk,
    activities: Sequence[Activity],
) -> None:
    # Links that already counted keep their execution: removing an activity later does not undo it.
    owner_field = "meeting" if link_model is MeetingActivity else "walk"
    wanted = {activity.pk for activity in activities}
    existing = link_model.objects.filter(**{owner_field: owner})
    existing.exclude(activity_id__in=wanted).filter(execution__isnull=True).delete()
    have = set(existing.values_list("activity_id", flat=True))
    link_model.objects.bulk_create(
        [link_model(**{owner_field: owner, "activity_id": pk}) for pk in sorted(wanted - have)]  # type: ignore[misc]
    )


# ---------------------------------------------------------------------------------------- meetings


@dataclass
class MeetingDetails:
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    place: str = ""
    area: Area | None = None
    description: str = ""
    invited_groups: str = ""
    is_public: bool = True
    capacity: int | None = None
    neighbourhood_watch: NeighbourhoodWatch | None = None
    organisers: list[Party] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)

    SCALARS = (
        "title",
        "kind",
        "starts_at",
        "ends_at",
        "place",
        "area",
        "description",
        "invited_groups",
        "is_public",
        "capacity",
        "neighbourhood_watch",
    )


def _meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in MeetingDetails.SCALARS:
        value = getattr(meeting, f"{name}_id" if name in ("area", "neighbourhood_watch") else name)
        values[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return values


def _check_meeting(municipality: Municipality, details: MeetingDetails) -> None:
    _check_municipality(
        municipality, area=details.area, parties=details.organisers, activities=details.activities
    )
    if not details.title.strip():
        raise ValidationError({"title": _("Skriv en rubrik.")})
    if details.ends_at is not None and details.ends_at < details.starts_at:
        raise ValidationError({"ends_at": _("Mötet kan inte sluta innan det börjar.")})
    watch = details.neighbourhood_watch
    if watch is not None and watch.municipality_id != municipality.pk:
        raise ValidationError({"neighbourhood_watch": _("Området hör till en annan kommun.")})


@transaction.atomic
def meeting_plan(*, municipality: Municipality, by: User, details: MeetingDetails) -> Meeting:
    _require(rules.can_organise(by, municipality, details.organisers))
    _check_meeting(municipality, details)
    meeting = Meeting(municipality=municipality)
    for name in MeetingDetails.SCALARS:
        setattr(meeting, name, getattr(details, name))
    meeting.title = meeting.title.strip()
    meeting.save()
    meeting.organisers.set(details.organisers)
    _set_links(MeetingActivity, meeting, details.activities)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=meeting,
        changes={
            name: [None, value]
            for name, value in _meeting_snapshot(meeting).items()
            if value not in (None, "")
        },
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, by: User, details: MeetingDetails) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require(rules.can_manage_meeting(by, locked))
    _check_meeting(locked.municipality, details)
    before = _meeting_snapshot(locked)
    for name in MeetingDetails.SCALARS:
        setattr(locked, name, getattr(details, name))
    locked.title = locked.title.strip()
    if locked.capacity is not None and _places_taken(locked) > locked.capacity:
        raise ValidationError({"capacity": _("Fler har redan anmält sig än så många platser.")})
    locked.save()
    locked.organisers.set(details.organisers)
    _set_links(MeetingActivity, locked, details.activities)
    after = _meeting_snapshot(locked)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={name: [before[name], after[name]] for name in after if before[name] != after[name]},
    )
    return locked


@dataclass(frozen=True)
class Recorded:
    """What recording as held did: the executions made now, and activities the user may not count."""

    executions: list[Any]
    not_counted: list[Activity]


def _count_links(
    links: Sequence[MeetingActivity] | Sequence[WalkActivity],
    *,
    by: User,
    done_on: dt.date,
    description: str,
    participants: int | None,
    place: str,
    area: Area | None,
    link_note: str,
    today: dt.date,
) -> Recorded:
    executions = []
    not_counted = []
    for link in links:
        if link.execution_id is not None:
            continue  # Counted already: a second save never records it twice.
        activity = link.activity
        if not activity_covers(activity, done_on):
            continue  # It counts only toward an activity whose period holds the day it was held.
        if not followup_rules.can_follow_up_activity(by, activity):
            not_counted.append(activity)
            continue
        execution = execution_record(
            activity=activity,
            by=by,
            done_on=done_on,
            description=description,
            today=today,
            participants=participants,
            place=place[:300],
            area=area,
            link_note=link_note[:300],
        )
        link.execution = execution
        link.save(update_fields=["execution"])
        executions.append(execution)
    return Recorded(executions=executions, not_counted=not_counted)


@transaction.atomic
def meeting_record_held(
    *,
    meeting: Meeting,
    by: User,
    participants: int | None,
    minutes: str,
    problems: Mapping[Problem, int],
    today: dt.date,
) -> Recorded:
    """Record that the meeting was held; counts it once for each linked activity the user may follow up.

    Activities the user may not follow up stay uncounted until someone who may saves the record again."""
    # Lock the row: two staff members may record the same meeting at once.
    locked = Meeting.objects.select_for_update().select_related("municipality").get(pk=meeting.pk)
    _require(rules.can_manage_meeting(by, locked))
    held_on = timezone.localtime(locked.starts_at).date()
    if held_on > today:
        raise ValidationError(_("Mötet har inte ägt rum än. Registrera det efter mötet."))
    if locked.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    if any(mentions < 1 for mentions in problems.values()):
        raise ValidationError({"problems": _("Antalet som tog upp ett problem är minst 1.")})
    before = {"status": locked.status, "participants": locked.participants, "minutes": locked.minutes}
    locked.status = Meeting.Status.HELD
    locked.participants = participants
    locked.minutes = minutes.strip()
    locked.save(update_fields=["status", "participants", "minutes", "updated_at"])
    RaisedProblem.objects.filter(meeting=locked).exclude(problem__in=list(problems)).delete()
    for problem, mentions in problems.items():
        RaisedProblem.objects.update_or_create(
            meeting=locked, problem=problem, defaults={"mentions": mentions}
        )
    links = list(
        MeetingActivity.objects.select_for_update()
        .filter(meeting=locked)
        .select_related("activity__focus_area__promise__municipality")
        .order_by("pk")
    )
    recorded = _count_links(
        links,
        by=by,
        done_on=held_on,
        description=_("%(kind)s: %(title)s")
        % {"kind": locked.get_kind_display().capitalize(), "title": locked.title},
        participants=participants,
        place=locked.place,
        area=locked.area,
        link_note=locked.title,
        today=today,
    )
    after = {"status": locked.status, "participants": locked.participants, "minutes": locked.minutes}
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={
            **{name: [before[name], after[name]] for name in after if before[name] != after[name]},
            "problems": [None, {problem.slug: mentions for problem, mentions in problems.items()}],
        },
    )
    return recorded


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require(rules.can_manage_meeting(by, locked))
    if locked.status == Meeting.Status.HELD:
        raise ValidationError(_("Mötet är redan registrerat som genomfört."))
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv varför mötet ställs in.")})
    before = locked.status
    locked.status = Meeting.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={"status": [before, locked.status]},
        reason=reason.strip(),
    )
    return locked


# ---------------------------------------------------------------------------------------- sign-ups


def _places_taken(meeting: Meeting) -> int:
    held = SignUp.objects.filter(meeting=meeting, awaiting_confirmation=False)
    return int(held.aggregate(total=Sum("count"))["total"] or 0)


def _places_check(meeting: Meeting, count: int) -> None:
    if meeting.capacity is None:
        return
    left = meeting.capacity - _places_taken(meeting)
    if count > left:
        if left <= 0:
            raise MeetingFull(_("Mötet är fullt."))
        raise MeetingFull(
            _("Det finns bara %(left)d platser kvar.") % {"left": left}
            if left != 1
            else _("Det finns bara 1 plats kvar.")
        )


@transaction.atomic
def signup_create(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    count: int,
    submission_id: uuid.UUID,
    now: dt.datetime,
) -> SignUp:
    """Sign up for a public meeting; a second post of the same form returns the first sign-up.

    Raises MeetingFull when the places left are fewer than ``count``."""
    existing = SignUp.objects.filter(submission_id=submission_id, meeting=meeting).first()
    if existing is not None:
        return existing
    # Lock the meeting row: the check of places left and the insert must not interleave with another
    # sign-up's (on SQLite the IMMEDIATE transaction mode serialises writers the same way).
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not locked.is_public or locked.status != Meeting.Status.PLANNED or locked.starts_at <= now:
        raise ValidationError(_("Det går inte att anmäla sig till det här mötet."))
    if count < 1 or count > MAX_SIGNUP_COUNT:
        raise ValidationError(
            {"count": _("Antalet personer är mellan 1 och %(max)d.") % {"max": MAX_SIGNUP_COUNT}}
        )
    if email.strip() and not name.strip():
        raise ValidationError({"name": _("Skriv ditt namn om du lämnar din e-post.")})
    # More seats than one sign-up may hold at once are held only when the address confirms them: two
    # anonymous posts can no longer fill a meeting.
    needs_confirmation = count > settings.MEETING_SIGNUP_MAX
    if needs_confirmation and not email.strip():
        raise ValidationError(
            {
                "email": _(
                    "Är ni fler än %(max)d? Skriv din e-post, så bekräftar du platserna med en länk vi skickar."
                )
                % {"max": settings.MEETING_SIGNUP_MAX}
            }
        )
    _places_check(locked, count)
    signup = SignUp(
        meeting=locked,
        name=name.strip(),
        email=email.strip().lower(),
        count=count,
        submission_id=submission_id,
        awaiting_confirmation=needs_confirmation,
    )
    try:
        with transaction.atomic():
            signup.save()
    except IntegrityError:
        winner = SignUp.objects.filter(submission_id=submission_id).first()
        if winner is None or winner.meeting_id != locked.pk:
            raise
        return winner
    if needs_confirmation:
        site = str(getattr(settings, "SITE_URL", "http://localhost:8000")).rstrip("/")
        confirm_url = site + reverse(
            "meetings:signup_confirm", kwargs={"token": signup_confirm_token(signup)}
        )
        email_send_on_commit(
            subject=_("Bekräfta er anmälan till %(title)s") % {"title": locked.title},
            body=_(
                "Hej!\n\nNågon, förhoppningsvis du, har anmält %(count)d personer till %(title)s. Platserna hålls "
                "först när du har bekräftat här: %(url)s\n\nOm det inte var du kan du strunta i det här "
                "meddelandet: anmälan raderas inom ett dygn."
            )
            % {"count": count, "title": locked.title, "url": confirm_url},
            to=[signup.email],
        )
    # No audit entry: it would keep the resident's name after the sign-up itself is purged.
    return signup


SIGNUP_CONFIRM_SALT = "trygg.meetings.signup-confirm"
# An unconfirmed sign-up holds no seats and is deleted after a day.
UNCONFIRMED_SIGNUP_HOURS = 24


def signup_confirm_token(signup: SignUp) -> str:
    return signing.dumps(signup.pk, salt=SIGNUP_CONFIRM_SALT)


@transaction.atomic
def signup_confirm(*, token: str, now: dt.datetime) -> SignUp:
    """Hold the seats of a sign-up for more than one sign-up may hold at once, if they are still free."""
    try:
        pk = signing.loads(token, salt=SIGNUP_CONFIRM_SALT, max_age=UNCONFIRMED_SIGNUP_HOURS * 3600)
    except signing.BadSignature:
        raise ValidationError(_("Länken fungerar inte längre. Anmäl er igen.")) from None
    signup = SignUp.objects.filter(pk=pk).select_related("meeting").first()
    if signup is None:
        raise ValidationError(_("Länken fungerar inte längre. Anmäl er igen."))
    if not signup.awaiting_confirmation:
        return signup
    locked = Meeting.objects.select_for_update().get(pk=signup.meeting_id)
    if not locked.is_public or locked.status != Meeting.Status.PLANNED or locked.starts_at <= now:
        raise ValidationError(_("Det går inte att anmäla sig till det här mötet."))
    _places_check(locked, signup.count)
    signup.awaiting_confirmation = False
    signup.save(update_fields=["awaiting_confirmation"])
    return signup


def signups_purge(*, now: dt.datetime) -> int:
    """Delete the sign-ups of meetings that are over: they are kept only until the meeting has passed."""
    over = Q(meeting__ends_at__lt=now) | Q(
        meeting__ends_at__isnull=True, meeting__starts_at__lt=now - dt.timedelta(days=1)
    )
    over |= Q(meeting__status=Meeting.Status.CANCELLED, meeting__starts_at__lt=now)
    over |= Q(awaiting_confirmation=True, created_at__lt=now - dt.timedelta(hours=UNCONFIRMED_SIGNUP_HOURS))
    deleted, _counts = SignUp.objects.filter(over).delete()
    return deleted


# ------------------------------------------------------------------------------------ safety walks


@dataclass
class WalkDetails:
    title: str
    date: dt.date
    starts_at: dt.time | None = None
    area: Area | None = None
    route: dict[str, Any] | None = None
    stops: list[dict[str, Any]] = field(default_factory=list)
    participant_groups: str = ""
    is_public: bool = True
    organisers: list[Party] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)

    SCALARS = ("title", "date", "starts_at", "area", "route", "stops", "participant_groups", "is_public")


def _walk_snapshot(walk: SafetyWalk) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in WalkDetails.SCALARS:
        value = getattr(walk, "area_id" if name == "area" else name)
        values[name] = value.isoformat() if isinstance(value, dt.date | dt.time) else value
    return values


@transaction.atomic
def walk_plan(*, municipality: Municipality, by: User, details: WalkDetails) -> SafetyWalk:
    _require(rules.can_organise(by, municipality, details.organisers))
    _check_municipality(
        municipality, area=details.area, parties=details.organisers, activities=details.activities
    )
    if not details.title.strip():
        raise ValidationError({"title": _("Skriv en rubrik.")})
    walk = SafetyWalk(municipality=municipality)
    for name in WalkDetails.SCALARS:
        setattr(walk, name, getattr(details, name))
    walk.save()
    walk.organisers.set(details.organisers)
    _set_links(WalkActivity, walk, details.activities)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=walk,
        changes={
            name: [None, value] for name, value in _walk_snapshot(walk).items() if value not in (None, "", [])
        },
    )
    return walk


@transaction.atomic
def walk_update(*, walk: SafetyWalk, by: User, details: WalkDetails) -> SafetyWalk:
    locked = SafetyWalk.objects.select_for_update().get(pk=walk.pk)
    _require(rules.can_manage_walk(by, locked))
    _check_municipality(
        locked.municipality, area=details.area, parties=details.organisers, activities=details.activities
    )
    before = _walk_snapshot(locked)
    for name in WalkDetails.SCALARS:
        setattr(locked, name, getattr(details, name))
    locked.save()
    locked.organisers.set(details.organisers)
    _set_links(WalkActivity, locked, details.activities)
    after = _walk_snapshot(locked)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={name: [before[name], after[name]] for name in after if before[name] != after[name]},
    )
    return locked


@transaction.atomic
def walk_record_held(*, walk: SafetyWalk, by: User, participants: int | None, today: dt.date) -> Recorded:
    locked = SafetyWalk.objects.select_for_update().get(pk=walk.pk)
    _require(rules.can_manage_walk(by, locked))
    if locked.date > today:
        raise ValidationError(_("Vandringen har inte ägt rum än."))
    before = {"status": locked.status, "participants": locked.participants}
    locked.status = SafetyWalk.Status.HELD
    locked.participants = participants
    locked.save(update_fields=["status", "participants"])
    links = list(
        WalkActivity.objects.select_for_update()
        .filter(walk=locked)
        .select_related("activity__focus_area__promise__municipality")
        .order_by("pk")
    )
    recorded = _count_links(
        links,
        by=by,
        done_on=locked.date,
        description=_("Trygghetsvandring: %(title)s") % {"title": locked.title},
        participants=participants,
        place="",
        area=locked.area,
        link_note=locked.title,
        today=today,
    )
    after = {"status": locked.status, "participants": locked.participants}
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={name: [before[name], after[name]] for name in after if before[name] != after[name]},
    )
    return recorded


def photo_error_message(error: PhotoError) -> str:
    messages = {
        "too_large": _("Fotot är för stort (högst 10 MB)."),
        "too_many_pixels": _("Fotot har för många bildpunkter."),
        "unsupported": _("Fotot ska vara JPEG, PNG, WebP eller GIF."),
    }
    return messages.get(error.code, _("Filen är inte ett foto."))


@dataclass(frozen=True)
class ObservationAdded:
    observation: Observation
    created: bool


@transaction.atomic
def observation_add(
    *,
    walk: SafetyWalk,
    by: User,
    submission_id: uuid.UUID,
    place: str,
    category: str,
    note: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    photo: bytes | None = None,
    owner_party: Party | None = None,
    due_on: dt.date | None = None,
) -> ObservationAdded:
    """Add an observation and its task once: sending the same form again (same submission id) adds nothing.

    The photo is re-encoded from its pixels, so no metadata of the original (GPS, camera, time) is kept."""
    existing = Observation.objects.filter(submission_id=submission_id).first()
    if existing is not None:
        if existing.walk_id != walk.pk:
            raise ValidationError(_("Formuläret hör till en annan vandring. Ladda om sidan."))
        return ObservationAdded(existing, False)
    locked = SafetyWalk.objects.select_for_update().get(pk=walk.pk)
    _require(rules.can_manage_walk(by, locked))
    if not place.strip():
        raise ValidationError({"place": _("Skriv var det var.")})
    if category not in Observation.Category.values:
        raise ValidationError({"category": _("Välj en kategori i listan.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Ange både latitud och longitud, eller ingen av dem.")})
    if owner_party is not None:
        _check_municipality(locked.municipality, parties=[owner_party])
    clean = None
    if photo:
        try:
            clean = photo_reencode(photo)
        except PhotoError as error:
            raise ValidationError({"photo": photo_error_message(error)}) from None
    problem_slug = CATEGORY_PROBLEMS.get(category)
    observation = Observation(
        walk=locked,
        place=place.strip(),
        category=category,
        note=note.strip(),
        latitude=latitude,
        longitude=longitude,
        problem=Problem.objects.filter(slug=problem_slug).first() if problem_slug else None,
        submission_id=submission_id,
        created_by=by,
    )
    if clean is not None:
        observation.photo.save(f"{secrets.token_hex(16)}.jpg", ContentFile(clean.data), save=False)
    try:
        with transaction.atomic():
            observation.save()
    except IntegrityError:
        winner = Observation.objects.filter(submission_id=submission_id).first()
        if winner is None:
            raise
        return ObservationAdded(winner, False)
    Task.objects.create(
        observation=observation,
        owner_party=owner_party,
        due_on=due_on or locked.date + dt.timedelta(days=TASK_DAYS),
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=observation,
        changes={
            "walk": [None, str(locked.pk)],
            "category": [None, category],
            "place": [None, observation.place],
        },
    )
    return ObservationAdded(observation, True)


@transaction.atomic
def task_update(
    *,
    task: Task,
    by: User,
    state: str,
    outcome: str,
    owner_party: Party | None,
    owner_user: User | None,
    due_on: dt.date | None,
    today: dt.date,
) -> Task:
    locked = (
        Task.objects.select_for_update().select_related("observation__walk__municipality").get(pk=task.pk)
    )
    _require(rules.can_update_task(by, locked))
    municipality = locked.observation.walk.municipality
    if owner_party is not None:
        _check_municipality(municipality, parties=[owner_party])
    if owner_user is not None and not owner_user.memberships.filter(municipality=municipality).exists():
        raise ValidationError({"owner_user": _("Personen arbetar inte i kommunen.")})
    if state not in Task.State.values:
        raise ValidationError({"state": _("Välj en status i listan.")})
    if state == Task.State.NOT_OURS and not outcome.strip():
        raise ValidationError({"outcome": _("Skriv varför det inte är ert ansvar, och vems det är.")})
    before = {
        "state": locked.state,
        "outcome": locked.outcome,
        "owner_party": locked.owner_party_id,
        "owner_user": locked.owner_user_id,
        "due_on": locked.due_on.isoformat() if locked.due_on else None,
    }
    locked.state = state
    locked.outcome = outcome.strip()
    locked.owner_party = owner_party
    locked.owner_user = owner_user
    locked.due_on = due_on
    locked.closed_on = None if state == Task.State.OPEN else (locked.closed_on or today)
    locked.save()
    after = {
        "state": locked.state,
        "outcome": locked.outcome,
        "owner_party": locked.owner_party_id,
        "owner_user": locked.owner_user_id,
        "due_on": locked.due_on.isoformat() if locked.due_on else None,
    }
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        raise ValidationError(_("Inget ändrades."))
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes)
    return locked


def observation_to_report(*, observation: Observation, by: User) -> str:
    """Hook: hand an observation on to the residents' reports workflow instead of (or as well as) a task.

    Not wired yet. When `trygg.reports.services` offers a staff intake that takes a problem, a place and an
    already cleaned photo, call it here, store the report's reference in `observation.report_reference`
    (under the walk's lock, so it happens once) and audit it. Until then observations become tasks only."""
    raise NotImplementedError("observations become tasks until the reports app offers a staff intake")


# ----------------------------------------------------------------------------- neighbourhood watch


@dataclass
class WatchDetails:
    name: str
    area: Area | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    signed_up_on: dt.date | None = None
    households: int | None = None

    FIELDS = ("name", "area", "contact_name", "contact_phone", "contact_email", "signed_up_on", "households")


def _watch_snapshot(watch: NeighbourhoodWatch) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in WatchDetails.FIELDS:
        value = getattr(watch, "area_id" if name == "area" else name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


@transaction.atomic
def watch_save(
    *, municipality: Municipality, by: User, details: WatchDetails, watch: NeighbourhoodWatch | None = None
) -> NeighbourhoodWatch:
    _require(rules.can_manage_watches(by, municipality))
    _check_municipality(municipality, area=details.area)
    if not details.name.strip():
        raise ValidationError({"name": _("Skriv områdets namn.")})
    if watch is not None:
        # Read it again: a bound ModelForm has already changed the instance in memory.
        watch = NeighbourhoodWatch.objects.select_for_update().get(pk=watch.pk)
        if watch.municipality_id != municipality.pk:
            raise PermissionDenied
    target = watch or NeighbourhoodWatch(municipality=municipality)
    before = _watch_snapshot(target) if watch is not None else {}
    for name in WatchDetails.FIELDS:
        setattr(target, name, getattr(details, name))
    target.name = target.name.strip()
    if (
        NeighbourhoodWatch.objects.filter(municipality=municipality, name=target.name)
        .exclude(pk=target.pk)
        .exists()
    ):
        raise ValidationError({"name": _("Det finns redan ett område med det namnet.")})
    target.save()
    after = _watch_snapshot(target)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE if watch is not None else AuditEntry.Action.CREATE,
        instance=target,
        # audit_record hashes contact fields only under its own names; hash ours the same way.
        changes={
            name: ["*" if before.get(name) else None, "*" if after[name] else None]
            if name.startswith("contact_")
            else [before.get(name), after[name]]
            for name in after
            if before.get(name) != after[name]
        },
    )
    return target
