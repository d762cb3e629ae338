"""Reads for residents' reports. Public reads only ever see the snapped point and no reporter data."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import statistics
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.municipalities import rules as municipality_rules
from trygg.municipalities.models import Area, Municipality
from trygg.promises import selectors as promise_selectors
from trygg.promises.models import Activity

from . import geo, places, rules
from .geocoding import geocode_online
from .models import Open311Key, Place, Report, ReportCategory, ReportEvent, ReportPhoto
from .services import emergency_notice, open311_key_hash, place_normalize
from .wording import reads_like_emergency

AnyUser = AbstractBaseUser | AnonymousUser
EARTH_RADIUS_M = 6_371_008.8
# Sweden with a margin, in degrees: the reach of the staff hot-cell layer.
SWEDEN_LATITUDES = (54.5, 69.5)
SWEDEN_LONGITUDES = (10.0, 24.5)


def municipality_get(*, slug: str) -> Municipality:
    return get_object_or_404(Municipality, slug=slug)


_CATEGORY_KEY = re.compile(r"[-a-zA-Z0-9_]{1,50}")
_CATEGORY_ID = re.compile(r"[0-9]{1,9}")


def category_preselected(*, municipality: Municipality, key: str) -> ReportCategory | None:
    """The active category a link from the promise names (``?kategori=`` with its code or id), or None."""
    key = key.strip()
    # Only what a code or an id can be: a NUL byte or a number past the database's integers would fail the query.
    if not _CATEGORY_KEY.fullmatch(key):
        return None
    lookup = Q(slug=key) | Q(pk=int(key)) if _CATEGORY_ID.fullmatch(key) else Q(slug=key)
    return ReportCategory.objects.active().filter(lookup, municipality=municipality).first()


def category_activities_public(*, category: ReportCategory) -> list[Activity]:
    """The activities of the municipality's public promises that this category is reported for."""
    return promise_selectors.activities_public(
        activities=category.activities.all(), municipality_id=category.municipality_id
    )


def categories_public(*, municipality: Municipality) -> list[ReportCategory]:
    return list(ReportCategory.objects.active().filter(municipality=municipality))


# --------------------------------------------------------------------- categories (staff)


@dataclass(frozen=True)
class CategoryRow:
    category: ReportCategory
    reports: int
    open_reports: int
    activities: list[Activity]


@dataclass(frozen=True)
class MunicipalityCategories:
    municipality: Municipality
    can_manage: bool
    categories: list[CategoryRow]


