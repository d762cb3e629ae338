"""The public, read-only JSON API. Schemas and routes only; reads go through the selectors."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.pagination import paginate

from trygg.accounts.api_auth import staff_token_auth
from trygg.api.pagination import BoundedPageNumberPagination
from trygg.comments.api import router as comments_router
from trygg.core.site import site_url
from trygg.followup.api import router as followup_router
from trygg.followup.promise_page import promise_page_build
from trygg.municipalities.models import Municipality
from trygg.national.api import router as national_router
from trygg.promises import selectors
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.text import activity_commitment

from .schemas import MunicipalityOut, PromiseOut, PromiseSummaryOut

# Every error the API answers, in the shape django-ninja writes it: {"detail": …}.
ERROR_SCHEMAS: dict[str, Any] = {
    "Error": {
        "title": "Error",
        "type": "object",
        "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "loc": {
                            "type": "array",
                            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        },
                        "msg": {"type": "string"},
                    },
                    "required": ["loc", "msg"],
                },
            }
        },
        "required": ["detail"],
    },
}


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def with_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare on every operation the errors it can answer, beside its success: 422 for a parameter that does not
    parse, 404 where the path names an object, 401 and 403 where it needs authentication, 400 for a write the
    service refuses. Clients and validators then know the error bodies too."""
    schema.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault(422, _error("Ogiltig parameter.", "ValidationError"))
            if "{" in path:
                responses.setdefault(404, _error("Finns inte eller är inte publicerat."))
            if operation.get("security"):
                responses.setdefault(401, _error("Inloggning eller giltig token saknas."))
                responses.setdefault(403, _error("Inte behörig."))
            if method in {"post", "put", "patch", "delete"}:
                responses.setdefault(400, _error("Uppgifterna kunde inte sparas."))
    return schema


class TryggAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        return with_error_responses(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )


api = TryggAPI(
    title="Trygg API",
    version="1",
    description="Medborgarlöften: kommuner, löften, fokusområden och aktiviteter (endast publicerade).",
    urls_namespace="api",
)


def _municipality(municipality: Municipality) -> dict[str, Any]:
    return {
        "slug": municipality.slug,
        "name": municipality.name,
        "scb_code": municipality.scb_code,
        "county": municipality.county,
        "population": municipality.population,
    }


def _promise_summary(request: HttpRequest, promise: Promise) -> dict[str, Any]:
    return {
        "slug": promise.slug,
        "title": promise.title,
        "status": promise.status,
        "valid_from": promise.valid_from,
        "valid_until": promise.valid_until,
        "published_on": promise.published_on,
        "url": site_url(promise.get_absolute_url()),
    }


def _activity(request: HttpRequest, promise: Promise, activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "text": activity.text,
        "responsible_parties": [{"name": p.name, "kind": p.kind} for p in activity.responsible_parties.all()],
        "partners": [{"name": p.name, "kind": p.kind} for p in activity.partners.all()],
        "quantity": activity.quantity,
        "quantity_max": activity.quantity_max,
        "at_least": activity.at_least,
        "unit": activity.unit,
        "per": activity.per or None,
        "commitment": activity_commitment(activity=activity, promise=promise),
        "target_group": activity.target_group,
        "place": activity.place,
        "area": activity.area.name if activity.area else None,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "url": site_url(activity.get_absolute_url()),
    }


def _focus_area(request: HttpRequest, promise: Promise, focus_area: FocusArea) -> dict[str, Any]:
    return {
        "slug": focus_area.slug,
        "title": focus_area.title,
        "description": focus_area.description,
        "problems": [problem.slug for problem in focus_area.problems.all()],
        "activities": [_activity(request, promise, activity) for activity in focus_area.activities.all()],
        "url": site_url(focus_area.get_absolute_url()),
    }


@api.get("/municipalities", response=list[MunicipalityOut], tags=["kommuner"])
@paginate(BoundedPageNumberPagination)
def municipality_list(request: HttpRequest) -> Any:
    return Municipality.objects.order_by("name")


@api.get("/municipalities/{slug}/promises", response=list[PromiseSummaryOut], tags=["löften"])
@paginate(BoundedPageNumberPagination)
def promise_list(request: HttpRequest, slug: str) -> Any:
    municipality = selectors.municipality_get_public(slug=slug)
    promises = Promise.objects.public().filter(municipality=municipality).select_related("municipality")
    return [_promise_summary(request, promise) for promise in promises.order_by("-valid_from", "slug")]


@api.get("/municipalities/{slug}/promises/{promise_slug}", response=PromiseOut, tags=["löften"])
def promise_detail(request: HttpRequest, slug: str, promise_slug: str) -> Any:
    promise = promise_page_build(
        municipality_slug=slug, promise_slug=promise_slug, as_of=timezone.localdate(), latest=0
    ).promise
    return {
        **_promise_summary(request, promise),
        "municipality": _municipality(promise.municipality),
        "introduction": promise.introduction,
        "source_note": promise.source_note,
        "signatories": [
            {"name": s.name, "role": s.role, "party": s.party.name if s.party else None}
            for s in promise.signatories.all()
        ],
        "focus_areas": [
            _focus_area(request, promise, focus_area) for focus_area in promise.focus_areas.all()
        ],
    }


@api.get("/staff/whoami", auth=staff_token_auth, tags=["personal"])
def staff_whoami(request: HttpRequest) -> dict[str, str]:
    """Who a staff token belongs to and which municipality it is scoped to."""
    token = request.auth  # type: ignore[attr-defined]
    return {"user": token.user.get_username(), "municipality": token.municipality.slug}


# Only routers with operations: an empty one adds nothing but a tag without endpoints.
api.add_router("/", followup_router)
api.add_router("/", comments_router)
api.add_router("/", national_router)
