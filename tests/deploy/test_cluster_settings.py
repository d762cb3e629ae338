"""The cluster's settings (docs/configuration.md, "A cluster"): each optional, and without them one process on SQLite."""

import json
import os
import subprocess
import sys

PROBE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "databases": {
        alias: {
            "engine": database["ENGINE"],
            "name": database["NAME"],
            "host": database.get("HOST", ""),
            "port": str(database.get("PORT", "")),
            "mirror": database.get("TEST", {}).get("MIRROR"),
            "no_server_side_cursors": database.get("DISABLE_SERVER_SIDE_CURSORS", False),
        }
        for alias, database in settings.DATABASES.items()
    },
    "routers": settings.DATABASE_ROUTERS,
    "sessions": settings.SESSION_ENGINE,
    "caches": {alias: cache["BACKEND"] for alias, cache in settings.CACHES.items()},
    "rate_limit_redis": settings.RATE_LIMIT_REDIS_URL,
    "middleware": settings.MIDDLEWARE,
}))
"""
CLUSTER_VARIABLES = {
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "DATABASE_TRANSACTION_POOLING",
    "REDIS_URL",
    "RATE_LIMIT_REDIS_URL",
    "HEALTH_TOKEN",
}


def _probe(**environment: str) -> dict:
    inherited = {key: value for key, value in os.environ.items() if key not in CLUSTER_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**inherited, "DJANGO_SETTINGS_MODULE": "trygg.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_cluster_settings_trygg_is_one_process_on_sqlite():
    found = _probe()

    assert list(found["databases"]) == ["default"]
    assert found["databases"]["default"]["engine"] == "django.db.backends.sqlite3"
    assert found["routers"] == []
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["caches"] == {
        "default": "django.core.cache.backends.db.DatabaseCache",
        "pages": "django.core.cache.backends.locmem.LocMemCache",
    }
    assert found["rate_limit_redis"] == ""


def test_a_cluster_reads_a_standby_through_pgbouncer_and_keeps_shared_state_in_redis():
    found = _probe(
        DATABASE_URL="postgres://trygg@10.0.0.31:6432/trygg",
        DATABASE_REPLICA_URL="postgres://trygg@10.0.0.31:6432/trygg_standby",
        DATABASE_TRANSACTION_POOLING="true",
        REDIS_URL="redis://10.0.0.5:6379/0",
    )

    databases = found["databases"]
    assert databases["default"]["name"] == "trygg" and databases["default"]["port"] == "6432"
    assert databases["replica"]["name"] == "trygg_standby"
    # The test suite has no standby: Django's test set-up points the alias at the test database.
    assert databases["replica"]["mirror"] == "default"
    assert databases["default"]["no_server_side_cursors"] and databases["replica"]["no_server_side_cursors"]
    assert found["routers"] == ["trygg.core.routers.PrimaryReplicaRouter"]
    # The routing middleware decides before the page cache reads its generation number.
    middleware = found["middleware"]
    assert middleware.index("trygg.core.routers.ReplicaRoutingMiddleware") < middleware.index(
        "trygg.core.pagecache.PageCacheMiddleware"
    )
    assert found["sessions"] == "trygg.core.sessions"
    assert set(found["caches"].values()) == {"trygg.core.cache.FailOpenRedisCache"}
    assert found["rate_limit_redis"] == "redis://10.0.0.5:6379/0"


def test_a_rate_limit_redis_of_its_own_is_kept_apart_from_redis_url():
    found = _probe(REDIS_URL="redis://10.0.0.5:6379/0", RATE_LIMIT_REDIS_URL="redis://10.0.0.6:6379/0")

    assert found["rate_limit_redis"] == "redis://10.0.0.6:6379/0"


def test_without_transaction_pooling_server_side_cursors_stay_on():
    found = _probe(DATABASE_URL="postgres://trygg@10.0.0.21:5432/trygg")

    assert found["databases"]["default"]["no_server_side_cursors"] is False
