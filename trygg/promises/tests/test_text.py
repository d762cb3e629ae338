import datetime as dt

import pytest
from django.utils import translation

from trygg.promises.models import Activity, Promise
from trygg.promises.text import activity_commitment

ONE_YEAR = Promise(valid_from=dt.date(2023, 1, 1), valid_until=dt.date(2023, 12, 31))
TWO_YEARS = Promise(valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("fields", "promise", "expected"),
    [
        ({"quantity": 4, "unit": "mätningar", "per": "year"}, ONE_YEAR, "4 mätningar under året"),
        ({"quantity": 1, "unit": "dialogmöte", "per": "year"}, TWO_YEARS, "1 dialogmöte per år"),
        (
            {"quantity": 1, "at_least": True, "unit": "gång", "per": "year"},
            ONE_YEAR,
            "minst 1 gång under året",
        ),
        (
            {"quantity": 3, "quantity_max": 4, "unit": "träffar", "per": "term"},
            ONE_YEAR,
            "3–4 träffar per termin",
        ),
        (
            {"quantity_max": 5, "unit": "skolbesök", "per": "period"},
            ONE_YEAR,
            "upp till 5 skolbesök under perioden",
        ),
        ({"quantity": 2, "per": "month"}, ONE_YEAR, "2 gånger per månad"),
        ({}, ONE_YEAR, ""),
    ],
)
def test_the_promised_amount_reads_as_swedish(fields: dict, promise: Promise, expected: str) -> None:
    with translation.override("sv"):
        assert activity_commitment(activity=Activity(**fields), promise=promise) == expected
