import pytest
from openapi_spec_validator import validate

from trygg.followup.models import Execution
from trygg.national.tests.conftest import make_promise
from trygg.promises.models import Promise

pytestmark = pytest.mark.django_db


def test_the_federation_endpoints_are_in_a_valid_openapi_schema(client) -> None:
    schema = client.get("/api/openapi.json").json()
    validate(schema)
    for endpoint in (
        "discovery",
        "promises",
        "focus_areas",
        "activities",
        "executions",
        "statuses",
        "deletions",
    ):
        assert f"/api/federation/{endpoint}" in schema["paths"]
    assert "updated_since" in str(schema["paths"]["/api/federation/executions"])


def test_the_feed_pages_by_id_and_answers_304_while_nothing_changed(client, official) -> None:
    make_promise(official["0781"], activities=3, executions=2)
    first = client.get("/api/federation/executions?limit=4")
    page = first.json()
    assert len(page["items"]) == 4 and page["next"]
    assert first["Access-Control-Allow-Origin"] == "*"
    rest = client.get(page["next"].removeprefix("http://testserver")).json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    assert (
        client.get("/api/federation/executions?limit=4", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )


def test_updated_since_gives_only_what_changed_and_deletions_give_withdrawn_and_deleted_objects(
    client, official
) -> None:
    promise = make_promise(official["0781"], activities=2, executions=1)
    since = client.get("/api/federation/promises").json()["server_time"]
    assert client.get("/api/federation/executions", {"updated_since": since}).json()["items"] == []
    execution = Execution.objects.filter(activity__focus_area__promise=promise).earliest("pk")
    execution.withdrawn = True
    execution.save()
    activity = promise.focus_areas.get().activities.latest("pk")
    activity_id = activity.pk
    activity.delete()
    markers = client.get("/api/federation/deletions", {"updated_since": since}).json()["items"]
    assert {(marker["kind"], marker["id"]) for marker in markers} >= {
        ("execution", execution.pk),
        ("activity", activity_id),
    }


def test_a_draft_and_a_harvested_promise_are_never_in_the_feed(client, official) -> None:
    from trygg.national.models import HarvestSource, PromiseSource

    make_promise(official["0781"], status=Promise.Status.DRAFT)
    harvested = make_promise(official["0767"])
    PromiseSource.objects.create(
        promise=harvested,
        kind=PromiseSource.Kind.HARVESTED,
        fetched_at="2026-12-01T00:00:00Z",
        extraction="Trygg-flöde 1",
        harvest_source=HarvestSource.objects.create(
            name="X", discovery_url="http://127.0.0.1:1/api/federation/discovery"
        ),
    )
    assert client.get("/api/federation/promises").json()["items"] == []


def test_a_ping_marks_only_a_registered_source_and_says_the_same_for_any_address(client, db) -> None:
    from trygg.national.models import HarvestSource

    source = HarvestSource.objects.create(
        name="X", discovery_url="http://127.0.0.1:9/api/federation/discovery"
    )
    assert (
        client.post("/federation/ping", {"hub.mode": "publish", "hub.url": "http://elsewhere/"}).status_code
        == 202
    )
    assert not HarvestSource.objects.get(pk=source.pk).ping_pending
    assert (
        client.post(
            "/federation/ping",
            {"hub.mode": "publish", "hub.url": "http://127.0.0.1:9/api/federation/promises"},
        ).status_code
        == 202
    )
    assert HarvestSource.objects.get(pk=source.pk).ping_pending
    assert client.post("/federation/ping", {"hub.mode": "subscribe"}).status_code == 400
