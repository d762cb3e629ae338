"""CORS for open data: the public, read-only API and the files under /oppna-data/ may be read by a page on any
site (a researcher's notebook, another municipality's dashboard). Never with cookies, never for staff endpoints."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

OPEN_PATHS = re.compile(r"^/(?:[a-z]{2}/)?(?:api/(?!staff/)|oppna-data/)")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"


def open_data_cors_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if not OPEN_PATHS.match(request.path_info):
            return get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"
        return response

    return middleware
