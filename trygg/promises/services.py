"""Every write to a promise, its signatories, focus areas and activities: one way in for each, audited.

The staff pages, the import, the evidence app and the yearly cycle all call these functions. Each checks the
rule, validates, runs in one transaction and leaves an audit entry. A draft may be changed freely. A published
(or closed) promise is changed only as a *rättelse*: the change needs a reason, and a `Correction` records what
changed and why, shown on the public page as "Ändrad <datum>: <vad>". Publishing goes through `promise_publish`
alone; nothing else sets a promise's status or publishing date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.core.validators import validate_not_reserved
from trygg.municipalities.models import Area, Municipality, Party
from trygg.problems.models import Problem

from . import rules
from .fields import ACTIVITY_FIELDS, ACTIVITY_RELATIONS, FOCUS_AREA_FIELDS, PROMISE_FIELDS, SIGNATORY_FIELDS
from .findings import promise_findings
from .models import Activity, Correction, FocusArea, Promise, Signatory
from .publishing import run_publish_steps
from .selectors import municipality_parties

# The import command writes with no user; the staff pages and other apps with the user who acts.
Actor = AbstractBaseUser | AnonymousUser | None

TEXT_FIELDS = frozenset(
    {"title", "introduction", "background", "source_note", "source_url", "name", "role", "description"}
    | {"evidence_note"}
    | {"text", "other_partners", "unit", "target_group", "place"}
)


# ------------------------------------------------------------------------------------------- helpers


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _plain(value: Any) -> Any:
    """A value as the audit log and a correction keep it: names for parties, ISO dates, plain scalars."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Party | Area | Problem | FocusArea):
        return value.name if isinstance(value, Party | Area | Problem) else value.title
    if isinstance(value, list | tuple | set | frozenset | QuerySet):
        return sorted(str(_plain(item)) for item in value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _cleaned(name: str, value: Any) -> Any:
    if name in TEXT_FIELDS and isinstance(value, str):
        return value.strip()
    return value


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [before[name], after[name]] for name in after if before.get(name) != after[name]}


def _only(changes: Mapping[str, Any], editable: Sequence[str]) -> None:
    unknown = set(changes) - set(editable)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")


def _lock(promise: Promise) -> Promise:
    return Promise.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=promise.pk)


@dataclass
class _Change:
    """One line of a rättelse: the object it concerns (kind and label) and the field that changed."""

    kind: str  # "promise", "signatory", "focus_area" or "activity"
    label: str
    change: str  # "changed", "added", "removed" or "moved"
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def entries(self) -> list[dict[str, Any]]:
        base = {"object": self.kind, "label": self.label[:200], "change": self.change}
        if not self.fields:
            return [{**base, "field": "", "before": None, "after": None}]
        return [
            {**base, "field": name, "before": values[0], "after": values[1]}
            for name, values in self.fields.items()
        ]


def _correct(
    *, promise: Promise, by: Actor, today: dt.date | None, reason: str, change: _Change
) -> Correction | None:
    """On a public promise every change is a rättelse with a reason; a draft needs none."""
    if not promise.is_public:
        return None
    if today is None:
        raise ValueError("a change to a published promise needs the day it is made")
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Löftet är publicerat. Skriv varför det ändras: anledningen visas för invånarna.")}
        )
    return Correction.objects.create(
        promise=promise,
        made_on=today,
        reason=reason.strip(),
        changes=change.entries(),
        made_by=by if isinstance(by, User) else None,
    )


def _audit(*, by: Actor, action: str, instance: Any, changes: Mapping[str, Any], reason: str = "") -> None:
    audit_record(actor=by, action=action, instance=instance, changes=dict(changes), reason=reason.strip())


def _check_parties(municipality: Municipality, parties: Iterable[Party], field_name: str) -> None:
    allowed = set(municipality_parties(municipality).values_list("pk", flat=True))
    if any(party.pk not in allowed for party in parties):
        raise ValidationError({field_name: _("En part hör inte till kommunen eller dess lokalpolisområde.")})


