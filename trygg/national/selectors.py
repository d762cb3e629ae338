"""Reads for the national pages: one read model per page, built in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trygg.crimestats import kommuner
from trygg.crimestats.models import KpiValue
from trygg.municipalities.models import Municipality
from trygg.promises.models import Promise

from .catalogue import CatalogueEntry, DatasetEntry
from .comparison import Share, marks, median, most_similar
from .loaders import police_regions
from .models import GroupAssignment, MunicipalityGroup, PoliceAreaCoverage, PromiseCoverage, PromiseSource
from .progress import COMING, ENDED, RUNNING, PromiseProgress, promise_phase, promise_progress_overview

EDITION = "2023"
LOCAL = "local"


@dataclass(frozen=True)
class Provenance:
    kind: str  # "local", "harvested" or "document"
    label: str
    source_url: str
    source_name: str
    fetched_at: dt.datetime | None
    extraction: str
    verified: bool
    verified_at: dt.datetime | None
    #: The harvested installation did not answer at the last attempt (its data is kept, as last fetched).
    source_problem: str = ""

    @property
    def counts_as_followup(self) -> bool:
        return self.verified


def provenance_of(promise: Promise, source: PromiseSource | None) -> Provenance:
    if source is None:
        return Provenance(
            kind=LOCAL,
            label=_("Registrerat i Trygg av kommunens personal"),
            source_url=promise.get_absolute_url(),
            source_name=settings.OPEN_DATA_PUBLISHER_NAME,
            fetched_at=None,
            extraction=_("Skrivet och följt upp direkt i den här installationen"),
            verified=True,
            verified_at=None,
        )
    if source.kind == PromiseSource.Kind.HARVESTED:
        harvested = source.harvest_source
        problem = ""
        if harvested is not None and harvested.consecutive_failures:
            problem = _(
                "Källan svarade inte vid senaste försöket; uppgifterna är från senaste lyckade hämtning."
            )
        return Provenance(
            kind=PromiseSource.Kind.HARVESTED.value,
            label=_("Hämtat från kommunens egen Trygg"),
            source_url=source.source_url,
            source_name=harvested.name if harvested is not None else "",
            fetched_at=(harvested.last_success_at if harvested is not None else None) or source.fetched_at,
            extraction=source.extraction,
            verified=True,
            verified_at=None,
            source_problem=problem,
        )
    verified = source.verified_at is not None
    return Provenance(
        kind=PromiseSource.Kind.DOCUMENT.value,
        label=(
            _("Inläst ur dokument, verifierat av kommunen %(date)s")
            % {"date": date_format(source.verified_at, "j F Y")}
            if source.verified_at is not None
            else _("Inläst ur dokument, ej verifierad")
        ),
        source_url=source.source_url,
        source_name=source.file_name,
        fetched_at=source.fetched_at,
        extraction=source.extraction,
        verified=verified,
        verified_at=source.verified_at,
    )


def promise_provenance(*, promise: Promise) -> Provenance:
    source = PromiseSource.objects.select_related("harvest_source").filter(promise=promise).first()
    return provenance_of(promise, source)


@dataclass(frozen=True)
class GroupRef:
    code: str
    name: str
    is_example: bool


@dataclass(frozen=True)
class PromiseRef:
    pk: int
    title: str
    url: str
    valid_from: dt.date
    valid_until: dt.date
    phase: str
    provenance: Provenance
    #: The other kommuner a shared promise (signed by an LPO for several) also covers, by name.
    shared_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class KommunRow:
    code: str
    name: str
    county_code: str
    county: str
    region: str
    districts: tuple[str, ...]
    police_areas: tuple[str, ...]
    police_areas_example: bool
    group: GroupRef | None
    url: str | None
    promise: PromiseRef | None
    progress: PromiseProgress | None
    promises_count: int

    @property
    def map_state(self) -> str:
        if self.promise is None:
            return "none"
        if not self.promise.provenance.verified:
            return "document"
        return self.promise.phase


@dataclass(frozen=True)
class Filters:
    county: str = ""
    region: str = ""
    district: str = ""
    police_area: str = ""
    group: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return any((self.county, self.region, self.district, self.police_area, self.group, self.query))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class NationalOverview:
    today: dt.date
    rows: tuple[KommunRow, ...]
    total: int
    with_promise: int
    groups_example: bool
    police_example: bool
    counts: dict[str, int] = field(default_factory=dict)


def _choose(promises: list[Promise], sources: dict[int, PromiseSource], today: dt.date) -> Promise | None:
    """The promise the table shows for a kommun: running before coming before ended, a verified source before an
    unverified document, then the latest start."""
    order = {RUNNING: 0, COMING: 1, ENDED: 2}

    def key(promise: Promise) -> tuple[int, int, int]:
        source = sources.get(promise.pk)
        unverified = int(source is not None and not source.is_verified)
        phase = promise_phase(promise, today)
        start = promise.valid_from.toordinal()
        return (order[phase], unverified, -start if phase != COMING else start)

    return min(promises, key=key) if promises else None


def _police(today: dt.date) -> dict[str, list[PoliceAreaCoverage]]:
    coverages: dict[str, list[PoliceAreaCoverage]] = defaultdict(list)
    current = PoliceAreaCoverage.objects.filter(valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    for coverage in current.select_related("police_area", "district__region").order_by("police_area__name"):
        coverages[coverage.kommun_code].append(coverage)
    return coverages


def _groups(edition: str = EDITION) -> dict[str, GroupRef]:
    return {
        assignment.kommun_code: GroupRef(assignment.group.code, assignment.group.name, assignment.is_example)
        for assignment in GroupAssignment.objects.filter(edition=edition).select_related("group")
    }


def _matches(row: KommunRow, filters: Filters) -> bool:
    if filters.county and row.county_code != filters.county:
        return False
    if filters.region and row.region != filters.region:
        return False
    if filters.district and filters.district not in row.districts:
        return False
    if filters.police_area and filters.police_area not in row.police_areas:
        return False
    if filters.group and (row.group is None or row.group.code != filters.group):
        return False
    return not filters.query or kommuner.normalise(filters.query) in kommuner.normalise(row.name)


def kommun_rows(*, today: dt.date, codes: Iterable[str] | None = None) -> list[KommunRow]:
    """Every official kommun (or the given ones) with its current promise, progress, groups and police areas."""
    official = kommuner.kommuner()
    wanted = list(official) if codes is None else [code for code in codes if code in official]
    counties = kommuner.counties()
    regions = police_regions()
    municipalities = {
        municipality.scb_code: municipality
        for municipality in Municipality.objects.filter(scb_code__in=wanted).only(
            "pk", "name", "slug", "scb_code"
        )
    }
    by_pk = {municipality.pk: municipality for municipality in municipalities.values()}
    promises = list(
        Promise.objects.public()
        .filter(Q(municipality__scb_code__in=wanted) | Q(covered_kommuner__kommun_code__in=wanted))
        .distinct()
        .select_related("provenance__harvest_source")
        .defer("introduction")
    )
    sources: dict[int, PromiseSource] = {
        promise.pk: promise.provenance for promise in promises if hasattr(promise, "provenance")
    }
    coverage: dict[int, list[str]] = defaultdict(list)
    for promise_id, code in PromiseCoverage.objects.filter(promise__in=promises).values_list(
        "promise_id", "kommun_code"
    ):
        coverage[promise_id].append(code)
    owners = {
        municipality.pk: municipality
        for municipality in Municipality.objects.filter(
            pk__in={promise.municipality_id for promise in promises} - set(by_pk)
        ).only("pk", "name", "slug", "scb_code")
    } | by_pk
    per_kommun: dict[str, list[Promise]] = defaultdict(list)
    for promise in promises:
        owner = owners[promise.municipality_id]
        promise.municipality = owner
        for code in {owner.scb_code, *coverage.get(promise.pk, [])}:
            per_kommun[code].append(promise)
    chosen = {code: _choose(found, sources, today) for code, found in per_kommun.items()}
    shown = [promise for promise in chosen.values() if promise is not None]
    unique_shown = list({promise.pk: promise for promise in shown}.values())
    overview = promise_progress_overview(
        promises=unique_shown,
        today=today,
        followed_up={
            promise.pk: sources[promise.pk].is_verified if promise.pk in sources else True
            for promise in unique_shown
        },
    )
    groups = _groups()
    police = _police(today)
    rows = []
    for code in wanted:
        shown_promise = chosen.get(code)
        municipality = municipalities.get(code)
        reference = None
        if shown_promise is not None:
            promise = shown_promise
            covered = {owners[promise.municipality_id].scb_code, *coverage.get(promise.pk, [])}
            reference = PromiseRef(
                pk=promise.pk,
                title=promise.title,
                url=promise.get_absolute_url(),
                valid_from=promise.valid_from,
                valid_until=promise.valid_until,
                phase=promise_phase(promise, today),
                provenance=provenance_of(promise, sources.get(promise.pk)),
                shared_with=tuple(sorted(official[other] for other in covered - {code} if other in official)),
            )
        coverages = police.get(code, [])
        rows.append(
            KommunRow(
                code=code,
                name=official[code],
                county_code=code[:2],
                county=counties.get(code[:2], ""),
                region=regions.get(code[:2], ""),
                districts=tuple(sorted({c.district.name for c in coverages if c.district is not None})),
                police_areas=tuple(sorted({c.police_area.name for c in coverages})),
                police_areas_example=any(c.is_example for c in coverages),
                group=groups.get(code),
                url=reverse("promises:municipality", args=[municipality.slug])
                if municipality is not None
                else None,
                promise=reference,
                progress=overview.get(shown_promise.pk) if shown_promise is not None else None,
                promises_count=len(per_kommun.get(code, [])),
            )
        )
    return rows


@dataclass(frozen=True)
class FilterChoices:
    counties: tuple[Choice, ...]
    regions: tuple[Choice, ...]
    districts: tuple[Choice, ...]
    police_areas: tuple[Choice, ...]
    groups: tuple[Choice, ...]


def filter_choices() -> FilterChoices:
    """What the national table can be filtered by: län, police region, polisområde, LPO and kommungrupp."""
    police_rows = list(PoliceAreaCoverage.objects.select_related("police_area", "district"))
    groups = MunicipalityGroup.objects.filter(edition=EDITION).order_by("code")
    return FilterChoices(
        counties=tuple(Choice(code, name) for code, name in kommuner.counties().items()),
        regions=tuple(Choice(name, name) for name in sorted(set(police_regions().values()))),
        districts=tuple(
            Choice(name, name) for name in sorted({c.district.name for c in police_rows if c.district})
        ),
        police_areas=tuple(Choice(name, name) for name in sorted({c.police_area.name for c in police_rows})),
        groups=tuple(Choice(group.code, f"{group.code} {group.name}") for group in groups),
    )


def national_overview(*, today: dt.date, filters: Filters) -> NationalOverview:
    rows = kommun_rows(today=today)
    shown = tuple(row for row in rows if _matches(row, filters))
    counts: dict[str, int] = defaultdict(int)
    for row in shown:
        counts[row.map_state] += 1
    return NationalOverview(
        today=today,
        rows=shown,
        total=len(rows),
        with_promise=sum(1 for row in shown if row.promise is not None),
        groups_example=any(row.group is not None and row.group.is_example for row in rows),
        police_example=any(row.police_areas_example for row in rows),
        counts=dict(counts),
    )


@dataclass(frozen=True)
class KommunFacts:
    group: GroupRef | None
    region: str
    police_areas: tuple[str, ...]
    #: (promise title, provenance) of each public promise that did not come from this installation's own staff.
    sources: tuple[tuple[str, Provenance], ...] = ()


def kommun_facts(*, municipality: Municipality, today: dt.date) -> KommunFacts | None:
    """The kommun's kommungrupp, police region and current lokalpolisområden, in two queries."""
    if municipality.scb_code[:2] not in kommuner.counties():
        return None
    day = today
    assignment = (
        GroupAssignment.objects.filter(edition=EDITION, kommun_code=municipality.scb_code)
        .select_related("group")
        .first()
    )
    areas = (
        PoliceAreaCoverage.objects.filter(kommun_code=municipality.scb_code, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values_list("police_area__name", flat=True)
    )
    sources = [
        (source.promise.title, provenance_of(source.promise, source))
        for source in PromiseSource.objects.filter(
            promise__municipality=municipality, promise__status__in=Promise.Status.public()
        )
        .select_related("promise__municipality", "harvest_source")
        .order_by("-promise__valid_from")
    ]
    return KommunFacts(
        group=GroupRef(assignment.group.code, assignment.group.name, assignment.is_example)
        if assignment
        else None,
        region=police_regions().get(municipality.scb_code[:2], ""),
        police_areas=tuple(sorted(set(areas))),
        sources=tuple(sources),
    )


@dataclass(frozen=True)
class ContextFigure:
    kpi: str
    label: str
    note: str
    value: float | None
    year: int | None


@dataclass(frozen=True)
class ComparisonRow:
    kommun: KommunRow
    share: Share | None
    mark: str
    context: tuple[ContextFigure, ...]

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share.rate * 100)


