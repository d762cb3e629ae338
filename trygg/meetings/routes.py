"""A safety walk's route and stops: parsing and checking, with no Django import.

The route is a GeoJSON LineString in WGS84 (longitude first, as GeoJSON says). Stops are written one per
line as ``Name`` or ``Name; latitude; longitude`` (latitude first, as people read a map).
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any, TypedDict

from trygg.core.fileerrors import MessageError, gettext_noop


class RouteError(MessageError, ValueError):
    """The text is not a route or a list of stops; the message says why (a Swedish template marked for
    translation: the form shows it with `message_in(gettext)`)."""


class Stop(TypedDict):
    name: str
    latitude: float | None
    longitude: float | None


def _coordinate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RouteError(gettext_noop("Koordinaterna måste vara tal."))
    return float(value)


def route_parse(text: str) -> dict[str, Any] | None:
    """A GeoJSON LineString (a bare geometry or a Feature holding one), or None for empty text."""
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RouteError(
            gettext_noop("Rutten är inte giltig GeoJSON (rad %(line)d, kolumn %(column)d)."),
            line=error.lineno,
            column=error.colno,
        ) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") != "LineString":
        raise RouteError(gettext_noop("Rutten ska vara en GeoJSON LineString."))
    points = data.get("coordinates")
    if not isinstance(points, list) or len(points) < 2:
        raise RouteError(gettext_noop("En rutt behöver minst två punkter."))
    clean = []
    for point in points:
        if not isinstance(point, list | tuple) or len(point) < 2:
            raise RouteError(gettext_noop("Varje punkt ska vara [longitud, latitud]."))
        longitude, latitude = _coordinate(point[0]), _coordinate(point[1])
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise RouteError(
                gettext_noop("En punkt ligger utanför jordklotet: skriv longitud först, sedan latitud.")
            )
        clean.append([longitude, latitude])
    return {"type": "LineString", "coordinates": clean}


def route_length_m(route: dict[str, Any] | None) -> float:
    """The route's length along the ground in metres (haversine)."""
    if not route:
        return 0.0
    total = 0.0
    points = route["coordinates"]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        phi1, phi2 = math.radians(lat1), math.radians(lat2)
        d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
        a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
        total += 2 * 6_371_000 * math.asin(math.sqrt(a))
    return total


def stops_parse(text: str) -> list[Stop]:
    stops: list[Stop] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) == 1:
            stops.append({"name": parts[0], "latitude": None, "longitude": None})
            continue
        if len(parts) != 3 or not parts[0]:
            raise RouteError(
                gettext_noop("Rad %(number)d: skriv ”namn” eller ”namn; latitud; longitud”."), number=number
            )
        try:
            latitude, longitude = float(parts[1].replace(",", ".")), float(parts[2].replace(",", "."))
        except ValueError:
            raise RouteError(
                gettext_noop("Rad %(number)d: latitud och longitud ska vara tal."), number=number
            ) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise RouteError(
                gettext_noop("Rad %(number)d: punkten ligger utanför jordklotet."), number=number
            )
        stops.append({"name": parts[0], "latitude": latitude, "longitude": longitude})
    return stops


def stops_text(stops: list[Stop]) -> str:
    lines = []
    for stop in stops:
        if stop.get("latitude") is None:
            lines.append(stop["name"])
        else:
            lines.append(f"{stop['name']}; {stop['latitude']}; {stop['longitude']}")
    return "\n".join(lines)
