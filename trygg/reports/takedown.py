"""Taking a report or a photo off the public site, and residents' "Anmäl innehåll".

Staff who handle reports hide or show a report or one of its photos with a reason; each change is an audit
entry with the reason and closes the residents' flags of that report. A category can hold its photos for review:
they are stored hidden and shown once staff publish them. A flag is a resident's note to staff; it hides
nothing by itself (three strangers must not be able to take a report down).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record

from . import rules
from .models import Report, ReportFlag, ReportPhoto


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför. Motiveringen sparas i loggen.")})
    return reason[:500]


@transaction.atomic
def report_visibility_set(
    *, report: Report, by: User, is_public: bool, reason: str, today: dt.date
) -> Report:
    locked = Report.objects.select_for_update().select_related("municipality").get(pk=report.pk)
    if not rules.can_take_down(by, locked.municipality):
        raise PermissionDenied
    reason = _reason_required(reason)
    if locked.is_public != is_public:
        locked.is_public = is_public
        locked.save(update_fields=["is_public", "updated_at"])
        audit_record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            instance=locked,
            changes={"is_public": [not is_public, is_public]},
            reason=reason,
        )
    ReportFlag.objects.filter(report=locked, handled_on__isnull=True).update(handled_on=today)
    return locked


@transaction.atomic
def photo_visibility_set(
    *, photo: ReportPhoto, by: User, is_public: bool, reason: str, today: dt.date
) -> ReportPhoto:
    locked = ReportPhoto.objects.select_for_update().select_related("report__municipality").get(pk=photo.pk)
    if not rules.can_take_down(by, locked.report.municipality):
        raise PermissionDenied
    reason = _reason_required(reason)
    if locked.is_public != is_public:
        locked.is_public = is_public
        locked.save(update_fields=["is_public"])
        audit_record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            instance=locked.report,
            changes={
                f"photo {locked.name}": [
                    "visible" if not is_public else "hidden",
                    "visible" if is_public else "hidden",
                ]
            },
            reason=reason,
        )
    ReportFlag.objects.filter(report=locked.report, handled_on__isnull=True).update(handled_on=today)
    return locked


def report_flag(*, report: Report, reason: str, client_key: str, today: dt.date) -> bool:
    """A resident's "Anmäl innehåll"; True when recorded (one per client, report and day)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv vad som är fel med ärendet.")})
    if not report.is_public:
        return False
    try:
        with transaction.atomic():
            ReportFlag.objects.create(
                report=report, reason=reason[:500], client_key=client_key, created_on=today
            )
    except IntegrityError:
        return False
    return True