@dataclass(frozen=True)
class GroupComparison:
    group: MunicipalityGroup
    rows: tuple[ComparisonRow, ...]
    group_median: float | None
    country_share: Share | None
    context_kpis: tuple[tuple[str, str, str], ...]
    country_context: tuple[ContextFigure, ...]
    is_example: bool
    similar_to: str = ""
    populations_missing: bool = False

    @property
    def group_median_percent(self) -> int | None:
        return None if self.group_median is None else round(self.group_median * 100)

    @property
    def country_percent(self) -> int | None:
        return (
            None
            if self.country_share is None or not self.country_share.total
            else round(self.country_share.rate * 100)
        )


def group_list() -> list[tuple[MunicipalityGroup, int]]:
    groups = MunicipalityGroup.objects.filter(edition=EDITION).order_by("code")
    counts: dict[int, int] = defaultdict(int)
    for group_id in GroupAssignment.objects.filter(edition=EDITION).values_list("group_id", flat=True):
        counts[group_id] += 1
    return [(group, counts[group.pk]) for group in groups]


def _share(row: KommunRow) -> Share | None:
    progress = row.progress
    if progress is None or not progress.followed_up or progress.phase == COMING or not progress.total:
        return None
    return Share(progress.done, progress.total)


def _context(codes: list[str]) -> dict[str, tuple[ContextFigure, ...]]:
    kpis = settings.NATIONAL_CONTEXT_KPIS
    latest: dict[tuple[str, str], KpiValue] = {}
    values = KpiValue.objects.filter(kpi__in=list(kpis), area_code__in=codes, gender="T", value__isnull=False)
    for value in values.order_by("year"):
        latest[(value.area_code, value.kpi)] = value
    result = {}
    for code in codes:
        figures = []
        for kpi, (label, note) in kpis.items():
            found = latest.get((code, kpi))
            figures.append(
                ContextFigure(
                    kpi, str(label), str(note), found.value if found else None, found.year if found else None
                )
            )
        result[code] = tuple(figures)
    return result


