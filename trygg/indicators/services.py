"""Writes of indicators: creating and editing them, linking them to activities, recording measurements (one by
one or from a file), counting them as executions and moving a counted sample to another activity.

A sampling occasion (indicator, sampling date) counts once towards each linked activity: the first
measurement of the occasion records the Execution through `trygg.followup.services.execution_record`, and
`SamplingExecution` keeps its id so that later measurements of the same sample, a second save or a re-run
of an import never record it again. A sample counts only toward a linked activity whose period holds its
date: a 2026 sample never counts for the 2023 activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record
from trygg.core.fileerrors import LineError
from trygg.core.validators import validate_not_reserved
from trygg.followup import rules as followup_rules
from trygg.followup.models import Execution
from trygg.followup.selectors import activity_covers
from trygg.followup.services import execution_correct, execution_record
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity

from . import rules
from .importing import Row
from .models import Indicator, Measurement, SamplingExecution


def _check(
    indicator: Indicator, *, substance: str, value: Decimal | None, tested: int | None, positive: int | None
) -> None:
    kind = indicator.kind
    if kind == Indicator.Kind.WASTEWATER:
        if substance not in Measurement.Substance.values:
            raise ValidationError({"substance": _("Välj ämne.")})
        if value is None:
            raise ValidationError({"value": _("Ange värdet.")})
    elif substance:
        raise ValidationError({"substance": _("Ämne anges bara för avloppsvattenanalys.")})
    if kind == Indicator.Kind.SCHOOL_DRUG_TESTS:
        if tested is None or positive is None:
            raise ValidationError(
                {"tested": _("Ange hur många som testades och hur många som var positiva.")}
            )
        if positive > tested:
            raise ValidationError({"positive": _("Fler positiva än testade.")})
        if value is not None:
            raise ValidationError({"value": _("Drogtester registreras som antal, inte som värde.")})
    else:
        if tested is not None or positive is not None:
            raise ValidationError({"tested": _("Antal testade anges bara för drogtester.")})
        if value is None:
            raise ValidationError({"value": _("Ange värdet.")})
    if value is not None and value < 0:
        raise ValidationError({"value": _("Värdet kan inte vara negativt.")})


def _occasion_label(indicator: Indicator, sampled_on: dt.date) -> str:
    return f"{indicator.name} {sampled_on.isoformat()}"


def _record_sample(
    indicator: Indicator, activity: Activity, sampled_on: dt.date, *, by: User, today: dt.date
) -> Execution:
    """The execution that one sampling occasion is counted as for one activity."""
    return execution_record(
        activity=activity,
        by=by,
        done_on=sampled_on,
        description=_("Mätning: %(name)s, prov %(date)s")
        % {"name": indicator.name, "date": sampled_on.isoformat()},
        today=today,
        link_note=_occasion_label(indicator, sampled_on)[:300],
    )


@dataclass(frozen=True)
class Counted:
    executions: int
    not_counted: list[Activity]


@transaction.atomic
def measurements_count(*, indicator: Indicator, by: User, today: dt.date) -> Counted:
    """Record an execution for each sampling occasion and linked activity not counted yet (idempotent).

    Activities the user may not follow up are left for someone who may."""
    # Lock the indicator: two saves of the same sample must not both find it uncounted.
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    activities = list(locked.activities.select_related("focus_area__promise__municipality").order_by("pk"))
    if not activities:
        return Counted(0, [])
    dates = sorted(set(Measurement.objects.filter(indicator=locked).values_list("sampled_on", flat=True)))
    done = set(SamplingExecution.objects.filter(indicator=locked).values_list("sampled_on", "activity_id"))
    made = 0
    not_counted: dict[int, Activity] = {}
    for activity in activities:
        allowed = followup_rules.can_follow_up_activity(by, activity)
        for sampled_on in dates:
            if (sampled_on, activity.pk) in done or sampled_on > today:
                continue
            if not activity_covers(activity, sampled_on):
                continue  # A sample counts only toward the activity whose period holds its date.
            if not allowed:
                not_counted[activity.pk] = activity
                continue
            execution = _record_sample(locked, activity, sampled_on, by=by, today=today)
            SamplingExecution.objects.create(
                indicator=locked, sampled_on=sampled_on, activity=activity, execution=execution
            )
            made += 1
    return Counted(made, list(not_counted.values()))


@transaction.atomic
def measurement_record(
    *,
    indicator: Indicator,
    by: User,
    sampled_on: dt.date,
    today: dt.date,
    substance: str = "",
    value: Decimal | None = None,
    tested: int | None = None,
    positive: int | None = None,
    lab: str = "",
    note: str = "",
) -> tuple[Measurement, Counted]:
    if not rules.can_record_measurements(by, indicator):
        raise PermissionDenied
    if sampled_on > today:
        raise ValidationError({"sampled_on": _("Provdatumet kan inte ligga i framtiden.")})
    _check(indicator, substance=substance, value=value, tested=tested, positive=positive)
    if Measurement.objects.filter(indicator=indicator, sampled_on=sampled_on, substance=substance).exists():
        raise ValidationError(_("Det finns redan en mätning för det provet och ämnet."))
    measurement = Measurement.objects.create(
        indicator=indicator,
        sampled_on=sampled_on,
        substance=substance,
        value=value,
        tested=tested,
        positive=positive,
        lab=lab.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=measurement,
        changes={
            "sampled_on": [None, sampled_on.isoformat()],
            "substance": [None, substance],
            "value": [None, str(value) if value is not None else None],
            "tested": [None, tested],
            "positive": [None, positive],
        },
    )
    return measurement, measurements_count(indicator=indicator, by=by, today=today)


class ImportErrors(ValidationError):
    """The file has errors; nothing was imported. ``.errors`` are (line, column, message)."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        self.errors = list(errors)
        super().__init__([error.text_in(_) for error in self.errors])