def _full_clean(instance: Any, exclude: Sequence[str] = ()) -> None:
    # Constraints are checked by the services themselves with messages on the right field.
    instance.full_clean(exclude=list(exclude), validate_constraints=False)


# -------------------------------------------------------------------------------------------- promise


def _check_period(valid_from: dt.date | None, valid_until: dt.date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": _("Slutdatumet kan inte ligga före startdatumet.")})


def _check_slug_free(municipality: Municipality, slug: str, *, exclude: int | None = None) -> None:
    taken = Promise.objects.filter(municipality=municipality, slug=slug)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(
            {"slug": _("Det finns redan ett löfte med adressen ”%(slug)s”.") % {"slug": slug}}
        )


def promise_create_unchecked(
    *,
    municipality: Municipality,
    by: Actor,
    title: str,
    slug: str,
    valid_from: dt.date,
    valid_until: dt.date,
    introduction: str = "",
    background: str = "",
    source_note: str = "",
    source_url: str = "",
    previous: Promise | None = None,
    reason: str = "",
) -> Promise:
    """A new draft, for callers that checked the rule themselves (the import, the yearly cycle)."""
    _check_period(valid_from, valid_until)
    _check_slug_free(municipality, slug)
    promise = Promise(
        municipality=municipality,
        title=title.strip(),
        slug=slug,
        valid_from=valid_from,
        valid_until=valid_until,
        introduction=introduction.strip(),
        background=background.strip(),
        source_note=source_note.strip(),
        source_url=source_url.strip(),
        previous=previous,
        status=Promise.Status.DRAFT,
    )
    _full_clean(promise)
    promise.save()
    _audit(
        by=by,
        action=AuditEntry.Action.CREATE,
        instance=promise,
        changes={
            name: [None, _plain(getattr(promise, name))]
            for name in (*PROMISE_FIELDS, "status")
            if getattr(promise, name) not in ("", None)
        }
        | ({"previous": [None, str(previous.pk)]} if previous else {}),
        reason=reason,
    )
    return promise


@transaction.atomic
def promise_create(
    *,
    municipality: Municipality,
    by: User,
    title: str,
    slug: str,
    valid_from: dt.date,
    valid_until: dt.date,
    introduction: str = "",
    background: str = "",
    source_note: str = "",
    source_url: str = "",
) -> Promise:
    _require(rules.can_create_promise(by, municipality))
    return promise_create_unchecked(
        municipality=municipality,
        by=by,
        title=title,
        slug=slug,
        valid_from=valid_from,
        valid_until=valid_until,
        introduction=introduction,
        background=background,
        source_note=source_note,
        source_url=source_url,
    )


@transaction.atomic
def promise_update(
    *, promise: Promise, by: User, today: dt.date, changes: Mapping[str, Any], reason: str = ""
) -> Promise:
    """Change the promise's own fields (not its status: that is `promise_publish`'s)."""
    _only(changes, PROMISE_FIELDS)
    locked = _lock(promise)
    _require(rules.can_edit_promise(by, locked))
    before = {name: _plain(getattr(locked, name)) for name in PROMISE_FIELDS}
    for name, value in changes.items():
        setattr(locked, name, _cleaned(name, value))
    after = {name: _plain(getattr(locked, name)) for name in PROMISE_FIELDS}
    diff = _diff(before, after)
    if not diff:
        return locked
    if "slug" in diff:
        if locked.is_public:
            raise ValidationError(
                {"slug": _("Adressen till ett publicerat löfte ändras inte: länkar till det finns.")}
            )
        _check_slug_free(locked.municipality, locked.slug, exclude=locked.pk)
    _check_period(locked.valid_from, locked.valid_until)
    _full_clean(locked)
    _correct(
        promise=locked,
        by=by,
        today=today,
        reason=reason,
        change=_Change("promise", locked.title, "changed", diff),
    )
    locked.save(update_fields=list(diff))
    _audit(by=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=diff, reason=reason)
    return locked


@transaction.atomic
def promise_publish(*, promise: Promise, by: User, today: dt.date, confirm_findings: bool) -> Promise:
    """Publish a draft. With measurability findings, the publisher must confirm them explicitly."""
    locked = _lock(promise)
    _require(rules.can_publish_promise(by, locked))
    if locked.status != Promise.Status.DRAFT:
        raise ValidationError(_("Bara utkast kan publiceras."))
    if promise_findings(promise=locked) and not confirm_findings:
        raise ValidationError(_("Bekräfta att du vill publicera trots anmärkningarna."))
    before = {"status": locked.status, "published_on": locked.published_on}
    locked.status = Promise.Status.PUBLISHED
    locked.published_on = today
    locked.save(update_fields=["status", "published_on"])
    run_publish_steps(promise=locked, today=today)
    _audit(
        by=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={
            "status": [before["status"], locked.status],
            "published_on": [None, today.isoformat()],
        },
        reason=_("Publicerat med bekräftade anmärkningar") if confirm_findings else "",
    )
    return locked


# ----------------------------------------------------------------------------------------- signatories


def _check_signatory(promise: Promise, values: Mapping[str, Any]) -> None:
    if not str(values.get("name") or "").strip():
        raise ValidationError({"name": _("Skriv undertecknarens namn.")})
    if not str(values.get("role") or "").strip():
        raise ValidationError(
            {"role": _("Skriv undertecknarens befattning, t.ex. ”kommunstyrelsens ordförande”.")}
        )
    party = values.get("party")
    if party is not None:
        _check_parties(promise.municipality, [party], "party")


def signatory_add_unchecked(
    *,
    promise: Promise,
    by: Actor,
    today: dt.date | None = None,
    name: str,
    role: str,
    party: Party | None = None,
    signed_on: dt.date | None = None,
    reason: str = "",
) -> Signatory:
    values = {"name": name.strip(), "role": role.strip(), "party": party, "signed_on": signed_on}
    _check_signatory(promise, values)
    order = (promise.signatories.aggregate(last=Max("order"))["last"] or 0) + 1
    signatory = Signatory(promise=promise, order=order, **values)
    _full_clean(signatory)
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("signatory", f"{signatory.name}, {signatory.role}", "added"),
    )
    signatory.save()
    _audit(
        by=by,
        action=AuditEntry.Action.CREATE,
        instance=signatory,
        changes={name: [None, _plain(value)] for name, value in values.items() if value not in ("", None)},
        reason=reason,
    )
    return signatory


