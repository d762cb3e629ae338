"""Issue 19, item 6: the demo's public pages carry honest labels, never a developer's note."""

import re

import pytest
from django.test import Client

from trygg.municipalities.models import Municipality

pytestmark = pytest.mark.django_db

# Notes a developer leaves for another, which a resident should never read.
DEVELOPER_NOTES = re.compile(r"ungefärligt|ej kontrollerat|TODO|FIXME|placeholder", re.IGNORECASE)


def test_the_demo_municipality_page_labels_its_invented_population_as_example_data(
    client: Client, home_municipality: Municipality
) -> None:
    page = client.get(f"/{home_municipality.slug}/").content.decode()
    facts = page.split('<p class="facts">', 1)[1].split("</p>", 1)[0]

    assert "invånare" in facts and "Exempeldata" in facts
    assert DEVELOPER_NOTES.search(page) is None


def test_the_demos_neighbours_have_their_official_names(home_municipality: Municipality) -> None:
    import datetime as dt

    from trygg.demo.evidence import load_evidence_demo

    load_evidence_demo(home_municipality, today=dt.date(2026, 12, 6))

    names = set(Municipality.objects.values_list("name", flat=True))
    assert {"Älmhults kommun", "Markaryds kommun", "Ljungby kommun"} <= names
    assert not names & {"Älmhult kommun", "Markaryd kommun"}
