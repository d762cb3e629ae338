from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html", {"retention": settings.RETENTION_DAYS})
