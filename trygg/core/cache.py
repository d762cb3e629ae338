"""Django's Redis cache, failing open: while Redis is down a read finds nothing and a write is dropped.

What Trygg caches (whole public pages, survey results) can always be computed again from the database, so a
Redis outage costs time, never an error page. Failures go through trygg/core/shared_redis.py, which then keeps
this process away from Redis for REDIS_RETRY_SECONDS rather than waiting on a timeout per call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from . import shared_redis

Result = TypeVar("Result")
Key = str | bytes | memoryview
Expiry = int | dt.timedelta


class FailOpenRedisCacheClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._url = servers[0]

    def _guarded(self, call: Callable[..., Result], down: Result, *arguments: Any) -> Result:
        if shared_redis.resting(self._url):
            return down
        try:
            return call(*arguments)
        except shared_redis.RedisError as error:
            shared_redis.failed(error, self._url)
            return down

    def add(self, key: Key, value: Any, timeout: Expiry | None) -> bool:
        return self._guarded(super().add, False, key, value, timeout)

    def get(self, key: Key, default: Any) -> Any:
        return self._guarded(super().get, default, key, default)

    def set(self, key: Key, value: Any, timeout: Expiry | None) -> None:
        self._guarded(super().set, None, key, value, timeout)

    def touch(self, key: Key, timeout: Expiry) -> bool:
        return self._guarded(super().touch, False, key, timeout)

    def delete(self, key: Key) -> bool:
        return self._guarded(super().delete, False, key)

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Any]:
        return self._guarded(super().get_many, {}, list(keys))

    def has_key(self, key: Key) -> bool:
        return self._guarded(super().has_key, False, key)

    def incr(self, key: Key, delta: int) -> Any:
        # While Redis is down the key is missing, as in any cache that lost it; nothing counts on a cache for a
        # number that must hold (the rate limits keep their own counters).
        if shared_redis.resting(self._url):
            raise ValueError(f"Key '{key!r}' not found.")
        try:
            return super().incr(key, delta)
        except shared_redis.RedisError as error:
            shared_redis.failed(error, self._url)
            raise ValueError(f"Key '{key!r}' not found.") from error

    def set_many(self, data: Mapping[Key, Any], timeout: Expiry) -> None:
        self._guarded(super().set_many, None, data, timeout)

    def delete_many(self, keys: Iterable[Key]) -> None:
        self._guarded(super().delete_many, None, list(keys))

    def clear(self) -> bool:
        return self._guarded(super().clear, False)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