def group_comparison(*, code: str, today: dt.date, similar_to: str = "") -> GroupComparison | None:
    group = MunicipalityGroup.objects.filter(edition=EDITION, code=code).first()
    if group is None:
        return None
    assignments = list(GroupAssignment.objects.filter(group=group).order_by("kommun_code"))
    codes = [assignment.kommun_code for assignment in assignments]
    populations_missing = False
    if similar_to and similar_to in codes:
        populations = {
            municipality.scb_code: municipality.population
            for municipality in Municipality.objects.filter(scb_code__in=codes, population__isnull=False)
        }
        populations_missing = similar_to not in populations
        codes = [similar_to, *most_similar(similar_to, {k: v for k, v in populations.items() if v})]
    else:
        similar_to = ""
    rows = kommun_rows(today=today, codes=codes)
    shares = {row.code: share for row in rows if (share := _share(row)) is not None}
    given = marks(shares)
    context = _context([*codes, "00"])
    all_rows = kommun_rows(today=today)
    country = [share for row in all_rows if (share := _share(row)) is not None]
    kpis = tuple(
        (kpi, str(label), str(note)) for kpi, (label, note) in settings.NATIONAL_CONTEXT_KPIS.items()
    )
    return GroupComparison(
        group=group,
        rows=tuple(
            ComparisonRow(row, shares.get(row.code), given.get(row.code, ""), context.get(row.code, ()))
            for row in sorted(rows, key=lambda row: kommuner.normalise(row.name))
        ),
        group_median=median([share.rate for share in shares.values() if not share.small]),
        country_share=Share(sum(share.done for share in country), sum(share.total for share in country)),
        context_kpis=kpis,
        country_context=context.get("00", ()),
        is_example=any(assignment.is_example for assignment in assignments),
        similar_to=similar_to,
        populations_missing=populations_missing,
    )


