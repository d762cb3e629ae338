"""Open311 GeoReport v2, as the spec writes it and as FixMyStreet's client uses it; JSON and XML.

Mounted once, language-neutral, at /api/open311/ (trygg/reports/open311_urls.py):

* `discovery.{fmt}` (also under v2/) — the Service Discovery document.
* `v2/services.{fmt}`, `v2/services/{code}.{fmt}` — categories and their attributes (`metadata` is true when a
  category asks something, e.g. whether graffiti is offensive, as a `singlevaluelist`).
* `v2/requests.{fmt}` — GET: filters `service_request_id`, `service_code`, `start_date`, `end_date` (default the
  last 90 days), `status`, paging `page`/`page_size` (default and maximum 1000); POST: file a report.
* `v2/requests/{id}.{fmt}`, `v2/tokens/{token}.{fmt}`.
* `v2/servicerequestupdates.{fmt}` — the public history since a time (mySociety's extension, which FixMyStreet
  polls): `status` in FixMyStreet's richer words and `external_status_code` with Trygg's own state.

Any other path under the mount answers an Open311 error, in XML for a path ending in .xml and JSON otherwise, with
the CORS header like every answer. The jurisdiction_id is the municipality's slug (optional when Trygg serves one
municipality). Public reads carry only the snapped point and never the reporter's data. Views stay thin: they
parse parameters and call `services.report_submit` or the selectors, then render.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from trygg.audit.models import AuditEntry
from trygg.core.ratelimit import Limit, rate_limit_exceeded_for, rate_limit_retry_after
from trygg.core.site import site_url
from trygg.core.text import xml_safe
from trygg.municipalities.models import Municipality

from . import selectors, services
from .attributes import category_attributes
from .models import Open311Key, Report, ReportCategory, ReportEvent, ReportQuerySet

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this interface last changed; the discovery changeset is the later of it and the last category edit.
INTERFACE_CHANGED = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
DEFAULT_DAYS = 90
PAGE_SIZE = 1000  # the spec's default query limit, and the most one page holds
MAX_ROWS = (
    10_000_000  # a page beyond this is empty without asking the database (an OFFSET that large overflows)
)
FORMATS = {"json", "xml"}

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
_REFERENCE = re.compile(r"^[-A-Za-z0-9]{1,20}$")
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,100})\]$")

# Trygg's states as the richer statuses FixMyStreet maps (Open311::map_state) and as the spec's open/closed.
EXTENDED_STATUS = {
    Report.State.NEW: "open",
    Report.State.RECEIVED: "investigating",
    Report.State.POLICE_REPORTED: "in_progress",
    Report.State.RESOLVED: "fixed",
    Report.State.NOT_RESOLVED: "no_further_action",
    Report.State.NOT_RESPONSIBLE: "not_councils_responsibility",
}

# The element that holds each item of a list, by the list's name (as in the spec's XML examples).
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    def __init__(self, code: int, description: str, *, headers: Mapping[str, str] | None = None) -> None:
        self.code = code
        self.description = description
        self.headers = dict(headers or {})
        super().__init__(description)


# ---------------------------------------------------------------------- rendering


def _xml_fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ElementTree.SubElement(element, ITEMS.get(element.tag, "item")), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        # Text stored before control characters were refused must not make the whole document unreadable.
        element.text = xml_safe(str(value))


def render(payload: Any, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    """A list or a dict as JSON, or as XML under `root` (lists as `ITEMS[root]` elements)."""
    if fmt == "xml":
        top = ElementTree.Element(root)
        _xml_fill(top, payload)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(top, encoding="unicode")
        return HttpResponse(body.encode(), status=status, content_type="text/xml; charset=utf-8")
    text = json.dumps(payload, ensure_ascii=False)
    return HttpResponse(text.encode(), status=status, content_type="application/json; charset=utf-8")


def _with_cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Cache-Control"] = "no-store" if response.status_code >= 400 else "public, max-age=60"
    return response


def error_response(
    fmt: str, code: int, description: str, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    response = render([{"code": code, "description": description}], fmt, root="errors", status=code)
    for name, value in (headers or {}).items():
        response[name] = value
    return _with_cors(response)


def _format_of(path: str) -> str:
    return "xml" if path.lower().endswith(".xml") else "json"


def _refuse_control_characters(data: QueryDict, names: list[str] | None = None) -> None:
    # A NUL cannot reach PostgreSQL in a query parameter; no identifier or filter holds a control character.
    for name in names if names is not None else list(data.keys()):
        for value in data.getlist(name):
            if any(ord(character) < 32 for character in value):
                raise Open311Error(400, _("%(name)s innehåller otillåtna tecken.") % {"name": name[:40]})


def endpoint(methods: set[str]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An Open311 view: the methods it takes, answers in Open311's error form, CORS on every answer."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                return _with_cors(HttpResponse(status=204))
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, _("Okänt format: svaren finns som .json och .xml."))
                if request.method not in methods and not (request.method == "HEAD" and "GET" in methods):
                    raise Open311Error(
                        405, _("Metoden %(method)s används inte här.") % {"method": request.method}
                    )
                _refuse_control_characters(request.GET)
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return error_response(
                    fmt if fmt in FORMATS else "json", error.code, error.description, error.headers
                )
            except Http404:
                return error_response(fmt if fmt in FORMATS else "json", 404, _("Hittades inte."))
            return _with_cors(response)

        return csrf_exempt(wrapper)

    return decorate


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every path under the mount that is no resource: an Open311 error, not the site's HTML page."""
    if request.method == "OPTIONS":
        return _with_cors(HttpResponse(status=204))
    return error_response(
        _format_of(request.path),
        404,
        _(
            "Det finns ingen sådan resurs. Open311 GeoReport v2 finns under /api/open311/v2/ "
            "(services, requests, servicerequestupdates, tokens) och discovery under /api/open311/, "
            "som .json eller .xml."
        ),
    )


