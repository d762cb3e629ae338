import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
import time_machine
from pyshacl import validate
from rdflib import DCAT, DCTERMS, RDF, BNode, Graph, URIRef

from trygg.national.tests.conftest import make_promise

pytestmark = pytest.mark.django_db
SHAPES = Path(__file__).with_name("dcat_ap_se_shapes.ttl")
FROZEN = time_machine.travel(dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def data(official, settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    settings.OPEN_DATA_PUBLISHER_ORGNR = "212000-0704"
    settings.OPEN_DATA_PUBLISHER_NAME = "Ljungby kommun"
    promise = make_promise(official["0781"], activities=3, executions=2)
    activity = promise.focus_areas.get().activities.earliest("pk")
    activity.text = '=HYPERLINK("http://evil")'
    activity.save()
    return promise


def _catalogue(client) -> Graph:
    response = client.get("/oppna-data/katalog.rdf")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rdf+xml")
    assert response["Access-Control-Allow-Origin"] == "*"
    graph = Graph()
    graph.parse(data=response.content, format="xml")
    return graph


@FROZEN
def test_the_catalogue_is_valid_dcat_ap_se_by_the_shapes_and_has_no_blank_nodes_or_relative_iris(
    client, data
) -> None:
    graph = _catalogue(client)
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _report_graph, report = validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, report
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)
    assert all(
        str(term).startswith(("http://", "https://", "mailto:"))
        for term in graph.all_nodes()
        if isinstance(term, URIRef)
    )
    publishers = set(graph.objects(None, DCTERMS.publisher))
    assert publishers == {URIRef("http://dataportal.se/organisation/SE2120000704")}
    services = list(graph.subjects(RDF.type, DCAT.DataService))
    assert [str(o) for s in services for o in graph.objects(s, DCAT.endpointDescription)] == [
        "http://testserver/api/openapi.json"
    ]


@FROZEN
def test_dataset_identifiers_are_uuids_that_stay_the_same(client, data) -> None:
    first = sorted(str(o) for o in _catalogue(client).objects(None, DCTERMS.identifier))
    second = sorted(str(o) for o in _catalogue(client).objects(None, DCTERMS.identifier))
    assert first == second and len(first) == 4
    assert all(re.fullmatch(r"[0-9a-f-]{36}", identifier) for identifier in first)


@FROZEN
def test_the_shapes_catch_a_catalogue_without_a_publisher(client, data) -> None:
    graph = _catalogue(client)
    for dataset in list(graph.subjects(RDF.type, DCAT.Dataset))[:1]:
        graph.remove((dataset, DCTERMS.publisher, None))
    conforms, _graph, _report = validate(graph, shacl_graph=Graph().parse(SHAPES, format="turtle"))
    assert not conforms


def _read(client, url: str) -> bytes:
    return b"".join(client.get(url).streaming_content)


@FROZEN
def test_the_downloads_carry_the_kommunkod_and_read_back_with_polars_and_the_csv_module(client, data) -> None:
    rows = list(
        csv.DictReader(io.StringIO(_read(client, "/oppna-data/installation/activities.csv").decode()))
    )
    assert {row["kommunkod"] for row in rows} == {"0781"}
    assert len(rows) == 3
    assert any(row["text"].startswith("'=HYPERLINK") for row in rows), "a formula is neutralised in the CSV"
    executions = pl.read_parquet(
        io.BytesIO(b"".join(client.get("/oppna-data/installation/executions.parquet").streaming_content))
    )
    assert executions.height == 6 and executions["kommunkod"].dtype == pl.String
    statuses = list(
        csv.DictReader(io.StringIO(_read(client, "/oppna-data/installation/statuses.csv").decode()))
    )
    assert {row["status"] for row in statuses} == {"done"}
    everything = json.loads(b"".join(client.get("/oppna-data/installation/all.json").streaming_content))
    assert len(everything["promises"]) == 1 and everything["promises"][0]["kommunkod"] == "0781"


def test_an_unknown_open_data_file_is_not_found(client, data) -> None:
    assert client.get("/oppna-data/installation/secret.txt").status_code == 404
    assert client.get("/oppna-data/national/promises.csv").status_code == 404