@transaction.atomic
def signatory_add(
    *,
    promise: Promise,
    by: User,
    today: dt.date,
    name: str,
    role: str,
    party: Party | None = None,
    signed_on: dt.date | None = None,
    reason: str = "",
) -> Signatory:
    locked = _lock(promise)
    _require(rules.can_edit_promise(by, locked))
    return signatory_add_unchecked(
        promise=locked,
        by=by,
        today=today,
        name=name,
        role=role,
        party=party,
        signed_on=signed_on,
        reason=reason,
    )


@transaction.atomic
def signatory_update(
    *, signatory: Signatory, by: User, today: dt.date, changes: Mapping[str, Any], reason: str = ""
) -> Signatory:
    _only(changes, SIGNATORY_FIELDS)
    promise = _lock(signatory.promise)
    _require(rules.can_edit_promise(by, promise))
    locked = Signatory.objects.select_for_update(of=("self",)).select_related("party").get(pk=signatory.pk)
    before = {name: _plain(getattr(locked, name)) for name in SIGNATORY_FIELDS}
    for name, value in changes.items():
        setattr(locked, name, _cleaned(name, value))
    _check_signatory(promise, {name: getattr(locked, name) for name in SIGNATORY_FIELDS})
    diff = _diff(before, {name: _plain(getattr(locked, name)) for name in SIGNATORY_FIELDS})
    if not diff:
        return locked
    _full_clean(locked)
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("signatory", f"{locked.name}, {locked.role}", "changed", diff),
    )
    locked.save()
    _audit(by=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=diff, reason=reason)
    return locked


