"""Whole public pages cached for anonymous visitors, invalidated by a generation number in the database.

The pages live in the "pages" cache (each process's memory by default, Redis when REDIS_URL is set). Every
committed write to a table that public pages show raises `PageGeneration.number`; a cached request reads that
number (one small query) and looks its page up under it, so a change is visible on the next request in every
process. With REDIS_URL the number is kept in Redis too, raised after the database's, so a cached request costs
no query at all; while Redis is down the database's number serves. See docs/caching.md for what is cached and
what never is.

A few tables that residents write all day (reports, survey answers) have numbers of their own (SCOPES): a write to
one raises only its scope's number, and a page is checked against a scope's number only when rendering it read one
of the scope's tables, so a report filed does not throw away every cached promise page in every process.

A small part of a page that reads a scope's tables (an activity's report figures) can be a fragment
(`fragment_render`): the page is filed without that scope, the fragment's place and numbers are kept with it, and
when a write has changed the fragment's scope, a cached answer renders (or finds in the cache) only the fragment
again and splices it in, instead of the whole page.

Without Redis each process keeps its own pages, so a change would have every worker of a machine render the page
again. The processes of one machine therefore also share their pages through files (`PAGE_CACHE_SHARED_DIR`): a
process that does not have a page, or has it under old numbers, looks for the machine's copy before rendering it,
and files what it renders there too. Those files are named under the database's epoch (a random number kept in
`PageGeneration`'s row 0, made by `migrate` and drawn anew by `trygg restore`), so pages of another database, or of a
timeline a restore went back on, are never served under the same numbers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import secrets
import stat
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
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
# The number every other write raises (row 1 of core_pagegeneration), and the scopes: tables residents write
# often that few public pages read, each with its own row. A write to a scope's table raises only that row; a
# page whose rendering read (in any SQL statement) a scope's table is filed with that row's number and is
# served only while the number is unchanged. Everything else stays under the global number, so a new table is
# safe by default. Only data a page reads through SQL while it is rendered may be scoped.
GLOBAL = 1
SCOPES: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # (the written table's name, a table's name anywhere in a statement)
    # Reports and what hangs on each (not the categories, which the promise pages read and staff seldom change).
    2: (
        re.compile(r"^reports_report(?:event|follower|flag)?$"),
        re.compile(r"\breports_report(?:event|follower|flag)?\b"),
    ),
    3: (
        re.compile(r"^surveys_(?:invitationcode|response)$"),
        re.compile(r"\bsurveys_(?:invitationcode|response)\b"),
    ),
    # Reports' photos: the task worker writes each one again when it has re-encoded it, which the map, its GeoJSON
    # and the activities' report figures never show (only a report's own page does).
    4: (re.compile(r"^reports_reportphoto$"), re.compile(r"\breports_reportphoto\b")),
}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?`?([A-Za-z0-9_]+)', re.IGNORECASE)

# `PageGeneration`'s row that holds the database's epoch, not a number: the shared files are named under it.
EPOCH = 0

# The last generation numbers this process read: pages cached under them are served while the database is down.
_last_known: dict[str, dict[int, int]] = {}
# While a page is rendered for the cache: the scopes whose tables its SQL has read.
_scopes_read: ContextVar[set[int] | None] = ContextVar("pagecache_scopes_read", default=None)

# While a page is rendered for the cache: the fragments it holds, in order (see fragment_render).
_fragments: ContextVar[list[Fragment] | None] = ContextVar("pagecache_fragments", default=None)
# What renders each kind of fragment again from its arguments alone, by name (see fragment_register).
_fragment_renderers: dict[str, Callable[..., str]] = {}
FRAGMENT_MARK = re.compile(rb"<!--trygg-fragment-(\d+)-->(.*?)<!--/trygg-fragment-\1-->", re.DOTALL)


@dataclass(frozen=True)
class Fragment:
    """A part of a cached page that is rendered apart: what renders it, in which language, and the scopes'
    numbers its copy in the page was rendered under (filled in when the page is stored)."""

    name: str
    args: tuple[Any, ...]
    language: str
    scopes: frozenset[int] = frozenset()
    depends_on: tuple[tuple[int, int], ...] = ()


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


def _generations_from_database(using: str | None = None) -> dict[int, int]:
    """The global number and every scope's, in one query (a row not yet written counts as 0)."""
    from .models import PageGeneration

    manager = PageGeneration.objects.using(using) if using else PageGeneration.objects
    stored = dict(manager.values_list("pk", "number"))
    numbers = {scope: stored.get(scope, 0) for scope in (GLOBAL, *SCOPES)}
    if EPOCH in stored:
        numbers[EPOCH] = stored[EPOCH]
    return numbers


