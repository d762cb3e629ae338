import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.municipalities import rules

from .findings import promise_findings
from .models import Promise
from .publishing import run_publish_steps


@transaction.atomic
def promise_publish(*, promise: Promise, by: User, today: dt.date, confirm_findings: bool) -> Promise:
    """Publish a draft. With measurability findings, the publisher must confirm them explicitly."""
    locked = Promise.objects.select_for_update().get(pk=promise.pk)
    if not rules.can_publish_promise(by, locked.municipality):
        raise PermissionDenied
    if locked.status != Promise.Status.DRAFT:
        raise ValidationError(_("Bara utkast kan publiceras."))
    if promise_findings(promise=locked) and not confirm_findings:
        raise ValidationError(_("Bekräfta att du vill publicera trots anmärkningarna."))
    before = {"status": locked.status, "published_on": locked.published_on}
    locked.status = Promise.Status.PUBLISHED
    locked.published_on = today
    locked.save(update_fields=["status", "published_on"])
    run_publish_steps(promise=locked, today=today)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={
            "status": [before["status"], locked.status],
            "published_on": [None, today.isoformat()],
        },
        reason=_("Publicerat med bekräftade anmärkningar") if confirm_findings else "",
    )
    return locked
