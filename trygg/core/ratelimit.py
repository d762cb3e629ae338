"""Rate limits that hold across application processes, keyed without keeping client addresses.

The counters live in a shared store: the database by default, Redis when `RATE_LIMIT_REDIS_URL` is set (and the
database while that Redis is down: a limit then counts afresh there, so a client may get up to twice its allowance
across the switch). Never per-process memory, which a second process would not see.

A client is counted under an HMAC of its address with a random secret of the day (`KeyingSecret`), never under
the address or a plain hash of it (the whole IPv4 space is hashed in minutes). The day's secret is deleted once
the day is over and every counter once its window has closed (`trygg purge_rate_limits`, hourly), so no stored
key can be traced back to an address afterwards. A window that spans midnight starts counting anew then.
"""

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from . import shared_redis
from .models import KeyingSecret, RateLimitCounter


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


def _day(now: float) -> dt.date:
    return dt.datetime.fromtimestamp(now, tz=dt.UTC).date()


def keying_secret(*, day: dt.date) -> bytes:
    """The day's random secret, created by whichever process needs it first (one small read per counted post)."""
    found = KeyingSecret.objects.filter(day=day).values_list("secret", flat=True).first()
    if found is None:
        try:
            with transaction.atomic():
                KeyingSecret.objects.create(day=day, secret=secrets.token_hex(32))
        except IntegrityError:
            pass  # another process created it at the same moment: use theirs
        found = KeyingSecret.objects.values_list("secret", flat=True).get(day=day)
    return bytes.fromhex(found)


def client_address(request: HttpRequest) -> str:
    # Behind the proxy the client address comes from the trusted header the proxy sets, else REMOTE_ADDR.
    header = settings.RATE_LIMIT_CLIENT_HEADER
    address = request.META.get(header, "").split(",")[0].strip() if header else ""
    return address or request.META.get("REMOTE_ADDR", "")


def client_key(request: HttpRequest, *, now: float | None = None) -> str:
    """The client's key for today: an HMAC of its address with the day's secret."""
    day = _day(time.time() if now is None else now)
    digest = hmac.new(keying_secret(day=day), client_address(request).encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _hit_database(key: str, window_start: int, window_end: int) -> int:
    with transaction.atomic():
        updated = RateLimitCounter.objects.filter(key=key, window_start=window_start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(
                        key=key, window_start=window_start, window_end=window_end, count=1
                    )
                return 1
            except IntegrityError:
                RateLimitCounter.objects.filter(key=key, window_start=window_start).update(
                    count=F("count") + 1
                )
        return RateLimitCounter.objects.get(key=key, window_start=window_start).count


def _hit_redis(key: str, window_start: int, window_end: int) -> int | None:
    """The count in Redis; None while it is down (the database counts instead)."""
    connection = shared_redis.client(settings.RATE_LIMIT_REDIS_URL)
    if connection is None:
        return None
    redis_key = f"trygg:ratelimit:{key}:{window_start}"
    pipeline = connection.pipeline()
    pipeline.incr(redis_key)
    # Gone with its window.
    pipeline.expireat(redis_key, window_end + 1)
    try:
        count, _ = pipeline.execute()
    except shared_redis.RedisError as error:
        shared_redis.failed(error, settings.RATE_LIMIT_REDIS_URL)
        return None
    return int(count)


def rate_limit_exceeded(*, request: HttpRequest, limit: Limit) -> bool:
    """Count this request; True when the client has gone over the limit in the current window."""
    if not settings.RATE_LIMITS_ENABLED:
        return False
    now = time.time()
    return _hit(f"{limit.scope}:{client_key(request, now=now)}", limit=limit, now=now) > limit.count


def rate_limit_exceeded_for(*, key: str, limit: Limit) -> bool:
    """Count one use by `key` (not a client address: e.g. an Open311 key's id); True when over."""
    if not settings.RATE_LIMITS_ENABLED:
        return False
    return _hit(f"{limit.scope}:{key}", limit=limit, now=time.time()) > limit.count


def _hit(key: str, *, limit: Limit, now: float) -> int:
    window_start = int(now) // limit.seconds * limit.seconds
    window_end = window_start + limit.seconds
    count = _hit_redis(key, window_start, window_end) if settings.RATE_LIMIT_REDIS_URL else None
    if count is None:
        count = _hit_database(key, window_start, window_end)
    return count


def rate_limit_retry_after(limit: Limit) -> int:
    """Seconds until the current window ends and the count starts again: the Retry-After of a 429."""
    return limit.seconds - int(time.time()) % limit.seconds


def _current(key: str, window_start: int) -> int:
    """The count so far, read where `_hit` counts: Redis, or the database while it is down (or not set)."""
    connection = shared_redis.client(settings.RATE_LIMIT_REDIS_URL) if settings.RATE_LIMIT_REDIS_URL else None
    if connection is not None:
        try:
            value = connection.get(f"trygg:ratelimit:{key}:{window_start}")
        except shared_redis.RedisError as error:
            shared_redis.failed(error, settings.RATE_LIMIT_REDIS_URL)
        else:
            return int(value or 0)
    found = RateLimitCounter.objects.filter(key=key, window_start=window_start).values_list(
        "count", flat=True
    )
    return int(found.first() or 0)


def rate_limit_reached(*, request: HttpRequest, limit: Limit) -> bool:
    """Whether the client has used its whole allowance in the current window, without counting this request.

    With `rate_limit_count` for limits on what a request achieved (a report filed) rather than on posts."""
    if not settings.RATE_LIMITS_ENABLED:
        return False
    now = time.time()
    window_start = int(now) // limit.seconds * limit.seconds
    return _current(f"{limit.scope}:{client_key(request, now=now)}", window_start) >= limit.count


def rate_limit_count(*, request: HttpRequest, limit: Limit) -> None:
    """Count one use against the limit (see rate_limit_reached)."""
    rate_limit_exceeded(request=request, limit=limit)


def rate_limit_purge(*, now: float | None = None) -> int:
    """Delete counters whose window has closed and the secrets of days that are over."""
    now = time.time() if now is None else now
    deleted, _ = RateLimitCounter.objects.filter(window_end__lte=int(now)).delete()
    # Counters from before window_end was kept: no window is longer than a day.
    old, _ = RateLimitCounter.objects.filter(window_end=0, window_start__lt=int(now) - 86400).delete()
    KeyingSecret.objects.filter(day__lt=_day(now)).delete()
    return deleted + old
