"""Naming points for people: the nearest entry of the municipality's gazetteer and the area that holds the point.

Pure: no Django, no database. Distances are measured in SWEREF 99 TM (EPSG:3006) metres, as the hotspots
are; areas are GeoJSON geometries in WGS84 (longitude first), tested with shapely. A boundary shapely cannot
read is skipped rather than failing the whole page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely import prepared
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import Point, shape

from . import geo


@dataclass(frozen=True)
class NamedPlace:
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class NamedArea:
    name: str
    boundary: dict[str, Any]


@dataclass(frozen=True)
class PointName:
    place: str | None  # the nearest gazetteer entry, if the gazetteer has any
    distance_m: int | None  # to that entry, rounded to whole metres
    area: str | None  # the first area whose boundary holds the point


def _nearest(
    lat: Sequence[float], lon: Sequence[float], places: Sequence[NamedPlace]
) -> list[tuple[str, int] | None]:
    if not places:
        return [None] * len(lat)
    x, y = geo.project(lat, lon)
    px, py = geo.project([place.latitude for place in places], [place.longitude for place in places])
    usable = np.isfinite(px) & np.isfinite(py)
    if not usable.any():
        return [None] * len(lat)
    px, py = px[usable], py[usable]
    kept = [place for place, ok in zip(places, usable.tolist(), strict=True) if ok]
    found: list[tuple[str, int] | None] = []
    for point_x, point_y in zip(x.tolist(), y.tolist(), strict=True):
        distances = np.hypot(px - point_x, py - point_y)
        index = int(np.argmin(distances))
        found.append((kept[index].name, round(float(distances[index]))))
    return found


def _areas(areas: Sequence[NamedArea]) -> list[tuple[str, Any]]:
    readable = []
    for area in areas:
        try:
            geometry = shape(area.boundary)
        except (ShapelyError, GEOSException, AttributeError, KeyError, TypeError, ValueError, IndexError):
            continue
        if geometry.is_empty:
            continue
        readable.append((area.name, prepared.prep(geometry)))
    return readable


def name_points(
    lat: Sequence[float],
    lon: Sequence[float],
    *,
    places: Sequence[NamedPlace],
    areas: Sequence[NamedArea],
) -> list[PointName]:
    """For each point, the nearest place and its distance, and the area that holds it (the first one listed
    when areas overlap; a point on a boundary counts as inside)."""
    if len(lat) != len(lon):
        raise ValueError("lat and lon differ in length")
    nearest = _nearest(lat, lon, places)
    readable = _areas(areas)
    names = []
    for point_lat, point_lon, close in zip(lat, lon, nearest, strict=True):
        point = Point(point_lon, point_lat)
        area = next((name for name, geometry in readable if geometry.covers(point)), None)
        names.append(
            PointName(
                place=close[0] if close else None,
                distance_m=close[1] if close else None,
                area=area,
            )
        )
    return names
