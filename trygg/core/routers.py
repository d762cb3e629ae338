"""Reads from a streaming standby (DATABASE_REPLICA_URL), for the requests that may see data a moment old.

Only an anonymous visitor's GET or HEAD of a public page or of the public API reads the standby: no session
cookie (so never staff, nor a survey respondent mid-survey), no `Authorization` header (API tokens), not under
/personal/ or /admin/. Everything else reads the primary, and so does:

- every request of a visitor who has just written: a POST (or any unsafe method) answers with a short-lived cookie
  (`DATABASE_REPLICA_PIN_SECONDS`), so the page after a report, comment or sign-up shows it even if the standby
  has not replayed it yet (read your own writes);
- every read inside a transaction on the primary: a service reads what it is about to change where it changes it;
- background tasks, management commands and migrations: they run outside a request, so they never read the
  standby; the router lets `migrate` touch the primary only;
- every request while the standby cannot be reached: this process then reads the primary for
  DATABASE_REPLICA_RETRY_SECONDS before it tries the standby again.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Staff pages and the back office read the primary even before the login that sends their session cookie.
PRIMARY_PATHS = re.compile(r"^/(?:[a-z]{2}/)?(?:personal|admin)(?:/|$)")

# Whether the request this thread serves may read the standby; False outside a request (tasks, commands).
_replica_allowed: ContextVar[bool] = ContextVar("trygg_replica_allowed", default=False)
# Until when (time.monotonic()) this process leaves the standby alone after it failed to connect.
_replica_down_until = [0.0]


def pin_cookie_name() -> str:
    # The __Host- prefix pins the cookie to this host, over HTTPS, for the whole site (as the session cookie).
    return "__Host-trygg-primary" if settings.PRODUCTION else "trygg-primary"


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_replica() -> bool:
    """True when this request's reads go to the standby now."""
    return _replica_allowed.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block


def read_primary() -> None:
    """From now on this request reads the primary (e.g. the standby is behind what the request must see)."""
    _replica_allowed.set(False)


def anonymous_public_read(request: HttpRequest) -> bool:
    """A GET or HEAD by a visitor with no session, no API token and no write a moment ago, of a public path."""
    return (
        request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and pin_cookie_name() not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not PRIMARY_PATHS.match(request.path_info)
    )


def replica_reads_paused() -> bool:
    """True while this process reads the primary because the standby failed to connect a moment ago."""
    return time.monotonic() < _replica_down_until[0]


def _replica_reachable() -> bool:
    if replica_reads_paused():
        return False
    try:
        connections[REPLICA].ensure_connection()
    except OperationalError as error:
        logger.warning(
            "The standby is unreachable (%s): reading the primary for %s s",
            type(error).__name__,
            settings.DATABASE_REPLICA_RETRY_SECONDS,
        )
        _replica_down_until[0] = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
        return False
    return True


class ReplicaRoutingMiddleware:
    """Decides which database the request reads, and marks a visitor who wrote so that they read the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        allowed = anonymous_public_read(request) and _replica_reachable()
        token = _replica_allowed.set(allowed)
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                pin_cookie_name(),
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.PRODUCTION,
                httponly=True,
                samesite="Lax",
            )
        return response


class PrimaryReplicaRouter:
    """Writes, migrations and most reads go to the primary; reads go to the standby when the request allows."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return REPLICA if reads_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        # The standby holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
