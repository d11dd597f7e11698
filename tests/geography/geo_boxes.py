"""Hand-drawable areas for the geography tests: boxes in metres in a UTM CRS."""

from __future__ import annotations

import geopandas as gpd
import shapely

CRS = "EPSG:32633"


def areas(boxes: dict[str, tuple[float, float, float, float]],
          names: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """code -> (xmin, ymin, xmax, ymax) as a frame with columns code, name_en, geometry."""
    codes = list(boxes)
    return gpd.GeoDataFrame({"code": codes,
                             "name_en": [(names or {}).get(code, code) for code in codes]},
                            geometry=[shapely.box(*boxes[code]) for code in codes], crs=CRS)