# ------------------------------------------------------------------------ lookups


def _jurisdiction(value: str | None) -> Municipality:
    slug = (value or "").strip()
    if slug:
        found = Municipality.objects.filter(slug=slug).first() if _SLUG.match(slug) else None
        if found is None:
            raise Open311Error(404, _("Okänd jurisdiction_id: %(slug)s") % {"slug": slug[:60]})
        return found
    only = list(Municipality.objects.all()[:2])
    if len(only) == 1:
        return only[0]
    raise Open311Error(400, _("jurisdiction_id saknas (kommunens kortnamn, t.ex. ”ljungby”)."))


def _category(municipality: Municipality, code: str) -> ReportCategory:
    category = (
        ReportCategory.objects.active().filter(municipality=municipality, slug=code).first()
        if _SLUG.match(code)
        else None
    )
    if category is None:
        raise Open311Error(404, _("Okänd service_code: %(code)s") % {"code": code[:60]})
    return category


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _int(value: str | None, default: int, *, name: str, most: int | None = None) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise Open311Error(400, _("%(name)s ska vara ett heltal.") % {"name": name}) from None
    if number < 1:
        raise Open311Error(400, _("%(name)s ska vara minst 1.") % {"name": name})
    if most is not None and number > most:
        raise Open311Error(400, _("%(name)s får vara högst %(most)d.") % {"name": name, "most": most})
    return number


