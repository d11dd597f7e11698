"""The pieces two sets of coded areas make when laid over each other, in the city's local CRS:
the one overlay that nesting, version matching and crosswalks all measure."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def coded(areas: gpd.GeoDataFrame, local_crs: str) -> gpd.GeoSeries:
    """The geometries of ``areas`` (columns ``code``, ``geometry``) in ``local_crs``, indexed by
    code. Codes must be unique: a code drawn twice would count its overlaps twice."""
    codes = areas["code"].astype(str)
    duplicated = codes[codes.duplicated()].unique()
    if len(duplicated):
        raise ValueError(f"area codes must be unique; repeated: {', '.join(duplicated[:10])}")
    geometries = gpd.GeoSeries(areas.geometry.values, index=codes.values, crs=areas.crs)
    projected = geometries.to_crs(local_crs)
    # A self-touching ring in a published file would make GEOS refuse the overlay.
    invalid = ~shapely.is_valid(projected.values)
    if invalid.any():
        projected = projected.copy()
        projected[invalid] = shapely.make_valid(projected.values[invalid])
    return projected


def names_of(areas: gpd.GeoDataFrame) -> dict[str, str]:
    """Code -> English name (``name_en``; "" where the file has none)."""
    return dict(zip(areas["code"].astype(str), areas["name_en"].fillna("").astype(str),
                    strict=True))


def overlap_pieces(left: gpd.GeoSeries, right: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """``left``, ``right`` (index labels), ``area`` and ``geometry`` of every intersection of a
    left and a right geometry with positive area, found through an STRtree in one pass."""
    tree = shapely.STRtree(right.values)
    left_pos, right_pos = tree.query(left.values, predicate="intersects")
    pieces = shapely.intersection(left.values[left_pos], right.values[right_pos])
    areas = shapely.area(pieces)
    keep = areas > 0  # borders that only touch leave lines and points
    return gpd.GeoDataFrame({"left": left.index[left_pos][keep],
                             "right": right.index[right_pos][keep],
                             "area": areas[keep].astype(np.float64)},
                            geometry=pieces[keep], crs=left.crs)
