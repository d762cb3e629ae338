from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from trygg.core.charts import chart_is_narrow
from trygg.municipalities.models import Municipality

from . import charts, selectors


def statistics(request: HttpRequest, municipality: str) -> HttpResponse:
    found = get_object_or_404(Municipality, slug=municipality)
    picture = selectors.crime_picture(municipality=found)
    latest = picture.latest_year
    sections = [(key, picture.names.get(key, key), series) for key, series in picture.series.items()]
    summary = [(key, name, series.year(latest)) for key, name, series in sections] if latest else []
    return render(
        request,
        "crimestats/statistics.html",
        {
            "municipality": found,
            "picture": picture,
            "summary": summary,
            "sections": sections,
            "latest_year": latest,
        },
    )


def statistics_chart(request: HttpRequest, municipality: str, category: str) -> HttpResponse:
    found = get_object_or_404(Municipality, slug=municipality)
    picture = selectors.crime_picture(municipality=found)
    series = picture.series.get(category)
    if series is None:
        raise Http404
    areas = picture.areas
    lines = [
        (found.name, [item.local.rate for item in series.years]),
        (areas.county_name or _("Länet"), [item.county.rate for item in series.years]),
        (areas.group_name or _("Jämförelsegruppen"), [item.group.rate for item in series.years]),
        (_("Riket"), [item.country.rate for item in series.years]),
    ]
    svg = charts.line_chart_svg(
        title=picture.names.get(category, category),
        years=[item.year for item in series.years],
        lines=lines,
        y_label=_("anmälda brott per 100 000 invånare"),
        narrow=chart_is_narrow(request),
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300"
    return response