def staff_report_categories(*, user: AnyUser) -> list[MunicipalityCategories]:
    """Each of the user's municipalities with its categories, their report counts and linked activities."""
    municipalities = list(municipality_rules.staff_municipalities(user).order_by("name"))
    categories = (
        ReportCategory.objects.filter(municipality__in=municipalities)
        .annotate(
            report_count=Count("reports", distinct=True),
            open_count=Count(
                "reports", filter=Q(reports__state__in=Report.State.open_states()), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch(
                "activities", queryset=Activity.objects.select_related("focus_area__promise").order_by("pk")
            )
        )
        .order_by("order", "name")
    )
    rows: dict[int, list[CategoryRow]] = {municipality.pk: [] for municipality in municipalities}
    for category in categories:
        rows[category.municipality_id].append(
            CategoryRow(category, category.report_count, category.open_count, list(category.activities.all()))
        )
    return [
        MunicipalityCategories(
            municipality, rules.can_manage_report_categories(user, municipality), rows[municipality.pk]
        )
        for municipality in municipalities
    ]


def staff_category_get(*, user: AnyUser, pk: int) -> ReportCategory:
    """A category of the user's municipalities; others do not exist for them (404)."""
    return get_object_or_404(
        ReportCategory.objects.filter(
            municipality__in=municipality_rules.staff_municipalities(user)
        ).select_related("municipality", "problem"),
        pk=pk,
    )


# ------------------------------------------------------------------------- places


HOUSE_NUMBER = re.compile(r"^\d{1,4}[a-z]?$")
POSTCODE = re.compile(r"^\d{3} ?\d{2}$")


@dataclass(frozen=True)
class PlaceMatch:
    place: Place | None
    candidates: list[Place]
    house_number: str = ""  # typed after a street the gazetteer knows without that number

    @property
    def name(self) -> str:
        """What the report calls its place: the entry's name, with the typed house number when only the
        street was known ("Storgatan 12" at the street's point)."""
        if self.place is None:
            return ""
        return f"{self.place.name} {self.house_number}" if self.house_number else self.place.name


@dataclass(frozen=True)
class _Reading:
    street: list[str]  # the words that should name a street or place
    number: str  # a house number, normalized ("12a"), or ""
    rest: str  # the words after them (a town, a postcode), normalized


def _readings(text: str) -> list[_Reading]:
    """The ways to read a typed address: "storgatan 12 ljungby" is street "storgatan", number "12" and town
    "ljungby"; without a number, any trailing words may be a town ("stora torget ljungby")."""
    parts = [place_normalize(part) for part in text.split(",")]
    parts = [part for part in parts if part]
    if not parts:
        return []
    words = parts[0].split()
    rest = " ".join(parts[1:])
    at = next((i for i, word in enumerate(words) if i > 0 and HOUSE_NUMBER.match(word)), None)
    if at is not None:
        return [_Reading(words[:at], words[at].upper(), " ".join([*words[at + 1 :], rest]).strip())]
    return [_Reading(words[:n], "", " ".join([*words[n:], rest]).strip()) for n in range(len(words), 0, -1)]


def _in_locality(found: list[Place], rest: str) -> list[Place]:
    """Of places with one name, those whose locality the resident typed ("Storgatan, Lagan"); all when none is."""
    words = f" {rest} "
    chosen = [place for place in found if place.locality and f" {place_normalize(place.locality)} " in words]
    return chosen or found


def _one_or_candidates(found: list[Place], rest: str, limit: int, number: str = "") -> PlaceMatch | None:
    if not found:
        return None
    found = _in_locality(found, rest)
    if len(found) == 1:
        return PlaceMatch(found[0], [], number)
    return PlaceMatch(None, found[:limit])


def place_resolve(*, municipality: Municipality, text: str, limit: int = 8) -> PlaceMatch:
    """Find a typed address or place name in the municipality's gazetteer, whatever the case, diacritics,
    punctuation, house number or town ("STORGATAN 12, Ljungby", "storgatan 12 ljungby", "Sodra torget").

    In order: the whole text as a name ("Lagaån, gångvägen"); the street with its house number among the address
    points; the street alone (the report then says "Storgatan 12" at the street's point); the longest leading words
    that name a place ("Stora torget Ljungby"); a single partial match; then close spellings, offered as
    candidates. Among entries of one name in several localities the typed town decides. Three queries at most
    before the optional online geocoder.
    """
    places = Place.objects.filter(municipality=municipality)
    whole = place_normalize(text)
    if not whole:
        return PlaceMatch(None, [])
    readings = _readings(text)
    wanted = {whole}
    for reading in readings:
        street = " ".join(reading.street)
        wanted.add(street)
        if reading.number:
            wanted.add(f"{street} {reading.number.lower()}")
    by_name: dict[str, list[Place]] = {}
    for place in places.filter(normalized__in=wanted).order_by("name", "locality", "pk"):
        by_name.setdefault(place.normalized, []).append(place)
    found = _one_or_candidates(by_name.get(whole, []), "", limit)
    if found is not None:
        return found
    for reading in readings:
        street = " ".join(reading.street)
        if reading.number:
            addresses = [
                place
                for place in by_name.get(f"{street} {reading.number.lower()}", [])
                if place.kind == Place.ADDRESS
            ]
            found = _one_or_candidates(addresses, reading.rest, limit)
            if found is not None:
                return found
        streets = [place for place in by_name.get(street, []) if place.kind != Place.ADDRESS]
        found = _one_or_candidates(streets, reading.rest, limit, reading.number)
        if found is not None:
            return found
    named = places.exclude(kind=Place.ADDRESS)
    street = " ".join(readings[0].street) if readings else whole
    partial = list(named.filter(normalized__contains=street).order_by("name", "locality")[: limit + 1])
    if partial:
        found = _one_or_candidates(partial, readings[0].rest if readings else "", limit, readings[0].number)
        if found is not None:
            return found
    close = _close_spellings(named, street, limit)
    if close:
        return PlaceMatch(None, close)
    found_online = geocode_online(text=text, municipality_name=municipality.name)
    if found_online is not None:
        # Not saved: an online answer is used for this report only, never added to the gazetteer.
        place = Place(
            municipality=municipality,
            name=found_online.name,
            kind=Place.ADDRESS,
            latitude=found_online.latitude,
            longitude=found_online.longitude,
        )
        return PlaceMatch(place, [])
    return PlaceMatch(None, [])


def _close_spellings(named: Any, street: str, limit: int) -> list[Place]:
    """Streets and places spelled nearly like the typed words ("Storgtan"), offered, never taken."""
    if len(street) < 4:
        return []
    names = set(named.values_list("normalized", flat=True).distinct()[:20_000])
    close = difflib.get_close_matches(street, names, n=3, cutoff=0.8)
    if not close:
        return []
    return list(named.filter(normalized__in=close).order_by("name", "locality")[:limit])


@dataclass(frozen=True)
class PublicPlace:
    name: str  # the report's place name, or "" when it has none
    near: str  # else the nearest known place to its public point, or ""
    latitude: float
    longitude: float


def report_place_public(*, report: Report) -> PublicPlace:
    """How the public page names a report's place: its name, else "Nära" the nearest known place to the public
    (rounded) point, else only the point, which the page labels as coordinates."""
    near = None
    if not report.place_name:
        near = place_nearest(
            municipality=report.municipality,
            latitude=report.public_latitude,
            longitude=report.public_longitude,
            within_m=300,
        )
    return PublicPlace(
        name=report.place_name,
        near=near.name if near else "",
        latitude=report.public_latitude,
        longitude=report.public_longitude,
    )


@dataclass(frozen=True)
class NearPlace:
    name: str
    distance_m: int


def place_nearest(
    *, municipality: Municipality, latitude: float, longitude: float, within_m: float = 250
) -> NearPlace | None:
    """The gazetteer's entry nearest a point (an address point before a street's when both are as close), within
    `within_m` metres: the map's suggestion for a clicked point, "Nära …" for a report without a place name.
    One query over a box around the point."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    spread_lat = within_m / 111_320
    spread_lon = spread_lat / max(math.cos(math.radians(latitude)), 0.01)
    near = Place.objects.filter(
        municipality=municipality,
        latitude__range=(latitude - spread_lat, latitude + spread_lat),
        longitude__range=(longitude - spread_lon, longitude + spread_lon),
    ).only("name", "locality", "kind", "latitude", "longitude")[:2000]
    best: tuple[float, Place] | None = None
    for place in near:
        distance = distance_m(latitude, longitude, place.latitude, place.longitude)
        if place.kind != Place.ADDRESS:
            distance += 10  # a street's point is its middle: an address as close is the better name
        if distance <= within_m + 10 and (best is None or distance < best[0]):
            best = (distance, place)
    if best is None:
        return None
    place = best[1]
    exact = distance_m(latitude, longitude, place.latitude, place.longitude)
    return NearPlace(name=place.label, distance_m=round(exact))


# --------------------------------------------------------------------- duplicates


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Duplicate:
    report: Report
    distance_m: int


def report_duplicates(
    *,
    category: ReportCategory,
    latitude: float,
    longitude: float,
    submission_id: uuid.UUID | None = None,
    limit: int = 5,
) -> list[Duplicate]:
    """Open public reports of the same category near a point, nearest first, other than the one filed by
    this very submission (a second click may arrive while the first is being filed).

    Distances are measured to the snapped public points, from the snapped new point, so that the hint
    reveals nothing finer than the public map does.
    """
    radius = category.duplicate_radius_m
    latitude, longitude = geo.snap_to_grid(latitude, longitude)
    # The snapped point can be up to ~71 m off; widen the box by one cell so no neighbour is missed.
    reach = radius + 100
    dlat = reach / 111_320
    dlon = reach / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    nearby = (
        Report.objects.public()
        .open()
        .filter(
            category=category,
            public_latitude__range=(latitude - dlat, latitude + dlat),
            public_longitude__range=(longitude - dlon, longitude + dlon),
        )
        .select_related("category", "municipality")
    )
    if submission_id is not None:
        nearby = nearby.exclude(submission_id=submission_id)
    found = []
    for report in nearby:
        distance = distance_m(latitude, longitude, report.public_latitude, report.public_longitude)
        if distance <= radius:
            found.append(Duplicate(report, round(distance)))
    found.sort(key=lambda duplicate: (duplicate.distance_m, -duplicate.report.created_at.timestamp()))
    return found[:limit]


# ---------------------------------------------------------------------- public


@dataclass(frozen=True)
class PublicFilter:
    category: str = ""
    state: str = ""
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat


def parse_bbox(text: str) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` in WGS84; ``None`` when absent. Raises ValueError when malformed."""
    if not text:
        return None
    parts = [float(part) for part in text.split(",")]
    if len(parts) != 4 or not all(math.isfinite(part) for part in parts):
        raise ValueError("bbox needs four numbers")
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError("bbox is out of range or its corners are swapped")
    return min_lon, min_lat, max_lon, max_lat


def reports_public(*, municipality: Municipality, filters: PublicFilter) -> Any:
    reports = (
        Report.objects.public()
        .filter(municipality=municipality)
        .select_related("category", "municipality")
        .defer("latitude", "longitude", "reporter_name", "reporter_email", "police_report_number")
    )
    if filters.category:
        reports = reports.filter(category__slug=filters.category)
    if filters.state:
        reports = reports.filter(state=filters.state)
    if filters.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        reports = reports.filter(
            public_longitude__range=(min_lon, max_lon), public_latitude__range=(min_lat, max_lat)
        )
    return reports


# What `reverse` leaves unquoted in a path segment (RFC 3986's sub-delimiters and ~:@), for the features' URLs.
REFERENCE_SAFE = "!$&'()*+,;=~:@"


def reports_geojson(
    *, municipality: Municipality, filters: PublicFilter, limit: int = 2000
) -> dict[str, Any]:
    """The public reports as GeoJSON features: the snapped point, category, state, dates. Nothing else.

    Read as plain rows in one query, with no model instance, URL reversal or state translation per report: the
    map's GeoJSON is built again after every report filed."""
    rows = list(
        reports_public(municipality=municipality, filters=filters).values_list(
            "reference",
            "public_longitude",
            "public_latitude",
            "category__slug",
            "category__name",
            "state",
            "created_at",
            "is_example",
        )[: limit + 1]
    )
    states = {value: str(label) for value, label in Report.State.choices}
    url_prefix = _report_url_prefix(municipality)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": reference,
                "geometry": {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]},
                "properties": {
                    "reference": reference,
                    "category": category,
                    "category_name": category_name,
                    "state": state,
                    "state_name": states.get(state, state),
                    "created": timezone.localtime(created_at).date().isoformat(),
                    "example": is_example,
                    "url": f"{url_prefix}{quote(reference, safe=REFERENCE_SAFE)}/",
                },
            }
            for (
                reference,
                longitude,
                latitude,
                category,
                category_name,
                state,
                created_at,
                is_example,
            ) in rows[:limit]
        ],
        "truncated": len(rows) > limit,
    }


