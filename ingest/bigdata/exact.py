"""Point-in-polygon for the locations the grid could not place (``grid``), with shapely on
prepared districts, by the rule a join on ST_Contains gives: a point is counted in every
district whose interior holds it; one in no interior but on a border goes to the lowest district
code it touches (so it is counted once); the others are outside the city, told apart by whether
swapping lon and lat would put them inside.

A location is tested only against the districts its grid cell touches (``DistrictGrid``), on
the coordinates themselves (``contains_xy``): no point geometry is built, no tree searched.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from ingest.bigdata.grid import BORDER, DistrictGrid


@dataclass(frozen=True)
class Placed:
    """Where each location is counted: once in every district of the pairs (``location``,
    ``district``) naming it, none for a location outside the city."""

    location: np.ndarray  # per pair: the location's position
    district: np.ndarray  # per pair: the district's position in ``districts``
    on_border: np.ndarray  # per location: in no interior, counted in the lowest code touched
    outside: np.ndarray  # per location: touching no district
    looks_swapped: np.ndarray  # per location: outside, but inside with lon and lat swapped


def place_exactly(lon: np.ndarray, lat: np.ndarray, grid: DistrictGrid,
                  districts: gpd.GeoDataFrame) -> Placed:
    """Distinct locations (EPSG:4326 like ``districts``, and ``grid`` made from them)."""
    geoms = np.asarray(districts.geometry.values, dtype=object)
    codes = districts["code"].astype(str).to_numpy()
    shapely.prepare(geoms)
    row, geom = _candidates(grid, lon, lat)
    inside = shapely.contains_xy(geoms[geom], lon[row], lat[row])
    contained = np.zeros(len(lon), dtype=bool)
    contained[row[inside]] = True
    # Only a location in no interior can be on a border: the others skip the second test.
    rest = ~contained[row]
    touching = rest.copy()
    touching[rest] = shapely.intersects_xy(geoms[geom[rest]], lon[row[rest]], lat[row[rest]])
    on_border = np.zeros(len(lon), dtype=bool)
    on_border[row[touching]] = True
    # The lowest code each border location touches, by the codes' rank in sorted order.
    by_rank = np.argsort(codes, kind="stable")
    rank = np.empty(len(codes), dtype=np.int64)
    rank[by_rank] = np.arange(len(codes))
    lowest = np.full(len(lon), len(codes), dtype=np.int64)
    np.minimum.at(lowest, row[touching], rank[geom[touching]])
    border_rows = np.flatnonzero(on_border)
    outside = ~(contained | on_border)
    out = np.flatnonzero(outside)
    swapped_row, swapped_geom = _candidates(grid, lat[out], lon[out])
    hit = shapely.intersects_xy(geoms[swapped_geom], lat[out][swapped_row],
                                lon[out][swapped_row])
    looks_swapped = np.zeros(len(lon), dtype=bool)
    looks_swapped[out[swapped_row[hit]]] = True
    return Placed(location=np.concatenate([row[inside], border_rows]),
                  district=np.concatenate([geom[inside], by_rank[lowest[border_rows]]]),
                  on_border=on_border, outside=outside, looks_swapped=looks_swapped)


def _candidates(grid: DistrictGrid, lon: np.ndarray,
                lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point, district) positions of every district a point may touch: the district of its
    interior cell, or those its border cell touches; none in an outside cell or beyond the
    grid."""
    cell = grid.cells(lon, lat)
    kind = np.where(cell >= 0, grid.kinds[np.maximum(cell, 0)], -1).astype(np.int64)
    interior = np.flatnonzero(kind >= 0)
    border = np.flatnonzero(kind == BORDER)
    at = np.searchsorted(grid.border_cells, cell[border])
    start, stop = grid.starts[at], grid.starts[at + 1]
    counts = stop - start
    # every candidate of every border point: start of its cell's run plus 0, 1, 2…
    first = np.repeat(start - np.cumsum(counts) + counts, counts)
    return (np.concatenate([interior, np.repeat(border, counts)]),
            np.concatenate([kind[interior], grid.candidates[first + np.arange(len(first))]]))
