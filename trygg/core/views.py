import dataclasses
import hmac
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import static

from trygg.accounts.decorators import staff_required

from . import rules, selectors
from .favicon import favicon_ico
from .files import REENCODED_IMAGE_TYPES, media_headers


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def about(request: HttpRequest) -> HttpResponse:
    from trygg.comments.privacy import UNCONFIRMED_SUBSCRIPTION_DAYS

    return render(
        request,
        "core/about.html",
        {
            "retention": settings.RETENTION_DAYS,
            "unconfirmed_subscription_days": UNCONFIRMED_SUBSCRIPTION_DAYS,
        },
    )


def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(favicon_ico(), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer: 200 when the database answers, 503 (with Retry-After) when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain", headers={"Retry-After": "10"}
        )
    return HttpResponse("ok\n", content_type="text/plain", headers={"Cache-Control": "no-store"})


@staff_required
def operations(request: HttpRequest) -> HttpResponse:
    """The operators' health view: the databases, the standby's lag and Redis, as this node sees them."""
    if not rules.can_view_operations(request.user):
        raise PermissionDenied
    status = selectors.operations_status(now=timezone.now())
    return render(request, "core/operations.html", {"status": status})


def _bearer_token_matches(request: HttpRequest) -> bool:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return bool(
        settings.HEALTH_TOKEN
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), settings.HEALTH_TOKEN.encode())
    )


def operations_json(request: HttpRequest) -> HttpResponse:
    """The operators' health view for a monitor: HEALTH_TOKEN as a bearer token, or an administrator's session."""
    if not (_bearer_token_matches(request) or rules.can_view_operations(request.user)):
        return JsonResponse(
            {"detail": "Authentication required."},
            status=401,
            headers={"WWW-Authenticate": "Bearer", "Cache-Control": "no-store"},
        )
    status = selectors.operations_status(now=timezone.now())
    body: dict[str, Any] = {"healthy": status.healthy, **dataclasses.asdict(status)}
    body["checked_at"] = status.checked_at.isoformat()
    return JsonResponse(body, headers={"Cache-Control": "no-store"})


def logo_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """A municipality's logo in development, as nginx serves `/media/logos/` in production (same headers):
    an image inline, any other file (an upload from before logos were re-encoded) only as a download."""
    response = static.serve(request, path, document_root=str(Path(settings.MEDIA_ROOT) / "logos"))
    guessed, _encoding = mimetypes.guess_type(path)
    if guessed not in REENCODED_IMAGE_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    return media_headers(response)
