"""Structured security events: one log record per failed login, lockout, refusal (403) and contact-data view.

Records go to the "trygg.security" logger with `extra={"event": …}` so a log shipper can route them; the
message carries no personal data (usernames are hashed, like the audit log's contact data).
"""

import hashlib
import logging
from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.views.defaults import permission_denied

logger = logging.getLogger("trygg.security")


def username_hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12] if value else "-"


def security_event(event: str, **fields: str) -> None:
    details = " ".join(f"{key}={value}" for key, value in sorted(fields.items()))
    logger.warning("security event=%s %s", event, details, extra={"event": event, **fields})


@receiver(user_login_failed, dispatch_uid="trygg_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    security_event("login_failed", user=username_hashed(str(credentials.get("username", ""))))


def _locked_out(sender: Any, request: HttpRequest | None = None, username: str = "", **kwargs: Any) -> None:
    security_event("lockout", user=username_hashed(username or ""))


def connect_lockout_signal() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="trygg_locked_out")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 403 page, with a security event naming the path (no query string: it may hold personal data)."""
    security_event("forbidden", path=request.path[:200])
    return permission_denied(request, exception or Exception(), template_name="403.html")