@dataclass(frozen=True)
class PublicReportRow:
    """A row of the map page's list of public reports, its texts ready to print."""

    reference: str
    url: str
    category_name: str
    state_name: str
    created_iso: str  # local time, ISO 8601, for <time datetime>
    created_day: str  # local date, YYYY-MM-DD
    place_name: str
    is_example: bool


def report_rows_public(
    *, municipality: Municipality, filters: PublicFilter, limit: int
) -> list[PublicReportRow]:
    """The public reports as the map page lists them: one query, and no model instance, URL reversal or state
    translation per report (the list is rendered again after every report filed)."""
    rows = reports_public(municipality=municipality, filters=filters).values_list(
        "reference", "category__slug", "category__name", "state", "created_at", "place_name", "is_example"
    )[:limit]
    states = {value: str(label) for value, label in Report.State.choices}
    url_prefix = _report_url_prefix(municipality)
    category_names: dict[tuple[str, str], str] = {}
    listed = []
    for reference, slug, name, state, created_at, place_name, is_example in rows:
        if (slug, name) not in category_names:
            category_names[slug, name] = ReportCategory(slug=slug, name=name).display_name
        local = timezone.localtime(created_at)
        listed.append(
            PublicReportRow(
                reference=reference,
                url=f"{url_prefix}{quote(reference, safe=REFERENCE_SAFE)}/",
                category_name=category_names[slug, name],
                state_name=states.get(state, state),
                created_iso=local.isoformat(),
                created_day=local.date().isoformat(),
                place_name=place_name,
                is_example=is_example,
            )
        )
    return listed


