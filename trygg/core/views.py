from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
