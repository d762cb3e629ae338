"""Streets and addresses for the gazetteer from an OpenStreetMap extract (`.osm.pbf`, `.osm`), read with pyosmium.

Pure: no Django. Two kinds of entry come out:
- address points: a node or a closed way (a building) with addr:housenumber and addr:street (or addr:place, for
  village addresses without a street), named "Storgatan 12", kind "adress", locality from addr:city;
- named streets: the ways with a highway tag and a name, joined where they share a node or lie within
  JOIN_DISTANCE_M of each other (one street drawn as many ways), placed at the street's own node nearest the middle
  of all its nodes, so the point always lies on the street; the locality is the addr:city of the nearest address
  on a street of that name.
Only what lies inside the municipality (the caller's `inside` test) is kept. Objects OpenStreetMap allows but
Trygg cannot use (an address without a street, a name too long) are skipped with a warning naming the file, the
object and the tag.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import osmium
import osmium.filter

NAME_MAX = 200
LOCALITY_MAX = 100
JOIN_DISTANCE_M = 500
# Where an address's street gives its locality only if the address is this close (the same street in two towns).
LOCALITY_DISTANCE_M = 3000
SKIPPED_HIGHWAYS = {"proposed", "construction", "abandoned", "razed", "platform", "bus_stop", "elevator"}
FOOTWAYS = {"footway", "path", "pedestrian", "steps", "bridleway"}
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class OsmPlace:
    name: str
    kind: str  # "adress", "gata", "gångväg" or "cykelväg"
    latitude: float
    longitude: float
    locality: str


@dataclass
class OsmRead:
    places: list[OsmPlace] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    objects: int = 0  # OSM objects with an address or a highway tag that were read
    outside: int = 0  # of those, how many lay outside the municipality


class OsmFileError(Exception):
    """The file cannot be read as OpenStreetMap data; the message names the file."""


@dataclass
class _Street:
    name: str
    kinds: list[str]
    node_ids: set[int]
    points: list[tuple[float, float]]  # (lat, lon)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _way_points(way: Any) -> tuple[list[int], list[tuple[float, float]]]:
    ids, points = [], []
    for node in way.nodes:
        if node.location.valid():
            ids.append(node.ref)
            points.append((node.location.lat, node.location.lon))
    if len(ids) > 1 and ids[0] == ids[-1]:  # a closed way (a building) names its first node again at the end
        ids, points = ids[:-1], points[:-1]
    return ids, points


def _middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    lat = sum(point[0] for point in points) / len(points)
    lon = sum(point[1] for point in points) / len(points)
    return lat, lon


def _on_street(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The street's own point nearest the middle of all its points: on the street even where it bends."""
    lat, lon = _middle(points)
    return min(points, key=lambda point: _metres(lat, lon, point[0], point[1]))


def _join(streets: list[_Street]) -> list[_Street]:
    """One entry per street: ways of one name that share a node, or lie within JOIN_DISTANCE_M, are one street."""
    joined: list[_Street] = []
    for street in streets:
        middle = _middle(street.points)
        for other in joined:
            if other.node_ids & street.node_ids or any(
                _metres(middle[0], middle[1], lat, lon) <= JOIN_DISTANCE_M for lat, lon in other.points
            ):
                other.node_ids |= street.node_ids
                other.points.extend(street.points)
                other.kinds.extend(street.kinds)
                break
        else:
            joined.append(street)
    return joined


def _street_kind(highway: str) -> str:
    if highway in FOOTWAYS:
        return "gångväg"
    if highway == "cycleway":
        return "cykelväg"
    return "gata"


def _objects(path: str) -> Iterator[Any]:
    try:
        processor = (
            osmium.FileProcessor(path)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("addr:housenumber", "highway"))
        )
        yield from processor
    except (RuntimeError, ValueError, OSError) as error:
        raise OsmFileError(f"{path}: not OpenStreetMap data that pyosmium can read ({error})") from None


def read_osm(
    path: str,
    *,
    inside: Callable[[float, float], bool],
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda items: items,
) -> OsmRead:
    """The addresses and named streets of the extract at `path` for which `inside(lat, lon)` holds."""
    read = OsmRead()
    addresses: dict[tuple[str, str], OsmPlace] = {}
    streets: dict[str, list[_Street]] = {}
    for obj in progress(_objects(path)):
        if obj.is_relation():
            continue
        kind = "node" if obj.is_node() else "way"
        where = f"{path}: {kind} {obj.id}"
        tags = obj.tags
        number = (tags.get("addr:housenumber") or "").strip()
        highway = tags.get("highway")
        name = (tags.get("name") or "").strip()
        if kind == "way":
            ids, points = _way_points(obj)
            if not points:
                read.warnings.append(f"{where}: the way's nodes are missing from the file (no location)")
                continue
        elif obj.location.valid():
            ids, points = [obj.id], [(obj.location.lat, obj.location.lon)]
        else:
            read.warnings.append(f"{where}: the node has no valid location")
            continue
        read.objects += 1
        if number:
            street = (tags.get("addr:street") or tags.get("addr:place") or "").strip()
            if not street:
                read.warnings.append(
                    f"{where}: addr:housenumber {number!r} without addr:street or addr:place"
                )
                continue
            label = f"{street} {number}"
            locality = (tags.get("addr:city") or "").strip()
            if len(label) > NAME_MAX:
                read.warnings.append(f"{where}: addr:street is too long ({len(street)} characters)")
                continue
            if len(locality) > LOCALITY_MAX:
                read.warnings.append(f"{where}: addr:city is too long ({len(locality)} characters)")
                locality = ""
            lat, lon = _middle(points)
            if not inside(lat, lon):
                read.outside += 1
                continue
            addresses.setdefault(
                (label.casefold(), locality.casefold()), OsmPlace(label, "adress", lat, lon, locality)
            )
        elif highway and kind == "way" and name and highway not in SKIPPED_HIGHWAYS:
            if len(name) > NAME_MAX:
                read.warnings.append(f"{where}: name is too long ({len(name)} characters)")
                continue
            streets.setdefault(name, []).append(_Street(name, [_street_kind(highway)], set(ids), points))
    localities: dict[str, list[OsmPlace]] = {}
    for address in addresses.values():
        street_name = address.name.rsplit(" ", 1)[0]
        if address.locality:
            localities.setdefault(street_name.casefold(), []).append(address)
    found: dict[tuple[str, str, str], OsmPlace] = {}
    for name, ways in streets.items():
        for street in _join(ways):
            lat, lon = _on_street(street.points)
            if not inside(lat, lon):
                read.outside += 1
                continue
            near = [
                (_metres(lat, lon, address.latitude, address.longitude), address.locality)
                for address in localities.get(name.casefold(), [])
            ]
            close = [item for item in near if item[0] <= LOCALITY_DISTANCE_M]
            locality = min(close)[1] if close else ""
            kind = max(set(street.kinds), key=street.kinds.count)
            found.setdefault(
                (name.casefold(), kind, locality.casefold()), OsmPlace(name, kind, lat, lon, locality)
            )
    read.places = sorted(
        [*found.values(), *addresses.values()], key=lambda place: (place.locality, place.name, place.kind)
    )
    return read
