import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.core import privacy
from trygg.core.security_events import security_event
from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from . import rules as rules_accounts
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


@transaction.atomic
def user_deactivate(*, user: User, by: User | None, reason: str = "", now: dt.datetime) -> User:
    """Deactivate a staff user and end everything they hold: sessions and API keys.

    Inactive users are already refused, but a session from before would work again after a reactivation if it
    were only refused: the session generation is bumped, so it never does, and the keys are revoked for good.
    Every channel that deactivates a user (the admin, a staff page) calls this.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    was_active = locked.is_active
    locked.is_active = False
    locked.session_generation = F("session_generation") + 1
    locked.save(update_fields=["is_active", "session_generation"])
    locked.refresh_from_db(fields=["is_active", "session_generation"])
    revoked = ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=now)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={
            "is_active": [was_active, False],
            "sessions": ["active", "ended"],
            "api_tokens_revoked": revoked,
        },
        reason=reason,
    )
    security_event("user_deactivated", user=str(locked.pk))
    user.is_active = False
    user.session_generation = locked.session_generation
    return locked


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


# --- residents' requests about their personal data ----------------------------------------------------------


def _names_held(data: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {
        str(row["name"]).strip().lower()
        for rows in data.values()
        for row in rows
        if len(str(row.get("name") or "").strip()) > 1
    }


@transaction.atomic
def personal_data_request_export(
    *, email: str, municipality: Municipality, by: User
) -> dict[str, list[dict[str, Any]]]:
    """What the municipality holds about an address; the look is audited (the address only as a hash)."""
    if not rules_accounts.can_answer_personal_data_requests(by, municipality):
        raise PermissionDenied
    data = privacy.personal_data_export(email=email, municipality=municipality)
    audit_record(
        actor=by,
        action=AuditEntry.Action.VIEW,
        instance=municipality,
        changes={
            "subject": privacy.email_hashed(email),
            "records": {name: len(rows) for name, rows in data.items()},
        },
        reason=_("Utdrag av personuppgifter på begäran av den registrerade"),
    )
    security_event("personal_data_exported", municipality=str(municipality.pk), staff=str(by.pk))
    return data


@transaction.atomic
def personal_data_request_erase(
    *, email: str, municipality: Municipality, by: User, reason: str
) -> dict[str, int]:
    """Erase an address's contact data and name in the municipality; the records themselves stay."""
    if not rules_accounts.can_answer_personal_data_requests(by, municipality):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv ärendets diarienummer eller när begäran kom in.")})
    held = privacy.personal_data_export(email=email, municipality=municipality)
    written = reason.lower()
    if privacy.email_normalise(email) in written or any(name in written for name in _names_held(held)):
        # The reason stays in the audit log after the erasure: it must not bring the name back.
        raise ValidationError({"reason": _("Skriv inte personens namn eller e-postadress i anledningen.")})
    erased = privacy.personal_data_erase(email=email, municipality=municipality, by=by)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=municipality,
        changes={"subject": privacy.email_hashed(email), "erased": erased},
        reason=reason,
    )
    security_event("personal_data_erased", municipality=str(municipality.pk), staff=str(by.pk))
    return erased
