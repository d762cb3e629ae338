import pytest

from trygg.crimestats.analysis import crime_series, rate_per_100k, summed_by, yearly_counts


def test_a_rate_is_per_100_000_inhabitants() -> None:
    assert rate_per_100k(412, 28_000) == pytest.approx(1471.428571, rel=1e-6)
    assert rate_per_100k(5, None) is None


def test_a_whole_year_figure_wins_over_months_and_months_are_summed_otherwise() -> None:
    yearly = yearly_counts(
        [
            ("0781", "klotter", 2023, 0, 100),
            ("0781", "klotter", 2023, 1, 7),
            ("0781", "stold", 2023, 1, 3),
            ("0781", "stold", 2023, 2, 4),
        ]
    )

    assert yearly[("0781", "klotter", 2023)] == (100, 12)
    assert yearly[("0781", "stold", 2023)] == (7, 2)


def test_categories_sum_into_problems() -> None:
    yearly = {
        ("0781", "misshandel", 2023): (30, 12),
        ("0781", "olaga-hot", 2023): (20, 12),
        ("0781", "klotter", 2023): (5, 12),
    }

    assert summed_by(yearly, {"misshandel": "vald", "olaga-hot": "vald"}) == {
        ("0781", "vald", 2023): (50, 12)
    }


@pytest.fixture
def series():
    yearly = {
        ("A", "k", 2020): (100, 12),
        ("A", "k", 2021): (110, 12),
        ("A", "k", 2022): (120, 12),
        ("A", "k", 2023): (150, 12),
        ("B", "k", 2023): (50, 12),
        ("C", "k", 2023): (5, 12),
        ("C", "other", 2022): (1, 12),
    }
    populations = {("A", year): 20_000 for year in range(2020, 2024)} | {
        ("B", 2023): 30_000,
        ("C", 2023): 50_000,
    }
    return crime_series(
        yearly=yearly,
        populations=populations,
        municipality="A",
        county=["A", "B"],
        group=["C"],
        country=["A", "B", "C"],
        keys=["k"],
        years=range(2020, 2024),
    )["k"]


def test_change_against_the_year_before_and_the_mean_of_earlier_years(series) -> None:
    year = series.year(2023)

    # Rates: 2020 500, 2021 550, 2022 600, 2023 750 per 100 000.
    assert year.local.rate == pytest.approx(750.0)
    assert year.change_previous.percent == pytest.approx(25.0)  # 600 → 750
    assert year.change_earlier.previous == pytest.approx(550.0)  # mean of 500, 550, 600
    assert year.change_earlier.percent == pytest.approx(36.3636, rel=1e-4)
    assert year.earlier_years == (2020, 2021, 2022)


def test_the_county_group_and_country_are_sums_of_their_members(series) -> None:
    year = series.year(2023)

    assert year.county.count == 200 and year.county.population == 50_000
    assert year.county.rate == pytest.approx(400.0)
    assert year.country.rate == pytest.approx(205 * 100_000 / 100_000)
    assert year.compared_with("county") == pytest.approx(750 / 400)


def test_a_rate_from_fewer_than_ten_crimes_is_flagged_uncertain(series) -> None:
    year = series.year(2023)

    assert year.group.count == 5 and year.group.uncertain
    assert not year.local.uncertain


def test_a_year_without_figures_is_missing_not_zero(series) -> None:
    first = series.year(2020)

    assert first.county.count == 100  # only A has figures in 2020 – but no population for B, so A alone
    assert first.group.count is None
    assert first.change_previous is None
