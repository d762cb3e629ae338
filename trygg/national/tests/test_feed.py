import datetime as dt

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


def test_an_updated_since_at_the_calendars_end_is_a_422_and_a_naive_time_is_read_in_the_sites_zone(
    client,
) -> None:
    for endpoint in ("promises", "statuses"):
        refused = client.get(f"/api/federation/{endpoint}?updated_since=0001-01-01")
        assert refused.status_code == 422
        assert "1900" in refused.content.decode()
        assert client.get(f"/api/federation/{endpoint}?updated_since=2026-01-01T00:00:00").status_code == 200


def test_a_page_marker_beyond_any_id_or_of_another_form_is_refused_with_a_422(client) -> None:
    too_large = str(2**63)
    for endpoint in ("promises", "focus_areas", "activities", "executions", "deletions"):
        assert client.get(f"/api/federation/{endpoint}?after={too_large}").status_code == 422
        assert client.get(f"/api/federation/{endpoint}?after={2**63 - 1}").status_code == 200
    for marker in (f"assessment:{too_large}", "cancellation:1e5", "assessment:٣", "x:1"):
        assert client.get("/api/federation/statuses", {"after": marker}).status_code == 422
    assert client.get("/api/federation/statuses", {"after": "cancellation:0"}).status_code == 200


def test_an_updated_since_with_an_offset_postgresql_cannot_write_is_read_as_the_same_moment(
    client, official
) -> None:
    since = client.get("/api/federation/promises").json()["server_time"]
    far_west = dt.datetime.fromisoformat(since).astimezone(dt.timezone(-dt.timedelta(hours=21, minutes=34)))

    for endpoint in ("promises", "executions", "statuses", "deletions"):
        answer = client.get(f"/api/federation/{endpoint}", {"updated_since": far_west.isoformat()})
        assert answer.status_code == 200
        assert answer.json()["items"] == []