_TABLE_TEXTS = {
    "promises": (
        "Medborgarlöften",
        "Citizen promises",
        "Kommunernas och polisens medborgarlöften: kommunkod, rubrik, period, status, källa och om kommunen verifierat.",
        "The promises of municipalities and the police: municipality code, title, period, status, source, verification.",
        ("medborgarlöfte", "trygghet", "brottsförebyggande", "polisen", "kommun"),
    ),
    "activities": (
        "Aktiviteter i medborgarlöften",
        "Activities of citizen promises",
        "Varje aktivitet i löftena: vad som lovas, hur mycket, per vilken period, vem som ansvarar.",
        "Every activity promised: what, how much, per which period, who is responsible.",
        ("medborgarlöfte", "aktivitet", "trygghet"),
    ),
    "executions": (
        "Utförda aktiviteter",
        "Executions of activities",
        "Det som har gjorts för varje aktivitet: datum, beskrivning och antal.",
        "What was done for each activity: date, description and count.",
        ("uppföljning", "medborgarlöfte", "trygghet"),
    ),
    "statuses": (
        "Aktiviteternas status",
        "Status of activities",
        "Varje aktivitets status enligt Tryggs uppföljningsregler den dag filen skrevs, med mål och utfört antal.",
        "Each activity's status by Trygg's follow-up rules on the day the file was written, with target and done.",
        ("uppföljning", "status", "medborgarlöfte"),
    ),
}


