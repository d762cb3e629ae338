"""Whole public pages cached for anonymous visitors, invalidated by a generation number in the database.

The pages live in the "pages" cache (each process's memory by default, Redis when REDIS_URL is set). Every
committed write to a table that public pages show raises `PageGeneration.number`; a cached request reads that
number (one small query) and looks its page up under it, so a change is visible on the next request in every
process. With REDIS_URL the number is kept in Redis too, raised after the database's, so a cached request costs
no query at all; while Redis is down the database's number serves. See docs/caching.md for what is cached and
what never is.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language_from_path

from . import routers, shared_redis

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"

# Paths that are never cached: staff pages, the back office, the API, health checks, files.
NEVER_CACHED = re.compile(r"^/(?:[a-z]{2}/)?(?:personal|admin|api|healthz|static|media)(?:/|$)")

# Tables whose writes public pages never show; writing them leaves the cached pages valid. Everything
# else invalidates, so a new public table is safe by default.
QUIET_TABLES = re.compile(
    r"^(?:django_session|django_admin_log|django_migrations|trygg_cache|axes_|otp_|audit_|"
    r"core_ratelimitcounter|core_keyingsecret|core_pagegeneration|surveys_answerdraft|django_tasks)"
)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?`?([A-Za-z0-9_]+)', re.IGNORECASE)

# The last generation this process read: pages cached under it are served while the database is down.
_last_known: dict[str, int] = {}

# The generation's copy in Redis. It is only ever raised (to the database's number), so bumps that arrive out of
# order, or a Redis that was restarted, never take it back to a number pages were cached under before a change.
GENERATION_KEY = "trygg:pages:generation"
_RAISE_TO = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
local wanted = tonumber(ARGV[1])
if wanted > current then
  redis.call('SET', KEYS[1], ARGV[1])
  return wanted
end
return current
"""
# Redis failures (shared_redis.failure_count) when this process last raised Redis's copy to the database's
# number: after a failure, a bump may have reached only the database, so the next read from Redis catches up first.
_synced_at_failures = [-1]


def _generation_from_database(using: str | None = None) -> int:
    from .models import PageGeneration

    manager = PageGeneration.objects.using(using) if using else PageGeneration.objects
    return manager.filter(pk=1).values_list("number", flat=True).first() or 0


def _raise_redis_copy(connection: Any, number: int) -> int:
    return int(connection.eval(_RAISE_TO, 1, GENERATION_KEY, number))


def _generation_from_redis() -> int | None:
    connection = shared_redis.client()
    if connection is None:
        return None
    try:
        failures = shared_redis.failure_count()
        stored = None if _synced_at_failures[0] != failures else connection.get(GENERATION_KEY)
        if stored is None:
            number = _raise_redis_copy(connection, _generation_from_database())
            _synced_at_failures[0] = failures
            return number
        return int(stored)
    except shared_redis.RedisError as error:
        shared_redis.failed(error)
        return None


def _generation_read() -> tuple[int, bool]:
    """The generation, and whether Redis gave it (rather than the database this request reads)."""
    from_redis = _generation_from_redis()
    number = from_redis if from_redis is not None else _generation_from_database()
    _last_known["number"] = number
    return number, from_redis is not None


def generation_read() -> int:
    return _generation_read()[0]


def generation_last_known() -> int | None:
    return _last_known.get("number")


def generation_bump(using: str = "default") -> None:
    from .models import PageGeneration

    if not PageGeneration.objects.using(using).filter(pk=1).update(number=F("number") + 1):
        PageGeneration.objects.using(using).bulk_create(
            [PageGeneration(pk=1, number=1)], ignore_conflicts=True
        )
    connection = shared_redis.client()
    if connection is not None:
        try:
            _raise_redis_copy(connection, _generation_from_database(using))
        except shared_redis.RedisError as error:
            # The next read from Redis in any process that saw a failure raises the copy first.
            shared_redis.failed(error)


