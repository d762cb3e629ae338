"""Open311 GeoReport v2 as the spec writes it and as FixMyStreet's client (perllib/Open311.pm) uses it.

Responses are checked against JSON Schemas written from the specification (open311_schemas/, validated with
`jsonschema`), and XML is read the way FixMyStreet reads it (a dict per element, lists by item name).
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import time_machine
import xmltodict
from django.core import mail
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from trygg.municipalities.models import Municipality
from trygg.reports import services
from trygg.reports.models import Open311Key, Report, ReportCategory
from trygg.reports.services import open311_key_create

pytestmark = pytest.mark.django_db

BASE = "/api/open311/v2"
J = "jurisdiction_id=ljungby"
NOW = dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC)
SCHEMAS = Path(__file__).parent / "open311_schemas"
REGISTRY: Registry = Registry().with_resources(
    (f"https://trygg.invalid/open311/{path.name}", Resource.from_contents(json.loads(path.read_text())))
    for path in SCHEMAS.glob("*.json")
)


def assert_schema(name: str, instance: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator(schema, registry=REGISTRY).validate(instance)


def as_fixmystreet_reads(content: bytes) -> dict[str, Any]:
    """The XML as FixMyStreet's XML::Simple call sees it: lists forced by item name, the root dropped."""
    return xmltodict.parse(
        content,
        force_list=("service", "attribute", "value", "request", "error", "request_update", "group"),
    )


@pytest.fixture
def api_key(reports_demo: Municipality) -> str:
    return open311_key_create(municipality=reports_demo, name="FixMyStreet", by=None)[1]


def post(client: Client, fmt: str = "json", query: str = "", **fields: Any) -> Any:
    data = {"jurisdiction_id": "ljungby", "service_code": "belysning", "lat": "56.8390", "long": "13.9600"}
    data.update({key: value for key, value in fields.items() if value is not None})
    for key in [key for key, value in fields.items() if value is None]:
        data.pop(key, None)
    return client.post(f"{BASE}/requests.{fmt}{query}", data)


# ------------------------------------------------------------------ discovery, services


