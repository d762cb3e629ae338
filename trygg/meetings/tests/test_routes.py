"""A walk's route and stops: the checks' messages, in the page's language."""

import datetime as dt

import pytest
from django.utils import translation

from trygg.meetings import routes
from trygg.meetings.forms import WalkForm


def test_a_route_error_prints_in_swedish_for_the_commands_and_logs() -> None:
    with pytest.raises(routes.RouteError) as error:
        routes.stops_parse("Torget\nSkolan; 56,83\n")

    assert str(error.value) == "Rad 2: skriv ”namn” eller ”namn; latitud; longitud”."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "route_message", "stops_message"),
    [
        (
            "sv",
            "Rutten är inte giltig GeoJSON (rad 1, kolumn 2).",
            "Rad 2: punkten ligger utanför jordklotet.",
        ),
        (
            "en",
            "The route is not valid GeoJSON (line 1, column 2).",
            "Line 2: the point lies outside the globe.",
        ),
    ],
)
def test_the_walk_form_explains_a_bad_route_and_stop_in_the_pages_language(
    home_municipality, language: str, route_message: str, stops_message: str
) -> None:
    data = {"route_text": "{nope", "stops_text": "Torget\nSkolan; 95; 13,9\n"}
    with translation.override(language):
        form = WalkForm(data, municipality=home_municipality, today=dt.date(2026, 12, 6))
        form.is_valid()

        assert form.errors["route_text"] == [route_message]
        assert form.errors["stops_text"] == [stops_message]
