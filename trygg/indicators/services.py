"""Writes of indicators: recording measurements (one by one or from a file) and counting them as executions.

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
from django.db import transaction
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.followup import rules as followup_rules
from trygg.followup.selectors import activity_covers
from trygg.followup.services import execution_record
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
            execution = execution_record(
                activity=activity,
                by=by,
                done_on=sampled_on,
                description=_("Mätning: %(name)s, prov %(date)s")
                % {"name": locked.name, "date": sampled_on.isoformat()},
                today=today,
                link_note=_occasion_label(locked, sampled_on)[:300],
            )
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

    def __init__(self, errors: Sequence[object]) -> None:
        self.errors = list(errors)
        super().__init__([str(error) for error in self.errors])


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
