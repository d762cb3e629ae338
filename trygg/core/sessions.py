"""Sessions in Redis (REDIS_URL), in the database while Redis is down: SESSION_ENGINE = "trygg.core.sessions".

A session is kept in one place: Redis when it answers, else the `django_session` table, so a staff request or a
survey step costs no database write while Redis is up. Reading tries Redis first, then the table, so a session
begun during an outage goes on after Redis returns (its next save moves it to Redis). Sessions that only Redis
held are out of reach while it is down: their staff log in again, a survey in progress starts over
(docs/deploy.md, "A cluster"). The stored value is the signed string the database would hold, and Redis expires it
with the session.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import CreateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from . import shared_redis

KEY_PREFIX = "trygg:session:"


class SessionStore(DatabaseSessionStore):
    @staticmethod
    def _redis_key(session_key: str) -> str:
        return KEY_PREFIX + session_key

    def load(self) -> dict[str, Any]:
        connection = shared_redis.client()
        if connection is not None and self.session_key:
            try:
                stored = connection.get(self._redis_key(self.session_key))
            except shared_redis.RedisError as error:
                shared_redis.failed(error)
            else:
                if stored is not None:
                    return self.decode(stored.decode() if isinstance(stored, bytes) else stored)
        # Not in Redis (begun while it was down, expired, or unknown) or Redis is down: the database's copy.
        database: dict[str, Any] = super().load()
        return database

    def exists(self, session_key: str) -> bool:
        connection = shared_redis.client()
        if connection is not None:
            try:
                return bool(connection.exists(self._redis_key(session_key)))
            except shared_redis.RedisError as error:
                shared_redis.failed(error)
        return bool(super().exists(session_key))

    def save(self, must_create: bool = False) -> None:
        connection = shared_redis.client()
        if connection is None:
            super().save(must_create=must_create)
            return
        if self.session_key is None:
            self.create()
            return
        # What Django's own cache and database stores save (a new session is not loaded first); django-stubs
        # does not declare this private method.
        data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
        try:
            stored = connection.set(
                self._redis_key(self.session_key),
                self.encode(data),
                ex=max(1, self.get_expiry_age()),
                nx=must_create,
            )
        except shared_redis.RedisError as error:
            shared_redis.failed(error)
            super().save(must_create=must_create)
            return
        if must_create and not stored:
            raise CreateError

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        if key is None:
            return
        connection = shared_redis.client()
        if connection is not None:
            try:
                connection.delete(self._redis_key(key))
            except shared_redis.RedisError as error:
                shared_redis.failed(error)
        # A copy from an outage may be in the table too: a logout ends both.
        super().delete(key)
