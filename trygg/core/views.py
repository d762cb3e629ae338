import mimetypes
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views import static

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


def logo_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """A municipality's logo in development, as nginx serves `/media/logos/` in production (same headers):
    an image inline, any other file (an upload from before logos were re-encoded) only as a download."""
    response = static.serve(request, path, document_root=str(Path(settings.MEDIA_ROOT) / "logos"))
    guessed, _encoding = mimetypes.guess_type(path)
    if guessed not in REENCODED_IMAGE_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    return media_headers(response)
