"""The public promise, focus area and activity pages: each renders the promise's read model (`promise_page`);
the activity page builds its one activity only.

They are the same for every anonymous visitor (the comment form has its own page), so the page cache serves them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .promise_page import PromisePage, activity_page_build, promise_page_build


def _page(municipality: str, promise: str, *, actions: bool = False) -> PromisePage:
    return promise_page_build(
        municipality_slug=municipality, promise_slug=promise, as_of=timezone.localdate(), actions=actions
    )


def _context(page: PromisePage) -> dict[str, object]:
    return {
        "page": page,
        "promise": page.promise,
        "municipality": page.promise.municipality,
        "standing": page.standing,
    }


def promise_detail(request: HttpRequest, municipality: str, promise: str) -> HttpResponse:
    return render(request, "promises/promise_detail.html", _context(_page(municipality, promise)))


def focus_area_detail(request: HttpRequest, municipality: str, promise: str, focus_area: str) -> HttpResponse:
    page = _page(municipality, promise, actions=True)
    area = page.focus_area(focus_area)
    return render(
        request,
        "promises/focus_area_detail.html",
        {**_context(page), "area": area, "focus_area": area.focus_area},
    )


def activity_detail(request: HttpRequest, municipality: str, promise: str, activity: int) -> HttpResponse:
    """One activity, built alone (`activity_page_build`): not the whole promise's read model."""
    found = activity_page_build(
        municipality_slug=municipality,
        promise_slug=promise,
        activity_id=activity,
        as_of=timezone.localdate(),
    )
    return render(
        request,
        "promises/activity_detail.html",
        {
            "promise": found.promise,
            "municipality": found.promise.municipality,
            "standing": found.standing,
            "focus_area": found.focus_area,
            "view": found.activity,
            "activity": found.activity.activity,
            "found": found,
        },
    )
