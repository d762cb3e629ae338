from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trygg.municipalities.models import Municipality

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    if settings.NATIONAL:
        from trygg.national.views import (
            national_home,  # the national view is the home page (docs/national.md)
        )

        return national_home(request)
    municipalities = Municipality.objects.order_by("name")
    return render(request, "promises/home.html", {"municipalities": municipalities})


def municipality_detail(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.municipality_get_public(slug=municipality)
    promises = selectors.municipality_promises_public(municipality=found, today=timezone.localdate())
    return render(request, "promises/municipality_detail.html", {"municipality": found, "promises": promises})


def theme_css(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.municipality_get_public(slug=municipality)
    # The colour was validated as #rrggbb on save, so it is safe to place in a stylesheet.
    response = HttpResponse(f":root {{ --accent: {found.accent_colour}; }}\n", content_type="text/css")
    response["Cache-Control"] = "public, max-age=300"
    return response