@transaction.atomic
def measurements_import(
    *, indicator: Indicator, rows: Sequence[Row], by: User | None, today: dt.date
) -> tuple[int, Counted]:
    """Import parsed rows all or nothing. Without ``by`` (a command run without --by) the measurements are
    stored but not counted as executions; a later save by staff, or a run with --by, counts them."""
    from .importing import MeasurementLineError

    if by is not None and not rules.can_record_measurements(by, indicator):
        raise PermissionDenied
    errors: list[MeasurementLineError] = []
    existing = set(Measurement.objects.filter(indicator=indicator).values_list("sampled_on", "substance"))
    for row in rows:
        if row.sampled_on > today:
            errors.append(MeasurementLineError(row.line, "provdatum", "future_date"))
        if (row.sampled_on, row.substance) in existing:
            errors.append(MeasurementLineError(row.line, "provdatum", "already_imported"))
        try:
            _check(
                indicator, substance=row.substance, value=row.value, tested=row.tested, positive=row.positive
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = {
                    "substance": "amne",
                    "value": "varde",
                    "tested": "testade",
                    "positive": "positiva",
                }.get(field, field)
                errors.extend(
                    MeasurementLineError(row.line, column, "invalid", params={"detail": str(message)})
                    for message in messages
                )
    if errors:
        raise ImportErrors(errors)
    Measurement.objects.bulk_create(
        [
            Measurement(
                indicator=indicator,
                sampled_on=row.sampled_on,
                substance=row.substance,
                value=row.value,
                tested=row.tested,
                positive=row.positive,
                lab=row.lab,
                note=row.note,
                recorded_by=by,
            )
            for row in rows
        ]
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=indicator,
        changes={"measurements_imported": [None, len(rows)]},
    )
    counted = (
        measurements_count(indicator=indicator, by=by, today=today) if by is not None else Counted(0, [])
    )
    return len(rows), counted


# ----------------------------------------------------------------------------- indicators themselves


@dataclass(frozen=True)
class IndicatorDetails:
    """What staff set on an indicator. An empty slug is made from the name."""

    name: str
    kind: str
    slug: str = ""
    unit: str = ""
    description: str = ""
    caveats: str = ""
    is_public: bool = True


_DETAIL_FIELDS = ("name", "slug", "kind", "unit", "description", "caveats", "is_public")


def _require_manager(by: User, municipality: Municipality) -> None:
    if not rules.can_manage_indicators(by, municipality):
        raise PermissionDenied


def _clean_details(
    municipality: Municipality, details: IndicatorDetails, *, indicator: Indicator | None
) -> dict[str, object]:
    name = details.name.strip()
    if not name:
        raise ValidationError({"name": _("Ge indikatorn ett namn.")})
    slug = details.slug.strip() or slugify(name)[:60].strip("-")
    try:
        validate_slug(slug)
        validate_not_reserved(slug)
    except ValidationError as error:
        raise ValidationError({"slug": error.messages}) from None
    taken = Indicator.objects.filter(municipality=municipality, slug=slug)
    if indicator is not None:
        taken = taken.exclude(pk=indicator.pk)
    if taken.exists():
        raise ValidationError({"slug": _("Kommunen har redan en indikator med den adressen.")})
    if details.kind not in Indicator.Kind.values:
        raise ValidationError({"kind": _("Välj ett slag i listan.")})
    if indicator is not None and details.kind != indicator.kind and indicator.measurements.exists():
        raise ValidationError(
            {"kind": _("Slaget kan inte ändras när det finns mätningar: värdena hör till slaget.")}
        )
    return {
        "name": name[:200],
        "slug": slug,
        "kind": details.kind,
        "unit": details.unit.strip()[:100],
        "description": details.description.strip(),
        "caveats": details.caveats.strip(),
        "is_public": details.is_public,
    }


def _require_own_activity(municipality: Municipality, activity: Activity) -> None:
    if activity.focus_area.promise.municipality_id != municipality.pk:
        raise ValidationError({"activity": _("Aktiviteten hör till en annan kommun.")})


@transaction.atomic
def indicator_create(
    *, municipality: Municipality, by: User, details: IndicatorDetails, activities: Sequence[Activity] = ()
) -> Indicator:
    _require_manager(by, municipality)
    values = _clean_details(municipality, details, indicator=None)
    for activity in activities:
        _require_own_activity(municipality, activity)
    indicator = Indicator.objects.create(municipality=municipality, **values)
    indicator.activities.set(activities)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=indicator,
        changes={
            **{name: [None, value] for name, value in values.items() if value not in ("", None)},
            "activities": [None, sorted(activity.pk for activity in activities)],
        },
    )
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, by: User, details: IndicatorDetails) -> Indicator:
    locked = Indicator.objects.select_for_update().select_related("municipality").get(pk=indicator.pk)
    _require_manager(by, locked.municipality)
    values = _clean_details(locked.municipality, details, indicator=locked)
    before = {name: getattr(locked, name) for name in _DETAIL_FIELDS}
    for name, value in values.items():
        setattr(locked, name, value)
    changes = audit_changes(before=before, after=values, fields=_DETAIL_FIELDS)
    if not changes:
        raise ValidationError(_("Inget ändrades."))
    locked.save()
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes)
    return locked


