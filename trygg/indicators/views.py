"""Public pages of the measured indicators: list, one indicator with chart, table and caveats, CSV export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from trygg.core.charts import chart_is_narrow
from trygg.core.csvexport import csv_response, csv_wants_excel
from trygg.promises.selectors import municipality_get_public

from . import charts, selectors
from .models import Indicator

SUPPRESSED = "färre än 5"


def indicator_list(request: HttpRequest, municipality: str) -> HttpResponse:
    found = municipality_get_public(slug=municipality)
    return render(
        request,
        "indicators/indicator_list.html",
        {"municipality": found, "indicators": selectors.indicators_public(municipality=found)},
    )


def indicator_detail(request: HttpRequest, municipality: str, indicator: str) -> HttpResponse:
    found = selectors.indicator_get_public(municipality_slug=municipality, slug=indicator)
    series = selectors.indicator_series(found)
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "municipality": found.municipality,
            "indicator": found,
            "series": series,
            "is_drug_tests": found.kind == Indicator.Kind.SCHOOL_DRUG_TESTS,
            "sampling_count": len(series.rows),
            "chart_src": reverse(
                "indicators:chart", kwargs={"municipality": municipality, "indicator": indicator}
            ),
            "csv_href": reverse(
                "indicators:csv", kwargs={"municipality": municipality, "indicator": indicator}
            ),
        },
    )


def indicator_chart(request: HttpRequest, municipality: str, indicator: str) -> HttpResponse:
    found = selectors.indicator_get_public(municipality_slug=municipality, slug=indicator)
    response = HttpResponse(
        charts.series_svg(selectors.indicator_series(found), narrow=chart_is_narrow(request)),
        content_type="image/svg+xml",
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def indicator_csv(request: HttpRequest, municipality: str, indicator: str) -> HttpResponse:
    """The public numbers: the same columns as the import, with small counts suppressed as on the page."""
    found = selectors.indicator_get_public(municipality_slug=municipality, slug=indicator)
    rows: list[list[object]] = []
    if found.kind == Indicator.Kind.SCHOOL_DRUG_TESTS:
        rows.append(["provdatum", "testade", "positiva", "laboratorium", "exempeldata"])
        for row in selectors.indicator_series(found).rows:
            counts = row.counts
            if counts is None:
                continue
            positive = (
                _("visas inte")
                if counts.all_alike
                else SUPPRESSED
                if counts.suppressed
                else ("" if counts.positive is None else counts.positive)
            )
            rows.append(
                [
                    row.sampled_on.isoformat(),
                    counts.tested,
                    positive,
                    "; ".join(sorted(row.labs)),
                    int(row.is_example),
                ]
            )
    else:
        rows.append(["provdatum", "amne", "varde", "enhet", "laboratorium", "anteckning", "exempeldata"])
        for measurement in found.measurements.all():
            rows.append(
                [
                    measurement.sampled_on.isoformat(),
                    measurement.substance,
                    measurement.value.normalize() if measurement.value is not None else None,
                    found.unit,
                    measurement.lab,
                    measurement.note,
                    int(measurement.is_example),
                ]
            )
    measurements = _("matningar")  # outside the f-string, where makemessages finds it
    return csv_response(
        rows,
        filename=f"{measurements}-{municipality}-{found.slug}.csv",
        excel=csv_wants_excel(request),
    )
