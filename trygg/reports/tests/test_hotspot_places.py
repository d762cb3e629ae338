"""The staff hotspot table and map name each hot cell's place: the nearest gazetteer entry and its area."""

import json

import pytest
from pyproj import Geod

from trygg.accounts.models import User
from trygg.municipalities.models import Area, Municipality
from trygg.reports.models import Report
from trygg.reports.places import NamedArea, NamedPlace, name_points

TORGET = NamedPlace("Stora torget", 56.8331, 13.9407)
PORTEN = NamedPlace("Ljungbyporten", 56.8460, 13.9560)


def _square(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def test_a_point_is_named_by_the_nearest_place_with_its_distance_in_metres() -> None:
    latitude, longitude = 56.8340, 13.9412

    [named] = name_points([latitude], [longitude], places=[PORTEN, TORGET], areas=[])

    # The distance on the ellipsoid, from pyproj's geodesic (not the projection the module uses).
    _azimuth, _back, metres = Geod(ellps="GRS80").inv(TORGET.longitude, TORGET.latitude, longitude, latitude)
    assert named.place == "Stora torget"
    assert named.distance_m is not None and abs(named.distance_m - metres) <= 1
    assert named.area is None


def test_the_area_holding_the_point_is_named_and_a_point_on_its_edge_counts_as_inside() -> None:
    centrum = NamedArea("Centrum", _square(13.93, 56.82, 13.95, 56.84))
    norr = NamedArea("Norr", _square(13.93, 56.84, 13.95, 56.86))
    broken = NamedArea("Trasig", {"type": "Polygon", "coordinates": "inte en polygon"})

    names = name_points(
        [56.83, 56.84, 56.90], [13.94, 13.94, 13.94], places=[], areas=[broken, centrum, norr]
    )

    assert [name.area for name in names] == ["Centrum", "Centrum", None]
    assert all(name.place is None and name.distance_m is None for name in names)


def test_points_and_their_coordinates_must_pair_up() -> None:
    with pytest.raises(ValueError):
        name_points([56.83], [], places=[TORGET], areas=[])


@pytest.fixture
def cluster(reports_demo: Municipality) -> Municipality:
    """Twelve more reports where one already stands near Ljungbyporten make its cell hot."""
    base = Report.objects.get(reference="EX-LJU-K1")
    for number in range(12):
        base.pk = None
        base.reference = f"HOT-{number}"
        base.submission_id = None
        base.save()
    Area.objects.filter(municipality=reports_demo, name="Ljungbyporten").update(
        boundary=_square(13.90, 56.80, 14.00, 56.90)
    )
    return reports_demo


@pytest.mark.django_db
def test_the_hotspot_table_and_layer_name_the_place_of_each_hot_cell(
    login, cluster: Municipality, coordinator: User
) -> None:
    client = login(coordinator)
    query = "?municipality=ljungby&cell=250"

    data = json.loads(client.get(f"/personal/felanmalan/hotspots.geojson{query}").content)
    page = client.get(f"/personal/felanmalan/hotspots/{query}").content.decode()

    first = data["features"][0]["properties"]
    assert first["number"] == 1 and first["z"] >= 1.96
    assert first["place"] in {"Stora torget", "Storgatan", "Drottninggatan", "Ljungbyporten", "Resecentrum"}
    assert first["area"] == "Ljungbyporten"
    assert first["label"].startswith(first["place"]) and first["label"].endswith(", Ljungbyporten")
    assert f'<tr id="ruta-1"><td>1</td><th scope="row">{first["place"]}' in page
    assert "Område: Ljungbyporten" in page
    assert 'data-show-cell="1"' in page and 'id="hotspot-map"' in page


@pytest.mark.django_db
def test_naming_the_cells_costs_the_same_queries_however_many_cells_are_hot(
    login, cluster: Municipality, coordinator: User, django_assert_max_num_queries
) -> None:
    client = login(coordinator)
    url = "/personal/felanmalan/hotspots.geojson?municipality=ljungby&cell=100"
    with django_assert_max_num_queries(30) as few:
        hot_before = len(json.loads(client.get(url).content)["features"])
    far = Report.objects.get(reference="EX-LJU-K1")
    for number in range(12):
        far.pk = None
        far.reference = f"FAR-{number}"
        far.submission_id = None
        far.latitude += 0.02
        far.save()

    with django_assert_max_num_queries(len(few.captured_queries)):
        hot_after = len(json.loads(client.get(url).content)["features"])
    assert hot_after > hot_before


@pytest.mark.django_db
def test_staff_of_another_municipality_get_no_cells_or_place_names(
    login, cluster: Municipality, outsider: User
) -> None:
    client = login(outsider)

    layer = client.get("/personal/felanmalan/hotspots.geojson?municipality=ljungby&cell=250")
    page = client.get("/personal/felanmalan/hotspots/?municipality=ljungby&cell=250").content.decode()

    assert layer.status_code == 400
    assert "Ljungbyporten" not in page and "ruta-1" not in page
