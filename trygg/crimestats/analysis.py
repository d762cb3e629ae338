"""Counts, rates per 100 000 inhabitants, changes and comparisons of reported crime, honest about coverage.

No Django import: the public statistics page, the lägesbild, the ranking and the tests all call these functions.
A "key" is what the figures are grouped by: a crime category's code, or a problem's slug when the categories
mapped to one problem are summed (`keys` maps each key to its categories).

Rules, as docs/lagesbild.md explains them:
- A year's figure is the whole-year figure when the source gave one, else the sum of its months (or quarters).
  A year with only some months is a part year, labelled with its months ("jan–okt").
- A category absent from the stored data for a year is missing ("uppgift saknas"), never 0: a key's figure sums
  only the categories present, and a change is computed only when the earlier year has every one of those
  categories for the same months, so a part year is compared with the same months of earlier years.
- A county's or the country's figure is the total the source itself gave for it, or else the sum over every one of
  its municipalities (each with the figure and a population); if one is missing, so is the area's figure. A
  comparison group is the sum over all its members on the same terms.
- A rate computed from fewer than `UNCERTAIN_BELOW` crimes is flagged as uncertain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

PER = 100_000
UNCERTAIN_BELOW = 10
EARLIER_YEARS = 3
QUARTER_OFFSET = 12
ALL_MONTHS = frozenset(range(1, 13))
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

# (place code, category, year, month, count, preliminary); month 0 is the whole year, 13–16 the quarters.
Record = tuple[str, str, int, int, int, bool]
Populations = Mapping[tuple[str, int], int]


def rate_per_100k(count: int | None, population: int | None) -> float | None:
    if count is None or not population:
        return None
    return count * PER / population


def months_label(months: Collection[int]) -> str:
    """ "jan–okt", "jan, mar" or "" for the whole year."""
    chosen = sorted(months)
    if not chosen or set(chosen) == ALL_MONTHS:
        return ""
    if chosen == list(range(chosen[0], chosen[-1] + 1)) and len(chosen) > 1:
        return f"{MONTH_ABBREVIATIONS[chosen[0] - 1]}–{MONTH_ABBREVIATIONS[chosen[-1] - 1]}"
    return ", ".join(MONTH_ABBREVIATIONS[month - 1] for month in chosen)


@dataclass
class Blocks:
    """What is stored for one place, category and year: the whole-year figure and/or months and quarters."""

    whole: int | None = None
    months: dict[int, int] = field(default_factory=dict)
    quarters: dict[int, int] = field(default_factory=dict)
    preliminary: bool = False

    def add(self, month: int, count: int, preliminary: bool) -> None:
        if month == 0:
            self.whole = count
        elif month > QUARTER_OFFSET:
            self.quarters[month - QUARTER_OFFSET] = count
        else:
            self.months[month] = count
        self.preliminary = self.preliminary or preliminary

    @property
    def covered(self) -> frozenset[int]:
        if self.whole is not None:
            return ALL_MONTHS
        quarter_months = {3 * (quarter - 1) + offset for quarter in self.quarters for offset in (1, 2, 3)}
        return frozenset(self.months) | frozenset(quarter_months)

    def count_over(self, months: frozenset[int]) -> int | None:
        """The count for exactly these months, or None if the stored figures cannot give it."""
        if months == ALL_MONTHS and self.whole is not None:
            return self.whole
        if months <= frozenset(self.months):
            return sum(self.months[month] for month in months)
        total, left = 0, set(months)
        for month in sorted(months):
            if month in self.months:
                total += self.months[month]
                left.discard(month)
        for quarter, count in self.quarters.items():
            span = {3 * (quarter - 1) + offset for offset in (1, 2, 3)}
            if span <= left:
                total += count
                left -= span
        return total if not left else None


Stored = Mapping[tuple[str, str, int], Blocks]


def collect(records: Iterable[Record]) -> dict[tuple[str, str, int], Blocks]:
    stored: dict[tuple[str, str, int], Blocks] = defaultdict(Blocks)
    for code, category, year, month, count, preliminary in records:
        stored[(code, category, year)].add(month, count, preliminary)
    return dict(stored)


@dataclass(frozen=True)
class Figure:
    count: int | None
    population: int | None
    members: int = 1
    months: int = 12
    month_set: frozenset[int] = ALL_MONTHS
    preliminary: bool = False
    categories: frozenset[str] = frozenset()

    @property
    def rate(self) -> float | None:
        return rate_per_100k(self.count, self.population)

    @property
    def uncertain(self) -> bool:
        return self.count is not None and self.count < UNCERTAIN_BELOW

    @property
    def partial(self) -> bool:
        return self.count is not None and self.months < 12

    @property
    def missing(self) -> bool:
        return self.count is None

    @property
    def months_label(self) -> str:
        return months_label(self.month_set) if self.count is not None else ""


MISSING = Figure(count=None, population=None, members=0, months=0, month_set=frozenset())


@dataclass(frozen=True)
class Change:
    """From `previous` to `current`; `basis` says whether rates or counts were compared, `months` over which."""

    previous: float
    current: float
    basis: str
    months: str = ""

    @property
    def absolute(self) -> float:
        return self.current - self.previous

    @property
    def percent(self) -> float | None:
        if self.previous == 0:
            return None
        return (self.current - self.previous) * 100 / self.previous


def change(
    current: float | None, previous: float | None, *, basis: str = "rate", months: str = ""
) -> Change | None:
    if current is None or previous is None:
        return None
    return Change(previous=previous, current=current, basis=basis, months=months)


@dataclass(frozen=True)
class Area:
    """A comparison area: `code` is the county ("07") or country ("00") code whose source totals may be stored;
    `members` are all its municipalities (for a county or the country, the official list, not Trygg's)."""

    members: tuple[str, ...]
    code: str | None = None


def _local_figure(
    stored: Stored, populations: Populations, code: str, categories: Collection[str], year: int
) -> Figure:
    present = {
        category: stored[(code, category, year)]
        for category in categories
        if (code, category, year) in stored
    }
    if not present:
        return MISSING
    common = frozenset.intersection(*(blocks.covered for blocks in present.values()))
    counts = {category: blocks.count_over(common) for category, blocks in present.items()} if common else {}
    usable = {category: count for category, count in counts.items() if count is not None}
    if not usable:
        return MISSING
    return Figure(
        count=sum(usable.values()),
        population=populations.get((code, year)),
        months=len(common),
        month_set=common,
        preliminary=any(present[category].preliminary for category in usable),
        categories=frozenset(usable),
    )


def _count_for(
    stored: Stored, code: str, categories: Collection[str], year: int, months: frozenset[int]
) -> tuple[int, bool] | None:
    """The count of every one of `categories` over `months`, or None if any of them lacks it."""
    total, preliminary = 0, False
    for category in categories:
        blocks = stored.get((code, category, year))
        found = blocks.count_over(months) if blocks is not None else None
        if found is None or blocks is None:
            return None
        total += found
        preliminary = preliminary or blocks.preliminary
    return total, preliminary


def _area_figure(
    stored: Stored,
    totals: Stored,
    populations: Populations,
    area_populations: Populations,
    area: Area,
    categories: Collection[str],
    year: int,
    months: frozenset[int],
) -> Figure:
    if not categories or not months or not area.members:
        return MISSING
    if area.code is not None:
        given = _count_for(totals, area.code, categories, year, months)
        if given is not None:
            population = area_populations.get((area.code, year))
            if population is None and all((member, year) in populations for member in area.members):
                population = sum(populations[(member, year)] for member in area.members)
            return Figure(
                count=given[0],
                population=population,
                members=len(area.members),
                months=len(months),
                month_set=months,
                preliminary=given[1],
                categories=frozenset(categories),
            )
    count, preliminary, population = 0, False, 0
    for member in area.members:
        found = _count_for(stored, member, categories, year, months)
        if found is None or (member, year) not in populations:
            return MISSING
        count += found[0]
        preliminary = preliminary or found[1]
        population += populations[(member, year)]
    return Figure(
        count=count,
        population=population,
        members=len(area.members),
        months=len(months),
        month_set=months,
        preliminary=preliminary,
        categories=frozenset(categories),
    )


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

    @property
    def months_label(self) -> str:
        return self.local.months_label


@dataclass(frozen=True)
class Series:
    key: str
    years: tuple[SeriesYear, ...]

    def year(self, year: int) -> SeriesYear | None:
        return next((item for item in self.years if item.year == year), None)


def _value(count: int, population: int | None) -> tuple[float, str]:
    rate = rate_per_100k(count, population)
    return (rate, "rate") if rate is not None else (float(count), "count")


def crime_series(
    *,
    stored: Stored,
    populations: Populations,
    municipality: str,
    keys: Mapping[str, Collection[str]],
    years: Iterable[int],
    county: Area,
    group: Area,
    country: Area,
    totals: Stored | None = None,
    area_populations: Populations | None = None,
    earlier_years: int = EARLIER_YEARS,
) -> dict[str, Series]:
    """Per key and year: the local figure, the three comparisons and the changes against earlier years.

    `change_previous` compares with the year before; `change_earlier` with the mean of up to `earlier_years`
    earlier years. Both compare the same categories over the same months (a part year with the same months of
    earlier years), rates when every year's population is known, counts otherwise; an earlier year without
    them is left out, never counted as 0.
    """
    totals = totals or {}
    area_populations = area_populations or {}
    ordered_years = sorted(set(years))
    result: dict[str, Series] = {}
    for key, categories in keys.items():
        items = []
        for year in ordered_years:
            local = _local_figure(stored, populations, municipality, categories, year)
            area_categories = local.categories or frozenset(categories)
            area_months = local.month_set if not local.missing else ALL_MONTHS

            def comparable(other_year: int, local: Figure = local) -> tuple[int, int | None] | None:
                found = _count_for(stored, municipality, local.categories, other_year, local.month_set)
                return None if found is None else (found[0], populations.get((municipality, other_year)))

            change_previous = change_earlier = None
            used: list[int] = []
            if not local.missing:
                label = local.months_label
                population = local.population
                previous = comparable(year - 1)
                if previous is not None:
                    basis = "rate" if population and previous[1] else "count"
                    current_value = _value(local.count or 0, population if basis == "rate" else None)[0]
                    previous_value = _value(previous[0], previous[1] if basis == "rate" else None)[0]
                    change_previous = change(current_value, previous_value, basis=basis, months=label)
                earlier = [(other, comparable(other)) for other in range(year - earlier_years, year)]
                found = [(other, value) for other, value in earlier if value is not None]
                used = [other for other, _value_found in found]
                if found:
                    basis = "rate" if population and all(value[1] for _o, value in found) else "count"
                    values = [
                        _value(value[0], value[1] if basis == "rate" else None)[0] for _o, value in found
                    ]
                    current_value = _value(local.count or 0, population if basis == "rate" else None)[0]
                    change_earlier = change(
                        current_value, sum(values) / len(values), basis=basis, months=label
                    )
            items.append(
                SeriesYear(
                    year=year,
                    local=local,
                    county=_area_figure(
                        stored,
                        totals,
                        populations,
                        area_populations,
                        county,
                        area_categories,
                        year,
                        area_months,
                    ),
                    group=_area_figure(
                        stored,
                        totals,
                        populations,
                        area_populations,
                        group,
                        area_categories,
                        year,
                        area_months,
                    ),
                    country=_area_figure(
                        stored,
                        totals,
                        populations,
                        area_populations,
                        country,
                        area_categories,
                        year,
                        area_months,
                    ),
                    change_previous=change_previous,
                    change_earlier=change_earlier,
                    earlier_years=tuple(used),
                )
            )
        result[key] = Series(key=key, years=tuple(items))
    return result