def generation_bump_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Connected to `post_migrate`: a deploy runs `migrate`, so pages the old code rendered are not served by the new.

    A cached page carries the templates and code that rendered it; without this, a page cached just before a
    deploy (in Redis or the database cache, which outlive the processes) would be served until the next write."""
    if _generation_table_exists(using):
        generation_bump(using)


class _Bump:
    """The on-commit callback; a class so that a transaction registers it only once."""

    def __init__(self, using: str) -> None:
        self.using = using

    def __call__(self) -> None:
        try:
            generation_bump(self.using)
        except DatabaseError as error:
            if not _generation_table_exists(self.using):
                return  # `migrate` is still creating the tables: no page has been cached under a generation yet
            # Pages cached before the write then live out PAGE_CACHE_SECONDS; nothing else is at stake.
            logger.warning("The page generation was not raised: %s", type(error).__name__)


def _generation_table_exists(using: str) -> bool:
    from .models import PageGeneration

    try:
        return PageGeneration._meta.db_table in connections[using].introspection.table_names()
    except DatabaseError:
        return True  # the database itself is unreachable: worth the warning


def _note_write(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    result = execute(sql, params, many, context)
    match = WRITE.match(sql)
    if match and not QUIET_TABLES.match(match.group(1)):
        connection: BaseDatabaseWrapper = context["connection"]
        pending = [entry[1] for entry in connection.run_on_commit]
        if not any(isinstance(callback, _Bump) for callback in pending):
            # On commit, not now: raising the number inside the transaction would lock its row until the
            # end of every writing transaction, and a rolled-back write changes nothing anyway.
            transaction.on_commit(_Bump(connection.alias), using=connection.alias, robust=True)
    return result


def watch_writes(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Connected to `connection_created`: every write through this connection is noted."""
    if _note_write not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_write)


def _anonymous_get(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not NEVER_CACHED.match(request.path_info)
    )


def page_key(request: HttpRequest, generation: int) -> str:
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    # The host and scheme are part of the page: absolute links, canonical addresses and a second site name must
    # never be served from another host's entry. get_host() refuses a host outside ALLOWED_HOSTS (DisallowedHost,
    # answered 400), so an unknown Host header neither reads nor fills the cache.
    origin = f"{request.scheme}://{request.get_host()}"
    digest = hashlib.sha256(f"{origin}{request.get_full_path()}".encode()).hexdigest()
    return f"page:{generation}:{language}:{digest}"


def page_cached(request: HttpRequest, generation: int) -> HttpResponse | None:
    if not settings.PAGE_CACHE_SECONDS or not _anonymous_get(request):
        return None
    response: HttpResponse | None = caches[CACHE_ALIAS].get(page_key(request, generation))
    return response


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page that used the CSRF token has a form: its token belongs to this visitor alone.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not getattr(request, "_csp_nonce", None)
    )


class PageCacheMiddleware:
    """Serves and stores anonymous GETs of public pages; placed before the session middleware, so that
    its answer sees every cookie the inner layers set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE_SECONDS or not _anonymous_get(request):
            return self.get_response(request)
        try:
            generation, from_redis = _generation_read()
        except (OperationalError, InterfaceError):
            # The database is down: the page as this process last cached it, or at once the 503.
            from .unavailable import database_unavailable_response

            logger.warning("Database unavailable: answering from the page cache or with a 503")
            last = generation_last_known()
            cached = page_cached(request, last) if last is not None else None
            return cached if cached is not None else database_unavailable_response(request)
        cached = page_cached(request, generation)
        if cached is not None:
            return cached
        if from_redis and routers.reads_replica() and _generation_from_database(routers.REPLICA) < generation:
            # The standby has not replayed the change that raised the number: a page rendered from it now
            # would be filed under the new number with the old content. This request reads the primary.
            routers.read_primary()
        response = self.get_response(request)
        if _storable(request, response):
            caches[CACHE_ALIAS].set(page_key(request, generation), response, settings.PAGE_CACHE_SECONDS)
        return response
