"""Open311 GeoReport v2: services, service definitions, requests (read and file), tokens; JSON and XML.

Plain Django views. The jurisdiction_id is the municipality's slug (it may be left out when Trygg serves
one municipality only). A service_code is a report category's slug; a service_request_id is a report's
public reference; a token is the submission id of a filed request. Public reads carry only the snapped
point and never the reporter's data. Errors use the spec's shape: a list of {code, description}.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from trygg.core.ratelimit import rate_limit_exceeded
from trygg.municipalities.models import Municipality

from . import selectors, services
from .models import Open311Key, Report, ReportCategory
from .views import post_limit

DEFAULT_DAYS = 90
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(description)


# ---------------------------------------------------------------------- rendering


def _xml_value(parent: ElementTree.Element, key: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, key)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _to_xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ElementTree.Element(root)
    for row in rows:
        node = ElementTree.SubElement(top, item)
        for key, value in row.items():
            if isinstance(value, list):
                holder = ElementTree.SubElement(node, key)
                for entry in value:
                    sub = ElementTree.SubElement(holder, "attribute" if key == "attributes" else "value")
                    for sub_key, sub_value in entry.items():
                        _xml_value(sub, sub_key, sub_value)
            else:
                _xml_value(node, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(top, encoding="unicode").encode()


def _respond(
    payload: Any, fmt: str, *, root: str, item: str, status: int = 200, single: bool = False
) -> HttpResponse:
    if fmt == "xml":
        if single:
            top = ElementTree.Element(root)
            for key, value in payload.items():
                if isinstance(value, list):
                    holder = ElementTree.SubElement(top, key)
                    for entry in value:
                        sub = ElementTree.SubElement(holder, "attribute")
                        for sub_key, sub_value in entry.items():
                            _xml_value(sub, sub_key, sub_value)
                else:
                    _xml_value(top, key, value)
            body = (
                b'<?xml version="1.0" encoding="utf-8"?>'
                + ElementTree.tostring(top, encoding="unicode").encode()
            )
        else:
            body = _to_xml(root, item, payload)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _respond(
        [{"code": code, "description": description}], fmt, root="errors", item="error", status=code
    )


def open311_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            return _error(fmt, error.code, error.description)
        except Http404:
            return _error(fmt, 404, _("Hittades inte."))
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return csrf_exempt(wrapper)


# ------------------------------------------------------------------------ lookups


def _jurisdiction(request: HttpRequest, data: Any) -> Municipality:
    slug = (data.get("jurisdiction_id") or "").strip()
    if slug:
        found = Municipality.objects.filter(slug=slug).first()
        if found is None:
            raise Open311Error(404, _("Okänd jurisdiction_id: %(slug)s") % {"slug": slug})
        return found
    only = list(Municipality.objects.all()[:2])
    if len(only) == 1:
        return only[0]
    raise Open311Error(400, _("jurisdiction_id saknas (kommunens kortnamn, t.ex. ”ljungby”)."))


def _service(category: ReportCategory) -> dict[str, Any]:
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": category.problem.slug if category.problem else "",
        "group": category.problem.name if category.problem else "",
    }


def _status(report: Report) -> str:
    return "open" if report.is_open else "closed"


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _request_row(request: HttpRequest, report: Report) -> dict[str, Any]:
    # Hidden photos (taken down, or waiting for review) are not linked.
    photos = [photo for photo in report.photos.all() if photo.is_public]
    last_note = report.public_reason
    return {
        "service_request_id": report.reference,
        "status": _status(report),
        "status_notes": last_note,
        "service_name": report.category.name,
        "service_code": report.category.slug,
        "description": report.description,
        "agency_responsible": report.municipality.name,
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.due_at),
        "address": report.place_name,
        "address_id": "",
        "zipcode": "",
        "lat": round(report.public_latitude, 6),
        "long": round(report.public_longitude, 6),
        "media_url": request.build_absolute_uri(photos[0].get_absolute_url()) if photos else "",
    }


# -------------------------------------------------------------------------- views


@open311_view
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        raise Open311Error(405, _("Bara GET."))
    municipality = _jurisdiction(request, request.GET)
    categories = ReportCategory.objects.active().filter(municipality=municipality).select_related("problem")
    return _respond([_service(category) for category in categories], fmt, root="services", item="service")


@open311_view
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    municipality = _jurisdiction(request, request.GET)
    category = ReportCategory.objects.active().filter(municipality=municipality, slug=code).first()
    if category is None:
        raise Open311Error(404, _("Okänd service_code: %(code)s") % {"code": code})
    # No extra attributes: every category takes the same fields.
    return _respond(
        {"service_code": category.slug, "attributes": []},
        fmt,
        root="service_definition",
        item="",
        single=True,
    )


def _int(value: str | None, default: int, *, name: str) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise Open311Error(400, _("%(name)s ska vara ett heltal.") % {"name": name}) from None
    if number < 1:
        raise Open311Error(400, _("%(name)s ska vara minst 1.") % {"name": name})
    return number


def _date(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise Open311Error(400, _("%(name)s ska vara en tidpunkt enligt ISO 8601.") % {"name": name})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    municipality = _jurisdiction(request, request.GET)
    reports = (
        Report.objects.public()
        .filter(municipality=municipality)
        .select_related("category", "municipality")
        .prefetch_related("photos")
        .order_by("-created_at", "-pk")
    )
    ids = [part.strip() for part in request.GET.get("service_request_id", "").split(",") if part.strip()]
    if ids:
        # The spec: with ids given, every other filter is ignored.
        return _respond(
            [_request_row(request, report) for report in reports.filter(reference__in=ids)],
            fmt,
            root="service_requests",
            item="request",
        )
    codes = [part.strip() for part in request.GET.get("service_code", "").split(",") if part.strip()]
    if codes:
        reports = reports.filter(category__slug__in=codes)
    start = _date(request.GET.get("start_date"), "start_date")
    end = _date(request.GET.get("end_date"), "end_date")
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None:
        reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    statuses = {part.strip() for part in request.GET.get("status", "").split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status ska vara open eller closed."))
    if statuses == {"open"}:
        reports = reports.open()
    elif statuses == {"closed"}:
        reports = reports.exclude(state__in=Report.State.open_states())
    page = _int(request.GET.get("page"), 1, name="page")
    size = min(_int(request.GET.get("page_size"), DEFAULT_PAGE_SIZE, name="page_size"), MAX_PAGE_SIZE)
    chosen = reports[(page - 1) * size : page * size]
    return _respond(
        [_request_row(request, report) for report in chosen], fmt, root="service_requests", item="request"
    )


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key: Open311Key | None = selectors.open311_key_get(raw=data.get("api_key", ""))
    if key is None:
        raise Open311Error(403, _("api_key saknas eller är ogiltig."))
    municipality = _jurisdiction(request, data) if data.get("jurisdiction_id") else key.municipality
    if municipality.pk != key.municipality_id:
        raise Open311Error(403, _("api_key gäller inte för den här kommunen."))
    if rate_limit_exceeded(request=request, limit=post_limit()):
        raise Open311Error(429, _("För många ärenden på kort tid. Vänta en stund och försök igen."))
    code = data.get("service_code", "")
    category = ReportCategory.objects.active().filter(municipality=municipality, slug=code).first()
    if category is None:
        raise Open311Error(404, _("Okänd service_code: %(code)s") % {"code": code})
    description = (data.get("description") or "").strip()
    if not description:
        raise Open311Error(400, _("description saknas."))
    if len(description) > 2000:
        raise Open311Error(400, _("description får vara högst 2000 tecken."))
    place_name = ""
    if data.get("lat") and data.get("long"):
        try:
            latitude, longitude = float(data["lat"]), float(data["long"])
        except ValueError:
            raise Open311Error(400, _("lat och long ska vara tal.")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise Open311Error(400, _("lat och long ligger utanför giltigt intervall."))
    elif data.get("address_string"):
        match = selectors.place_resolve(municipality=municipality, text=data["address_string"])
        if match.place is None:
            raise Open311Error(400, _("Adressen finns inte i kommunens ortregister; skicka lat och long."))
        latitude, longitude, place_name = match.place.latitude, match.place.longitude, match.place.name
    else:
        raise Open311Error(400, _("Plats saknas: skicka lat och long eller address_string."))
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email är ingen giltig e-postadress.")) from None
    name = " ".join(part for part in (data.get("first_name", ""), data.get("last_name", "")) if part).strip()
    submission_id = uuid.uuid4()
    submitted = services.report_submit(
        municipality=municipality,
        category=category,
        description=description,
        latitude=latitude,
        longitude=longitude,
        place_name=place_name,
        reporter_name=name[:120],
        reporter_email=email,
        submission_id=submission_id,
        source=Report.Source.OPEN311,
    )
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    row = {
        "service_request_id": submitted.report.reference,
        "token": str(submission_id),
        "service_notice": _(
            "Ärendet är registrerat. Det visas på kartan med platsen avrundad till 100 meter."
        ),
        "account_id": "",
    }
    return _respond([row], fmt, root="service_requests", item="request", status=201)


@open311_view
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _requests_post(request, fmt)
    if request.method == "GET":
        return _requests_get(request, fmt)
    raise Open311Error(405, _("Bara GET och POST."))


@open311_view
def request_detail(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    municipality = _jurisdiction(request, request.GET)
    report = (
        Report.objects.public()
        .select_related("category", "municipality")
        .prefetch_related("photos")
        .filter(municipality=municipality, reference=reference)
        .first()
    )
    if report is None:
        raise Open311Error(404, _("Okänt service_request_id: %(id)s") % {"id": reference})
    return _respond([_request_row(request, report)], fmt, root="service_requests", item="request")


@open311_view
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    municipality = _jurisdiction(request, request.GET)
    try:
        submission_id = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, _("Okänd token.")) from None
    report = Report.objects.filter(municipality=municipality, submission_id=submission_id).first()
    if report is None:
        raise Open311Error(404, _("Okänd token."))
    return _respond(
        [{"service_request_id": report.reference, "token": token}],
        fmt,
        root="service_requests",
        item="request",
    )