@transaction.atomic
def signatory_remove(*, signatory: Signatory, by: User, today: dt.date, reason: str = "") -> None:
    promise = _lock(signatory.promise)
    _require(rules.can_edit_promise(by, promise))
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("signatory", f"{signatory.name}, {signatory.role}", "removed"),
    )
    _audit(
        by=by,
        action=AuditEntry.Action.DELETE,
        instance=signatory,
        changes={"name": [signatory.name, None], "role": [signatory.role, None]},
        reason=reason,
    )
    signatory.delete()


# ----------------------------------------------------------------------------------------- focus areas


def unique_focus_area_slug(title: str, used: set[str]) -> str:
    """A slug for the title that is not in `used` and not one of the site's own words; added to `used`."""
    base = slugify(title).replace("_", "-").strip("-")
    base = "-".join(part for part in base.split("-") if part)[:70].strip("-") or "fokusomrade"
    try:
        validate_not_reserved(base)
    except ValidationError:
        base = f"{base}-omrade"
    slug, number = base, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    used.add(slug)
    return slug


def _check_focus_area(values: Mapping[str, Any]) -> None:
    if not str(values.get("title") or "").strip():
        raise ValidationError({"title": _("Skriv fokusområdets rubrik.")})


def focus_area_create_unchecked(
    *,
    promise: Promise,
    by: Actor,
    today: dt.date | None = None,
    title: str,
    description: str = "",
    evidence_note: str = "",
    problems: Sequence[Problem] = (),
    reason: str = "",
) -> FocusArea:
    _check_focus_area({"title": title})
    used = set(promise.focus_areas.values_list("slug", flat=True))
    order = (promise.focus_areas.aggregate(last=Max("order"))["last"] or 0) + 1
    focus_area = FocusArea(
        promise=promise,
        title=title.strip(),
        slug=unique_focus_area_slug(title, used),
        description=description.strip(),
        evidence_note=evidence_note.strip(),
        order=order,
    )
    _full_clean(focus_area)
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("focus_area", focus_area.title, "added"),
    )
    focus_area.save()
    focus_area.problems.set(problems)
    _audit(
        by=by,
        action=AuditEntry.Action.CREATE,
        instance=focus_area,
        changes={"title": [None, focus_area.title]}
        | ({"problems": [None, _plain(list(problems))]} if problems else {}),
        reason=reason,
    )
    return focus_area


@transaction.atomic
def focus_area_create(
    *,
    promise: Promise,
    by: User,
    today: dt.date,
    title: str,
    description: str = "",
    evidence_note: str = "",
    problems: Sequence[Problem] = (),
    reason: str = "",
) -> FocusArea:
    locked = _lock(promise)
    _require(rules.can_edit_promise(by, locked))
    return focus_area_create_unchecked(
        promise=locked,
        by=by,
        today=today,
        title=title,
        description=description,
        evidence_note=evidence_note,
        problems=problems,
        reason=reason,
    )


def _focus_area_values(focus_area: FocusArea) -> dict[str, Any]:
    values = {name: _plain(getattr(focus_area, name)) for name in FOCUS_AREA_FIELDS if name != "problems"}
    values["problems"] = _plain(list(focus_area.problems.all()))
    return values


@transaction.atomic
def focus_area_update(
    *, focus_area: FocusArea, by: User, today: dt.date, changes: Mapping[str, Any], reason: str = ""
) -> FocusArea:
    _only(changes, FOCUS_AREA_FIELDS)
    promise = _lock(focus_area.promise)
    _require(rules.can_edit_promise(by, promise))
    locked = FocusArea.objects.select_for_update().get(pk=focus_area.pk)
    before = _focus_area_values(locked)
    for name, value in changes.items():
        if name != "problems":
            setattr(locked, name, _cleaned(name, value))
    _check_focus_area({"title": locked.title})
    after = {name: _plain(getattr(locked, name)) for name in FOCUS_AREA_FIELDS if name != "problems"}
    after["problems"] = _plain(list(changes["problems"])) if "problems" in changes else before["problems"]
    diff = _diff(before, after)
    if not diff:
        return locked
    _full_clean(locked)
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("focus_area", locked.title, "changed", diff),
    )
    locked.save()
    if "problems" in diff:
        locked.problems.set(changes["problems"])
    _audit(by=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=diff, reason=reason)
    return locked


