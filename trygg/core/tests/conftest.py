import socket
import warnings
from collections.abc import Iterator

import pytest
import redis
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from trygg.accounts.models import User
from trygg.core import routers, shared_redis
from trygg.core.routers import REPLICA
from trygg.municipalities.models import Municipality
from trygg.surveys import services as survey_services
from trygg.surveys.models import Survey

from .processes import RedisServer, redis_server


@pytest.fixture
def invitation_survey(coordinator: User, home_municipality: Municipality) -> Survey:
    created = survey_services.survey_create(
        municipality=home_municipality,
        year=2024,
        title="Trygghetsmätning 2024",
        slug="2024",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=["en"],
        areas=["Centrum", "Landsbygd"],
        by=coordinator,
    )
    return survey_services.survey_set_status(survey=created, status=Survey.Status.OPEN, by=coordinator)


# The standby of the routing tests: a second connection to the test database under the alias DATABASE_REPLICA_URL
# adds, which Django's test set-up points at the test database as a mirror of "default". Registered before the test
# databases are made; without the `replica` fixture nothing routes to it.
# A new dict: connections.settings is settings.DATABASES itself, which must not name the standby outside the fixture.
connections.settings = {
    **connections.settings,
    REPLICA: {
        **connections.settings[DEFAULT_DB_ALIAS],
        "TEST": {**connections.settings[DEFAULT_DB_ALIAS]["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    },
}
REPLICA_DATABASES = [DEFAULT_DB_ALIAS, REPLICA]


@pytest.fixture
def replica(settings) -> Iterator[BaseDatabaseWrapper]:
    """The standby alias in DATABASES and the router installed, as DATABASE_REPLICA_URL does. Tests that use it
    commit their writes (transaction=True), as a standby sees only committed data."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Django warns that DATABASES changed: only the known alias is added
        settings.DATABASES = {**settings.DATABASES, REPLICA: connections.settings[REPLICA]}
    settings.DATABASE_ROUTERS = ["trygg.core.routers.PrimaryReplicaRouter"]
    routers._replica_down_until[0] = 0.0
    yield connections[REPLICA]
    connections[REPLICA].close()
    routers._replica_down_until[0] = 0.0


@pytest.fixture
def broken_replica(
    replica: BaseDatabaseWrapper, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BaseDatabaseWrapper]:
    """The standby alias, pointing at a server that does not answer (on SQLite, whose in-memory test database
    cannot be closed, its connecting fails instead)."""
    if replica.vendor == "sqlite":

        def refuse(*args: object, **kwargs: object) -> None:
            raise OperationalError("unable to open database file")

        monkeypatch.setattr(replica, "ensure_connection", refuse)
        yield replica
        return
    replica.close()
    kept = dict(replica.settings_dict)
    replica.settings_dict["PORT"] = str(free_port())
    yield replica
    replica.close()
    replica.settings_dict.update(kept)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def with_redis(redis_process: RedisServer, settings) -> Iterator[RedisServer]:
    """Trygg configured with REDIS_URL, as settings.py makes it, against a running, empty Redis."""
    if redis_process.process is None:
        redis_process.start()
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    settings.REDIS_URL = settings.RATE_LIMIT_REDIS_URL = redis_process.url
    settings.REDIS_RETRY_SECONDS = 5
    settings.CACHES = {
        "default": {
            "BACKEND": "trygg.core.cache.FailOpenRedisCache",
            "LOCATION": redis_process.url,
            "OPTIONS": options,
        },
        "pages": {
            "BACKEND": "trygg.core.cache.FailOpenRedisCache",
            "LOCATION": redis_process.url,
            "KEY_PREFIX": "pages",
            "OPTIONS": options,
        },
    }
    settings.SESSION_ENGINE = "trygg.core.sessions"
    shared_redis._down_until.clear()
    shared_redis._clients.clear()
    redis.Redis.from_url(redis_process.url).flushall()
    yield redis_process
    shared_redis._down_until.clear()
    shared_redis._clients.clear()
