"""The operators' view of the installation: the databases, the standby's lag and Redis, as this node sees them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from . import routers, shared_redis


@dataclass(frozen=True)
class DatabaseHealth:
    reachable: bool
    # True on a standby, False on a primary; None when unknown (SQLite, or not reachable).
    in_recovery: bool | None = None
    # The exception's class name when unreachable, never its text (it may hold a host name or a password).
    error: str = ""


@dataclass(frozen=True)
class StandbyConnection:
    """A standby as the primary sees it (pg_stat_replication; its lag needs the pg_monitor role)."""

    name: str
    state: str
    sync_state: str
    replay_lag_seconds: float | None


@dataclass(frozen=True)
class ReplicaHealth:
    configured: bool
    database: DatabaseHealth
    # WAL the standby has yet to replay, in bytes, and how long ago it replayed the last transaction when it is
    # behind (0 when it is not); None when unknown.
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    # This node reads the primary for now: the standby failed to connect a moment ago.
    reads_paused: bool = False


@dataclass(frozen=True)
class OperationsStatus:
    checked_at: dt.datetime
    vendor: str
    primary: DatabaseHealth
    replica: ReplicaHealth
    standbys: tuple[StandbyConnection, ...]
    redis: shared_redis.RedisHealth
    transaction_pooling: bool

    @property
    def healthy(self) -> bool:
        return (
            self.primary.reachable
            and self.primary.in_recovery is not True
            and (not self.replica.configured or self.replica.database.reachable)
            and (not self.redis.configured or self.redis.up)
        )


def replication_lag_seconds(*, lag_bytes: int, seconds_since_replay: float | None) -> float | None:
    """How far behind a standby is in time: nothing to replay is no lag, however long ago the last write was."""
    if lag_bytes <= 0:
        return 0.0
    return None if seconds_since_replay is None else max(0.0, seconds_since_replay)


def _primary() -> tuple[DatabaseHealth, str | None, tuple[StandbyConnection, ...]]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        try:
            connection.ensure_connection()
        except DatabaseError as error:
            return DatabaseHealth(reachable=False, error=type(error).__name__), None, ()
        return DatabaseHealth(reachable=True), None, ()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), "
                "CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END"
            )
            in_recovery, position = cursor.fetchone()
            cursor.execute(
                "SELECT coalesce(application_name, ''), coalesce(state, ''), coalesce(sync_state, ''), "
                "EXTRACT(EPOCH FROM replay_lag)::float FROM pg_stat_replication ORDER BY application_name"
            )
            standbys = tuple(
                StandbyConnection(name=name, state=state, sync_state=sync_state, replay_lag_seconds=lag)
                for name, state, sync_state, lag in cursor.fetchall()
            )
    except DatabaseError as error:
        return DatabaseHealth(reachable=False, error=type(error).__name__), None, ()
    return DatabaseHealth(reachable=True, in_recovery=bool(in_recovery)), position, standbys


def _replica(primary_position: str | None) -> ReplicaHealth:
    if not routers.replica_configured():
        return ReplicaHealth(configured=False, database=DatabaseHealth(reachable=False))
    paused = routers.replica_reads_paused()
    try:
        with connections[routers.REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), "
                "CASE WHEN %s::text IS NULL OR NOT pg_is_in_recovery() THEN NULL "
                "ELSE pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())::bigint END, "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float",
                [primary_position, primary_position],
            )
            in_recovery, lag_bytes, since_replay = cursor.fetchone()
    except DatabaseError as error:
        return ReplicaHealth(
            configured=True,
            database=DatabaseHealth(reachable=False, error=type(error).__name__),
            reads_paused=paused,
        )
    # The primary's position was read a moment before the standby's: a standby that caught up meanwhile is
    # a few bytes "ahead", which is no lag.
    lag = None if lag_bytes is None else max(0, int(lag_bytes))
    return ReplicaHealth(
        configured=True,
        database=DatabaseHealth(reachable=True, in_recovery=bool(in_recovery)),
        lag_bytes=lag,
        lag_seconds=None
        if lag is None
        else replication_lag_seconds(lag_bytes=lag, seconds_since_replay=since_replay),
        reads_paused=paused,
    )


def operations_status(*, now: dt.datetime) -> OperationsStatus:
    primary, position, standbys = _primary()
    return OperationsStatus(
        checked_at=now,
        vendor=connections[DEFAULT_DB_ALIAS].vendor,
        primary=primary,
        replica=_replica(position),
        standbys=standbys,
        redis=shared_redis.health(),
        transaction_pooling=settings.DATABASE_TRANSACTION_POOLING,
    )