def _generation_from_database(using: str | None = None, scope: int = GLOBAL) -> int:
    from .models import PageGeneration

    manager = PageGeneration.objects.using(using) if using else PageGeneration.objects
    return manager.filter(pk=scope).values_list("number", flat=True).first() or 0


def _redis_key(scope: int) -> str:
    return GENERATION_KEY if scope == GLOBAL else f"{GENERATION_KEY}:{scope}"


def _raise_redis_copy(connection: Any, number: int, scope: int = GLOBAL) -> int:
    return int(connection.eval(_RAISE_TO, 1, _redis_key(scope), number))


def _generations_from_redis() -> dict[int, int] | None:
    connection = shared_redis.client()
    if connection is None:
        return None
    scopes = (GLOBAL, *SCOPES)
    try:
        failures = shared_redis.failure_count()
        stored = (
            [None] if _synced_at_failures[0] != failures else connection.mget([_redis_key(s) for s in scopes])
        )
        if any(value is None for value in stored):
            in_database = _generations_from_database()
            numbers = {scope: _raise_redis_copy(connection, in_database[scope], scope) for scope in scopes}
            _synced_at_failures[0] = failures
            return numbers
        return {scope: int(value or 0) for scope, value in zip(scopes, stored, strict=True)}
    except shared_redis.RedisError as error:
        shared_redis.failed(error)
        return None


def _generations_read() -> tuple[dict[int, int], bool]:
    """The global number and the scopes', and whether Redis gave them (rather than the database this request
    reads)."""
    from_redis = _generations_from_redis()
    numbers = from_redis if from_redis is not None else _generations_from_database()
    _last_known["numbers"] = numbers
    return numbers, from_redis is not None


def generation_read() -> int:
    """The global number: it changes with every write public pages may show, except to a scope's tables."""
    return _generations_read()[0][GLOBAL]


def generation_last_known() -> int | None:
    numbers = _last_known.get("numbers")
    return numbers[GLOBAL] if numbers else None


def generation_bump(using: str = "default", scope: int = GLOBAL) -> None:
    from .models import PageGeneration

    if not PageGeneration.objects.using(using).filter(pk=scope).update(number=F("number") + 1):
        PageGeneration.objects.using(using).bulk_create(
            [PageGeneration(pk=scope, number=1)], ignore_conflicts=True
        )
    connection = shared_redis.client()
    if connection is not None:
        try:
            _raise_redis_copy(connection, _generation_from_database(using, scope), scope)
        except shared_redis.RedisError as error:
            # The next read from Redis in any process that saw a failure raises the copy first.
            shared_redis.failed(error)


def table_scope(table: str) -> int:
    """The number a write to `table` raises: its scope's, or the global one."""
    for scope, (written, _read) in SCOPES.items():
        if written.match(table):
            return scope
    return GLOBAL