def test_the_discovery_document_names_the_v2_endpoint_in_json_and_xml(
    client: Client, reports_demo: Municipality, settings
) -> None:
    settings.SITE_URL = "https://trygg.example.se"
    for path in ("/api/open311/discovery.json", f"{BASE}/discovery.json"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = json.loads(response.content)
        assert_schema("discovery", body)
        assert body["endpoints"][0]["url"] == "https://trygg.example.se/api/open311/v2"

    root = ElementTree.fromstring(client.get("/api/open311/discovery.xml").content)
    assert root.tag == "discovery"
    assert [node.text for node in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_list_the_categories_and_say_which_have_attributes(
    client: Client, reports_demo: Municipality
) -> None:
    services_json = json.loads(client.get(f"{BASE}/services.json?{J}").content)

    assert_schema("services", services_json)
    by_code = {service["service_code"]: service for service in services_json}
    assert by_code["klotter"]["metadata"] is True
    assert by_code["belysning"]["metadata"] is False
    response = client.get(f"{BASE}/services.xml?{J}")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    parsed = as_fixmystreet_reads(response.content)["services"]
    assert {service["service_code"] for service in parsed["service"]} == set(by_code)


def test_the_graffiti_definition_asks_whether_it_is_offensive_as_a_single_value_list(
    client: Client, reports_demo: Municipality
) -> None:
    definition = json.loads(client.get(f"{BASE}/services/klotter.json?{J}").content)

    assert_schema("service_definition", definition)
    [offensive] = definition["attributes"]
    assert offensive["code"] == "offensive" and offensive["datatype"] == "singlevaluelist"
    assert {value["key"] for value in offensive["values"]} == {"true", "false"}
    parsed = as_fixmystreet_reads(client.get(f"{BASE}/services/klotter.xml?{J}").content)
    attribute = parsed["service_definition"]["attributes"]["attribute"][0]
    assert attribute["code"] == "offensive" and attribute["variable"] == "true"
    assert [value["key"] for value in attribute["values"]["value"]] == ["false", "true"]
    assert json.loads(client.get(f"{BASE}/services/belysning.json?{J}").content)["attributes"] == []


# ------------------------------------------------------------------------ errors, paths


UNROUTED = [
    ("/api/open311/v2/requests.csv", "json"),
    ("/api/open311/v2/services/KLOTTER.json", "json"),
    ("/api/open311/v2/nothing.xml", "xml"),
    ("/api/open311/v3/services.json", "json"),
    ("/api/open311/v2/requests/EX-LJU-K1/", "json"),
    ("/api/open311/", "json"),
]


def test_every_path_under_the_endpoint_answers_an_open311_error_with_cors(
    client: Client, reports_demo: Municipality
) -> None:
    for path, fmt in UNROUTED:
        response = client.get(f"{path}?{J}")

        assert response.status_code == 404, path
        assert response["Access-Control-Allow-Origin"] == "*"
        if fmt == "xml":
            assert response["Content-Type"] == "text/xml; charset=utf-8"
            errors = as_fixmystreet_reads(response.content)["errors"]["error"]
            assert errors[0]["code"] == "404" and errors[0]["description"]
        else:
            assert response["Content-Type"] == "application/json; charset=utf-8"
            assert_schema("errors", json.loads(response.content))


def test_errors_of_real_resources_carry_cors_and_the_specs_shape(
    client: Client, reports_demo: Municipality
) -> None:
    missing = client.get(f"{BASE}/requests/NOPE.xml?{J}")
    assert missing.status_code == 404 and missing["Access-Control-Allow-Origin"] == "*"
    assert as_fixmystreet_reads(missing.content)["errors"]["error"][0]["code"] == "404"

    unknown = client.get(f"{BASE}/services.json?jurisdiction_id=atlantis")
    assert unknown.status_code == 404 and unknown["Access-Control-Allow-Origin"] == "*"
    assert_schema("errors", json.loads(unknown.content))

    preflight = client.options(f"{BASE}/requests.json")
    assert preflight.status_code == 204 and "POST" in preflight["Access-Control-Allow-Methods"]


def test_open311_has_one_mount_without_a_language_prefix(client: Client, reports_demo: Municipality) -> None:
    assert client.get(f"{BASE}/services.json?{J}").status_code == 200
    assert client.get(f"/en{BASE}/services.json?{J}").status_code == 404
    assert client.get(f"/sv{BASE}/services.json?{J}").status_code == 404


ABSURD = [
    "page=99999999999999999",
    "page=99999999999999999&page_size=1000",
    "page_size=99999999999999999",
    "jurisdiction_id=%00",
    "jurisdiction_id=ljungby%00",
    "service_code=%00",
    "service_request_id=%00",
    "start_date=%00",
    "status=%00",
    "start_date=9999-99-99",
    "end_date=2026-13-45T99:99:99",
    "start_date=0001-01-01T00:00:00%2B01:00",
    "end_date=9999-12-31T23:59:59-12:00",
]


def test_absurd_and_nul_parameters_never_give_a_server_error(
    client: Client, reports_demo: Municipality
) -> None:
    for query in ABSURD:
        for path in ("requests.json", "requests.xml", "servicerequestupdates.xml", "services.json"):
            response = client.get(f"{BASE}/{path}?{query}")
            assert response.status_code < 500, (path, query)
            assert response["Access-Control-Allow-Origin"] == "*"


def test_a_page_beyond_the_end_is_an_empty_list(client: Client, reports_demo: Municipality) -> None:
    response = client.get(f"{BASE}/requests.json?{J}&page=99999999999999999")

    assert response.status_code == 200
    assert json.loads(response.content) == []


# ------------------------------------------------------------------------------ reads


def test_requests_are_paged_by_1000_by_default(client: Client, reports_demo: Municipality) -> None:
    template = Report.objects.get(reference="EX-LJU-K1")
    now = timezone.now()
    Report.objects.bulk_create(
        [
            Report(
                municipality=reports_demo,
                category=template.category,
                reference=f"T-{number:05d}",
                description="Klotter.",
                latitude=template.latitude,
                longitude=template.longitude,
                public_latitude=template.public_latitude,
                public_longitude=template.public_longitude,
                created_at=now - dt.timedelta(minutes=number),
                due_at=now,
            )
            for number in range(1001)
        ]
    )
    total = Report.objects.filter(municipality=reports_demo).count()

    first = json.loads(client.get(f"{BASE}/requests.json?{J}").content)
    second = json.loads(client.get(f"{BASE}/requests.json?{J}&page=2").content)

    assert len(first) == 1000
    assert len(first) + len(second) == total
    assert client.get(f"{BASE}/requests.json?{J}&page_size=1001").status_code == 400


def test_a_closed_report_tells_its_public_note_and_detailed_state(
    client: Client, reports_demo: Municipality, coordinator
) -> None:
    report = Report.objects.get(reference="EX-LJU-K1")
    services.report_change(report=report, by=coordinator, state=Report.State.RESOLVED, note="Städat.")

    [row] = json.loads(client.get(f"{BASE}/requests/EX-LJU-K1.json?{J}").content)

    assert_schema("service_requests", [row])
    assert row["status"] == "closed"
    assert row["status_notes"] == "Städat."
    assert row["external_status_code"] == "resolved"
    assert row["media_url"] is None


def test_a_single_request_shows_only_the_snapped_point_and_no_reporter_data(
    client: Client, reports_demo: Municipality
) -> None:
    report = Report.objects.get(reference="EX-LJU-S3")
    Report.objects.filter(pk=report.pk).update(reporter_email="hemlig@example.se", reporter_name="Hemlig")

    body = client.get(f"{BASE}/requests/EX-LJU-S3.json?{J}").content.decode()
    [row] = json.loads(body)

    assert row["status"] == "closed"
    assert row["status_notes"].startswith("Staketet ägs")
    assert (row["lat"], row["long"]) == (round(report.public_latitude, 6), round(report.public_longitude, 6))
    assert "hemlig" not in body.lower()
    assert str(round(report.latitude, 6)) not in body


def test_requests_are_filtered_by_status_service_and_ids(client: Client, reports_demo: Municipality) -> None:
    open_klotter = json.loads(
        client.get(f"{BASE}/requests.json?{J}&service_code=klotter&status=open").content
    )
    assert {row["service_request_id"] for row in open_klotter} == {"EX-LJU-K1", "EX-LJU-K2"}
    assert_schema("service_requests", open_klotter)

    first = json.loads(client.get(f"{BASE}/requests.json?{J}&page_size=5&page=1").content)
    second = json.loads(client.get(f"{BASE}/requests.json?{J}&page_size=5&page=2").content)
    assert len(first) == 5 and len(second) == 5
    assert not {row["service_request_id"] for row in first} & {row["service_request_id"] for row in second}

    by_id = json.loads(
        client.get(f"{BASE}/requests.json?{J}&service_request_id=EX-LJU-K1,EX-LJU-B1&status=closed").content
    )
    assert {row["service_request_id"] for row in by_id} == {"EX-LJU-K1", "EX-LJU-B1"}
    assert client.get(f"{BASE}/requests.json?{J}&status=maybe").status_code == 400
    root = as_fixmystreet_reads(client.get(f"{BASE}/requests.xml?{J}&page_size=2").content)
    assert len(root["service_requests"]["request"]) == 2


def test_control_characters_stored_earlier_never_make_the_xml_unreadable(
    client: Client, reports_demo: Municipality
) -> None:
    Report.objects.filter(reference="EX-LJU-K1").update(description="Klotter\x0b på\x1b väggen\x01\ufffe.")

    response = client.get(f"{BASE}/requests.xml?{J}")

    root = ElementTree.fromstring(response.content)  # raises on a document that is not well-formed
    texts = [node.findtext("description") for node in root.findall("request")]
    assert "Klotter på väggen." in texts


# ------------------------------------------------------------------------------ updates


def test_service_request_updates_give_each_public_change_with_fixmystreets_statuses(
    client: Client, reports_demo: Municipality, coordinator
) -> None:
    report = Report.objects.get(reference="EX-LJU-K1")
    services.report_change(report=report, by=coordinator, state=Report.State.RECEIVED, now=NOW)
    services.report_change(
        report=report, by=coordinator, note="Vi tittar på det i veckan.", now=NOW + dt.timedelta(hours=1)
    )
    services.report_change(
        report=report,
        by=coordinator,
        state=Report.State.NOT_RESPONSIBLE,
        note="Väggen ägs av Trafikverket.",
        now=NOW + dt.timedelta(hours=2),
    )
    window = "start_date=2026-12-06T09:30:00Z&end_date=2026-12-06T12:30:00Z"

    response = client.get(f"{BASE}/servicerequestupdates.json?{J}&{window}&api_key=whatever")

    assert response.status_code == 200
    updates = json.loads(response.content)
    assert_schema("service_request_updates", updates)
    assert [(u["service_request_id"], u["status"], u["external_status_code"]) for u in updates] == [
        ("EX-LJU-K1", "investigating", "received"),
        ("EX-LJU-K1", "investigating", "received"),
        ("EX-LJU-K1", "not_councils_responsibility", "not_responsible"),
    ]
    assert updates[1]["description"] == "Vi tittar på det i veckan."
    assert updates[2]["description"] == "Väggen ägs av Trafikverket."
    # FixMyStreet's map_state lowercases and turns underscores into spaces: "not councils responsibility" is its
    # "not responsible", not "fixed - council" as a bare "closed" would be.
    assert updates[2]["status"].replace("_", " ") == "not councils responsibility"
    parsed = as_fixmystreet_reads(client.get(f"{BASE}/servicerequestupdates.xml?{J}&{window}").content)
    assert [update["update_id"] for update in parsed["service_request_updates"]["request_update"]] == [
        update["update_id"] for update in updates
    ]


def test_service_request_updates_keep_to_the_asked_window(
    client: Client, reports_demo: Municipality, coordinator
) -> None:
    report = Report.objects.get(reference="EX-LJU-K1")
    services.report_change(
        report=report, by=coordinator, state=Report.State.RESOLVED, note="Städat.", now=NOW
    )

    before = json.loads(
        client.get(
            f"{BASE}/servicerequestupdates.json?{J}&start_date=2026-12-06T08:00:00Z&end_date=2026-12-06T09:59:59Z"
        ).content
    )
    during = json.loads(
        client.get(
            f"{BASE}/servicerequestupdates.json?{J}&start_date=2026-12-06T10:00:00Z&end_date=2026-12-06T11:00:00Z"
        ).content
    )

    # The demo's reports and their updates are dated from the day the test runs, so on some days one of them falls
    # in a window too: only the update made here is looked for.
    def made_here(updates: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        return [
            (u["status"], u["description"], u["updated_datetime"])
            for u in updates
            if u["service_request_id"] == "EX-LJU-K1" and u["description"] == "Städat."
        ]

    assert made_here(before) == []
    assert made_here(during) == [("fixed", "Städat.", "2026-12-06T11:00:00+01:00")]


def test_updates_of_a_hidden_report_are_not_published(
    client: Client, reports_demo: Municipality, coordinator
) -> None:
    report = Report.objects.get(reference="EX-LJU-K1")
    services.report_change(
        report=report, by=coordinator, state=Report.State.RESOLVED, note="Städat.", now=NOW
    )
    Report.objects.filter(pk=report.pk).update(is_public=False)

    body = client.get(f"{BASE}/servicerequestupdates.json?{J}&service_request_id=EX-LJU-K1").content

    assert json.loads(body) == []


# ------------------------------------------------------------------------------ posting


def test_posting_needs_a_valid_api_key(client: Client, reports_demo: Municipality) -> None:
    before = Report.objects.count()

    response = post(client, api_key="wrong", description="x")

    assert response.status_code == 403
    assert_schema("errors", json.loads(response.content))
    assert Report.objects.count() == before


def test_a_post_as_fixmystreet_sends_it_files_a_report_and_answers_with_its_id_only(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    response = post(
        client,
        "xml",
        api_key=api_key,
        service_code="klotter",
        description="Titel: Klotter\n\nBeskrivning: Tags på elskåpet.\n\nLänk till ärendet: https://fixamingata.se/report/1",
        email="cy@example.se",
        first_name="Cy",
        last_name="Ek",
        **{"attribute[offensive]": "true", "attribute[uprn]": "123"},
    )

    assert response.status_code == 201
    [row] = as_fixmystreet_reads(response.content)["service_requests"]["request"]
    assert "token" not in row
    report = Report.objects.get(reference=row["service_request_id"])
    assert report.source == Report.Source.OPEN311 and report.open311_key == Open311Key.objects.get()
    assert report.reporter_email == "cy@example.se" and report.reporter_name == "Cy Ek"
    assert report.offensive is True
    assert report.due_at - report.created_at == dt.timedelta(hours=24)
    assert Open311Key.objects.get().last_used_at is not None
    json_answer = post(client, api_key=api_key, description="Släckt lampa.")
    assert_schema("post_response", json.loads(json_answer.content))


def test_a_post_sent_again_after_a_lost_answer_gets_the_same_report_and_files_no_second(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    fields = {
        "api_key": api_key,
        "service_code": "klotter",
        "description": "Tags på elskåpet vid skolan.",
        "email": "cy@example.se",
        "attribute[fixmystreet_id]": "4711",
        "attribute[report_url]": "https://fixamingata.se/report/4711",
    }
    with time_machine.travel(NOW, tick=False):
        first = post(client, **fields)
        before = Report.objects.count()
        again = post(client, **fields)
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        next_day = post(client, "xml", **fields)

    assert first.status_code == again.status_code == next_day.status_code == 201
    reference = json.loads(first.content)[0]["service_request_id"]
    assert json.loads(again.content)[0]["service_request_id"] == reference
    [row] = as_fixmystreet_reads(next_day.content)["service_requests"]["request"]
    assert row["service_request_id"] == reference
    assert Report.objects.count() == before
    assert_schema("post_response", json.loads(again.content))


def test_posts_that_differ_in_anything_or_come_from_another_key_or_days_later_are_reports_of_their_own(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    other_key = open311_key_create(municipality=reports_demo, name="Appen", by=None)[1]
    fields = {
        "service_code": "klotter",
        "description": "Klotter på bänken.",
        "attribute[fixmystreet_id]": "1",
    }
    with time_machine.travel(NOW, tick=False):
        references = [
            post(client, api_key=api_key, **fields),
            # The same words about another report of the same client.
            post(client, api_key=api_key, **{**fields, "attribute[fixmystreet_id]": "2"}),
            post(client, api_key=api_key, **{**fields, "lat": "56.8391"}),
            post(client, api_key=other_key, **fields),
        ]
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        references.append(post(client, api_key=api_key, **fields))

    assert [response.status_code for response in references] == [201] * 5
    assert len({json.loads(response.content)[0]["service_request_id"] for response in references}) == 5


def test_an_offensive_answer_outside_the_list_is_refused(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    response = post(client, api_key=api_key, service_code="klotter", **{"attribute[offensive]": "kanske"})

    assert response.status_code == 400
    assert "attribute" in json.loads(response.content)[0]["description"]


def test_the_description_is_optional_and_may_be_4000_characters(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    assert post(client, api_key=api_key).status_code == 201
    assert post(client, api_key=api_key, description="å" * 4000).status_code == 201
    before = Report.objects.count()

    too_long = post(client, api_key=api_key, description="å" * 4001)

    assert too_long.status_code == 400
    assert "4000" in json.loads(too_long.content)[0]["description"]
    assert Report.objects.count() == before


def test_control_characters_in_a_description_are_removed_before_filing(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    response = post(client, api_key=api_key, description="Lampan\x00 är\x0b släckt.\r\nHela gatan.")

    [row] = json.loads(response.content)
    assert (
        Report.objects.get(reference=row["service_request_id"]).description
        == "Lampan är släckt.\nHela gatan."
    )
    ElementTree.fromstring(client.get(f"{BASE}/requests.xml?{J}").content)


def test_an_address_with_the_town_appended_is_found_in_the_gazetteer(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    for address in ("Storgatan 12, Ljungby", "Stora torget, 341 30 Ljungby", "Stora torget"):
        response = post(client, "xml", api_key=api_key, lat=None, long=None, address_string=address)
        assert response.status_code == 201, address
        reference = ElementTree.fromstring(response.content).findtext("request/service_request_id")
        assert Report.objects.get(reference=reference).place_name in {"Storgatan 12", "Stora torget"}


def test_an_address_id_is_accepted_beside_a_point_and_alone_when_the_gazetteer_knows_it(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    assert post(client, api_key=api_key, address_id="#NOTPINPOINTED#", description="x").status_code == 201
    alone = post(client, "xml", api_key=api_key, lat=None, long=None, address_id="Stora torget")
    assert alone.status_code == 201
    reference = ElementTree.fromstring(alone.content).findtext("request/service_request_id")
    assert Report.objects.get(reference=reference).place_name == "Stora torget"

    unknown = post(client, api_key=api_key, lat=None, long=None, address_id="#NOTPINPOINTED#")
    assert unknown.status_code == 400
    assert "address_id" in json.loads(unknown.content)[0]["description"]


def test_the_api_key_may_come_in_the_query_string(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    response = post(client, query=f"?api_key={api_key}", description="Släckt.")

    assert response.status_code == 201


def test_a_point_outside_the_municipality_is_refused_with_a_clear_message(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    before = Report.objects.count()
    for latitude, longitude in [(59.33, 18.06), (-89.9, 179.9), (0, 0), (56.7, 15.1)]:
        response = post(
            client, api_key=api_key, lat=str(latitude), long=str(longitude), description="Klotter."
        )

        assert response.status_code == 400
        [error] = json.loads(response.content)
        assert "utanför Ljungby kommun" in error["description"]
    assert Report.objects.count() == before


def test_emergency_wording_is_filed_with_the_112_advice(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    response = post(client, api_key=api_key, description="En man hotade mig med kniv vid lampan.")

    assert response.status_code == 201
    [row] = json.loads(response.content)
    assert "112" in row["service_notice"]
    [request] = json.loads(client.get(f"{BASE}/requests/{row['service_request_id']}.json?{J}").content)
    assert "112" in request["status_notes"]


def test_a_key_of_another_municipality_cannot_post_here(client: Client, reports_demo: Municipality) -> None:
    other = Municipality.objects.create(name="Annan kommun", slug="annan", scb_code="0780", county="X")
    raw = open311_key_create(municipality=other, name="x", by=None)[1]

    assert post(client, api_key=raw, description="x").status_code == 403


# --------------------------------------------------------------------------- rate limits


def test_posts_count_per_key_apart_from_the_web_form_and_get_429_with_retry_after(
    client: Client, reports_demo: Municipality, api_key: str, settings
) -> None:
    settings.REPORTS_OPEN311_RATE_LIMIT = (3, 3600)
    settings.REPORTS_RATE_LIMIT = (2, 600)  # the residents' form: must not be what stops an integrator
    second_key = open311_key_create(municipality=reports_demo, name="Appen", by=None)[1]
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            assert post(client, api_key=api_key, description="Släckt.").status_code == 201
        before = Report.objects.count()

        refused = post(client, api_key=api_key, description="Släckt.")

        assert refused.status_code == 429
        assert refused["Retry-After"] == "3600"
        assert refused["Access-Control-Allow-Origin"] == "*"
        assert Report.objects.count() == before
        assert post(client, api_key=second_key, description="Släckt.").status_code == 201


def test_a_post_with_an_unknown_service_code_is_answered_before_it_is_counted(
    client: Client, reports_demo: Municipality, api_key: str, settings
) -> None:
    settings.REPORTS_OPEN311_RATE_LIMIT = (1, 3600)
    settings.REPORTS_RATE_LIMIT = (1, 600)  # the web form's: Open311 posts must not be counted there either
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            assert post(client, api_key=api_key, service_code="finns-inte").status_code == 404

        assert post(client, api_key=api_key, description="Släckt.").status_code == 201


# ------------------------------------------------------------------------------ e-mail


def test_trygg_mails_a_keys_reporters_only_when_the_keys_settings_say_so(
    client: Client, reports_demo: Municipality, api_key: str, coordinator, django_capture_on_commit_callbacks
) -> None:
    [silent] = json.loads(post(client, api_key=api_key, email="fms-user@example.se").content)
    loud_key = open311_key_create(municipality=reports_demo, name="Appen", by=None, notify_reporters=True)[1]
    [loud] = json.loads(post(client, api_key=loud_key, email="app-user@example.se").content)
    mail.outbox.clear()

    for row in (silent, loud):
        report = Report.objects.get(reference=row["service_request_id"])
        with django_capture_on_commit_callbacks(execute=True):
            services.report_change(report=report, by=coordinator, state=Report.State.RESOLVED, note="Lagad.")

    assert [message.to for message in mail.outbox] == [["app-user@example.se"]]


# --------------------------------------------------------------- the georeport client


@pytest.mark.django_db(transaction=True)
def test_the_georeport_client_reads_services_definitions_and_requests_over_http(
    live_server, settings
) -> None:
    from georeport import GeoReport

    from trygg.demo.reports import load_reports_demo
    from trygg.demo.services import demo_load

    municipality = demo_load().municipality
    load_reports_demo(municipality)
    for output_format in ("json", "xml"):
        client = GeoReport(f"{live_server.url}{BASE}", jurisdiction="ljungby", output_format=output_format)

        services_found = client.get_service_list()
        assert {service["service_code"] for service in services_found} >= {"klotter", "belysning"}
        definition = client.get_service_definition("klotter")
        assert definition["service_code"] == "klotter"
        requests_found = client.get_service_requests(service_code="klotter", status="open")
        references = {request["service_request_id"] for request in requests_found}
        assert references == {"EX-LJU-K1", "EX-LJU-K2"}
        one = client.get_service_request("EX-LJU-K1")
        assert one["service_request_id"] == "EX-LJU-K1" and one["status"] == "open"
    assert ReportCategory.objects.filter(municipality=municipality, slug="klotter").exists()
