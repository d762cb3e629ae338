import json
from xml.etree import ElementTree

import pytest
from django.test import Client

from trygg.municipalities.models import Municipality
from trygg.reports.models import Open311Key, Report
from trygg.reports.services import open311_key_create

pytestmark = pytest.mark.django_db

BASE = "/api/open311/v2"
J = "jurisdiction_id=ljungby"


@pytest.fixture
def api_key(reports_demo: Municipality) -> str:
    return open311_key_create(municipality=reports_demo, name="Testappen", by=None)[1]


def test_services_list_the_categories_in_json_and_xml(client: Client, reports_demo: Municipality) -> None:
    services = json.loads(client.get(f"{BASE}/services.json?{J}").content)

    klotter = next(service for service in services if service["service_code"] == "klotter")
    assert klotter == {
        "service_code": "klotter",
        "service_name": "Klotter",
        "description": klotter["description"],
        "metadata": False,
        "type": "realtime",
        "keywords": "klotter",
        "group": "Klotter",
    }
    response = client.get(f"{BASE}/services.xml?{J}")
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "services"
    assert {node.findtext("service_code") for node in root.findall("service")} >= {"klotter", "belysning"}


def test_a_service_definition_has_no_extra_attributes(client: Client, reports_demo: Municipality) -> None:
    assert json.loads(client.get(f"{BASE}/services/klotter.json?{J}").content) == {
        "service_code": "klotter",
        "attributes": [],
    }
    root = ElementTree.fromstring(client.get(f"{BASE}/services/klotter.xml?{J}").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "klotter"


def test_errors_use_the_specs_format_in_json_and_xml(client: Client, reports_demo: Municipality) -> None:
    missing = client.get(f"{BASE}/services/finns-inte.json?{J}")
    assert missing.status_code == 404
    body = json.loads(missing.content)
    assert body[0]["code"] == 404 and body[0]["description"]

    xml = client.get(f"{BASE}/requests/NOPE.xml?{J}")
    root = ElementTree.fromstring(xml.content)
    assert xml.status_code == 404
    assert root.tag == "errors" and root.find("error/code").text == "404"  # type: ignore[union-attr]

    unknown = client.get(f"{BASE}/services.json?jurisdiction_id=atlantis")
    assert unknown.status_code == 404


def test_posting_a_request_needs_a_valid_api_key(client: Client, reports_demo: Municipality) -> None:
    before = Report.objects.count()
    response = client.post(
        f"{BASE}/requests.json",
        {
            "jurisdiction_id": "ljungby",
            "service_code": "klotter",
            "lat": "56.83",
            "long": "13.94",
            "description": "x",
            "api_key": "wrong",
        },
    )

    assert response.status_code == 403
    assert json.loads(response.content)[0]["code"] == 403
    assert Report.objects.count() == before


def test_posting_a_request_files_a_report_and_returns_its_id_and_token(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    response = client.post(
        f"{BASE}/requests.json",
        {
            "jurisdiction_id": "ljungby",
            "service_code": "belysning",
            "lat": "56.8390",
            "long": "13.9600",
            "description": "Gatlampan är släckt.",
            "email": "cy@example.se",
            "first_name": "Cy",
            "last_name": "Ek",
            "api_key": api_key,
        },
    )

    assert response.status_code == 201
    [row] = json.loads(response.content)
    report = Report.objects.get(reference=row["service_request_id"])
    assert report.source == Report.Source.OPEN311
    assert report.reporter_email == "cy@example.se" and report.reporter_name == "Cy Ek"
    token = json.loads(client.get(f"{BASE}/tokens/{row['token']}.json?{J}").content)
    assert token == [{"service_request_id": report.reference, "token": row["token"]}]
    assert Open311Key.objects.get().last_used_at is not None


def test_a_request_can_be_placed_by_an_address_string_from_the_gazetteer(
    client: Client, reports_demo: Municipality, api_key: str
) -> None:
    response = client.post(
        f"{BASE}/requests.xml",
        {
            "service_code": "ovrigt",
            "address_string": "Stora torget",
            "description": "Trasig bänk.",
            "api_key": api_key,
        },
    )

    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)
    reference = root.findtext("request/service_request_id")
    assert Report.objects.get(reference=reference).place_name == "Stora torget"


def test_a_key_of_another_municipality_cannot_post_here(client: Client, reports_demo: Municipality) -> None:
    other = Municipality.objects.create(name="Annan kommun", slug="annan", scb_code="9999", county="X")
    raw = open311_key_create(municipality=other, name="x", by=None)[1]

    response = client.post(
        f"{BASE}/requests.json",
        {
            "jurisdiction_id": "ljungby",
            "service_code": "klotter",
            "lat": "56.83",
            "long": "13.94",
            "description": "x",
            "api_key": raw,
        },
    )

    assert response.status_code == 403


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


def test_requests_are_filtered_by_status_and_service_and_paged(
    client: Client, reports_demo: Municipality
) -> None:
    open_klotter = json.loads(
        client.get(f"{BASE}/requests.json?{J}&service_code=klotter&status=open").content
    )
    assert {row["service_request_id"] for row in open_klotter} == {"EX-LJU-K1", "EX-LJU-K2"}

    first = json.loads(client.get(f"{BASE}/requests.json?{J}&page_size=5&page=1").content)
    second = json.loads(client.get(f"{BASE}/requests.json?{J}&page_size=5&page=2").content)
    assert len(first) == 5 and len(second) == 5
    assert not {row["service_request_id"] for row in first} & {row["service_request_id"] for row in second}

    by_id = json.loads(
        client.get(f"{BASE}/requests.json?{J}&service_request_id=EX-LJU-K1,EX-LJU-B1&status=closed").content
    )
    assert {row["service_request_id"] for row in by_id} == {"EX-LJU-K1", "EX-LJU-B1"}

    assert client.get(f"{BASE}/requests.json?{J}&status=maybe").status_code == 400
    root = ElementTree.fromstring(client.get(f"{BASE}/requests.xml?{J}&page_size=2").content)
    assert root.tag == "service_requests" and len(root.findall("request")) == 2
