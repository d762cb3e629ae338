from django.db import transaction
from django.db.models import F

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record

from .models import User


@transaction.atomic
def user_end_sessions(*, user: User, by: User, reason: str = "") -> None:
    """End every session of `user`: their next request finds them logged out."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=user,
        changes={"sessions": ["active", "ended"]},
        reason=reason,
    )
