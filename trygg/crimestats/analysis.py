"""Counts, rates per 100 000 inhabitants, changes and comparisons of reported crime.

No Django import: the public statistics page, the lägesbild, the ranking and the tests all call these functions.
A "key" is whatever the figures are grouped by: a crime category's code, or a problem's slug when the categories
mapped to one problem are summed.

Rules, as docs/lagesbild.md explains them:
- A whole-year figure (month 0) is used when the file gave one; otherwise the year is the sum of its months and
  the figure says how many months it covers.
- A comparison area (county, comparison group, country) is the sum of those of its municipalities that have
  both crime figures and a population for the year; a member without crime figures that year is left out, a key
  missing for a member that has figures for other keys counts as 0.
- A rate computed from fewer than `UNCERTAIN_BELOW` crimes is flagged as uncertain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

PER = 100_000
UNCERTAIN_BELOW = 10
EARLIER_YEARS = 3

# (kommun code, key, year) → (count, months covered; 12 for a whole-year figure)
YearlyCounts = Mapping[tuple[str, str, int], tuple[int, int]]
# (kommun code, year) → population
Populations = Mapping[tuple[str, int], int]


def rate_per_100k(count: int | None, population: int | None) -> float | None:
    if count is None or not population:
        return None
    return count * PER / population


@dataclass(frozen=True)
class Figure:
    count: int | None
    population: int | None
    members: int = 1
    months: int = 12

    @property
    def rate(self) -> float | None:
        return rate_per_100k(self.count, self.population)

    @property
    def uncertain(self) -> bool:
        return self.count is not None and self.count < UNCERTAIN_BELOW

    @property
    def partial(self) -> bool:
        return self.months < 12


MISSING = Figure(count=None, population=None, members=0, months=0)


@dataclass(frozen=True)
class Change:
    """From `previous` to `current`; `basis` says whether rates or counts were compared."""

    previous: float
    current: float
    basis: str

    @property
    def absolute(self) -> float:
        return self.current - self.previous

    @property
    def percent(self) -> float | None:
        if self.previous == 0:
            return None
        return (self.current - self.previous) * 100 / self.previous


def change(current: float | None, previous: float | None, *, basis: str = "rate") -> Change | None:
    if current is None or previous is None:
        return None
    return Change(previous=previous, current=current, basis=basis)


def yearly_counts(
    records: Iterable[tuple[str, str, int, int, int]],
) -> dict[tuple[str, str, int], tuple[int, int]]:
    """(code, key, year, month, count) records → yearly counts; a whole-year figure wins over months."""
    whole: dict[tuple[str, str, int], int] = {}
    months: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    seen_months: dict[tuple[str, str, int], set[int]] = defaultdict(set)
    for code, key, year, month, count in records:
        target = (code, key, year)
        if month == 0:
            whole[target] = whole.get(target, 0) + count
        else:
            months[target].append(count)
            seen_months[target].add(month)
    result = {target: (sum(counts), len(seen_months[target])) for target, counts in months.items()}
    result.update({target: (count, 12) for target, count in whole.items()})
    return result


def summed_by(yearly: YearlyCounts, key_of: Mapping[str, str]) -> dict[tuple[str, str, int], tuple[int, int]]:
    """Sum keys into groups (e.g. categories into problems); `key_of` maps a key to its group."""
    result: dict[tuple[str, str, int], tuple[int, int]] = {}
    for (code, key, year), (count, months) in yearly.items():
        group = key_of.get(key)
        if group is None:
            continue
        before = result.get((code, group, year))
        result[(code, group, year)] = (
            (count, months) if before is None else (before[0] + count, min(before[1], months))
        )
    return result


def _codes_with_data(yearly: YearlyCounts) -> dict[int, set[str]]:
    with_data: dict[int, set[str]] = defaultdict(set)
    for code, _key, year in yearly:
        with_data[year].add(code)
    return with_data


def figure_for(
    yearly: YearlyCounts,
    populations: Populations,
    *,
    codes: Collection[str],
    key: str,
    year: int,
    with_data: Mapping[int, set[str]] | None = None,
) -> Figure:
    """One municipality's figure, or an area's: the sum over members with figures and a population."""
    with_data = _codes_with_data(yearly) if with_data is None else with_data
    members = [code for code in codes if code in with_data.get(year, ())]
    if not members:
        return MISSING
    count = 0
    months = 12
    for code in members:
        found = yearly.get((code, key, year))
        if found is not None:
            count += found[0]
            months = min(months, found[1])
    if len(codes) == 1:
        return Figure(count=count, population=populations.get((members[0], year)), members=1, months=months)
    counted = [code for code in members if (code, year) in populations]
    if not counted:
        return Figure(count=None, population=None, members=0, months=months)
    count = sum(yearly.get((code, key, year), (0, 12))[0] for code in counted)
    population = sum(populations[(code, year)] for code in counted)
    return Figure(count=count, population=population, members=len(counted), months=months)


@dataclass(frozen=True)
class SeriesYear:
    year: int
    local: Figure
    county: Figure
    group: Figure
    country: Figure
    change_previous: Change | None
    change_earlier: Change | None
    earlier_years: tuple[int, ...]

    def compared_with(self, area: str) -> float | None:
        """The local rate as a multiple of an area's rate (1.0 = the same level)."""
        other = getattr(self, area).rate
        local = self.local.rate
        if local is None or not other:
            return None
        return local / other


