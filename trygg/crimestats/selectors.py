"""Reads across crime statistics, populations and comparison areas, shaped for analysis.py."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Max, Min

from trygg.municipalities.models import Municipality

from . import analysis
from .models import ComparisonGroup, CrimeCategory, ImportRun, Population, ReportedCrime


@dataclass(frozen=True)
class Areas:
    county_name: str
    county: list[str]
    group_name: str
    group: list[str]
    country: list[str]


def comparison_areas(*, municipality: Municipality) -> Areas:
    rows = list(Municipality.objects.values_list("scb_code", "county"))
    group = ComparisonGroup.objects.filter(municipality=municipality).prefetch_related("members").first()
    return Areas(
        county_name=municipality.county,
        county=[code for code, county in rows if municipality.county and county == municipality.county],
        group_name=group.name if group else "",
        group=[member.scb_code for member in group.members.all()] if group else [],
        country=[code for code, _county in rows],
    )


@dataclass(frozen=True)
class CrimePicture:
    municipality: Municipality
    areas: Areas
    years: list[int]
    series: dict[str, analysis.Series]
    names: dict[str, str]
    example_data: bool
    latest_import: ImportRun | None

    @property
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None


def _populations(codes: Collection[str], years: Collection[int]) -> dict[tuple[str, int], int]:
    rows = Population.objects.filter(municipality__scb_code__in=codes, year__in=years).values_list(
        "municipality__scb_code", "year", "population"
    )
    return {(code, year): population for code, year, population in rows}


def _yearly(
    codes: Collection[str], years: Collection[int], key_field: str
) -> dict[tuple[str, str, int], tuple[int, int]]:
    rows: Iterable[tuple[str, str, int, int, int]] = (
        ReportedCrime.objects.filter(municipality__scb_code__in=codes, year__in=years)
        .exclude(**{f"{key_field}__isnull": True})
        .values_list("municipality__scb_code", key_field, "year", "month", "count")
    )
    return analysis.yearly_counts(rows)


def crime_picture(
    *, municipality: Municipality, by_problem: bool = False, years: Collection[int] | None = None
) -> CrimePicture:
    """The municipality's figures per category (or per problem) with the county, group and country around them."""
    local = ReportedCrime.objects.filter(municipality=municipality)
    if years is None:
        bounds = local.aggregate(first=Min("year"), last=Max("year"))
        years = range(bounds["first"], bounds["last"] + 1) if bounds["first"] is not None else []
    years = sorted(years)
    areas = comparison_areas(municipality=municipality)
    codes = set(areas.county) | set(areas.group) | set(areas.country) | {municipality.scb_code}
    # Earlier years feed the change columns of the first year shown.
    wanted_years = set(range(years[0] - analysis.EARLIER_YEARS, years[-1] + 1)) if years else set()
    key_field = "category__problem__slug" if by_problem else "category__code"
    yearly = _yearly(codes, wanted_years, key_field)
    populations = _populations(codes, wanted_years)
    if by_problem:
        names = dict(
            CrimeCategory.objects.filter(problem__isnull=False).values_list("problem__slug", "problem__name")
        )
    else:
        names = dict(CrimeCategory.objects.values_list("code", "name"))
    keys = sorted(
        {key for code, key, year in yearly if code == municipality.scb_code},
        key=lambda key: names.get(key, key),
    )
    all_series = analysis.crime_series(
        yearly=yearly,
        populations=populations,
        municipality=municipality.scb_code,
        county=areas.county,
        group=areas.group,
        country=areas.country,
        keys=keys,
        years=sorted(wanted_years),
    )
    shown = {
        key: analysis.Series(key=key, years=tuple(item for item in series.years if item.year in years))
        for key, series in all_series.items()
    }
    runs = ImportRun.objects.filter(figures__municipality__scb_code__in=codes, figures__year__in=years)
    example = (
        ImportRun.objects.filter(pk__in=runs.values("pk"), example_data=True).exists()
        or Population.objects.filter(
            municipality__scb_code__in=codes, year__in=years, import_run__example_data=True
        ).exists()
    )
    latest = ImportRun.objects.filter(pk__in=runs.values("pk")).order_by("-imported_at").first()
    return CrimePicture(
        municipality=municipality,
        areas=areas,
        years=list(years),
        series=shown,
        names=names,
        example_data=example,
        latest_import=latest,
    )
