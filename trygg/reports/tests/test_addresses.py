"""Issue 19 item 4: typed addresses, the map's nearest address, the receipt mail and the form's own words."""

import uuid
from pathlib import Path
from typing import Any

import osmium
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from osmium.osm.mutable import Node, Way

from trygg.municipalities.models import Municipality
from trygg.reports.models import Place, Report
from trygg.reports.selectors import place_resolve
from trygg.reports.services import place_normalize
from trygg.reports.tests.test_public import _post

pytestmark = pytest.mark.django_db

FORM = "/ljungby/felanmalan/"


@pytest.mark.parametrize(
    ("typed", "name", "street"),
    [
        ("storgatan 12 ljungby", "Storgatan 12", "Storgatan"),
        ("Storgatan 12, Ljungby", "Storgatan 12", "Storgatan"),
        ("STORGATAN 12, Ljungby", "Storgatan 12", "Storgatan"),
        ("Storgatan 12, 341 30 Ljungby", "Storgatan 12", "Storgatan"),
        ("Kungsgatan 5", "Kungsgatan 5", "Kungsgatan"),
        ("kungsgatan 5 b", "Kungsgatan 5B", "Kungsgatan"),
        ("Skanegatan 3", "Skånegatan 3", "Skånegatan"),
        ("agardsvagen", "Ågårdsvägen", "Ågårdsvägen"),
        ("Rune B. Johanssons gata 4", "Rune B Johanssons gata 4", "Rune B Johanssons gata"),
        ("Stora torget Ljungby", "Stora torget", "Stora torget"),
        ("  stora   TORGET  ", "Stora torget", "Stora torget"),
    ],
)
def test_a_typed_address_is_found_whatever_its_house_number_town_case_or_diacritics(
    client: Client, reports_demo: Municipality, typed: str, name: str, street: str
) -> None:
    response = _post(client, reports_demo, place=typed)

    assert response.status_code == 302, response.content.decode()
    report = Report.objects.get(source=Report.Source.WEB)
    place = Place.objects.get(municipality=reports_demo, name=street)
    assert report.place_name == name
    assert (report.latitude, report.longitude) == (place.latitude, place.longitude)


def test_an_address_point_wins_over_its_street_and_gives_its_own_point(reports_demo: Municipality) -> None:
    Place.objects.create(
        municipality=reports_demo,
        name="Storgatan 12",
        normalized=place_normalize("Storgatan 12"),
        kind=Place.ADDRESS,
        locality="Ljungby",
        latitude=56.83201,
        longitude=13.93921,
    )

    match = place_resolve(municipality=reports_demo, text="storgatan 12 ljungby")

    assert match.place is not None and match.place.kind == Place.ADDRESS
    assert (match.name, match.place.latitude) == ("Storgatan 12", 56.83201)


def test_the_typed_town_picks_between_two_streets_of_one_name(
    client: Client, reports_demo: Municipality
) -> None:
    Place.objects.filter(municipality=reports_demo, name="Storgatan").update(locality="Ljungby")
    Place.objects.create(
        municipality=reports_demo,
        name="Storgatan",
        normalized="storgatan",
        kind="gata",
        locality="Lagan",
        latitude=56.9160,
        longitude=13.9870,
    )

    lagan = place_resolve(municipality=reports_demo, text="Storgatan 3, Lagan")
    either = _post(client, reports_demo, place="Storgatan 3")

    assert lagan.place is not None and (lagan.place.locality, lagan.name) == ("Lagan", "Storgatan 3")
    assert either.status_code == 400
    page = either.content.decode()
    assert "Storgatan, Lagan" in page and "Storgatan, Ljungby" in page
    assert not Report.objects.filter(source=Report.Source.WEB).exists()


def test_a_misspelt_street_is_offered_and_never_filed(client: Client, reports_demo: Municipality) -> None:
    response = _post(client, reports_demo, place="Storgtan 4")

    assert response.status_code == 400
    assert "Storgatan" in response.content.decode()
    assert not Report.objects.filter(source=Report.Source.WEB).exists()


def test_the_demo_gazetteer_covers_central_ljungby_from_its_data_file(reports_demo: Municipality) -> None:
    names = set(Place.objects.filter(municipality=reports_demo).values_list("name", flat=True))

    assert {
        "Storgatan",
        "Kungsgatan",
        "Drottninggatan",
        "Olofsgatan",
        "Stora torget",
        "Lilla torget",
    } <= names
    assert len(names) >= 20
    data = (Path(__file__).resolve().parents[2] / "demo" / "data" / "ljungby_gazetteer.csv").read_text()
    assert "APPROXIMATE" in data


# ----------------------------------------------------------------- the map's nearest address