def _report_url_prefix(municipality: Municipality) -> str:
    """A public report's address without its reference (and the closing slash)."""
    sample = reverse("reports:detail", kwargs={"municipality": municipality.slug, "reference": "0"})
    return sample[: -len("0/")]


def report_get_public(*, municipality_slug: str, reference: str) -> Report:
    queryset = (
        Report.objects.public()
        .select_related("category", "municipality", "assigned_party")
        .prefetch_related(
            Prefetch("events", queryset=ReportEvent.objects.order_by("at", "pk")),
            # Photos the task worker has not re-encoded yet are named ("Bilden bearbetas"), never served.
            Prefetch("photos", queryset=ReportPhoto.objects.shown_publicly().order_by("pk")),
        )
    )
    return get_object_or_404(queryset, municipality__slug=municipality_slug, reference=reference)


def report_filing_notice(*, report: Report) -> str:
    """The advice the receipt repeats when the report's text reads like an emergency (it was filed all the same)."""
    return emergency_notice() if reads_like_emergency(report.description) else ""


def photo_get_public(*, municipality_slug: str, name: str) -> ReportPhoto:
    return get_object_or_404(
        ReportPhoto.objects.select_related("report"),
        name=name,
        is_public=True,
        # Nothing of an upload is served before the task worker has re-encoded it.
        state=ReportPhoto.State.READY,
        report__is_public=True,
        report__municipality__slug=municipality_slug,
    )