def generation_bump_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Connected to `post_migrate`: a deploy runs `migrate`, so pages the old code rendered are not served by the new.

    A cached page carries the templates and code that rendered it; without this, a page cached just before a
    deploy (in Redis or the shared files, which outlive the processes) would be served until the next write. A
    database migrated for the first time also gets its epoch here."""
    if _generation_table_exists(using):
        from .models import PageGeneration

        PageGeneration.objects.using(using).bulk_create(
            [PageGeneration(pk=EPOCH, number=epoch_drawn())], ignore_conflicts=True
        )
        generation_bump(using)


def epoch_drawn() -> int:
    """A new epoch: a random number, never 0."""
    return secrets.randbelow(2**62) + 1


def epoch_renew(using: str = "default") -> None:
    """A new epoch for this database (`trygg restore` calls it): the machine's shared pages of before are not
    served again, even under numbers the restored database reaches once more."""
    from .models import PageGeneration

    if not PageGeneration.objects.using(using).filter(pk=EPOCH).update(number=epoch_drawn()):
        PageGeneration.objects.using(using).bulk_create(
            [PageGeneration(pk=EPOCH, number=epoch_drawn())], ignore_conflicts=True
        )


class _Bump:
    """The on-commit callback; a class so that a transaction registers it only once, with every scope it wrote."""

    def __init__(self, using: str, scopes: set[int] | None = None) -> None:
        self.using = using
        self.scopes = scopes if scopes is not None else {GLOBAL}

    def __call__(self) -> None:
        try:
            for scope in sorted(self.scopes):
                generation_bump(self.using, scope)
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
    reading = _scopes_read.get()
    if reading is not None:
        reading.update(scope for scope, (_written, read) in SCOPES.items() if read.search(sql))
    match = WRITE.match(sql)
    if match and not QUIET_TABLES.match(match.group(1)):
        scope = table_scope(match.group(1))
        connection: BaseDatabaseWrapper = context["connection"]
        pending = [entry[1] for entry in connection.run_on_commit if isinstance(entry[1], _Bump)]
        if pending:
            pending[0].scopes.add(scope)
        else:
            # On commit, not now: raising the number inside the transaction would lock its row until the
            # end of every writing transaction, and a rolled-back write changes nothing anyway.
            transaction.on_commit(_Bump(connection.alias, {scope}), using=connection.alias, robust=True)
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


_shared_caches: dict[str, BaseCache] = {}
# What filing a page in the machine's shared copy may fail with: a full or read-only disk, a path that is a file.
SHARED_ERRORS = (OSError, ValueError, pickle.PicklingError)


def _shared(generations: dict[int, int]) -> tuple[BaseCache, str] | None:
    """The machine's shared copy of the pages and the prefix of its keys (the database's epoch), or None: with
    Redis the "pages" cache is shared already, and without a directory or an epoch nothing is shared."""
    directory = str(settings.PAGE_CACHE_SHARED_DIR or "")
    if not directory or settings.REDIS_URL or EPOCH not in generations:
        return None
    found = _shared_caches.get(directory)
    if found is None:
        try:
            Path(directory).mkdir(mode=0o700, parents=True, exist_ok=True)
            found = FileBasedCache(
                directory, {"OPTIONS": {"MAX_ENTRIES": settings.PAGE_CACHE_SHARED_ENTRIES}}
            )
            unsafe = _writable_by_others(Path(directory))
        except OSError as error:
            logger.warning("A page could not be shared: %s", type(error).__name__)
            return None
        if unsafe:
            # The files are pickles, which run code when read: whoever else can write there could run theirs here.
            logger.warning("Pages are not shared: %s %s", directory, unsafe)
            return None
        _shared_caches[directory] = found
    return found, f"{generations[EPOCH]}:"


def _writable_by_others(directory: Path) -> str:
    """Why another user could write in the shared pages' directory ("" when only this process's user can)."""
    status = directory.stat()
    if status.st_uid != os.geteuid():
        return "belongs to another user"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "is writable by its group or by everyone"
    return ""


def _current(entry: Any, generations: dict[int, int], holds: type, lengths: tuple[int, ...]) -> bool:
    """Whether a filed entry, ``(depends_on, what, *more)``, holds a ``holds`` and its scopes' numbers still hold."""
    return (
        isinstance(entry, tuple)
        and len(entry) in lengths
        and isinstance(entry[1], holds)
        and all(generations.get(scope) == number for scope, number in entry[0])
    )


def _entry(key: str, generations: dict[int, int], holds: type, lengths: tuple[int, ...] = (2,)) -> Any:
    """What is filed under `key` while it is current (`_current`): this process's copy, else the machine's shared
    one (then kept in this process too), else None."""
    pages = caches[CACHE_ALIAS]
    entry = pages.get(key)
    if _current(entry, generations, holds, lengths):
        return entry
    shared = _shared(generations)
    if shared is None:
        return None
    files, prefix = shared
    try:
        entry = files.get(prefix + key)
    except Exception as error:  # a file cut short, a full disk, a pickle of classes this code no longer has
        logger.warning("A shared page could not be read: %s", type(error).__name__)
        return None
    if not _current(entry, generations, holds, lengths):
        return None
    pages.set(key, entry, settings.PAGE_CACHE_SECONDS)
    return entry


def _entry_store(key: str, entry: Any, generations: dict[int, int]) -> None:
    """Filed in this process and in the machine's shared copy."""
    caches[CACHE_ALIAS].set(key, entry, settings.PAGE_CACHE_SECONDS)
    shared = _shared(generations)
    if shared is not None:
        files, prefix = shared
        try:
            files.set(prefix + key, entry, settings.PAGE_CACHE_SECONDS)
        except SHARED_ERRORS as error:
            logger.warning("A page could not be shared: %s", type(error).__name__)


