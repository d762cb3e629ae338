"""Rate limits that hold across application processes.

The counters live in a shared store: the database by default, Redis when `RATE_LIMIT_REDIS_URL` is set (and the
database while that Redis is down: a limit then counts afresh there, so a client may get up to twice its allowance
across the switch). Never per-process memory, which a second process would not see.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from . import shared_redis
from .models import RateLimitCounter


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


def client_key(request: HttpRequest) -> str:
    # Behind the proxy the client address comes from the trusted header the proxy sets, else REMOTE_ADDR.
    header = getattr(settings, "RATE_LIMIT_CLIENT_HEADER", "")
    address = request.META.get(header, "").split(",")[0].strip() if header else ""
    address = address or request.META.get("REMOTE_ADDR", "")
    # Only a hash is stored: the counters are not a log of who visited.
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def _hit_database(key: str, window_start: int) -> int:
    with transaction.atomic():
        updated = RateLimitCounter.objects.filter(key=key, window_start=window_start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(key=key, window_start=window_start, count=1)
                return 1
            except IntegrityError:
                RateLimitCounter.objects.filter(key=key, window_start=window_start).update(
                    count=F("count") + 1
                )
        return RateLimitCounter.objects.get(key=key, window_start=window_start).count


def _hit_redis(key: str, window_start: int, seconds: int) -> int | None:
    """The count in Redis; None while it is down (the database counts instead)."""
    connection = shared_redis.client(settings.RATE_LIMIT_REDIS_URL)
    if connection is None:
        return None
    redis_key = f"trygg:ratelimit:{key}:{window_start}"
    pipeline = connection.pipeline()
    pipeline.incr(redis_key)
    pipeline.expire(redis_key, seconds * 2)
    try:
        count, _ = pipeline.execute()
    except shared_redis.RedisError as error:
        shared_redis.failed(error, settings.RATE_LIMIT_REDIS_URL)
        return None
    return int(count)


def rate_limit_exceeded(*, request: HttpRequest, limit: Limit) -> bool:
    """Count this request; True when the client has gone over the limit in the current window."""
    if not getattr(settings, "RATE_LIMITS_ENABLED", True):
        return False
    window_start = int(time.time()) // limit.seconds * limit.seconds
    key = f"{limit.scope}:{client_key(request)}"
    count = _hit_redis(key, window_start, limit.seconds) if settings.RATE_LIMIT_REDIS_URL else None
    if count is None:
        count = _hit_database(key, window_start)
    return count > limit.count


def rate_limit_purge(*, older_than_seconds: int = 86400) -> int:
    deleted, _ = RateLimitCounter.objects.filter(
        window_start__lt=int(time.time()) - older_than_seconds
    ).delete()
    return deleted
