"""Reads across crime statistics, populations and comparison areas, shaped for analysis.py."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Max, Min, Q

from trygg.municipalities.models import Municipality

from . import analysis, kommuner
from .models import (
    AreaCrime,
    AreaPopulation,
    ComparisonGroup,
    CrimeCategory,
    ImportRun,
    Population,
    ReportedCrime,
)


@dataclass(frozen=True)
class Areas:
    county_name: str
    county: list[str]  # every kommun of the county by the official list, whether in Trygg or not
    group_name: str
    group: list[str]
    country: list[str]  # all 290 kommuner
    county_code: str = ""


def comparison_areas(*, municipality: Municipality) -> Areas:
    group = ComparisonGroup.objects.filter(municipality=municipality).prefetch_related("members").first()
    county_code = municipality.scb_code[:2]
    return Areas(
        county_name=kommuner.counties().get(county_code, municipality.county),
        county=kommuner.county_members(county_code),
        group_name=group.name if group else "",
        group=[member.scb_code for member in group.members.all()] if group else [],
        country=list(kommuner.kommuner()),
        county_code=county_code if county_code in kommuner.counties() else "",
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
    population_import: ImportRun | None = None

    @property
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None


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
    stored = analysis.collect(
        ReportedCrime.objects.filter(municipality__scb_code__in=codes, year__in=wanted_years).records()
    )
    area_codes = [code for code in (areas.county_code, kommuner.COUNTRY_CODE) if code]
    totals = analysis.collect(
        AreaCrime.objects.filter(area_code__in=area_codes, year__in=wanted_years).values_list(
            "area_code", "category__code", "year", "month", "count", "preliminary"
        )
    )
    populations = {
        (code, year): population
        for code, year, population in Population.objects.filter(
            municipality__scb_code__in=codes, year__in=wanted_years
        ).values_list("municipality__scb_code", "year", "population")
    }
    area_populations = {
        (code, year): population
        for code, year, population in AreaPopulation.objects.filter(
            area_code__in=area_codes, year__in=wanted_years
        ).values_list("area_code", "year", "population")
    }
    categories = list(CrimeCategory.objects.values_list("code", "name", "problem__slug", "problem__name"))
    present = {category for code, category, _year in stored if code == municipality.scb_code}
    if by_problem:
        names = {slug: problem_name for _code, _name, slug, problem_name in categories if slug}
        grouped: dict[str, list[str]] = {}
        for code, _name, slug, _problem_name in categories:
            if slug:
                grouped.setdefault(slug, []).append(code)
        keys = {slug: members for slug, members in grouped.items() if present & set(members)}
    else:
        names = {code: name for code, name, _slug, _problem in categories}
        keys = {code: [code] for code in present}
    ordered = dict(sorted(keys.items(), key=lambda item: names.get(item[0], item[0])))
    all_series = analysis.crime_series(
        stored=stored,
        totals=totals,
        populations=populations,
        area_populations=area_populations,
        municipality=municipality.scb_code,
        keys=ordered,
        years=sorted(wanted_years),
        county=analysis.Area(members=tuple(areas.county), code=areas.county_code or None),
        group=analysis.Area(members=tuple(areas.group)),
        country=analysis.Area(members=tuple(areas.country), code=kommuner.COUNTRY_CODE),
    )
    shown = {
        key: analysis.Series(key=key, years=tuple(item for item in series.years if item.year in years))
        for key, series in all_series.items()
    }
    runs = ImportRun.objects.filter(figures__municipality__scb_code__in=codes, figures__year__in=years)
    # Every figure the page shows or compares with (the kommuner's rows and populations, the county's and the
    # country's totals and populations) from an example-data run puts the label on it: one query.
    example = (
        ImportRun.objects.filter(example_data=True)
        .filter(
            Q(pk__in=runs.values("pk"))
            | Q(
                pk__in=Population.objects.filter(municipality__scb_code__in=codes, year__in=years).values(
                    "import_run"
                )
            )
            | Q(
                pk__in=AreaCrime.objects.filter(area_code__in=area_codes, year__in=years).values("import_run")
            )
            | Q(
                pk__in=AreaPopulation.objects.filter(area_code__in=area_codes, year__in=years).values(
                    "import_run"
                )
            )
        )
        .exists()
    )
    latest = ImportRun.objects.filter(pk__in=runs.values("pk")).order_by("-imported_at").first()
    population_run = (
        ImportRun.objects.filter(populations__municipality=municipality, populations__year__in=years)
        .order_by("-imported_at")
        .first()
    )
    return CrimePicture(
        municipality=municipality,
        areas=areas,
        years=list(years),
        series=shown,
        names=names,
        example_data=example,
        latest_import=latest,
        population_import=population_run,
    )
