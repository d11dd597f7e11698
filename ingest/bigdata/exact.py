"""Point-in-polygon for the locations the grid could not place (``grid``), with shapely on
prepared districts, by the rule a join on ST_Contains gives: a point is counted in every
district whose interior holds it; one in no interior but on a border goes to the lowest district
code it touches (so it is counted once); the others are outside the city, told apart by whether
swapping lon and lat would put them inside.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def place_exactly(rows: pd.DataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """``rows`` (with ``lon``, ``lat``; EPSG:4326 like ``districts``) -> one row per row and
    district it counts in, or one row per row outside the city, with ``district_code`` (None
    outside), ``inside`` (False on a border) and ``looks_swapped``."""
    geoms = np.asarray(districts.geometry.values, dtype=object)
    codes = districts["code"].astype(str).to_numpy()
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    lon, lat = rows["lon"].to_numpy(float), rows["lat"].to_numpy(float)
    points = shapely.points(lon, lat)
    row, geom = _touching(tree, geoms, points)
    inside = shapely.contains(geoms[geom], points[row])
    contained = np.zeros(len(rows), dtype=bool)
    contained[row[inside]] = True
    on_border = ~contained[row]
    lowest = (pd.Series(codes[geom[on_border]], index=row[on_border])
              .groupby(level=0).min())
    outside = np.ones(len(rows), dtype=bool)
    outside[row] = False
    swapped_row, _ = _touching(tree, geoms, shapely.points(lat[outside], lon[outside]))
    looks_swapped = np.zeros(int(outside.sum()), dtype=bool)
    looks_swapped[swapped_row] = True
    return pd.concat([
        rows.iloc[row[inside]].assign(district_code=codes[geom[inside]], inside=True,
                                      looks_swapped=False),
        rows.iloc[lowest.index].assign(district_code=lowest.to_numpy(), inside=False,
                                       looks_swapped=False),
        rows.iloc[np.flatnonzero(outside)].assign(district_code=None, inside=False,
                                                  looks_swapped=looks_swapped),
    ], ignore_index=True)


def _touching(tree: shapely.STRtree, geoms: np.ndarray,
              points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point, district) positions of every point on or in a district: the tree gives the
    candidates by bounding box, the prepared districts the exact answer."""
    row, geom = tree.query(points)
    hit = shapely.intersects(geoms[geom], points[row])
    return row[hit], geom[hit]
