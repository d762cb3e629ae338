import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from .models import ApiToken, User


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


TOKEN_PREFIX = "trygg_"  # noqa: S105 - a visible prefix, not a secret
MAX_TOKEN_DAYS = 90


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, municipality: Municipality, name: str, days: int, now: dt.datetime
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    if not rules.is_verified_staff(user):
        raise PermissionDenied
    if not rules.can_see_municipality_staff_pages(user, municipality):
        raise PermissionDenied
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        municipality=municipality,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=token_hash(raw),
        expires_at=now + dt.timedelta(days=max(1, min(days, MAX_TOKEN_DAYS))),
    )
    audit_record(actor=user, action=AuditEntry.Action.CREATE, instance=token, changes={"name": [None, name]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, now: dt.datetime) -> None:
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, instance=token, changes={"revoked": [False, True]}
    )