def open_data_catalogue_entry(*, site_url: str, now: dt.datetime) -> CatalogueEntry:
    from .exports import scope_promises, scopes

    datasets = []
    for scope in scopes():
        span = scope_promises(scope).aggregate(start=Min("valid_from"), end=Max("valid_until"))
        temporal = (span["start"], span["end"]) if span["start"] and span["end"] else None
        for table, (title_sv, title_en, text_sv, text_en, keywords) in _TABLE_TEXTS.items():
            national = scope == "national"
            datasets.append(
                DatasetEntry(
                    key=f"{scope}/{table}",
                    title_sv=f"{title_sv} i hela landet" if national else title_sv,
                    title_en=f"{title_en}, whole country" if national else title_en,
                    description_sv=text_sv,
                    description_en=text_en,
                    keywords=keywords,
                    files=(
                        ("csv", f"{site_url}/oppna-data/{scope}/{table}.csv"),
                        ("parquet", f"{site_url}/oppna-data/{scope}/{table}.parquet"),
                        ("json", f"{site_url}/oppna-data/{scope}/all.json"),
                    ),
                    landing_page=f"{site_url}/oppna-data/",
                    temporal=temporal,
                )
            )
    return CatalogueEntry(
        site_url=site_url,
        publisher_name=settings.OPEN_DATA_PUBLISHER_NAME,
        publisher_orgnr=settings.OPEN_DATA_PUBLISHER_ORGNR,
        contact_email=settings.OPEN_DATA_CONTACT_EMAIL,
        title_sv=f"Öppna data från {settings.OPEN_DATA_PUBLISHER_NAME}: medborgarlöften och uppföljning",
        description_sv=(
            "Medborgarlöften som kommuner och polisen ger tillsammans, deras aktiviteter, vad som har gjorts och "
            "aktiviteternas status, som CSV, JSON och Parquet. Fria att använda (CC0)."
        ),
        api_description_url=f"{site_url}/api/openapi.json",
        api_endpoint_url=f"{site_url}/api/",
        modified=now,
        datasets=tuple(datasets),
    )
