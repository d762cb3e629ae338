import pytest
from django.test import Client

from trygg.demo.services import demo_load
from trygg.promises.models import Promise
from trygg.promises.tests.factories import PromiseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_promise() -> Promise:
    return demo_load().promise


def test_the_municipality_list_is_paginated(client: Client, demo_promise: Promise) -> None:
    body = client.get("/api/municipalities").json()

    assert body["count"] == 1
    assert body["items"] == [
        {
            "slug": "ljungby",
            "name": "Ljungby kommun",
            "scb_code": "0781",
            "county": "Kronobergs län",
            "population": 28000,
        }
    ]


def test_the_promise_list_of_a_municipality_hides_drafts(
    client: Client, demo_promise: Promise, settings
) -> None:
    settings.SITE_URL = "https://trygg.example.se"
    PromiseFactory.create(municipality=demo_promise.municipality, slug="utkast", status=Promise.Status.DRAFT)

    body = client.get("/api/municipalities/ljungby/promises").json()

    slugs = [item["slug"] for item in body["items"]]
    assert "2023" in slugs and "utkast" not in slugs
    # The site's configured address, never the Host header the client sent.
    assert "https://trygg.example.se/ljungby/2023/" in [item["url"] for item in body["items"]]


def test_one_promise_has_its_focus_areas_and_activities(client: Client, demo_promise: Promise) -> None:
    body = client.get("/api/municipalities/ljungby/promises/2023").json()

    assert body["title"] == demo_promise.title
    assert body["valid_from"] == "2023-01-01"
    assert body["valid_until"] == "2023-12-31"
    assert len(body["focus_areas"]) == 7
    assert sum(len(area["activities"]) for area in body["focus_areas"]) == 19
    drugs = next(area for area in body["focus_areas"] if area["slug"] == "narkotika")
    wastewater = next(a for a in drugs["activities"] if "avloppsvattnet" in a["text"])
    assert wastewater["quantity"] == 4
    assert wastewater["per"] == "year"
    assert wastewater["commitment"] == "4 mätningar under året"
    assert wastewater["responsible_parties"] == [{"name": "Ljungby kommun", "kind": "municipality"}]
    assert drugs["problems"] == ["narkotika"]
    assert [s["role"] for s in body["signatories"]] == [
        "kommunstyrelsens ordförande",
        "lokalpolisområdeschef",
    ]


def test_a_draft_promise_is_not_in_the_api(client: Client, demo_promise: Promise) -> None:
    PromiseFactory.create(municipality=demo_promise.municipality, slug="2024", status=Promise.Status.DRAFT)

    assert client.get("/api/municipalities/ljungby/promises/2024").status_code == 404
    assert client.get("/api/municipalities/nowhere/promises").status_code == 404


def test_the_openapi_schema_documents_the_public_endpoints(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()

    assert set(schema["paths"]) >= {
        "/api/municipalities",
        "/api/municipalities/{slug}/promises",
        "/api/municipalities/{slug}/promises/{promise_slug}",
    }
    public = {
        path: operations for path, operations in schema["paths"].items() if not path.startswith("/api/staff/")
    }
    assert all(set(operations) == {"get"} for operations in public.values()), "the public API is read-only"
    assert client.get("/api/docs").status_code == 200
