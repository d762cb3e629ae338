"""Writes of the follow-up: each one checks the rule, runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Area, Membership, Municipality
from trygg.promises.models import Activity, Promise

from . import rules, selectors
from .models import (
    Assessment,
    Cancellation,
    Execution,
    ExecutionRevision,
    PlannedDate,
    ReminderSent,
)
from .status import ASSESSABLE, Status, assessable_on

#: The fields a correction may change, and that a revision records.
EXECUTION_FIELDS = (
    "done_on",
    "description",
    "place",
    "area",
    "count",
    "participants",
    "link_note",
    "withdrawn",
)


def _snapshot(execution: Execution) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in EXECUTION_FIELDS:
        value = getattr(execution, "area_id" if name == "area" else name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    values["attachment"] = execution.attachment.name or ""
    return values


def _require(user: User, activity: Activity) -> None:
    if not rules.can_follow_up_activity(user, activity):
        raise PermissionDenied


def _check_execution(
    *,
    activity: Activity,
    done_on: dt.date,
    count: int,
    area: Area | None,
    today: dt.date,
    counts: bool = True,
) -> None:
    """`counts` is False for a withdrawn execution: it counts for nothing, so its date need not lie in the period
    (withdrawing one dated outside it, saved before the rule, is how it is put right)."""
    if done_on > today:
        raise ValidationError(
            {
                "done_on": _(
                    "Datumet kan inte ligga i framtiden. Planera framtida tillfällen som planerade datum."
                )
            }
        )
    start, end = selectors.activity_period(activity)
    if counts and not start <= done_on <= end:
        raise ValidationError(
            {
                "done_on": _(
                    "Datumet ligger utanför aktivitetens period, %(start)s – %(end)s. Bara det som görs "
                    "under perioden räknas för aktiviteten."
                )
                % {"start": date_format(start, "j F Y"), "end": date_format(end, "j F Y")}
            }
        )
    if count < 1:
        raise ValidationError({"count": _("Antalet är minst 1.")})
    municipality = rules.activity_municipality(activity)
    if area is not None and area.municipality_id != municipality.pk:
        raise ValidationError({"area": _("Området hör till en annan kommun.")})


def _recorded_submission(activity: Activity, submission_id: uuid.UUID) -> Execution | None:
    recorded = Execution.objects.filter(submission_id=submission_id).first()
    if recorded is not None and recorded.activity_id != activity.pk:
        raise ValidationError(_("Formuläret har redan skickats för en annan aktivitet. Ladda om sidan."))
    return recorded


@transaction.atomic
def execution_record(
    *,
    activity: Activity,
    by: User,
    done_on: dt.date,
    description: str,
    today: dt.date,
    count: int = 1,
    participants: int | None = None,
    place: str = "",
    area: Area | None = None,
    attachment: UploadedFile | None = None,
    link_note: str = "",
    submission_id: uuid.UUID | None = None,
) -> Execution:
    """Record that (part of) the activity was carried out. A `submission_id` sent again (the same form posted
    twice) gives the execution recorded the first time, and records nothing."""
    _require(by, activity)
    if submission_id is not None:
        recorded = _recorded_submission(activity, submission_id)
        if recorded is not None:
            return recorded
    _check_execution(activity=activity, done_on=done_on, count=count, area=area, today=today)
    if not description.strip():
        raise ValidationError({"description": _("Beskriv vad som gjordes.")})
    execution = Execution(
        activity=activity,
        done_on=done_on,
        description=description.strip(),
        count=count,
        participants=participants,
        place=place,
        area=area,
        link_note=link_note,
        recorded_by=by,
        submission_id=submission_id,
    )
    if attachment is not None:
        execution.attachment = attachment
    try:
        with transaction.atomic():
            execution.save()
    except IntegrityError:
        # The same submission sent twice at once: the other request recorded it first.
        recorded = _recorded_submission(activity, submission_id) if submission_id is not None else None
        if recorded is None:
            raise
        return recorded
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=execution,
        changes={
            name: [None, value] for name, value in _snapshot(execution).items() if value not in (None, "")
        },
    )
    return execution


@transaction.atomic
def execution_correct(
    *,
    execution: Execution,
    by: User,
    reason: str,
    today: dt.date,
    changes: dict[str, Any],
) -> Execution:
    """Change an execution's fields; the previous values stay in an ExecutionRevision. Nothing is deleted:
    an execution recorded by mistake is withdrawn (``withdrawn=True``) and stops counting."""
    locked = Execution.objects.select_for_update().select_related("activity").get(pk=execution.pk)
    activity = Activity.objects.select_related("focus_area__promise__municipality").get(pk=locked.activity_id)
    _require(by, activity)
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv varför uppgiften rättas.")})
    unknown = set(changes) - set(EXECUTION_FIELDS)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    before = _snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_execution(
        activity=activity,
        done_on=locked.done_on,
        count=locked.count,
        area=locked.area,
        today=today,
        counts=not locked.withdrawn,
    )
    after = _snapshot(locked)
    if after == before:
        raise ValidationError(_("Inget ändrades."))
    locked.save()
    ExecutionRevision.objects.create(
        execution=locked,
        changed_by=by,
        changed_by_name=by.get_username(),
        reason=reason.strip(),
        before=before,
        after=after,
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={name: [before[name], after[name]] for name in after if before[name] != after[name]},
        reason=reason.strip(),
    )
    return locked


@transaction.atomic
def planned_date_add(*, activity: Activity, by: User, date: dt.date, note: str = "") -> PlannedDate:
    _require(by, activity)
    planned = PlannedDate.objects.create(activity=activity, date=date, note=note.strip())
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=planned,
        changes={"date": [None, date.isoformat()], "note": [None, planned.note]},
    )
    return planned


@transaction.atomic
def planned_date_remove(*, planned: PlannedDate, by: User, reason: str = "") -> None:
    # A plan is not a record of what was done; removing it is fine, and the audit log keeps it.
    _require(by, planned.activity)
    audit_record(
        actor=by,
        action=AuditEntry.Action.DELETE,
        instance=planned,
        changes={"date": [planned.date.isoformat(), None], "note": [planned.note, None]},
        reason=reason,
    )
    planned.delete()


@transaction.atomic
def activity_assess(*, activity: Activity, by: User, status: str, reason: str, today: dt.date) -> Assessment:
    _require(by, activity)
    if activity.quantity is not None or activity.quantity_max is not None:
        raise ValidationError(_("Aktiviteter med ett antal får sin status av det som registrerats."))
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv en motivering till bedömningen.")})
    try:
        value = Status(status)
    except ValueError:
        value = None
    if value not in ASSESSABLE:
        raise ValidationError({"status": _("Välj en av bedömningarna i listan.")})
    _start, end = selectors.activity_period(activity)
    end = min(end, activity.focus_area.promise.valid_until)
    if value not in assessable_on(today, end):
        raise ValidationError(
            {
                "status": _(
                    "Perioden är slut. Ge en slutbedömning: genomförd, delvis genomförd eller ej genomförd."
                )
            }
        )
    assessment = Assessment.objects.create(
        activity=activity, status=status, reason=reason.strip(), assessed_on=today, assessed_by=by
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=assessment,
        changes={"status": [None, status]},
        reason=assessment.reason,
    )
    return assessment


@transaction.atomic
def activity_cancel(*, activity: Activity, by: User, reason: str, today: dt.date) -> Cancellation:
    _require(by, activity)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Skriv varför aktiviteten ställs in. Anledningen visas för invånarna.")}
        )
    if Cancellation.objects.filter(activity=activity, lifted_on__isnull=True).exists():
        raise ValidationError(_("Aktiviteten är redan inställd."))
    cancellation = Cancellation.objects.create(
        activity=activity, cancelled_on=today, reason=reason.strip(), cancelled_by=by
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=cancellation,
        changes={"cancelled_on": [None, today.isoformat()]},
        reason=cancellation.reason,
    )
    return cancellation


@transaction.atomic
def activity_lift_cancellation(*, activity: Activity, by: User, reason: str, today: dt.date) -> Cancellation:
    _require(by, activity)
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv varför aktiviteten återupptas.")})
    cancellation = (
        Cancellation.objects.select_for_update().filter(activity=activity, lifted_on__isnull=True).first()
    )
    if cancellation is None:
        raise ValidationError(_("Aktiviteten är inte inställd."))
    cancellation.lifted_on = today
    cancellation.lift_reason = reason.strip()
    cancellation.save(update_fields=["lifted_on", "lift_reason"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=cancellation,
        changes={"lifted_on": [None, today.isoformat()]},
        reason=cancellation.lift_reason,
    )
    return cancellation


# ---------------------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Unreachable:
    """A responsible member of staff who got no reminder: their account has no e-mail address."""

    municipality: Municipality
    user: User
    activities: int


@dataclass(frozen=True)
class ReminderRun:
    sent: list[ReminderSent]
    unreachable: list[Unreachable]


class _Staff:
    """The active staff of the municipalities concerned, loaded in one query: who works for which party where."""

    def __init__(self, municipality_ids: set[int]) -> None:
        self.by_party: dict[tuple[int, int], dict[int, User]] = defaultdict(dict)
        self.editors: dict[int, dict[int, User]] = defaultdict(dict)
        self.members: dict[int, set[int]] = defaultdict(set)
        memberships = Membership.objects.filter(
            municipality_id__in=municipality_ids, user__is_active=True
        ).select_related("user")
        for membership in memberships.order_by("user_id"):
            user = membership.user
            self.by_party[(membership.municipality_id, membership.party_id)][user.pk] = user
            self.members[membership.municipality_id].add(user.pk)
            if membership.role in municipality_rules.EDITOR_ROLES:
                self.editors[membership.municipality_id][user.pk] = user


def _recipients(activity: Activity, staff: _Staff) -> list[User]:
    """Who is reminded of an activity: the people named responsible for it who still work in its municipality;
    else every member of staff of each responsible party there, the police's included; with no responsible party,
    the municipality's coordinators and administrators."""
    municipality_id = activity.focus_area.promise.municipality_id
    named = [
        user
        for user in activity.responsible_users.all()
        if user.is_active and user.pk in staff.members[municipality_id]
    ]
    if named:
        return named
    parties = list(activity.responsible_parties.all())
    if not parties:
        return list(staff.editors[municipality_id].values())
    found: dict[int, User] = {}
    for party in parties:
        found.update(staff.by_party[(municipality_id, party.pk)])
    return sorted(found.values(), key=lambda user: user.pk)