def page_key(request: HttpRequest, generation: int) -> str:
    """Filed under the global number; the scopes' numbers the page depends on are stored with it."""
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    # The host and scheme are part of the page: absolute links, canonical addresses and a second site name must
    # never be served from another host's entry. get_host() refuses a host outside ALLOWED_HOSTS (DisallowedHost,
    # answered 400), so an unknown Host header neither reads nor fills the cache.
    origin = f"{request.scheme}://{request.get_host()}"
    digest = hashlib.sha256(f"{origin}{request.get_full_path()}".encode()).hexdigest()
    return f"page:{generation}:{language}:{digest}"


def fragment_register(name: str, render: Callable[..., str]) -> None:
    """`render(*args)` gives the fragment's HTML in the active language, reading the database itself."""
    _fragment_renderers[name] = render


def fragment_render(name: str, *args: Any, render: Callable[[], str]) -> SafeString:
    """A fragment's HTML while a page is rendered (`render()` gives it from what the page already holds).

    When the page is rendered for the cache, the scopes the fragment reads are kept apart from the page's and its
    place is marked, for the middleware to take the marks out and keep the place."""
    collecting = _scopes_read.get() is not None
    fragments = _fragments.get()
    if not collecting or fragments is None or name not in _fragment_renderers:
        return mark_safe(render())  # noqa: S308 (a template's output, escaped when it was rendered)
    html, scopes = _fragment_rendered(render)
    fragments.append(Fragment(name, args, translation.get_language() or settings.LANGUAGE_CODE, scopes))
    index = len(fragments) - 1
    return mark_safe(f"<!--trygg-fragment-{index}-->{html}<!--/trygg-fragment-{index}-->")  # noqa: S308


def _fragment_rendered(render: Callable[[], str]) -> tuple[str, frozenset[int]]:
    """The fragment's HTML and the scopes its SQL read, kept out of the enclosing page's."""
    reading = _scopes_read.set(set())
    try:
        html = render()
        return html, frozenset(_scopes_read.get() or ())
    finally:
        _scopes_read.reset(reading)


def _fragment_key(fragment: Fragment, generation: int) -> str:
    digest = hashlib.sha256(repr(fragment.args).encode()).hexdigest()
    return f"fragment:{generation}:{fragment.language}:{fragment.name}:{digest}"


def _fragment_current(fragment: Fragment, generations: dict[int, int]) -> bytes | None:
    """The fragment as it is now: from the cache when its scopes have not changed since, else rendered again
    and stored; None when this process cannot render it."""
    key = _fragment_key(fragment, generations[GLOBAL])
    entry = _entry(key, generations, bytes)
    if entry is not None:
        return bytes(entry[1])
    render = _fragment_renderers.get(fragment.name)
    if render is None:
        return None
    with translation.override(fragment.language):
        text, scopes = _fragment_rendered(lambda: render(*fragment.args))
    html = text.encode()
    depends_on = tuple(sorted((scope, generations[scope]) for scope in scopes))
    _entry_store(key, (depends_on, html), generations)
    return html


def _content_set(response: HttpResponse, content: bytes) -> None:
    response.content = content
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(content))


def _fragments_filled(
    response: HttpResponse, holes: tuple[tuple[int, int, Fragment], ...], generations: dict[int, int] | None
) -> HttpResponse | None:
    """The cached page with each fragment whose scopes changed since rendered anew (`generations` None: as cached)."""
    stale = [
        hole
        for hole in holes
        if generations is not None
        and any(generations.get(scope) != number for scope, number in hole[2].depends_on)
    ]
    if not stale or generations is None:
        return response
    content, parts, position = response.content, [], 0
    for start, end, fragment in holes:
        current = _fragment_current(fragment, generations) if (start, end, fragment) in stale else None
        if current is None and (start, end, fragment) in stale:
            return None  # rendered whole instead
        parts += [content[position:start], content[start:end] if current is None else current]
        position = end
    parts.append(content[position:])
    _content_set(response, b"".join(parts))
    return response


def page_cached(
    request: HttpRequest, generations: dict[int, int], *, refresh: bool = True
) -> HttpResponse | None:
    """The cached page, if its numbers still hold; with `refresh` its fragments brought up to date."""
    if not settings.PAGE_CACHE_SECONDS or not _anonymous_get(request):
        return None
    # None when a report or an answer the page showed has changed since: (depends_on, response[, holes]).
    entry = _entry(page_key(request, generations[GLOBAL]), generations, HttpResponse, (2, 3))
    if entry is None:
        return None
    _depends_on, response, *more = entry
    holes = more[0] if more else ()
    return _fragments_filled(response, holes, generations if refresh else None) if holes else response


