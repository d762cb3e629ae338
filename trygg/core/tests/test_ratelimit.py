import threading

import pytest
from django.db import connection
from django.test import RequestFactory

from trygg.core.models import RateLimitCounter
from trygg.core.ratelimit import Limit, client_key, rate_limit_exceeded

LIMIT = Limit(scope="test", count=3, seconds=3600)


def _request(address: str = "192.0.2.10"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


@pytest.mark.django_db
def test_a_client_goes_over_the_limit_after_its_allowance() -> None:
    results = [rate_limit_exceeded(request=_request(), limit=LIMIT) for _ in range(5)]

    assert results == [False, False, False, True, True]


@pytest.mark.django_db
def test_clients_are_counted_separately_and_stored_only_as_a_hash() -> None:
    for _ in range(3):
        rate_limit_exceeded(request=_request("192.0.2.10"), limit=LIMIT)

    assert rate_limit_exceeded(request=_request("192.0.2.11"), limit=LIMIT) is False
    keys = list(RateLimitCounter.objects.values_list("key", flat=True))
    assert all("192.0.2" not in key for key in keys)
    assert f"test:{client_key(_request('192.0.2.10'))}" in keys


@pytest.mark.django_db
def test_rate_limits_can_be_switched_off_for_fuzzing(settings) -> None:
    settings.RATE_LIMITS_ENABLED = False

    assert not any(rate_limit_exceeded(request=_request(), limit=LIMIT) for _ in range(10))
    assert RateLimitCounter.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_counter_is_exact_under_concurrent_hits_from_many_connections() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is not shared between threads; runs on PostgreSQL")
    limit = Limit(scope="concurrent", count=10_000, seconds=3600)

    def hit() -> None:
        for _ in range(25):
            rate_limit_exceeded(request=_request(), limit=limit)
        connection.close()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert RateLimitCounter.objects.get(key__startswith="concurrent:").count == 200