def reminders_send(*, today: dt.date) -> ReminderRun:
    """E-mail each responsible member of staff one digest a day per municipality of their activities that are behind,
    due soon or waiting for an assessment, each with a link to its follow-up page (from SITE_URL, since no request
    is at hand). Staff without an e-mail address are returned, so that the command can name them."""
    # Ended promises stay in for a while: their activities without a count wait for a final assessment.
    ended_since = today - dt.timedelta(days=settings.FINAL_ASSESSMENT_REMINDER_DAYS)
    activities = list(
        Activity.objects.filter(
            Q(focus_area__promise__valid_until__gte=today - dt.timedelta(days=1))
            | (
                Q(focus_area__promise__valid_until__gte=ended_since)
                & selectors.awaiting_final_assessment(today)
            ),
            focus_area__promise__status=Promise.Status.PUBLISHED,
            focus_area__promise__valid_from__lte=today + dt.timedelta(days=selectors.DUE_WITHIN_DAYS),
        )
        .select_related("focus_area__promise__municipality")
        .prefetch_related("responsible_users", "responsible_parties")
    )
    progresses = selectors.activities_progress(
        activities=activities,
        scope=Q(activity_id__in=[a.pk for a in activities]),
        as_of=today,
        latest=0,
        with_planned=True,
    )
    staff = _Staff({activity.focus_area.promise.municipality_id for activity in activities})
    digests: dict[tuple[int, int], list[selectors.ActivityProgress]] = defaultdict(list)
    people: dict[int, User] = {}
    municipalities: dict[int, Municipality] = {}
    for activity in activities:
        progress = progresses[activity.pk]
        if not progress.is_due(today):
            continue
        municipality = activity.focus_area.promise.municipality
        municipalities[municipality.pk] = municipality
        for user in _recipients(activity, staff):
            people[user.pk] = user
            digests[(user.pk, municipality.pk)].append(progress)

    sent: list[ReminderSent] = []
    unreachable: list[Unreachable] = []
    site = settings.SITE_URL
    for (user_id, municipality_id), items in digests.items():
        user, municipality = people[user_id], municipalities[municipality_id]
        if not user.email:
            unreachable.append(Unreachable(municipality=municipality, user=user, activities=len(items)))
            continue
        try:
            with transaction.atomic():
                record = ReminderSent.objects.create(
                    user=user,
                    municipality=municipality,
                    sent_on=today,
                    activity_ids=[item.activity.pk for item in items],
                )
                context = {
                    "user": user,
                    "municipality": municipality,
                    "items": [
                        (item, site + reverse("followup:staff_activity", args=[item.activity.pk]))
                        for item in items
                    ],
                    "today": today,
                    "my_activities": site + reverse("followup:my_activities"),
                }
                subject = _("Trygg, %(municipality)s: %(count)s aktiviteter att följa upp") % {
                    "municipality": municipality.name,
                    "count": len(items),
                }
                message = render_to_string("followup/email/reminder.txt", context)
                # Sent once the record is committed: a run that rolls back e-mails nobody.
                transaction.on_commit(
                    partial(
                        send_mail,
                        subject=subject,
                        message=message,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[user.email],
                    )
                )
        except IntegrityError:
            continue  # Already sent today (a second run, or a run in parallel).
        sent.append(record)
    return ReminderRun(sent=sent, unreachable=unreachable)
