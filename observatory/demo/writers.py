"""Writing the demo files: UTF-8, fixed precision, byte-for-byte reproducible."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """RFC 7946 GeoJSON: EPSG:4326, right-hand winding, 7 decimals (about 1 cm)."""
    path.unlink(missing_ok=True)  # the GeoJSON driver refuses to overwrite
    pyogrio.write_dataframe(
        frame.to_crs("EPSG:4326"), path, driver="GeoJSON", layer_options={"RFC7946": "YES"}
    )
