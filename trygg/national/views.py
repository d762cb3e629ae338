"""Public pages of the national view: the map and table of all kommuner, the comparison within a kommungrupp,
open data, and the staff page where a kommun verifies a promise read from a document."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import exports, geo, selectors, services
from .catalogue import catalogue_rdf_xml
from .forms import NationalFilterForm
from .selectors import open_data_catalogue_entry


def national_home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    choices = selectors.filter_choices()
    form = NationalFilterForm(
        request.GET or None,
        counties=choices.counties,
        regions=choices.regions,
        districts=choices.districts,
        police_areas=choices.police_areas,
        groups=choices.groups,
    )
    filters = form.filters() if request.GET else selectors.Filters()
    overview = selectors.national_overview(today=today, filters=filters)
    response = render(
        request,
        "national/home.html",
        {
            "overview": overview,
            "form": form,
            "filters": filters,
            "map_data": {
                row.code: {"state": row.map_state, "name": row.name, "url": row.url or ""}
                for row in overview.rows
            },
            "tiles_url": settings.MAP_TILES_URL,
            "tiles_attribution": settings.MAP_ATTRIBUTION,
        },
    )
    if form.errors:
        response.status_code = 400
    return response


def kommun_geojson(request: HttpRequest) -> HttpResponse:
    body = geo.kommun_geojson()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400"
    return response


def group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "national/groups.html", {"groups": selectors.group_list()})


def group_detail(request: HttpRequest, code: str) -> HttpResponse:
    comparison = selectors.group_comparison(
        code=code.upper(), today=timezone.localdate(), similar_to=request.GET.get("lika", "")[:4]
    )
    if comparison is None:
        raise Http404
    return render(request, "national/group_detail.html", {"comparison": comparison})


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def open_data(request: HttpRequest) -> HttpResponse:
    scopes = [(scope, exports.export_meta(scope)) for scope in exports.scopes()]
    return render(
        request,
        "national/open_data.html",
        {"scopes": scopes, "tables": exports.TABLES, "national": settings.NATIONAL},
    )


def open_data_file(request: HttpRequest, scope: str, name: str) -> FileResponse:
    if scope not in exports.scopes() or name not in _FILE_NAMES:
        raise Http404
    path = exports.export_path(scope, name)
    if not path.exists():
        # The daily job writes the files; until it has run once, the first request writes them.
        now = timezone.now()
        exports.export_write(scope=scope, today=timezone.localdate(now), now=now)
    extension = name.rsplit(".", 1)[1]
    response = FileResponse(path.open("rb"), content_type=exports.FORMATS[extension])
    response["Content-Disposition"] = f'attachment; filename="trygg-{scope}-{name}"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


_FILE_NAMES = {f"{table}.{extension}" for table in exports.TABLES for extension in ("csv", "parquet")} | {
    "all.json"
}


def catalogue(request: HttpRequest) -> HttpResponse:
    entry = open_data_catalogue_entry(site_url=_site_url(request), now=timezone.now())
    response = HttpResponse(catalogue_rdf_xml(entry), content_type="application/rdf+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@csrf_exempt
@require_POST
def websub_ping(request: HttpRequest) -> HttpResponse:
    """A publisher's ping (WebSub's hub.mode=publish with hub.url): a registered source changed, harvest it soon.

    Only marks the source; the next `trygg harvest --pinged` (a timer every few minutes) pulls it. Unknown
    addresses get the same answer, so the endpoint tells nobody which installations are registered."""
    if request.POST.get("hub.mode") != "publish":
        return HttpResponse("hub.mode=publish krävs.", status=400, content_type="text/plain; charset=utf-8")
    url = request.POST.get("hub.url", "")[:500]
    services.harvest_source_mark_pinged(url=url)
    return HttpResponse(status=202)