@dataclass(frozen=True)
class Series:
    key: str
    years: tuple[SeriesYear, ...]

    def year(self, year: int) -> SeriesYear | None:
        return next((item for item in self.years if item.year == year), None)


def _value(figure: Figure) -> tuple[float | None, str]:
    return (
        (figure.rate, "rate")
        if figure.rate is not None
        else (
            float(figure.count) if figure.count is not None else None,
            "count",
        )
    )


def crime_series(
    *,
    yearly: YearlyCounts,
    populations: Populations,
    municipality: str,
    county: Collection[str],
    group: Collection[str],
    country: Collection[str],
    keys: Iterable[str],
    years: Iterable[int],
    earlier_years: int = EARLIER_YEARS,
) -> dict[str, Series]:
    """Per key and year: the local figure, the three comparisons and the changes against earlier years.

    `change_previous` compares with the year before; `change_earlier` with the mean of up to `earlier_years`
    earlier years that have figures. Rates are compared when the population is known, counts otherwise.
    """
    with_data = _codes_with_data(yearly)
    ordered_years = sorted(set(years))
    result: dict[str, Series] = {}
    for key in keys:
        local = {
            year: figure_for(
                yearly, populations, codes=[municipality], key=key, year=year, with_data=with_data
            )
            for year in ordered_years
        }
        items = []
        for year in ordered_years:
            figure = local[year]
            current, basis = _value(figure)
            before = local.get(year - 1)
            previous_value = None
            if before is not None and before.count is not None:
                previous_value = before.rate if basis == "rate" else float(before.count)
            earlier = [
                earlier_year
                for earlier_year in range(year - earlier_years, year)
                if earlier_year in local and local[earlier_year].count is not None
            ]
            earlier_values = [
                local[item].rate if basis == "rate" else float(local[item].count or 0) for item in earlier
            ]
            mean = (
                sum(value for value in earlier_values if value is not None) / len(earlier_values)
                if earlier_values and all(value is not None for value in earlier_values)
                else None
            )
            items.append(
                SeriesYear(
                    year=year,
                    local=figure,
                    county=figure_for(
                        yearly, populations, codes=county, key=key, year=year, with_data=with_data
                    ),
                    group=figure_for(
                        yearly, populations, codes=group, key=key, year=year, with_data=with_data
                    )
                    if group
                    else MISSING,
                    country=figure_for(
                        yearly, populations, codes=country, key=key, year=year, with_data=with_data
                    ),
                    change_previous=change(current, previous_value, basis=basis),
                    change_earlier=change(current, mean, basis=basis),
                    earlier_years=tuple(earlier),
                )
            )
        result[key] = Series(key=key, years=tuple(items))
    return result