def _has_followup(activities: QuerySet[Activity]) -> bool:
    from trygg.followup.models import Execution

    return Execution.objects.filter(activity__in=activities).exists()


@transaction.atomic
def focus_area_remove(*, focus_area: FocusArea, by: User, today: dt.date, reason: str = "") -> None:
    """Remove a focus area with its activities; never one whose activities already have follow-up."""
    promise = _lock(focus_area.promise)
    _require(rules.can_edit_promise(by, promise))
    activities = Activity.objects.filter(focus_area=focus_area)
    if _has_followup(activities):
        raise ValidationError(
            _(
                "Fokusområdet har aktiviteter med registrerade utföranden och kan inte tas bort. Ställ in dem i stället."
            )
        )
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("focus_area", focus_area.title, "removed"),
    )
    for activity in activities:
        _audit(
            by=by, action=AuditEntry.Action.DELETE, instance=activity, changes={"text": [activity.text, None]}
        )
    _audit(
        by=by,
        action=AuditEntry.Action.DELETE,
        instance=focus_area,
        changes={"title": [focus_area.title, None]},
        reason=reason,
    )
    focus_area.delete()


def _move(rows: list[Any], target: Any, step: int) -> list[Any]:
    index = next(position for position, row in enumerate(rows) if row.pk == target.pk)
    other = index + step
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    return rows


def _renumber(rows: Sequence[Any], model: Any) -> dict[int, list[int]]:
    moved = {}
    for order, row in enumerate(rows, start=1):
        if row.order != order:
            moved[row.pk] = [row.order, order]
            row.order = order
    model.objects.bulk_update(rows, ["order"])
    return moved


@transaction.atomic
def focus_area_move(*, focus_area: FocusArea, by: User, today: dt.date, step: int, reason: str = "") -> None:
    """Move a focus area one place up (step -1) or down (step 1) in its promise."""
    promise = _lock(focus_area.promise)
    _require(rules.can_edit_promise(by, promise))
    rows = _move(list(FocusArea.objects.filter(promise=promise).order_by("order", "pk")), focus_area, step)
    moved = _renumber(rows, FocusArea)
    if not moved:
        return
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("focus_area", focus_area.title, "moved"),
    )
    _audit(
        by=by,
        action=AuditEntry.Action.UPDATE,
        instance=promise,
        changes={"focus_area_order": [None, [str(pk) for pk in (row.pk for row in rows)]]},
        reason=reason,
    )


# ------------------------------------------------------------------------------------------ activities


def _check_activity(promise: Promise, activity: Activity, relations: Mapping[str, Sequence[Party]]) -> None:
    errors: dict[str, str] = {}
    if not activity.text.strip():
        errors["text"] = _("Skriv vad som ska göras.")
    if activity.focus_area.promise_id != promise.pk:
        errors["focus_area"] = _("Fokusområdet hör till ett annat löfte.")
    if activity.area is not None and activity.area.municipality_id != promise.municipality_id:
        errors["area"] = _("Området hör till en annan kommun.")
    if (
        activity.quantity is not None
        and activity.quantity_max is not None
        and activity.quantity_max < activity.quantity
    ):
        errors["quantity_max"] = _("”Högst” kan inte vara mindre än antalet.")
    if (activity.quantity is not None or activity.quantity_max is not None) and not activity.per:
        errors["per"] = _("Ange vad antalet räknas per (år, månad, hela perioden …).")
    if activity.start_date and activity.end_date and activity.end_date < activity.start_date:
        errors["end_date"] = _("Slutdatumet kan inte ligga före startdatumet.")
    if errors:
        raise ValidationError(errors)
    for name in ACTIVITY_RELATIONS:
        _check_parties(promise.municipality, relations.get(name, ()), name)
    both = {party.pk for party in relations.get("responsible_parties", ())} & {
        party.pk for party in relations.get("partners", ())
    }
    if both:
        raise ValidationError({"partners": _("En part kan inte vara både ansvarig och samarbetspartner.")})


