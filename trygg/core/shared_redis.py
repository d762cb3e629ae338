"""The cluster's shared Redis (REDIS_URL), and what a process does while it is down.

Redis holds the cache, the sessions, the rate-limit counters and the page cache's generation number. None of them
may take the site down with it: each has a database path (docs/deploy.md, "A cluster"). A call that fails
(refused, timed out after REDIS_TIMEOUT_SECONDS, an error answer) marks Redis down in this process for
REDIS_RETRY_SECONDS; meanwhile every user asks `client()`, gets None and takes its database path at once,
instead of waiting on a timeout per call. The first call after that tries Redis again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

__all__ = ["RedisError", "RedisHealth", "client", "failed", "failure_count", "health", "resting"]

_clients: dict[str, redis.Redis] = {}
# Per URL: until when (time.monotonic()) this process leaves Redis alone after a failure.
_down_until: dict[str, float] = {}
# Failed calls in this process so far: whoever keeps a copy in Redis can tell that it may have missed a write.
_failures = [0]


def _url(url: str | None) -> str:
    return settings.REDIS_URL if url is None else url


def _connect(url: str) -> redis.Redis:
    # A pool's connections do not retry a failed command by themselves: one failure is one timeout at most.
    pool = redis.ConnectionPool.from_url(
        url,
        socket_connect_timeout=settings.REDIS_TIMEOUT_SECONDS,
        socket_timeout=settings.REDIS_TIMEOUT_SECONDS,
    )
    return redis.Redis(connection_pool=pool)


def resting(url: str | None = None) -> bool:
    """True while this process leaves Redis alone after a failed call."""
    return time.monotonic() < _down_until.get(_url(url), 0.0)


def client(url: str | None = None) -> redis.Redis | None:
    """The Redis at `url` (REDIS_URL by default); None when none is set or it failed a moment ago."""
    url = _url(url)
    if not url or resting(url):
        return None
    found = _clients.get(url)
    if found is None:
        found = _clients[url] = _connect(url)
    return found


def failed(error: Exception, url: str | None = None) -> None:
    """Note a failed call: the database stands in for REDIS_RETRY_SECONDS."""
    url = _url(url)
    if not resting(url):
        logger.warning(
            "Redis unavailable (%s): the database stands in for %s s",
            type(error).__name__,
            settings.REDIS_RETRY_SECONDS,
        )
    _down_until[url] = time.monotonic() + settings.REDIS_RETRY_SECONDS
    _failures[0] += 1


def failure_count() -> int:
    return _failures[0]


@dataclass(frozen=True)
class RedisHealth:
    configured: bool
    up: bool
    # What went wrong, for the operators' view: the exception's class name, never its text (it may hold the URL).
    error: str = ""
    used_memory_bytes: int | None = None
    keys: int | None = None
    # This process is using the database instead of Redis (after a failed call a moment ago).
    resting: bool = False


def health(url: str | None = None) -> RedisHealth:
    """Asks Redis now, whatever the last call did: for the health views."""
    url = _url(url)
    if not url:
        return RedisHealth(configured=False, up=False)
    was_resting = resting(url)
    connection = _connect(url)
    try:
        memory = connection.info("memory")
        keys = int(connection.dbsize())
    except RedisError as error:
        return RedisHealth(configured=True, up=False, error=type(error).__name__, resting=was_resting)
    finally:
        connection.connection_pool.disconnect()
    return RedisHealth(
        configured=True,
        up=True,
        used_memory_bytes=int(memory.get("used_memory", 0)),
        keys=keys,
        resting=was_resting,
    )