# ------------------------------------------------------------------------- staff


@dataclass(frozen=True)
class StaffFilter:
    municipality: str = ""
    category: str = ""
    state: str = ""
    overdue: bool = False
    assigned_party: int | None = None
    query: str = ""


def reports_for_staff(*, user: AnyUser, filters: StaffFilter, now: dt.datetime | None = None) -> Any:
    now = now or timezone.now()
    reports = (
        Report.objects.filter(municipality__in=municipality_rules.staff_municipalities(user))
        .select_related("category", "municipality", "assigned_party", "assigned_user")
        .order_by("due_at", "pk")
    )
    if filters.municipality:
        reports = reports.filter(municipality__slug=filters.municipality)
    if filters.category:
        reports = reports.filter(category__slug=filters.category)
    if filters.state == "open":
        reports = reports.open()
    elif filters.state:
        reports = reports.filter(state=filters.state)
    if filters.overdue:
        reports = reports.overdue(now)
    if filters.assigned_party:
        reports = reports.filter(assigned_party_id=filters.assigned_party)
    if filters.query:
        reports = reports.filter(
            Q(reference__icontains=filters.query)
            | Q(description__icontains=filters.query)
            | Q(place_name__icontains=filters.query)
        )
    return reports


def report_get_for_staff(*, user: AnyUser, pk: int) -> Report:
    """A report of one of the user's municipalities; others do not exist for them."""
    queryset = (
        Report.objects.filter(municipality__in=municipality_rules.staff_municipalities(user))
        .select_related("category", "municipality", "assigned_party", "assigned_user")
        .prefetch_related(
            Prefetch("events", queryset=ReportEvent.objects.select_related("by").order_by("at", "pk")),
            "photos",
        )
    )
    return get_object_or_404(queryset, pk=pk)