def _activity_values(
    activity: Activity, relations: Mapping[str, Sequence[Party]] | None = None
) -> dict[str, Any]:
    values = {
        name: _plain(getattr(activity, name)) for name in ACTIVITY_FIELDS if name not in ACTIVITY_RELATIONS
    }
    for name in ACTIVITY_RELATIONS:
        parties = relations[name] if relations is not None else list(getattr(activity, name).all())
        values[name] = _plain(list(parties))
    return values


def activity_create_unchecked(
    *,
    focus_area: FocusArea,
    by: Actor,
    today: dt.date | None = None,
    text: str,
    responsible_parties: Sequence[Party] = (),
    partners: Sequence[Party] = (),
    reason: str = "",
    audit_reason: str = "",
    **values: Any,
) -> Activity:
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"not an activity field: {sorted(unknown)}")
    promise = focus_area.promise
    order = (Activity.objects.filter(focus_area=focus_area).aggregate(last=Max("order"))["last"] or 0) + 1
    activity = Activity(focus_area=focus_area, text=text.strip(), order=order)
    for name, value in values.items():
        setattr(activity, name, _cleaned(name, value))
    relations = {"responsible_parties": list(responsible_parties), "partners": list(partners)}
    _check_activity(promise, activity, relations)
    _full_clean(activity)
    _correct(
        promise=promise, by=by, today=today, reason=reason, change=_Change("activity", activity.text, "added")
    )
    activity.save()
    activity.responsible_parties.set(relations["responsible_parties"])
    activity.partners.set(relations["partners"])
    _audit(
        by=by,
        action=AuditEntry.Action.CREATE,
        instance=activity,
        changes={
            name: [None, value]
            for name, value in _activity_values(activity, relations).items()
            if value not in ("", None, [], False)
        },
        reason=reason or audit_reason,
    )
    return activity


@transaction.atomic
def activity_create(
    *,
    focus_area: FocusArea,
    by: User,
    today: dt.date,
    text: str,
    responsible_parties: Sequence[Party] = (),
    partners: Sequence[Party] = (),
    reason: str = "",
    **values: Any,
) -> Activity:
    promise = _lock(focus_area.promise)
    _require(rules.can_edit_promise(by, promise))
    focus_area.promise = promise
    return activity_create_unchecked(
        focus_area=focus_area,
        by=by,
        today=today,
        text=text,
        responsible_parties=responsible_parties,
        partners=partners,
        reason=reason,
        **values,
    )


@transaction.atomic
def activity_update(
    *, activity: Activity, by: User, today: dt.date, changes: Mapping[str, Any], reason: str = ""
) -> Activity:
    """Change any of an activity's fields; moving it to another focus area of the same promise too."""
    _only(changes, ACTIVITY_FIELDS)
    promise = _lock(activity.focus_area.promise)
    _require(rules.can_edit_promise(by, promise))
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("focus_area", "area")
        .get(pk=activity.pk)
    )
    relations = {name: list(getattr(locked, name).all()) for name in ACTIVITY_RELATIONS}
    before = _activity_values(locked, relations)
    for name, value in changes.items():
        if name in ACTIVITY_RELATIONS:
            relations[name] = list(value)
        else:
            setattr(locked, name, _cleaned(name, value))
    if "focus_area" in changes and locked.focus_area_id != activity.focus_area_id:
        last = Activity.objects.filter(focus_area=locked.focus_area).aggregate(last=Max("order"))["last"]
        locked.order = (last or 0) + 1
    _check_activity(promise, locked, relations)
    diff = _diff(before, _activity_values(locked, relations))
    if not diff:
        return locked
    _full_clean(locked)
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("activity", locked.text, "changed", diff),
    )
    locked.save()
    for name in ACTIVITY_RELATIONS:
        if name in diff:
            getattr(locked, name).set(relations[name])
    _audit(by=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=diff, reason=reason)
    return locked