def _fragments_taken_out(
    response: HttpResponse, fragments: list[Fragment], generations: dict[int, int]
) -> tuple[tuple[int, int, Fragment], ...]:
    """Removes the fragments' marks from the page; gives each fragment's place in it, with its numbers."""
    if response.streaming:
        return ()
    content, parts, holes, position, length = response.content, [], [], 0, 0
    for match in FRAGMENT_MARK.finditer(content):
        parts.append(content[position : match.start()])
        length += match.start() - position
        fragment = fragments[int(match.group(1))]
        depends_on = tuple(sorted((scope, generations[scope]) for scope in fragment.scopes))
        holes.append(
            (
                length,
                length + len(match.group(2)),
                Fragment(fragment.name, fragment.args, fragment.language, fragment.scopes, depends_on),
            )
        )
        parts.append(match.group(2))
        length += len(match.group(2))
        position = match.end()
    parts.append(content[position:])
    _content_set(response, b"".join(parts))
    return tuple(holes)


CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def blank_form_page(
    request: HttpRequest, render: Callable[[dict[str, str]], HttpResponse], values: dict[str, str]
) -> HttpResponse:
    """An anonymous visitor's page with a blank form, which is the same for every visitor but for its CSRF token
    and `values` (hidden fields such as a submission id and a fill-time token): `render(values)` renders it.

    It is rendered once per address, language and generation with marks in those places and kept in the page
    cache; each request fills in its own values and a CSRF token of its own (which also sets the CSRF cookie)."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.middleware.csrf import get_token

    if (
        not settings.PAGE_CACHE_SECONDS
        or not _anonymous_get(request)
        or CookieStorage.cookie_name in request.COOKIES  # a message to show: this visitor's own page
    ):
        return render(values)
    generations, _from_redis = _generations_read()
    key = f"form:{page_key(request, generations[GLOBAL])}"
    entry = _entry(key, generations, HttpResponse)
    response: HttpResponse | None = entry[1] if entry is not None else None
    if response is None:
        marks = {name: f"trygg-mark-{name}" for name in values}
        reading = _scopes_read.set(set())
        try:
            response = render(marks)
            scopes = _scopes_read.get() or set()
        finally:
            _scopes_read.reset(reading)
        if response.streaming:
            return render(values)
        content = response.content
        for token in {match.group(1) for match in CSRF_VALUE.finditer(content)}:
            content = content.replace(token, b"trygg-mark-csrf")
        _content_set(response, content)
        if (
            response.status_code == 200
            and not response.cookies
            and "no-store" not in response.get("Cache-Control", "")
            # A CSP nonce is this response's own: a page that used one is never kept for the next visitor.
            and not getattr(request, "_csp_nonce", None)
        ):
            depends_on = tuple(sorted((scope, generations[scope]) for scope in scopes))
            _entry_store(key, (depends_on, response), generations)
    content = response.content.replace(b"trygg-mark-csrf", get_token(request).encode())
    for name, value in values.items():
        content = content.replace(f"trygg-mark-{name}".encode(), value.encode())
    _content_set(response, content)
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
            generations, from_redis = _generations_read()
        except (OperationalError, InterfaceError):
            # The database is down: the page as this process last cached it, or at once the 503.
            from .unavailable import database_unavailable_response

            logger.warning("Database unavailable: answering from the page cache or with a 503")
            last = _last_known.get("numbers")
            cached = page_cached(request, last, refresh=False) if last is not None else None
            return cached if cached is not None else database_unavailable_response(request)
        cached = page_cached(request, generations)
        if cached is not None:
            return cached
        if from_redis and routers.reads_replica():
            standby = _generations_from_database(routers.REPLICA)
            if any(standby[scope] < number for scope, number in generations.items()):
                # The standby has not replayed the change that raised a number: a page rendered from it now
                # would be filed under the new number with the old content. This request reads the primary.
                routers.read_primary()
        reading, collecting = _scopes_read.set(set()), _fragments.set([])
        try:
            response = self.get_response(request)
            scopes = _scopes_read.get() or set()
            fragments = _fragments.get() or []
        finally:
            _scopes_read.reset(reading)
            _fragments.reset(collecting)
        holes = _fragments_taken_out(response, fragments, generations) if fragments else ()
        if _storable(request, response):
            # Filed with the numbers read before rendering: a write during the render makes the next request miss.
            depends_on = tuple(sorted((scope, generations[scope]) for scope in scopes))
            _entry_store(
                page_key(request, generations[GLOBAL]),
                (depends_on, response, holes) if holes else (depends_on, response),
                generations,
            )
        return response