def test_the_map_names_the_nearest_known_address_to_a_clicked_point(
    client: Client, reports_demo: Municipality, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        near = client.get("/ljungby/felanmalan/plats.json", {"lat": "56.83225", "lon": "13.93985"})
    far = client.get("/ljungby/felanmalan/plats.json", {"lat": "56.70", "lon": "13.70"})

    assert near.status_code == 200
    assert near.json()["name"] == "Storgatan" and near.json()["distance_m"] < 10
    assert far.json() == {"name": None, "distance_m": None}


def test_the_nearest_address_refuses_what_is_not_a_point_and_a_municipality_that_does_not_exist(
    client: Client, reports_demo: Municipality
) -> None:
    assert client.get("/ljungby/felanmalan/plats.json", {"lat": "x", "lon": "13.9"}).status_code == 400
    assert client.get("/ljungby/felanmalan/plats.json", {"lat": "nan", "lon": "13.9"}).json()["name"] is None
    assert client.get("/ingenstans/felanmalan/plats.json", {"lat": "56.8", "lon": "13.9"}).status_code == 404


def test_a_report_picked_on_the_map_keeps_the_typed_address_as_its_name(
    client: Client, reports_demo: Municipality
) -> None:
    response = _post(client, reports_demo, place="Kungsgatan 5", latitude="56.83300", longitude="13.94100")

    assert response.status_code == 302
    report = Report.objects.get(source=Report.Source.WEB)
    assert (report.place_name, report.latitude, report.longitude) == ("Kungsgatan 5", 56.833, 13.941)


def test_a_report_without_a_place_name_reads_near_the_nearest_place_and_never_as_a_dash(
    client: Client, reports_demo: Municipality
) -> None:
    _post(client, reports_demo, place="", latitude="56.84605", longitude="13.95615")
    _post(client, reports_demo, place="", latitude="56.7000", longitude="13.7000")
    near, far = Report.objects.filter(source=Report.Source.WEB).order_by("latitude").reverse()

    near_page = client.get(near.get_absolute_url()).content.decode()
    far_page = client.get(far.get_absolute_url()).content.decode()

    assert near.place_name == "" and "Nära Ljungbyporten" in near_page
    latitude, longitude = (
        f"{value:.4f}".replace(".", ",") for value in (far.public_latitude, far.public_longitude)
    )
    assert f"En punkt på kartan (latitud {latitude}, longitud {longitude})" in far_page
    for page in (near_page, far_page):
        assert "<dd>– (" not in page and "–  (" not in page


# ----------------------------------------------------------------------------- the receipt


def test_a_resident_who_gives_an_address_gets_a_swedish_receipt_with_the_link_and_what_happens_next(
    client: Client, reports_demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, reports_demo, reporter_email="ada@example.se")

    report = Report.objects.get(source=Report.Source.WEB)
    [message] = mail.outbox
    assert response.status_code == 302
    assert message.to == ["ada@example.se"]
    assert message.subject == f"Kvittens: felanmälan {report.reference}"
    assert f"{report.get_absolute_url()}" in message.body
    assert "Så här går det till nu" in message.body and "ring 112" in message.body
    assert "/felanmalan/sluta/" in message.extra_headers["List-Unsubscribe"]


def test_no_receipt_goes_out_without_an_address_or_twice_for_one_submission(
    client: Client, reports_demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    submission = str(uuid.uuid4())

    with django_capture_on_commit_callbacks(execute=True):
        _post(client, reports_demo)
        _post(
            client,
            reports_demo,
            place="Lilla torget",
            reporter_email="bo@example.se",
            submission_id=submission,
        )
        _post(
            client,
            reports_demo,
            place="Lilla torget",
            reporter_email="bo@example.se",
            submission_id=submission,
        )

    assert [message.to for message in mail.outbox] == [["bo@example.se"]]


def test_the_thanks_page_does_not_ask_again_for_an_address_the_resident_gave(
    client: Client, reports_demo: Municipality
) -> None:
    with_mail = client.get(_post(client, reports_demo, reporter_email="ada@example.se")["Location"])
    without = client.get(_post(client, reports_demo, place="Lilla torget")["Location"])

    assert "#folj" not in with_mail.content.decode() and "kvittens" in with_mail.content.decode()
    assert "#folj" in without.content.decode()


# ----------------------------------------------------------------------- the form's own words


def test_an_empty_form_is_refused_in_trygg_own_swedish_words_with_nothing_typed_lost(
    client: Client, reports_demo: Municipality
) -> None:
    response = client.post(
        FORM,
        {
            "category": "",
            "place": "",
            "description": "",
            "reporter_name": "Ada",
            "reporter_email": "ada@",
            "website": "",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Detta fält måste fyllas i" not in page and "This field is required" not in page
    for message in (
        "Välj vad felanmälan gäller.",
        "Beskriv problemet, t.ex. vad som är trasigt",
        "Skriv en adress eller ett platsnamn, eller välj platsen på kartan.",
        "Skriv e-postadressen som namn@exempel.se",
        "Formuläret saknar en del. Ladda om sidan",
    ):
        assert message in page
    assert 'value="Ada"' in page and 'value="ada@"' in page


def test_the_place_is_marked_as_required_and_the_notices_are_folded(
    client: Client, reports_demo: Municipality
) -> None:
    page = client.get(FORM).content.decode()

    label = page[
        page.index('<label for="id_place">') : page.index("</label>", page.index('<label for="id_place">'))
    ]
    assert 'class="required"' in label and "(krävs)" in label
    assert 'aria-required="true"' in page
    assert page.count("<details") >= 2 and "<summary>" in page
    assert page.index("<details") < page.index('id="id_category"')


# --------------------------------------------------------------------- OpenStreetMap import


def _write_extract(path: Path) -> None:
    """An extract written with pyosmium's own writer from OSM's data model: nodes with locations and tags, ways
    as lists of node references."""
    writer = osmium.SimpleWriter(str(path))
    try:
        address = {"addr:street": "Storgatan", "addr:housenumber": "12", "addr:city": "Ljungby"}
        writer.add_node(Node(id=1, version=1, location=(13.93921, 56.83201), tags=address))
        # Nodes of two ways of one street that share node 12, and of a building with an address.
        for ref, (lon, lat) in {
            11: (13.9380, 56.8318),
            12: (13.9395, 56.8322),
            13: (13.9410, 56.8327),
            21: (13.9385, 56.8340),
            22: (13.9387, 56.8340),
            23: (13.9387, 56.8342),
        }.items():
            writer.add_node(Node(id=ref, version=1, location=(lon, lat)))
        writer.add_way(
            Way(id=101, version=1, nodes=[11, 12], tags={"highway": "residential", "name": "Storgatan"})
        )
        writer.add_way(
            Way(id=102, version=1, nodes=[12, 13], tags={"highway": "residential", "name": "Storgatan"})
        )
        building = {
            "building": "yes",
            "addr:street": "Kungsgatan",
            "addr:housenumber": "5 A",
            "addr:city": "Ljungby",
        }
        writer.add_way(Way(id=103, version=1, nodes=[21, 22, 23, 21], tags=building))
        # Outside Ljungby (Växjö), an address without a street, and a named bus stop: none is imported.
        far = {"addr:street": "Storgatan", "addr:housenumber": "1", "addr:city": "Växjö"}
        writer.add_node(Node(id=2, version=1, location=(14.8059, 56.8777), tags=far))
        writer.add_node(Node(id=3, version=1, location=(13.9400, 56.8330), tags={"addr:housenumber": "7"}))
        writer.add_node(
            Node(id=4, version=1, location=(13.9401, 56.8331), tags={"highway": "bus_stop", "name": "Torget"})
        )
    finally:
        writer.close()


def test_import_gazetteer_reads_addresses_and_streets_inside_the_municipality_from_an_osm_extract(
    tmp_path: Path, reports_demo: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    extract = tmp_path / "ljungby.osm.pbf"
    _write_extract(extract)

    call_command("import_gazetteer", str(extract), "--municipality", "ljungby")

    output = capsys.readouterr()
    imported = {
        (place.name, place.kind, place.locality): (round(place.latitude, 5), round(place.longitude, 5))
        for place in Place.objects.filter(municipality=reports_demo).exclude(locality="")
    }
    assert imported == {
        ("Storgatan 12", "adress", "Ljungby"): (56.83201, 13.93921),
        ("Kungsgatan 5 A", "adress", "Ljungby"): (56.83407, 13.93863),
        ("Storgatan", "gata", "Ljungby"): (56.8322, 13.9395),
    }
    assert f"{extract}: node 3: addr:housenumber '7' without addr:street or addr:place" in output.err
    assert "ljungby: 3 places created" in output.out
    assert place_resolve(municipality=reports_demo, text="kungsgatan 5a ljungby").place.kind == Place.ADDRESS  # type: ignore[union-attr]


def test_import_gazetteer_names_the_file_that_is_no_osm_data_and_an_extract_of_another_place(
    tmp_path: Path, reports_demo: Municipality
) -> None:
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    elsewhere = tmp_path / "vaxjo.osm.pbf"
    writer = osmium.SimpleWriter(str(elsewhere))
    writer.add_node(
        Node(
            id=1,
            version=1,
            location=(14.8059, 56.8777),
            tags={"addr:street": "Storgatan", "addr:housenumber": "1"},
        )
    )
    writer.close()

    with pytest.raises(CommandError, match=r"broken\.osm\.pbf: not OpenStreetMap data"):
        call_command("import_gazetteer", str(broken), "--municipality", "ljungby")
    with pytest.raises(CommandError, match=r"vaxjo\.osm\.pbf: nothing imported: of 1 addresses and streets"):
        call_command("import_gazetteer", str(elsewhere), "--municipality", "ljungby")
    with pytest.raises(CommandError, match=r"missing\.osm\.pbf: no such file"):
        call_command("import_gazetteer", str(tmp_path / "missing.osm.pbf"), "--municipality", "ljungby")


def test_import_gazetteer_reads_a_csv_with_comments_and_localities(
    tmp_path: Path, reports_demo: Municipality
) -> None:
    csv = tmp_path / "places.csv"
    csv.write_text("# approximate points\nname,kind,lat,lon,locality\nStorgatan,gata,56.9160,13.9870,Lagan\n")

    call_command("import_gazetteer", str(csv), "--municipality", "ljungby")

    assert Place.objects.get(name="Storgatan", locality="Lagan").latitude == 56.916
    assert Place.objects.get(name="Storgatan", locality="").latitude == 56.8322