@transaction.atomic
def activity_remove(*, activity: Activity, by: User, today: dt.date, reason: str = "") -> None:
    """Remove an activity; never one with recorded follow-up (cancel it instead, which keeps its history)."""
    promise = _lock(activity.focus_area.promise)
    _require(rules.can_edit_promise(by, promise))
    if _has_followup(Activity.objects.filter(pk=activity.pk)):
        raise ValidationError(
            _("Aktiviteten har registrerade utföranden och kan inte tas bort. Ställ in den i stället.")
        )
    _correct(
        promise=promise,
        by=by,
        today=today,
        reason=reason,
        change=_Change("activity", activity.text, "removed"),
    )
    _audit(
        by=by,
        action=AuditEntry.Action.DELETE,
        instance=activity,
        changes={"text": [activity.text, None]},
        reason=reason,
    )
    activity.delete()


@transaction.atomic
def activity_move(*, activity: Activity, by: User, today: dt.date, step: int, reason: str = "") -> None:
    """Move an activity one place up (step -1) or down (step 1) within its focus area."""
    promise = _lock(activity.focus_area.promise)
    _require(rules.can_edit_promise(by, promise))
    rows = _move(
        list(Activity.objects.filter(focus_area_id=activity.focus_area_id).order_by("order", "pk")),
        activity,
        step,
    )
    moved = _renumber(rows, Activity)
    if not moved:
        return
    _correct(
        promise=promise, by=by, today=today, reason=reason, change=_Change("activity", activity.text, "moved")
    )
    _audit(
        by=by,
        action=AuditEntry.Action.UPDATE,
        instance=activity.focus_area,
        changes={"activity_order": [None, [str(row.pk) for row in rows]]},
        reason=reason,
    )


# ---------------------------------------------------------------------------------------- yearly cycle


@dataclass(frozen=True)
class Carry:
    """One activity carried into the next promise, and which of its links follow it there."""

    activity_id: int
    indicators: frozenset[int] = frozenset()
    report_categories: frozenset[int] = frozenset()
    meetings: frozenset[int] = frozenset()