@transaction.atomic
def indicator_link(*, indicator: Indicator, activity: Activity, by: User, today: dt.date) -> Counted:
    """Link the indicator to an activity; the samples already taken are then counted toward it."""
    locked = Indicator.objects.select_for_update().select_related("municipality").get(pk=indicator.pk)
    _require_manager(by, locked.municipality)
    _require_own_activity(locked.municipality, activity)
    if locked.activities.filter(pk=activity.pk).exists():
        raise ValidationError({"activity": _("Indikatorn är redan kopplad till aktiviteten.")})
    locked.activities.add(activity)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={"activity_linked": [None, activity.pk]},
    )
    return measurements_count(indicator=locked, by=by, today=today)


@transaction.atomic
def indicator_unlink(*, indicator: Indicator, activity: Activity, by: User) -> None:
    """Take the link away. What was already counted toward the activity stays in its history: withdraw or
    move single samples with `sampling_relink`."""
    locked = Indicator.objects.select_for_update().select_related("municipality").get(pk=indicator.pk)
    _require_manager(by, locked.municipality)
    if not locked.activities.filter(pk=activity.pk).exists():
        raise ValidationError({"activity": _("Indikatorn är inte kopplad till aktiviteten.")})
    locked.activities.remove(activity)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={"activity_unlinked": [activity.pk, None]},
    )


def _counted(execution: Execution | None) -> bool:
    return execution is not None and not execution.withdrawn


@transaction.atomic
def sampling_relink(
    *,
    indicator: Indicator,
    sampled_on: dt.date,
    from_activity: Activity,
    to_activity: Activity | None,
    by: User,
    reason: str,
    today: dt.date,
) -> SamplingExecution | None:
    """Move one counted sample (all its substances) from one activity to another linked one, or stop counting
    it (``to_activity=None``). The execution recorded for it is withdrawn, not deleted, and the sample is never
    counted toward ``from_activity`` again; returns the row that now counts it, if any."""
    locked = Indicator.objects.select_for_update().select_related("municipality").get(pk=indicator.pk)
    _require_manager(by, locked.municipality)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför mätningen flyttas.")})
    # The indicator's row lock above serialises every counting and moving of its samples.
    source = (
        SamplingExecution.objects.select_related("execution")
        .filter(indicator=locked, sampled_on=sampled_on, activity=from_activity)
        .first()
    )
    counted = source.execution if source is not None else None
    if counted is None or counted.withdrawn:
        raise ValidationError(_("Provet räknas inte för den aktiviteten."))
    target = None
    if to_activity is not None:
        if to_activity.pk == from_activity.pk:
            raise ValidationError({"to_activity": _("Välj en annan aktivitet.")})
        if not locked.activities.filter(pk=to_activity.pk).exists():
            raise ValidationError({"to_activity": _("Koppla först indikatorn till den aktiviteten.")})
        target_activity = Activity.objects.select_related("focus_area__promise").get(pk=to_activity.pk)
        if not activity_covers(target_activity, sampled_on):
            raise ValidationError(
                {"to_activity": _("Provet togs utanför den aktivitetens period och kan inte räknas för den.")}
            )
        target = (
            SamplingExecution.objects.select_related("execution")
            .filter(indicator=locked, sampled_on=sampled_on, activity=to_activity)
            .first()
        )
        if target is not None and _counted(target.execution):
            raise ValidationError({"to_activity": _("Provet räknas redan för den aktiviteten.")})
    execution_correct(execution=counted, by=by, reason=reason, today=today, changes={"withdrawn": True})
    if to_activity is not None:
        earlier = target.execution if target is not None else None
        if earlier is not None:
            # Counted there once and withdrawn: count the same execution again instead of a second one.
            execution_correct(
                execution=earlier, by=by, reason=reason, today=today, changes={"withdrawn": False}
            )
        else:
            execution = _record_sample(locked, to_activity, sampled_on, by=by, today=today)
            target, _created = SamplingExecution.objects.update_or_create(
                indicator=locked,
                sampled_on=sampled_on,
                activity=to_activity,
                defaults={"execution": execution},
            )
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={
            "sample": [sampled_on.isoformat(), sampled_on.isoformat()],
            "counted_for": [from_activity.pk, to_activity.pk if to_activity is not None else None],
        },
        reason=reason,
    )
    return target