def is_overdue(report: Report, now: dt.datetime) -> bool:
    return report.is_open and report.due_at < now


# ------------------------------------------------------------- promise follow-up


@dataclass(frozen=True)
class MonthMetrics:
    month: dt.date
    reports: int
    police_reported: int
    police_share: float | None
    resolved: int
    median_days_to_resolved: float | None


def activity_report_metrics(
    activity: Activity, period: tuple[dt.date, dt.date] | None = None
) -> list[MonthMetrics]:
    """Per month of filing, for the reports in the categories linked to the activity: how many were
    police-reported (the share) and the median time from filing to "åtgärdad", in days. With ``period``
    (first and last day) only reports filed in it count: the public activity page shows its own period.

    One query, whatever the number of reports. Months without reports are left out.
    """
    reports = Report.objects.filter(category__activities=activity)
    if period is not None:
        reports = reports.filter(created_at__date__gte=period[0], created_at__date__lte=period[1])
    rows = reports.values_list(
        "created_at", "state", "police_report_number", "police_reported_at", "resolved_at"
    )
    by_month: dict[dt.date, list[tuple[Any, ...]]] = {}
    for row in rows.distinct():
        local = timezone.localtime(row[0])
        by_month.setdefault(dt.date(local.year, local.month, 1), []).append(row)
    metrics = []
    for month in sorted(by_month):
        month_rows = by_month[month]
        police = sum(1 for _c, _s, number, at, _r in month_rows if number or at is not None)
        days = [
            (resolved - created).total_seconds() / 86400
            for created, state, _n, _p, resolved in month_rows
            if state == Report.State.RESOLVED and resolved is not None
        ]
        metrics.append(
            MonthMetrics(
                month=month,
                reports=len(month_rows),
                police_reported=police,
                police_share=police / len(month_rows) if month_rows else None,
                resolved=len(days),
                median_days_to_resolved=round(statistics.median(days), 1) if days else None,
            )
        )
    return metrics


def activities_with_report_categories(*, user: AnyUser) -> list[Activity]:
    return list(
        Activity.objects.filter(
            report_categories__municipality__in=municipality_rules.staff_municipalities(user)
        )
        .select_related("focus_area__promise__municipality")
        .prefetch_related("report_categories")
        .distinct()
        .order_by("focus_area__promise__municipality__name", "pk")
    )


def activity_get_for_staff(*, user: AnyUser, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("focus_area__promise__municipality").prefetch_related(
            "report_categories"
        ),
        pk=pk,
        focus_area__promise__municipality__in=municipality_rules.staff_municipalities(user),
    )


# ---------------------------------------------------------------------- hotspots


