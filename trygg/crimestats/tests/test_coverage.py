"""Issue 16, item 6: crime statistics honest about coverage, through the selector every page and the ranking read."""

import pytest
from django.urls import reverse

from trygg.crimestats.selectors import crime_picture
from trygg.crimestats.services import crimestats_import, population_import
from trygg.municipalities.models import Municipality
from trygg.municipalities.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

HEADER = "kommunkod,kommun,brottskategori,period,antal\n"
KRONOBERG = {
    "0760": "Uppvidinge",
    "0761": "Lessebo",
    "0763": "Tingsryd",
    "0764": "Alvesta",
    "0765": "Älmhult",
    "0767": "Markaryd",
    "0780": "Växjö",
    "0781": "Ljungby",
}


@pytest.fixture
def ljungby() -> Municipality:
    for code, name in KRONOBERG.items():
        MunicipalityFactory.create(
            name=f"{name} kommun", slug=name.lower(), scb_code=code, county="Kronobergs län"
        )
    return Municipality.objects.get(scb_code="0781")


def _import(text: str) -> None:
    crimestats_import(source=(HEADER + text).encode(), file_name="brott.csv", by=None)


def _populations(codes, years=(2024, 2025)) -> None:
    lines = "".join(f"{code},x,{year},10000\n" for code in codes for year in years)
    population_import(source=("kommunkod,kommun,år,folkmängd\n" + lines).encode(), file_name="f.csv", by=None)


def test_a_part_year_is_compared_with_the_same_months_of_the_year_before(ljungby: Municipality) -> None:
    _import(
        "".join(f"0781,Ljungby,klotter,2025-{month:02d},10\n" for month in range(1, 13))
        + "".join(f"0781,Ljungby,klotter,2026-{month:02d},10\n" for month in range(1, 11))
    )

    item = crime_picture(municipality=ljungby, years=[2026]).series["klotter"].year(2026)
    assert item is not None

    assert item.local.count == 100 and item.local.months_label == "jan–okt"
    # jan–okt 2026 against jan–okt 2025: no change (comparing with the whole of 2025 said −16,7 %).
    assert item.change_previous is not None and item.change_previous.percent == pytest.approx(0.0)


def test_a_category_absent_from_a_year_is_missing_not_zero_and_has_no_change(ljungby: Municipality) -> None:
    _import(
        "0781,Ljungby,klotter,2024,50\n0781,Ljungby,skadegorelse,2024,100\n0781,Ljungby,klotter,2025,60\n"
    )

    item = crime_picture(municipality=ljungby, years=[2025]).series["skadegorelse"].year(2025)
    assert item is not None

    assert item.local.count is None
    assert item.change_previous is None and item.change_earlier is None


def test_a_missing_category_gives_no_points_in_the_ranking(ljungby: Municipality) -> None:
    from trygg.evidence.selectors import ranking_for

    _import(
        "0781,Ljungby,klotter,2024,50\n0781,Ljungby,skadegorelse,2024,100\n0781,Ljungby,klotter,2025,60\n"
    )

    problem = ranking_for(municipality=ljungby, year=2025).problem("skadegorelse")

    assert problem is not None
    assert all(part.points == 0 for part in problem.parts if part.code.startswith("crime_"))


def test_county_and_country_are_missing_when_only_some_kommuner_are_loaded(ljungby: Municipality) -> None:
    _import("0781,Ljungby,klotter,2025,60\n0780,Växjö,klotter,2025,400\n")
    _populations(["0781", "0780"])

    item = crime_picture(municipality=ljungby, years=[2025]).series["klotter"].year(2025)
    assert item is not None

    assert item.county.count is None and item.country.count is None


def test_the_county_is_the_sum_when_every_kommun_of_the_county_has_figures(ljungby: Municipality) -> None:
    _import("".join(f"{code},{name},klotter,2025,10\n" for code, name in KRONOBERG.items()))
    _populations(KRONOBERG)

    item = crime_picture(municipality=ljungby, years=[2025]).series["klotter"].year(2025)
    assert item is not None

    assert item.county.count == 80 and item.county.population == 80_000
    assert item.country.count is None  # 8 of 290 kommuner are not the country


def test_the_county_and_country_come_from_the_sources_own_totals(ljungby: Municipality) -> None:
    _import("0781,Ljungby,klotter,2025,60\n07,Kronobergs län,klotter,2025,900\n00,Riket,klotter,2025,70000\n")

    item = crime_picture(municipality=ljungby, years=[2025]).series["klotter"].year(2025)
    assert item is not None

    assert item.county.count == 900 and item.country.count == 70_000


def test_the_statistics_page_says_uppgift_saknas_jan_okt_and_saknas(client, ljungby: Municipality) -> None:
    _import(
        "0781,Ljungby,skadegorelse,2025,100\n"
        + "".join(f"0781,Ljungby,klotter,2025-{month:02d},10\n" for month in range(1, 13))
        + "".join(f"0781,Ljungby,klotter,2026-{month:02d},10\n" for month in range(1, 11))
    )

    page = client.get(reverse("crimestats:statistics", args=["ljungby"])).content.decode()

    assert "uppgift saknas" in page  # skadegörelse 2026
    assert "100 (jan–okt)" in page
    assert "saknas" in page
