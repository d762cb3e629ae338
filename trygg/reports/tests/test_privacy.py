"""Item 27 across every public way out at once: no reporter data anywhere, and only 100 m cells for places.

The single pages are covered in test_public.py and test_open311.py; this checks the lists in every format, that
every public point is the centre of a 100 m cell of the hotspot grid, and that staff still see the exact point.
"""

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client

from trygg.accounts.models import User
from trygg.municipalities.models import Municipality
from trygg.reports import geo
from trygg.reports.models import Report

pytestmark = pytest.mark.django_db

OPEN311 = "/api/open311/v2"


def _public_bodies(client: Client) -> dict[str, str]:
    urls = [
        "/ljungby/felanmalan/karta/",
        "/ljungby/felanmalan/karta.geojson",
        f"{OPEN311}/requests.json?jurisdiction_id=ljungby",
        f"{OPEN311}/requests.xml?jurisdiction_id=ljungby",
        *[report.get_absolute_url() for report in Report.objects.public()],
        *[
            f"{OPEN311}/requests/{ref}.json?jurisdiction_id=ljungby"
            for ref in Report.objects.values_list("reference", flat=True)
        ],
    ]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    return bodies


def _on_the_100_m_grid(lat: float, lon: float) -> bool:
    x, y = geo.project([lat], [lon])
    # Rounded to six decimals on the way out (about 0.1 m): a centre is 50 m from the cell's edges, ±0.2 m.
    return all(abs((value - 50) - 100 * round((value - 50) / 100)) < 0.2 for value in (x[0], y[0]))


def test_item_27_no_public_view_or_api_shows_a_reporters_name_email_or_the_exact_point(
    client: Client, reports_demo: Municipality
) -> None:
    for number, report in enumerate(Report.objects.all()):
        report.reporter_name = f"Anmälare Hemligsson{number}"
        report.reporter_email = f"hemlig{number}@example.se"
        report.save(update_fields=["reporter_name", "reporter_email"])
    exact = [
        (f"{report.latitude:.6f}", f"{report.longitude:.6f}")
        for report in Report.objects.all()
        if (report.latitude, report.longitude) != (report.public_latitude, report.public_longitude)
    ]
    assert exact, "the demo has reports whose exact point differs from the public one"

    bodies = _public_bodies(client)

    for url, body in bodies.items():
        lowered = body.lower()
        assert "hemligsson" not in lowered and "@example.se" not in lowered, url
        for latitude, longitude in exact:
            assert latitude not in body or longitude not in body, (url, latitude, longitude)


def test_item_27_every_public_point_is_the_centre_of_a_100_m_cell(
    client: Client, reports_demo: Municipality
) -> None:
    bodies = _public_bodies(client)
    points = [
        (feature["geometry"]["coordinates"][1], feature["geometry"]["coordinates"][0])
        for feature in json.loads(bodies["/ljungby/felanmalan/karta.geojson"])["features"]
    ]
    points += [
        (row["lat"], row["long"])
        for row in json.loads(bodies[f"{OPEN311}/requests.json?jurisdiction_id=ljungby"])
    ]
    root = ET.fromstring(bodies[f"{OPEN311}/requests.xml?jurisdiction_id=ljungby"])
    points += [(float(row.findtext("lat") or "nan"), float(row.findtext("long") or "nan")) for row in root]

    assert len(points) >= 2 * Report.objects.public().count()
    assert all(_on_the_100_m_grid(lat, lon) for lat, lon in points), points
    # Two exact points in the same cell give the same public point: nothing finer than 100 m gets out.
    lat, lon = points[0]
    x, y = geo.project([lat], [lon])
    corners = geo.unproject([x[0] - 49, x[0] + 49], [y[0] - 49, y[0] + 49])
    assert geo.snap_to_grid(corners[0][0], corners[1][0]) == geo.snap_to_grid(corners[0][1], corners[1][1])


def test_item_27_staff_see_the_exact_point(reports_demo: Municipality, coordinator: User, login: Any) -> None:
    report = next(
        report
        for report in Report.objects.all()
        if (report.latitude, report.longitude) != (report.public_latitude, report.public_longitude)
    )

    page = login(coordinator).get(f"/personal/felanmalan/{report.pk}/").content.decode()

    assert f'data-lat="{report.latitude:f}"' in page and f'data-lon="{report.longitude:f}"' in page
