import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from .models import AuditEntry

# Contact data never enters the audit log in clear text; a hash still shows that it changed.
CONTACT_FIELDS = frozenset(
    {"email", "phone", "reporter_email", "reporter_phone", "contact_email", "contact_phone"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(str(_plain(item)) for item in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _hashed(value: Any) -> str:
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:16] if value not in (None, "") else ""


def audit_changes(*, before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]) -> dict:
    changes = {}
    for field in fields:
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old == new:
            continue
        if field in CONTACT_FIELDS:
            old, new = _hashed(old), _hashed(new)
        changes[field] = [old, new]
    return changes


def _municipality_of(instance: models.Model) -> Any:
    for path in ("municipality", "promise.municipality", "focus_area.promise.municipality"):
        target: Any = instance
        for part in path.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None and target.__class__.__name__ == "Municipality":
            return target
    if instance.__class__.__name__ == "Municipality":
        return instance
    return None


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    instance: models.Model,
    changes: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    authenticated = actor is not None and actor.is_authenticated
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,  # type: ignore[misc]
        actor_name=actor.get_username() if authenticated and actor is not None else "",
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        municipality=_municipality_of(instance),
        changes=changes or {},
        reason=reason[:500],
    )