def shift_years(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _check_choices(activities: Sequence[Activity], carried: Sequence[Carry], dropped: Sequence[int]) -> None:
    every = {activity.pk for activity in activities}
    carried_ids = [carry.activity_id for carry in carried]
    chosen = [*carried_ids, *dropped]
    if len(chosen) != len(set(chosen)) or set(chosen) != every:
        raise ValidationError(
            {"activities": _("Välj för varje aktivitet om den ska tas med till nästa löfte eller inte.")}
        )


def _follow_links(*, source: Activity, copy: Activity, carry: Carry, by: User, after: dt.date) -> None:
    """Link what staff chose (indicators, report categories, later meetings) to the copy, audited."""
    from trygg.meetings.models import MeetingActivity

    indicators = {indicator.pk: indicator for indicator in source.indicators.all()}
    categories = {category.pk: category for category in source.report_categories.all()}
    later_links = {
        link.meeting_id: link
        for link in MeetingActivity.objects.filter(
            activity=source, meeting__starts_at__date__gt=after
        ).select_related("meeting")
    }
    if (
        not carry.indicators <= indicators.keys()
        or not carry.report_categories <= categories.keys()
        or not carry.meetings <= later_links.keys()
    ):
        raise ValidationError({"activities": _("Bara det som är kopplat till aktiviteten kan följa med.")})
    for pk in sorted(carry.indicators):
        indicators[pk].activities.add(copy)
        _audit(
            by=by,
            action=AuditEntry.Action.UPDATE,
            instance=indicators[pk],
            changes={"activities": [None, str(copy.pk)]},
        )
    for pk in sorted(carry.report_categories):
        categories[pk].activities.add(copy)
        _audit(
            by=by,
            action=AuditEntry.Action.UPDATE,
            instance=categories[pk],
            changes={"activities": [None, str(copy.pk)]},
        )
    for pk in sorted(carry.meetings):
        link = later_links[pk]
        MeetingActivity.objects.get_or_create(meeting=link.meeting, activity=copy)
        # A later meeting belongs to the new year's activity; a link that already counted stays where it counted.
        if link.execution_id is None:
            link.delete()
        _audit(
            by=by,
            action=AuditEntry.Action.UPDATE,
            instance=link.meeting,
            changes={"activities": [str(source.pk), str(copy.pk)]},
        )


@transaction.atomic
def promise_create_next(
    *,
    promise: Promise,
    by: User,
    title: str,
    slug: str,
    valid_from: dt.date,
    valid_until: dt.date,
    carried: Sequence[Carry],
    dropped: Sequence[int],
) -> Promise:
    """ "Skapa nästa års löfte": a new draft with the carried activities (each linked back to its source), their
    focus areas and the signatories' names. Every activity of the promise is either carried or dropped."""
    from trygg.followup.models import ActivityLineage

    source = _lock(promise)
    _require(rules.can_copy_promise(by, source))
    activities = list(
        Activity.objects.filter(focus_area__promise=source)
        .select_related("focus_area")
        .prefetch_related(
            "responsible_parties", "partners", "responsible_users", "indicators", "report_categories"
        )
    )
    _check_choices(activities, carried, dropped)
    new = promise_create_unchecked(
        municipality=source.municipality,
        by=by,
        title=title,
        slug=slug,
        valid_from=valid_from,
        valid_until=valid_until,
        introduction=source.introduction,
        background=source.background,
        source_note="",
        previous=source,
        reason=_("Skapat från %(title)s") % {"title": source.title},
    )
    for signatory in source.signatories.all():
        # The names carry over; the new promise is signed on its own date.
        signatory_add_unchecked(
            promise=new,
            by=by,
            today=valid_from,
            name=signatory.name,
            role=signatory.role,
            party=signatory.party,
        )
    years = valid_from.year - source.valid_from.year
    carries = {carry.activity_id: carry for carry in carried}
    new_areas: dict[int, FocusArea] = {}
    for activity in activities:
        carry = carries.get(activity.pk)
        if carry is None:
            continue
        old_area = activity.focus_area
        if old_area.pk not in new_areas:
            new_areas[old_area.pk] = focus_area_create_unchecked(
                promise=new,
                by=by,
                today=valid_from,
                title=old_area.title,
                description=old_area.description,
                evidence_note=old_area.evidence_note,
                problems=list(old_area.problems.all()),
            )
        copy = activity_create_unchecked(
            focus_area=new_areas[old_area.pk],
            by=by,
            today=valid_from,
            text=activity.text,
            responsible_parties=list(activity.responsible_parties.all()),
            partners=list(activity.partners.all()),
            audit_reason=_("Förd vidare från %(title)s") % {"title": source.title},
            **{
                name: getattr(activity, name)
                for name in ACTIVITY_FIELDS
                if name not in (*ACTIVITY_RELATIONS, "focus_area", "text", "start_date", "end_date")
            },
            start_date=shift_years(activity.start_date, years),
            end_date=shift_years(activity.end_date, years),
        )
        copy.responsible_users.set(activity.responsible_users.all())
        ActivityLineage.objects.create(activity=copy, source=activity)
        _follow_links(source=activity, copy=copy, carry=carry, by=by, after=source.valid_until)
    _audit(
        by=by,
        action=AuditEntry.Action.CREATE,
        instance=new,
        changes={
            "copied_from": [None, str(source.pk)],
            "carried": [None, sorted(carries)],
            "dropped": [None, sorted(dropped)],
        },
    )
    return new
