"""The OpenAPI description, checked by openapi-spec-validator and against what the API really answers."""

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from trygg.demo.services import demo_load


@pytest.fixture
def schema(client: Client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi(schema: dict) -> None:
    validate(schema)


def test_every_operation_declares_its_errors_with_a_schema(schema: dict) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {code: answer for code, answer in operation["responses"].items() if code.startswith("4")}
            # Only an operation without parameters, body, object or login (a discovery document) has no error to declare.
            can_fail = bool(
                operation.get("parameters")
                or operation.get("requestBody")
                or operation.get("security")
                or "{" in path
            )
            assert errors or not can_fail, f"{method.upper()} {path} declares no error response"
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in errors, f"{method.upper()} {path} takes input but declares no 422"
            for code, answer in errors.items():
                reference = answer["content"]["application/json"]["schema"]["$ref"]
                name = reference.rsplit("/", 1)[1]
                assert "detail" in schema["components"]["schemas"][name]["properties"], (path, code)
            if "{" in path:
                assert "404" in errors, f"{method.upper()} {path} names an object but declares no 404"


def test_no_router_is_mounted_without_operations() -> None:
    from trygg.api.api import api

    for prefix, router in api._routers:
        assert router.path_operations, f"a router without operations is mounted at {prefix!r}"


@pytest.mark.django_db
def test_the_declared_404_and_422_are_what_the_api_answers(client: Client, schema: dict) -> None:
    demo_load()
    missing = client.get("/api/municipalities/atlantis/promises")
    invalid = client.get("/api/municipalities?page=nej")

    assert missing.status_code == 404 and isinstance(missing.json()["detail"], str)
    assert invalid.status_code == 422 and isinstance(invalid.json()["detail"], list)
    declared = schema["paths"]["/api/municipalities/{slug}/promises"]["get"]["responses"]
    assert {"200", "404", "422"} <= set(declared)
