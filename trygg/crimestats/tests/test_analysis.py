import pytest

from trygg.crimestats.analysis import (
    ALL_MONTHS,
    Area,
    Blocks,
    collect,
    crime_series,
    months_label,
    rate_per_100k,
)


def test_a_rate_is_per_100_000_inhabitants() -> None:
    assert rate_per_100k(412, 28_000) == pytest.approx(1471.428571, rel=1e-6)
    assert rate_per_100k(5, None) is None


def test_a_whole_year_figure_wins_over_months_and_months_and_quarters_add_up() -> None:
    blocks = Blocks()
    blocks.add(0, 100, False)
    blocks.add(1, 7, False)
    assert blocks.count_over(ALL_MONTHS) == 100

    quarterly = Blocks()
    for quarter, count in ((13, 10), (14, 20), (15, 30)):
        quarterly.add(quarter, count, False)
    assert quarterly.covered == frozenset(range(1, 10))
    assert quarterly.count_over(frozenset(range(1, 10))) == 60
    assert quarterly.count_over(frozenset(range(1, 11))) is None
    assert quarterly.count_over(frozenset({1, 2})) is None  # a quarter cannot be split into months


def test_months_are_labelled_as_a_span_or_a_list() -> None:
    assert months_label(range(1, 11)) == "jan–okt"
    assert months_label({1, 3}) == "jan, mar"
    assert months_label(range(1, 13)) == ""


@pytest.fixture
def series():
    records = [
        ("A", "k", 2020, 0, 100, False),
        ("A", "k", 2021, 0, 110, False),
        ("A", "k", 2022, 0, 120, False),
        ("A", "k", 2023, 0, 150, False),
        ("B", "k", 2023, 0, 50, False),
        ("C", "k", 2023, 0, 5, False),
        ("C", "other", 2022, 0, 1, False),
    ]
    populations = {("A", year): 20_000 for year in range(2020, 2024)} | {
        ("B", 2023): 30_000,
        ("C", 2023): 50_000,
    }
    return crime_series(
        stored=collect(records),
        populations=populations,
        municipality="A",
        keys={"k": ["k"]},
        years=range(2020, 2024),
        county=Area(members=("A", "B")),
        group=Area(members=("C",)),
        country=Area(members=("A", "B", "C", "D")),
    )["k"]


def test_change_against_the_year_before_and_the_mean_of_earlier_years(series) -> None:
    year = series.year(2023)

    # Rates: 2020 500, 2021 550, 2022 600, 2023 750 per 100 000.
    assert year.local.rate == pytest.approx(750.0)
    assert year.change_previous.percent == pytest.approx(25.0)  # 600 → 750
    assert year.change_earlier.previous == pytest.approx(550.0)  # mean of 500, 550, 600
    assert year.change_earlier.percent == pytest.approx(36.3636, rel=1e-4)
    assert year.earlier_years == (2020, 2021, 2022)


def test_an_area_is_the_sum_of_all_its_members_or_missing(series) -> None:
    year = series.year(2023)

    assert year.county.count == 200 and year.county.population == 50_000
    assert year.county.rate == pytest.approx(400.0)
    assert year.compared_with("county") == pytest.approx(750 / 400)
    assert year.country.count is None  # D has no figures: the country is not A + B + C


def test_a_rate_from_fewer_than_ten_crimes_is_flagged_uncertain(series) -> None:
    year = series.year(2023)

    assert year.group.count == 5 and year.group.uncertain
    assert not year.local.uncertain


def test_a_year_without_figures_is_missing_not_zero(series) -> None:
    first = series.year(2020)

    assert first.county.count is None  # B has no 2020 figures, so the county has none either
    assert first.group.count is None
    assert first.change_previous is None


def test_a_source_total_for_the_county_is_used_when_members_are_missing() -> None:
    result = crime_series(
        stored=collect([("A", "k", 2023, 0, 150, False)]),
        totals=collect([("07", "k", 2023, 0, 900, False)]),
        populations={("A", 2023): 20_000},
        area_populations={("07", 2023): 200_000},
        municipality="A",
        keys={"k": ["k"]},
        years=[2023],
        county=Area(members=("A", "B", "C"), code="07"),
        group=Area(members=()),
        country=Area(members=("A", "B", "C"), code="00"),
    )["k"].year(2023)
    assert result is not None

    assert result.county.count == 900 and result.county.rate == pytest.approx(450.0)
    assert result.country.count is None


def test_a_part_year_is_compared_with_the_same_months_of_earlier_years() -> None:
    records = [("A", "k", 2025, month, 10, False) for month in range(1, 13)]
    records += [("A", "k", 2026, month, 11, month == 10) for month in range(1, 11)]

    found = crime_series(
        stored=collect(records),
        populations={},
        municipality="A",
        keys={"k": ["k"]},
        years=[2025, 2026],
        county=Area(members=()),
        group=Area(members=()),
        country=Area(members=()),
    )["k"].year(2026)
    assert found is not None
    year = found

    assert year.local.count == 110 and year.local.months_label == "jan–okt" and year.local.preliminary
    assert year.change_previous is not None
    assert year.change_previous.previous == 100  # jan–okt 2025, not the whole year's 120
    assert year.change_previous.percent == pytest.approx(10.0)
    assert year.change_previous.months == "jan–okt"


def test_a_category_absent_from_a_year_is_missing_and_left_out_of_a_problems_changes() -> None:
    records = [
        ("A", "misshandel", 2024, 0, 30, False),
        ("A", "olaga-hot", 2024, 0, 20, False),
        ("A", "misshandel", 2025, 0, 33, False),
    ]

    result = crime_series(
        stored=collect(records),
        populations={},
        municipality="A",
        keys={"vald": ["misshandel", "olaga-hot"], "olaga-hot": ["olaga-hot"]},
        years=[2024, 2025],
        county=Area(members=()),
        group=Area(members=()),
        country=Area(members=()),
    )

    olaga_hot, vald = result["olaga-hot"].year(2025), result["vald"].year(2025)
    assert olaga_hot is not None and vald is not None
    assert olaga_hot.local.count is None
    assert olaga_hot.change_previous is None
    assert vald.local.count == 33 and vald.local.categories == {"misshandel"}
    assert vald.change_previous is not None
    assert vald.change_previous.previous == 30  # misshandel against misshandel, not against 50
