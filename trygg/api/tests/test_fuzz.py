"""Schemathesis against our own OpenAPI schema: generated requests never cause a server error."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from trygg.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

EXAMPLES = 400 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 15


@pytest.fixture
def demo_data(db):
    from trygg.demo.services import demo_load

    demo_load()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_with_a_server_error(case, demo_data) -> None:
    response = case.call()

    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