def _moment(value: str | None, name: str) -> dt.datetime | None:
    """A W3C date-time (2026-12-06T10:00:00Z, +01:00) or a date; a time without a zone is Swedish time."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = dt.datetime.combine(day, dt.time())
    except ValueError:
        parsed = None
    # Far-off years cannot be turned into UTC for the database (year 1 minus an hour does not exist).
    if parsed is None or not 1900 <= parsed.year <= 9000:
        raise Open311Error(400, _("%(name)s ska vara en tidpunkt enligt ISO 8601.") % {"name": name})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _page(data: QueryDict, rows: QuerySet[Any]) -> list[Any]:
    page = _int(data.get("page"), 1, name="page")
    size = _int(data.get("page_size"), PAGE_SIZE, name="page_size", most=PAGE_SIZE)
    start = (page - 1) * size
    if start >= MAX_ROWS:
        return []
    return list(rows[start : start + size])


# ---------------------------------------------------------------------- discovery


@endpoint({"GET"})
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    edited = (
        AuditEntry.objects.filter(model=ReportCategory._meta.label_lower)
        .order_by("-at")
        .values_list("at", flat=True)
    ).first()
    changeset = max(INTERFACE_CHANGED, edited) if edited else INTERFACE_CHANGED
    payload = {
        "changeset": _iso(changeset),
        "contact": _("Frågor om gränssnittet: %(email)s") % {"email": settings.DEFAULT_FROM_EMAIL},
        "key_service": _(
            "En api_key för att skicka in felanmälningar ges av kommunen (administratören kör "
            "”trygg create_open311_key”). Att läsa kräver ingen nyckel."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": site_url("/api/open311/v2"),
                "changeset": _iso(changeset),
                "type": "production" if settings.PRODUCTION else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(payload, fmt, root="discovery")


# ----------------------------------------------------------------------- services


def _service(category: ReportCategory) -> dict[str, Any]:
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category_attributes(category)),
        "type": "realtime",
        "keywords": category.problem.slug if category.problem else "",
        "group": category.problem.name if category.problem else "",
    }


@endpoint({"GET"})
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    municipality = _jurisdiction(request.GET.get("jurisdiction_id"))
    categories = ReportCategory.objects.active().filter(municipality=municipality).select_related("problem")
    return render([_service(category) for category in categories], fmt, root="services")


@endpoint({"GET"})
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = _category(_jurisdiction(request.GET.get("jurisdiction_id")), code)
    attributes = [
        {
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": attribute.datatype_description,
            "order": attribute.order,
            "description": attribute.description,
            "values": [{"key": value.key, "name": value.name} for value in attribute.values],
        }
        for attribute in category_attributes(category)
    ]
    return render({"service_code": category.slug, "attributes": attributes}, fmt, root="service_definition")


# ----------------------------------------------------------------------- requests


def _public_reports(municipality: Municipality) -> ReportQuerySet:
    latest_note = (
        ReportEvent.objects.filter(report=OuterRef("pk"))
        .exclude(note="")
        .order_by("-at", "-pk")
        .values("note")[:1]
    )
    return (
        Report.objects.public()
        .filter(municipality=municipality)
        .select_related("category", "municipality")
        .prefetch_related("photos")
        .annotate(latest_note=Subquery(latest_note))
        .order_by("-created_at", "-pk")
    )


def _request_row(report: Report) -> dict[str, Any]:
    # Hidden photos (taken down, or waiting for review) and photos not yet re-encoded are not linked.
    photos = [photo for photo in report.photos.all() if photo.is_public and photo.is_ready]
    return {
        "service_request_id": report.reference,
        "status": "open" if report.is_open else "closed",
        # The latest public note of its history ("Städat."), or the reason it was closed without action.
        "status_notes": getattr(report, "latest_note", None) or report.public_reason,
        "service_name": report.category.name,
        "service_code": report.category.slug,
        "description": report.description,
        "agency_responsible": report.municipality.name,
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.due_at) if report.is_open else None,
        "address": report.place_name,
        "address_id": "",
        "zipcode": "",
        "lat": round(report.public_latitude, 6),
        "long": round(report.public_longitude, 6),
        "media_url": site_url(photos[0].get_absolute_url()) if photos else None,
        "external_status_code": report.state,
    }


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.GET
    reports = _public_reports(_jurisdiction(data.get("jurisdiction_id")))
    ids = [part.strip() for part in data.get("service_request_id", "").split(",") if part.strip()]
    if ids:
        # The spec: with ids given, every other filter is ignored.
        wanted = [reference for reference in ids if _REFERENCE.match(reference)]
        rows = list(reports.filter(reference__in=wanted[:PAGE_SIZE]))
        return render([_request_row(report) for report in rows], fmt, root="service_requests")
    codes = [part.strip() for part in data.get("service_code", "").split(",") if part.strip()]
    if codes:
        reports = reports.filter(category__slug__in=codes)
    start = _moment(data.get("start_date"), "start_date")
    end = _moment(data.get("end_date"), "end_date")
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None:
        reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    statuses = {part.strip().lower() for part in data.get("status", "").split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status ska vara open, closed eller båda (kommaseparerade)."))
    if statuses == {"open"}:
        reports = reports.open()
    elif statuses == {"closed"}:
        reports = reports.exclude(state__in=Report.State.open_states())
    return render([_request_row(report) for report in _page(data, reports)], fmt, root="service_requests")


def _attributes(data: QueryDict) -> dict[str, str]:
    found = {}
    for name in data:
        if match := _ATTRIBUTE.match(name):
            found[match.group(1)] = data.get(name, "")
    return found


def _point(data: QueryDict, municipality: Municipality) -> tuple[float, float, str]:
    latitude, longitude = data.get("lat", "").strip(), data.get("long", "").strip()
    if latitude or longitude:
        try:
            return float(latitude), float(longitude), ""
        except ValueError:
            raise Open311Error(400, _("lat och long ska vara decimaltal (WGS 84).")) from None
    # address_string, else address_id: Trygg's master address list is the municipality's gazetteer, so an id is
    # looked up there by name ("Stora torget"). FixMyStreet's "#NOTPINPOINTED#" names no place and is refused.
    for name in ("address_string", "address_id"):
        text = data.get(name, "").strip()
        if not text:
            continue
        match = selectors.place_resolve(municipality=municipality, text=text)
        if match.place is None:
            raise Open311Error(
                400,
                _("%(name)s ”%(text)s” finns inte i kommunens ortregister; skicka lat och long.")
                % {"name": name, "text": text[:100]},
            )
        return match.place.latitude, match.place.longitude, match.name
    raise Open311Error(400, _("Plats saknas: skicka lat och long, address_string eller address_id."))


# The parameters of a refused report, by the submission service's field names.
_PARAMETERS = {
    "description": "description",
    "place": "lat/long",
    "category": "service_code",
    "reporter_email": "email",
    "attributes": "attribute",
    "photos": "media",
}


# A client that did not hear the answer to its post sends it again (FixMyStreet retries a send that failed, a
# phone app one that timed out): the same key posting the same parameters on the same or the next day (UTC) gets
# the report the first post filed, with its service_request_id, and no second report. The post's parameters,
# keyed with the site's secret, make the submission id; nothing of them is stored.
REPLAY_SALT = "trygg.reports.open311.replay"


def _replay_submission_ids(key: Open311Key, data: QueryDict, now: dt.datetime) -> list[uuid.UUID]:
    """The submission id of this post today, then the one the same post had yesterday."""
    fields = sorted((name, value) for name, values in data.lists() if name != "api_key" for value in values)
    digest = salted_hmac(REPLAY_SALT, json.dumps([key.pk, fields]), algorithm="sha256").hexdigest()
    today = now.astimezone(dt.UTC).date()
    return [
        uuid.uuid5(uuid.NAMESPACE_URL, f"{REPLAY_SALT}:{day.isoformat()}:{digest}")
        for day in (today, today - dt.timedelta(days=1))
    ]


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    _refuse_control_characters(data, ["jurisdiction_id", "service_code", "api_key"])
    # FixMyStreet sends api_key in the body; other clients put it in the query string.
    key: Open311Key | None = selectors.open311_key_get(
        raw=(data.get("api_key") or request.GET.get("api_key") or "").strip()
    )
    if key is None:
        raise Open311Error(403, _("api_key saknas eller är ogiltig."))
    jurisdiction = data.get("jurisdiction_id") or request.GET.get("jurisdiction_id")
    municipality = _jurisdiction(jurisdiction) if jurisdiction else key.municipality
    if municipality.pk != key.municipality_id:
        raise Open311Error(403, _("api_key gäller inte för den här kommunen."))
    category = _category(municipality, data.get("service_code", "").strip())
    # Counted per key, only for posts that name a service: a typo in a code costs the integrator nothing.
    count, seconds = settings.REPORTS_OPEN311_RATE_LIMIT
    limit = Limit(scope="open311-post", count=count, seconds=seconds)
    if rate_limit_exceeded_for(key=f"key-{key.pk}", limit=limit):
        raise Open311Error(
            429,
            _("För många ärenden på kort tid från den här nyckeln (högst %(count)d på %(minutes)d minuter).")
            % {"count": count, "minutes": seconds // 60},
            headers={"Retry-After": str(rate_limit_retry_after(limit))},
        )
    latitude, longitude, place_name = _point(data, municipality)
    name = " ".join(part for part in (data.get("first_name", ""), data.get("last_name", "")) if part)
    candidates = _replay_submission_ids(key, data, timezone.now())
    replayed = (
        Report.objects.filter(submission_id__in=candidates).values_list("submission_id", flat=True).first()
    )
    try:
        submitted = services.report_submit(
            municipality=municipality,
            category=category,
            description=data.get("description", ""),
            latitude=latitude,
            longitude=longitude,
            place_name=place_name,
            reporter_name=name,
            reporter_email=data.get("email", ""),
            submission_id=replayed or candidates[0],
            attributes=_attributes(data),
            source=Report.Source.OPEN311,
            open311_key=key,
        )
    except ValidationError as error:
        description = " ".join(
            f"{_PARAMETERS.get(field, field)}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
        raise Open311Error(400, description) from None
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    notice = " ".join(
        part
        for part in (
            _("Ärendet är registrerat. Det visas på kartan med platsen avrundad till 100 meter."),
            submitted.notice,
        )
        if part
    )
    # The spec: the answer carries either a service_request_id or a token; Trygg files at once.
    row = {"service_request_id": submitted.report.reference, "service_notice": notice}
    return render([row], fmt, root="service_requests", status=201)


@endpoint({"GET", "POST"})
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@endpoint({"GET"})
def request_detail(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    reports = _public_reports(_jurisdiction(request.GET.get("jurisdiction_id")))
    report = reports.filter(reference=reference).first() if _REFERENCE.match(reference) else None
    if report is None:
        raise Open311Error(404, _("Okänt service_request_id: %(id)s") % {"id": reference[:40]})
    return render([_request_row(report)], fmt, root="service_requests")


@endpoint({"GET"})
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    municipality = _jurisdiction(request.GET.get("jurisdiction_id"))
    try:
        submission_id = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, _("Okänd token.")) from None
    report = Report.objects.public().filter(municipality=municipality, submission_id=submission_id).first()
    if report is None:
        raise Open311Error(404, _("Okänd token."))
    return render([{"service_request_id": report.reference, "token": token}], fmt, root="service_requests")


# ------------------------------------------------------------------------ updates


def _update_row(event: ReportEvent) -> dict[str, Any]:
    state = getattr(event, "state_then", None) or Report.State.NEW
    label = Report.State(state).label
    return {
        "update_id": str(event.pk),
        "service_request_id": event.report.reference,
        "status": EXTENDED_STATUS.get(state, "open"),
        "external_status_code": state,
        "description": event.note or _("Ny status: %(state)s.") % {"state": label},
        "updated_datetime": _iso(event.at),
        "media_url": None,
    }


@endpoint({"GET"})
def service_request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every public history entry in a time window, oldest first. FixMyStreet sends its api_key here too; reading
    needs none, so it is not checked."""
    data = request.GET
    municipality = _jurisdiction(data.get("jurisdiction_id"))
    # The state a report was in after each entry: the entry's own new state, else the last one before it.
    state_then = (
        ReportEvent.objects.filter(report=OuterRef("report"))
        .filter(Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lte=OuterRef("pk")))
        .exclude(state_to="")
        .order_by("-at", "-pk")
        .values("state_to")[:1]
    )
    events = (
        ReportEvent.objects.filter(report__in=Report.objects.public().filter(municipality=municipality))
        .select_related("report")
        .annotate(state_then=Subquery(state_then))
        .order_by(F("at").asc(), "pk")
    )
    ids = [part.strip() for part in data.get("service_request_id", "").split(",") if part.strip()]
    if ids:
        events = events.filter(
            report__reference__in=[ref for ref in ids if _REFERENCE.match(ref)][:PAGE_SIZE]
        )
    start = _moment(data.get("start_date"), "start_date")
    end = _moment(data.get("end_date"), "end_date")
    if start is None and end is None and not ids:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lte=end)
    return render([_update_row(event) for event in _page(data, events)], fmt, root="service_request_updates")
