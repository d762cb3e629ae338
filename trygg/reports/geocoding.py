"""An optional online geocoder, asked only when the municipality's own gazetteer has no answer.

Off unless REPORTS_GEOCODER_URL is set to a Nominatim-compatible search endpoint (the municipality's own,
or a service it has an agreement with): the typed text then leaves the installation, which the privacy
page must say. Any failure (timeout, bad answer) counts as "not found"; the resident can still use the map.
"""

import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class GeocodedPlace:
    name: str
    latitude: float
    longitude: float


def geocode_online(*, text: str, municipality_name: str) -> GeocodedPlace | None:
    endpoint = getattr(settings, "REPORTS_GEOCODER_URL", "")
    if not endpoint or not text.strip():
        return None
    query = urllib.parse.urlencode(
        {"q": f"{text}, {municipality_name}", "format": "jsonv2", "limit": 1, "countrycodes": "se"}
    )
    request = urllib.request.Request(  # noqa: S310 - the endpoint is an administrator's setting
        f"{endpoint}?{query}", headers={"User-Agent": "Trygg (felanmälan)", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            results = json.loads(response.read(1_000_000))
        first = results[0]
        latitude, longitude = float(first["lat"]), float(first["lon"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        logger.warning("The online geocoder gave no usable answer.")
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return GeocodedPlace(
        name=str(first.get("display_name") or text)[:200], latitude=latitude, longitude=longitude
    )
