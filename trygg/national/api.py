"""The federation API: a discovery document and the promise feed, in the OpenAPI schema like the rest of the API.

Every list is paged by id (`after`) and narrowed by `updated_since`; deletion markers say what went away. Answers
carry a weak ETag: the same request while nothing public was written gives 304 Not Modified.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from trygg.municipalities.models import Municipality
from trygg.promises.models import Promise

from . import feed
from .models import PromiseSource

router = Router(tags=["federation"])
FEDERATION_VERSION = "1"


def _since(value: dt.datetime | None) -> dt.datetime | None:
    """A time the database can compare: in the years 1900–9998, and in the site's time zone when none is given
    (at the calendar's very ends a time zone shift leaves the calendar)."""
    if value is None:
        return None
    if not 1900 <= value.year <= 9998:
        raise ValueError("updated_since ska ligga mellan år 1900 och 9998")
    aware = timezone.make_aware(value) if timezone.is_naive(value) else value
    # In UTC: PostgreSQL refuses a written offset beyond ±15:59, which ISO 8601 (and pydantic) allow up to ±23:59.
    return aware.astimezone(dt.UTC)


# The largest id a page marker may name: a 64-bit primary key (BigAutoField) on both databases. A larger number
# would fail the query itself (PostgreSQL's bigint, SQLite's INTEGER) instead of being refused as input.
LARGEST_ID = 2**63 - 1
STATUS_CURSOR = re.compile(r"(?:assessment|cancellation):[0-9]{1,19}")


class FeedQuery(Schema):
    updated_since: dt.datetime | None = Field(
        None, description="Bara det som ändrats efter denna tid (ISO 8601)."
    )
    after: int = Field(
        0, ge=0, le=LARGEST_ID, description="Sidans markör: id efter vilket listan fortsätter."
    )
    limit: int = Field(0, ge=0, description="Högst så många poster (0: installationens standard).")

    @field_validator("updated_since")
    @classmethod
    def _updated_since(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _since(value)


class StatusQuery(Schema):
    updated_since: dt.datetime | None = None
    after: str = Field("", max_length=40, description="Sidans markör, t.ex. assessment:12.")
    limit: int = Field(0, ge=0)

    @field_validator("updated_since")
    @classmethod
    def _updated_since(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _since(value)

    @field_validator("after")
    @classmethod
    def _after(cls, value: str) -> str:
        if value and not (STATUS_CURSOR.fullmatch(value) and int(value.partition(":")[2]) <= LARGEST_ID):
            raise ValueError("after ska vara tomt eller som assessment:12 eller cancellation:0")
        return value


class MunicipalityRef(Schema):
    code: str
    name: str
    url: str


class DiscoveryOut(Schema):
    trygg_federation: str
    name: str
    site_url: str
    generated_at: dt.datetime
    municipalities: list[MunicipalityRef]
    endpoints: dict[str, str]
    openapi: str
    catalogue: str
    open_data: str
    websub_ping: str
    page_size: int


class PartyOut(Schema):
    name: str
    kind: str


class SignatoryOut(Schema):
    name: str
    role: str
    party: str | None


class ProvenanceOut(Schema):
    kind: str
    source_url: str
    fetched_at: dt.datetime | None
    extraction: str
    verified: bool


class PromiseItem(Schema):
    id: int
    municipality_code: str
    municipality_name: str
    municipality_codes: list[str] = Field(
        description="Alla kommuner löftet gäller; fler än en när det delas."
    )
    slug: str
    title: str
    valid_from: dt.date
    valid_until: dt.date
    status: str
    published_on: dt.date | None
    introduction: str
    source_note: str
    url: str
    signatories: list[SignatoryOut]
    provenance: ProvenanceOut
    updated_at: dt.datetime


class FocusAreaItem(Schema):
    id: int
    promise_id: int
    slug: str
    title: str
    description: str
    order: int
    updated_at: dt.datetime


class ActivityItem(Schema):
    id: int
    promise_id: int
    focus_area_id: int
    text: str
    responsible_parties: list[PartyOut]
    partners: list[PartyOut]
    quantity: int | None
    quantity_max: int | None
    at_least: bool
    unit: str
    per: str
    target_group: str
    place: str
    start_date: dt.date | None
    end_date: dt.date | None
    order: int
    updated_at: dt.datetime


class ExecutionItem(Schema):
    id: int
    activity_id: int
    done_on: dt.date
    description: str
    count: int
    participants: int | None
    place: str
    example_data: bool
    updated_at: dt.datetime


class StatusItem(Schema):
    kind: str = Field(description="assessment (en bedömning) eller cancellation (inställd).")
    id: int
    activity_id: int
    status: str
    on: dt.date
    reason: str
    lifted_on: dt.date | None = None
    lift_reason: str = ""
    example_data: bool
    updated_at: dt.datetime


class TombstoneItem(Schema):
    kind: str
    id: int
    deleted_at: dt.datetime


class Page(Schema):
    kind: str
    server_time: dt.datetime
    updated_since: dt.datetime | None
    next: str | None


class PromisePage(Page):
    items: list[PromiseItem]


class FocusAreaPage(Page):
    items: list[FocusAreaItem]


class ActivityPage(Page):
    items: list[ActivityItem]


class ExecutionPage(Page):
    items: list[ExecutionItem]


class StatusPage(Page):
    items: list[StatusItem]


class TombstonePage(Page):
    items: list[TombstoneItem]


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _limit(value: int) -> int:
    return min(value or settings.FEDERATION_PAGE_SIZE, settings.FEDERATION_PAGE_SIZE)


def _conditional(request: HttpRequest, endpoint: str) -> tuple[str, HttpResponse | None]:
    tag = feed.etag(endpoint, [(key, str(value)) for key, value in request.GET.items()])
    if tag in [value.strip() for value in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
        response["ETag"] = tag
        return tag, response
    return tag, None


def _next(request: HttpRequest, endpoint: str, cursor: str | int | None, query: Any) -> str | None:
    if cursor is None:
        return None
    params = {"after": str(cursor)}
    if query.updated_since is not None:
        params["updated_since"] = query.updated_since.isoformat()
    if query.limit:
        params["limit"] = str(query.limit)
    return _site(request) + reverse(f"api:federation_{endpoint}") + "?" + urlencode(params)


def _page(
    request: HttpRequest,
    response: HttpResponse,
    endpoint: str,
    tag: str,
    items: list,
    cursor: Any,
    query: Any,
) -> dict:
    response["ETag"] = tag
    response["Link"] = f'<{_site(request)}{reverse("api:federation_discovery")}>; rel="index"'
    return {
        "kind": endpoint,
        "server_time": timezone.now(),
        "updated_since": query.updated_since,
        "items": items,
        "next": _next(request, endpoint, cursor, query),
    }


@router.get("/federation/discovery", response={200: DiscoveryOut, 304: None}, url_name="federation_discovery")
def discovery(request: HttpRequest, response: HttpResponse) -> Any:
    """What this installation publishes and where: the first address a harvester is given."""
    tag, not_modified = _conditional(request, "discovery")
    if not_modified is not None:
        return not_modified
    response["ETag"] = tag
    site = _site(request)
    municipalities = Municipality.objects.filter(promises__in=feed.visible_promises()).distinct()
    if not settings.NATIONAL:
        municipalities = Municipality.objects.all()
    return {
        "trygg_federation": FEDERATION_VERSION,
        "name": settings.OPEN_DATA_PUBLISHER_NAME,
        "site_url": site,
        "generated_at": timezone.now(),
        "municipalities": [
            {
                "code": m.scb_code,
                "name": m.name,
                "url": site + reverse("promises:municipality", args=[m.slug]),
            }
            for m in municipalities.order_by("scb_code")
        ],
        "endpoints": {endpoint: site + reverse(f"api:federation_{endpoint}") for endpoint in feed.ENDPOINTS},
        "openapi": site + reverse("api:openapi-json"),
        "catalogue": site + reverse("national:catalogue"),
        "open_data": site + reverse("national:open_data"),
        "websub_ping": site + reverse("national:ping"),
        "page_size": settings.FEDERATION_PAGE_SIZE,
    }


def _provenance(promise: Promise) -> dict[str, Any]:
    source: PromiseSource | None = promise.provenance if hasattr(promise, "provenance") else None
    if source is None:
        return {"kind": "local", "source_url": "", "fetched_at": None, "extraction": "", "verified": True}
    return {
        "kind": source.kind,
        "source_url": source.source_url,
        "fetched_at": source.fetched_at,
        "extraction": source.extraction,
        "verified": source.is_verified,
    }


@router.get("/federation/promises", response={200: PromisePage, 304: None}, url_name="federation_promises")
def promises(request: HttpRequest, response: HttpResponse, query: Query[FeedQuery]) -> Any:
    tag, not_modified = _conditional(request, "promises")
    if not_modified is not None:
        return not_modified
    limit = _limit(query.limit)
    page = list(feed.promises_changed(query.updated_since).filter(pk__gt=query.after).order_by("pk")[:limit])
    covered = feed.coverage_of([promise.pk for promise in page])
    site = _site(request)
    items = [
        {
            "id": promise.pk,
            "municipality_code": promise.municipality.scb_code,
            "municipality_name": promise.municipality.name,
            "municipality_codes": sorted({promise.municipality.scb_code, *covered.get(promise.pk, [])}),
            "slug": promise.slug,
            "title": promise.title,
            "valid_from": promise.valid_from,
            "valid_until": promise.valid_until,
            "status": promise.status,
            "published_on": promise.published_on,
            "introduction": promise.introduction,
            "source_note": promise.source_note,
            "url": site + promise.get_absolute_url(),
            "signatories": [
                {"name": s.name, "role": s.role, "party": s.party.name if s.party else None}
                for s in promise.signatories.all()
            ],
            "provenance": _provenance(promise),
            "updated_at": promise.updated_at,  # type: ignore[attr-defined]
        }
        for promise in page
    ]
    return _page(
        request, response, "promises", tag, items, page[-1].pk if len(page) == limit else None, query
    )


@router.get(
    "/federation/focus_areas", response={200: FocusAreaPage, 304: None}, url_name="federation_focus_areas"
)
def focus_areas(request: HttpRequest, response: HttpResponse, query: Query[FeedQuery]) -> Any:
    tag, not_modified = _conditional(request, "focus_areas")
    if not_modified is not None:
        return not_modified
    limit = _limit(query.limit)
    page = list(
        feed.focus_areas_changed(query.updated_since).filter(pk__gt=query.after).order_by("pk")[:limit]
    )
    items = [
        {
            "id": area.pk,
            "promise_id": area.promise_id,
            "slug": area.slug,
            "title": area.title,
            "description": area.description,
            "order": area.order,
            "updated_at": area.updated_at,  # type: ignore[attr-defined]
        }
        for area in page
    ]
    return _page(
        request, response, "focus_areas", tag, items, page[-1].pk if len(page) == limit else None, query
    )


@router.get(
    "/federation/activities", response={200: ActivityPage, 304: None}, url_name="federation_activities"
)
def activities(request: HttpRequest, response: HttpResponse, query: Query[FeedQuery]) -> Any:
    tag, not_modified = _conditional(request, "activities")
    if not_modified is not None:
        return not_modified
    limit = _limit(query.limit)
    page = list(
        feed.activities_changed(query.updated_since).filter(pk__gt=query.after).order_by("pk")[:limit]
    )
    items = [
        {
            "id": activity.pk,
            "promise_id": activity.focus_area.promise_id,
            "focus_area_id": activity.focus_area_id,
            "text": activity.text,
            "responsible_parties": [
                {"name": p.name, "kind": p.kind} for p in activity.responsible_parties.all()
            ],
            "partners": [{"name": p.name, "kind": p.kind} for p in activity.partners.all()],
            "quantity": activity.quantity,
            "quantity_max": activity.quantity_max,
            "at_least": activity.at_least,
            "unit": activity.unit,
            "per": activity.per,
            "target_group": activity.target_group,
            "place": activity.place,
            "start_date": activity.start_date,
            "end_date": activity.end_date,
            "order": activity.order,
            "updated_at": activity.updated_at,  # type: ignore[attr-defined]
        }
        for activity in page
    ]
    return _page(
        request, response, "activities", tag, items, page[-1].pk if len(page) == limit else None, query
    )


@router.get(
    "/federation/executions", response={200: ExecutionPage, 304: None}, url_name="federation_executions"
)
def executions(request: HttpRequest, response: HttpResponse, query: Query[FeedQuery]) -> Any:
    tag, not_modified = _conditional(request, "executions")
    if not_modified is not None:
        return not_modified
    limit = _limit(query.limit)
    page = list(
        feed.executions_changed(query.updated_since).filter(pk__gt=query.after).order_by("pk")[:limit]
    )
    items = [
        {
            "id": execution.pk,
            "activity_id": execution.activity_id,
            "done_on": execution.done_on,
            "description": execution.description,
            "count": execution.count,
            "participants": execution.participants,
            "place": execution.place,
            "example_data": execution.is_example,
            "updated_at": execution.updated_at,  # type: ignore[attr-defined]
        }
        for execution in page
    ]
    return _page(
        request, response, "executions", tag, items, page[-1].pk if len(page) == limit else None, query
    )


@router.get("/federation/statuses", response={200: StatusPage, 304: None}, url_name="federation_statuses")
def statuses(request: HttpRequest, response: HttpResponse, query: Query[StatusQuery]) -> Any:
    """Staff judgements behind each activity's status: assessments, then cancellations. The status itself is
    derived from these, the executions and the activity by the follow-up rules (docs/followup.md)."""
    tag, not_modified = _conditional(request, "statuses")
    if not_modified is not None:
        return not_modified
    limit = _limit(query.limit)
    kind, _colon, number = query.after.partition(":")
    after = int(number) if number else 0
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    if kind in ("", "assessment"):
        for assessment in (
            feed.assessments_changed(query.updated_since).filter(pk__gt=after).order_by("pk")[:limit]
        ):
            items.append(
                {
                    "kind": "assessment",
                    "id": assessment.pk,
                    "activity_id": assessment.activity_id,
                    "status": assessment.status,
                    "on": assessment.assessed_on,
                    "reason": assessment.reason,
                    "example_data": assessment.is_example,
                    "updated_at": assessment.updated_at,  # type: ignore[attr-defined]
                }
            )
        cursor = f"assessment:{items[-1]['id']}" if len(items) == limit else "cancellation:0"
        after = 0
    if len(items) < limit:
        rest = limit - len(items)
        found = list(
            feed.cancellations_changed(query.updated_since).filter(pk__gt=after).order_by("pk")[:rest]
        )
        for cancellation in found:
            items.append(
                {
                    "kind": "cancellation",
                    "id": cancellation.pk,
                    "activity_id": cancellation.activity_id,
                    "status": "cancelled",
                    "on": cancellation.cancelled_on,
                    "reason": cancellation.reason,
                    "lifted_on": cancellation.lifted_on,
                    "lift_reason": cancellation.lift_reason,
                    "example_data": cancellation.is_example,
                    "updated_at": cancellation.updated_at,  # type: ignore[attr-defined]
                }
            )
        cursor = f"cancellation:{found[-1].pk}" if len(found) == rest else None
    return _page(request, response, "statuses", tag, items, cursor, query)


@router.get(
    "/federation/deletions", response={200: TombstonePage, 304: None}, url_name="federation_deletions"
)
def deletions(request: HttpRequest, response: HttpResponse, query: Query[FeedQuery]) -> Any:
    """Deletion markers: objects deleted, withdrawn or no longer public since `updated_since`."""
    tag, not_modified = _conditional(request, "deletions")
    if not_modified is not None:
        return not_modified
    markers, cursor = feed.deletions(query.updated_since, query.after, _limit(query.limit))
    items = [{"kind": marker.kind, "id": marker.id, "deleted_at": marker.deleted_at} for marker in markers]
    return _page(request, response, "deletions", tag, items, cursor, query)
