"""A safety walk's protocol: the route drawing (SVG) and the PDF."""

from __future__ import annotations

import base64
import io
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.figure import Figure

from trygg.core.pdf import pdf_from_html

from . import routes, selectors
from .models import SafetyWalk


def route_svg(walk: SafetyWalk) -> bytes:
    """The route as a line, the stops as numbered dots and the observations as letters; no map tiles.

    The page lists the same stops and observations in tables."""
    figure = Figure(figsize=(6, 4.5), dpi=100)
    axes = figure.subplots()
    drawn = False
    if walk.route:
        longitudes = [point[0] for point in walk.route["coordinates"]]
        latitudes = [point[1] for point in walk.route["coordinates"]]
        axes.plot(longitudes, latitudes, color="#005a8c", linewidth=2.5, label=_("Rutt"))
        drawn = True
    for number, stop in enumerate(walk.stops or [], start=1):
        if stop.get("latitude") is None:
            continue
        axes.plot(stop["longitude"], stop["latitude"], "o", color="#222222", markersize=7)
        axes.annotate(
            str(number), (stop["longitude"], stop["latitude"]), textcoords="offset points", xytext=(5, 5)
        )
        drawn = True
    for index, observation in enumerate(walk.observations.all()):
        if observation.latitude is None or observation.longitude is None:
            continue
        axes.plot(observation.longitude, observation.latitude, "s", color="#D55E00", markersize=7)
        axes.annotate(
            observation_letter(index),
            (observation.longitude, observation.latitude),
            textcoords="offset points",
            xytext=(5, -12),
            color="#8a2d00",
        )
        drawn = True
    if not drawn:
        axes.text(0.5, 0.5, _("Ingen rutt inritad"), ha="center", va="center", transform=axes.transAxes)
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_xlabel(_("longitud"))
    axes.set_ylabel(_("latitud"))
    axes.ticklabel_format(useOffset=False)
    axes.set_title(walk.title)
    figure.tight_layout()
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "trygg"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def observation_letter(index: int) -> str:
    """A, B, … Z, AA, AB…: the label of an observation in the drawing and the table."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def protocol_context(walk: SafetyWalk) -> dict[str, Any]:
    observations = list(walk.observations.all())
    for index, observation in enumerate(observations):
        observation.letter = observation_letter(index)  # type: ignore[attr-defined]
    return {
        "walk": walk,
        "municipality": walk.municipality,
        "observations": observations,
        "summary": selectors.walk_task_summary(walk),
        "route_length_km": round(routes.route_length_m(walk.route) / 1000, 1) if walk.route else None,
        "stops": walk.stops or [],
    }


def protocol_pdf(walk: SafetyWalk) -> bytes:
    drawing = base64.b64encode(route_svg(walk)).decode()
    html = render_to_string(
        "meetings/walk_protocol_pdf.html",
        {**protocol_context(walk), "route_src": f"data:image/svg+xml;base64,{drawing}"},
    )
    stylesheet = finders.find("meetings/protocol_pdf.css")
    assert isinstance(stylesheet, str)
    return pdf_from_html(html, stylesheets=[stylesheet])
