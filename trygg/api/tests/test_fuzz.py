"""Schemathesis against our own OpenAPI schema: generated requests never cause a server error."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from trygg.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

EXAMPLES = 400 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 15


@pytest.fixture
def keep_connection_open():
    """Calling the WSGI application directly would close the test's database connection after each
    request (Django's test client switches that off the same way); on PostgreSQL the test transaction
    lives on that connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo_data(db, keep_connection_open):
    from trygg.demo.services import demo_load

    demo_load()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_with_a_server_error(case, demo_data) -> None:
    response = case.call()

    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