def hot_cells(
    *,
    municipality: Municipality,
    category: ReportCategory | None,
    since: dt.date | None,
    until: dt.date | None,
    cell: int = geo.DEFAULT_CELL,
) -> dict[str, Any]:
    """Gi* hot cells of the municipality's reports (exact points: this is a staff layer) as GeoJSON.

    Each feature is the cell's square in WGS84 with its count, z and p; the collection carries the
    hotspot summary (cells, points).
    """
    reports = Report.objects.filter(municipality=municipality)
    if category is not None:
        reports = reports.filter(category=category)
    if since is not None:
        reports = reports.filter(created_at__date__gte=since)
    if until is not None:
        reports = reports.filter(created_at__date__lte=until)
    # Only points in and around Sweden count: a stray point (filed before points were checked against the
    # municipality) would stretch the grid over half the earth and fail the whole layer.
    reports = reports.filter(latitude__range=SWEDEN_LATITUDES, longitude__range=SWEDEN_LONGITUDES)
    points = list(reports.values_list("latitude", "longitude"))
    empty: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [],
        "cells": 0,
        "points": 0,
        "cell": cell,
    }
    if not points:
        return empty
    try:
        result = geo.hotspots([p[0] for p in points], [p[1] for p in points], cell=cell)
    except geo.HotspotInputError as error:
        return {**empty, "points": len(points), "error": str(error)}
    names = _hot_cell_names(municipality, result["hot"], cell)
    features = []
    for number, (row, name) in enumerate(zip(result["hot"], names, strict=True), start=1):
        x0, y0 = row["x"], row["y"]
        lats, lons = geo.unproject([x0, x0 + cell, x0 + cell, x0, x0], [y0, y0, y0 + cell, y0 + cell, y0])
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[round(lon, 6), round(lat, 6)] for lat, lon in zip(lats, lons, strict=True)]
                    ],
                },
                "properties": {
                    "x": x0,
                    "y": y0,
                    "count": row["count"],
                    "z": row["z"],
                    "p": row["p"],
                    "number": number,
                    "place": name.place,
                    "place_distance_m": name.distance_m,
                    "area": name.area,
                    "label": _hot_cell_label(name),
                },
            }
        )
    return {**empty, "features": features, "cells": result["cells"], "points": result["points"]}


def _hot_cell_names(
    municipality: Municipality, rows: list[dict[str, Any]], cell: int
) -> list[places.PointName]:
    """Each hot cell's centre named by the gazetteer and the municipality's areas: two queries in all."""
    if not rows:
        return []
    lats, lons = geo.unproject([row["x"] + cell / 2 for row in rows], [row["y"] + cell / 2 for row in rows])
    return places.name_points(
        lats.tolist(),
        lons.tolist(),
        places=[
            places.NamedPlace(name, latitude, longitude)
            for name, latitude, longitude in Place.objects.filter(municipality=municipality).values_list(
                "name", "latitude", "longitude"
            )
        ],
        areas=[
            places.NamedArea(name, boundary)
            for name, boundary in Area.objects.filter(municipality=municipality, boundary__isnull=False)
            .order_by("name")
            .values_list("name", "boundary")
            if isinstance(boundary, dict)
        ],
    )


def _hot_cell_label(name: places.PointName) -> str:
    """ "Storgatan (40 m), Centrum": the words the table and the map give a cell."""
    parts = []
    if name.place is not None:
        parts.append(_("%(place)s (%(distance)s m)") % {"place": name.place, "distance": name.distance_m})
    if name.area is not None:
        parts.append(name.area)
    return ", ".join(parts) if parts else _("ingen plats i ortsregistret")


# ------------------------------------------------------------------------ Open311


def open311_key_get(*, raw: str) -> Open311Key | None:
    if not raw:
        return None
    return (
        Open311Key.objects.active()
        .select_related("municipality")
        .filter(key_hash=open311_key_hash(raw))
        .first()
    )


def report_counts_per_problem(*, municipality: Municipality, year: int) -> dict[str, int]:
    """Residents' reports received in the year per problem slug, for the lägesbild's ranking."""
    rows = (
        Report.objects.filter(
            municipality=municipality, created_at__year=year, category__problem__isnull=False
        )
        .values("category__problem__slug")
        .annotate(reports=Count("pk"))
    )
    return {row["category__problem__slug"]: row["reports"] for row in rows}
