"""Crosswalk weights that carry counts from the areas of an old boundary version (sources) onto
the areas of a new one (targets), and the carrying itself.

Source S and target T overlap in a piece S∩T. The weight w(S, T) is the share of S's count that
T receives, so that a target's carried count is Σ_S w(S, T) · count(S).

- **area-weighted**: w = area(S∩T) / Σ_T' area(S∩T'); the count is assumed spread evenly over
  the source's area (tobler's ``area_interpolate`` with ``allocate_total=True``).
- **dasymetric** (population-weighted): the count is assumed spread like the population, which is
  known more finely than S: w = pop(S∩T) / Σ_T' pop(S∩T'). The population of a piece comes either
  from a population raster (Σ pixel value × the fraction of the pixel the piece covers, computed
  exactly for partial pixels; nodata counts as nobody) or from a finer level with a population
  count (each fine area's population spread over it by area, so a piece gets
  pop(F) · area(S∩T∩F) / area(F) from every fine area F it meets). Where people live far from
  the source's centre of area — parks, lakes, industrial land — this moves the count where the
  people are. A source in which the population holds nobody (a forest, a raster gap) falls back
  to area weights, said in its rows' ``method`` ("area-weighted (no population)").

Every rule divides by the sum over the source's own pieces, so each source's weights sum to 1
and carrying preserves totals exactly (to rounding), over the sources that meet any target. The
part of a source outside every target (a boundary change at the city edge) is given to the
targets it does meet, as tobler does; a source meeting no target has no rows and its count is
not carried. Only extensive values (counts) are carried: shares and rates are recomputed from
carried counts, never carried themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.windows import Window

from observatory.geography.overlaps import coded, overlap_pieces

AREA = "area-weighted"
RASTER = "population-weighted (raster)"
FINER_LEVEL = "population-weighted (finer level)"
NO_POPULATION = "area-weighted (no population)"
METHODS = (AREA, RASTER, FINER_LEVEL)


def area_weights(sources: gpd.GeoDataFrame, targets: gpd.GeoDataFrame,
                 local_crs: str) -> pd.DataFrame:
    """``from_code``, ``to_code``, ``weight``, ``method`` by area in ``local_crs``; areas: columns
    ``code``, ``geometry``."""
    pieces = _pieces(sources, targets, local_crs)
    return _weights(pieces, pieces["area"].to_numpy(), AREA)


def raster_weights(sources: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, local_crs: str,
                   raster_path: Path) -> pd.DataFrame:
    """Weights by the population of the first band of the raster at ``raster_path`` (any CRS)."""
    pieces = _pieces(sources, targets, local_crs)
    with rasterio.open(raster_path) as raster:
        population = raster_sums(pieces.geometry.to_crs(raster.crs), raster)
    return _weights(pieces, population, RASTER)


def finer_level_weights(sources: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, local_crs: str,
                        fine: gpd.GeoDataFrame,
                        fine_population: Mapping[str, float]) -> pd.DataFrame:
    """Weights by the population of a finer level (``fine``: columns ``code``, ``geometry``;
    ``fine_population``: code -> population; a fine area without one counts as nobody)."""
    pieces = _pieces(sources, targets, local_crs)
    fine_shapes = coded(fine, local_crs)
    bits = overlap_pieces(gpd.GeoSeries(pieces.geometry.values, crs=pieces.crs), fine_shapes)
    people_of = pd.Series(fine_population, dtype=np.float64).reindex(fine_shapes.index)
    density = people_of.fillna(0.0) / fine_shapes.area
    people = bits["area"].to_numpy() * density[bits["right"]].to_numpy()
    population = np.bincount(bits["left"].to_numpy(dtype=np.intp), weights=people,
                             minlength=len(pieces))
    return _weights(pieces, population, FINER_LEVEL)


def raster_sums(polygons: gpd.GeoSeries, raster: rasterio.DatasetReader) -> np.ndarray:
    """Σ value × covered fraction of each pixel, per polygon (in the raster's CRS), from band 1;
    nodata and NaN count as 0. The same sum as ``exactextract``'s "sum"."""
    if not raster.transform.is_rectilinear:
        raise ValueError(f"{raster.name}: a rotated raster grid is not supported")
    shapes = polygons.values
    window = _window_around(shapes, raster)
    if window is None:
        return np.zeros(len(shapes))
    # One read around all polygons; only the pixels holding people become boxes.
    values = raster.read(1, window=window, masked=True).astype(np.float64).filled(0.0)
    values[~np.isfinite(values)] = 0.0
    rows, cols = np.nonzero(values)
    grid = raster.window_transform(window)
    x, y = grid.c + cols * grid.a, grid.f + rows * grid.e
    pixels = shapely.box(np.minimum(x, x + grid.a), np.minimum(y, y + grid.e),
                         np.maximum(x, x + grid.a), np.maximum(y, y + grid.e))
    shapely.prepare(shapes)
    polygon_pos, pixel_pos = shapely.STRtree(pixels).query(shapes, predicate="intersects")
    # Inner pixels are wholly covered; only the edge ones need an intersection.
    fraction = shapely.contains_properly(shapes[polygon_pos], pixels[pixel_pos]).astype(float)
    edge = fraction == 0
    fraction[edge] = shapely.area(shapely.intersection(shapes[polygon_pos[edge]],
                                                       pixels[pixel_pos[edge]]))
    fraction[edge] /= abs(grid.a * grid.e)
    people = values[rows[pixel_pos], cols[pixel_pos]] * fraction
    return np.bincount(polygon_pos, weights=people, minlength=len(shapes))


def _window_around(shapes: np.ndarray, raster: rasterio.DatasetReader) -> Window | None:
    """The whole pixels of ``raster`` the bounds of ``shapes`` reach; None when they miss it."""
    present = shapes[~shapely.is_empty(shapes)]
    if not len(present):
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(present)
    cols, rows = ~raster.transform @ (np.array([minx, maxx]), np.array([maxy, miny]))
    col_start, col_stop = max(0, math.floor(cols.min())), min(raster.width, math.ceil(cols.max()))
    row_start, row_stop = max(0, math.floor(rows.min())), min(raster.height, math.ceil(rows.max()))
    if col_start >= col_stop or row_start >= row_stop:
        return None
    return Window.from_slices((row_start, row_stop), (col_start, col_stop))


def carry(values: pd.DataFrame, weights: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Carry counts (``from_code``, ``value`` and the key columns ``by``, e.g. period, variable,
    dims; one row per source and key) onto the targets: ``to_code``, ``by``…, ``value``.

    A target whose value for a key needs a source that has no value for it (missing, suppressed,
    not published) gets NaN, not the sum of the rest: a partial sum would look like a real count
    that is too small, and a later share would be wrong without anyone seeing it. A source with
    weight 0 in a target contributes nothing, known or not.
    """
    keys = list(by)
    if values.duplicated(["from_code", *keys]).any():
        raise ValueError("values must hold one row per source and key "
                         f"(from_code, {', '.join(keys)})")
    merged = values.merge(weights[["from_code", "to_code", "weight"]], on="from_code")
    needed = merged["weight"].to_numpy() > 0
    merged["part"] = np.where(needed, merged["value"].to_numpy(dtype=np.float64)
                              * merged["weight"].to_numpy(), 0.0)
    merged["known"] = needed & merged["value"].notna().to_numpy()
    grouped = merged.groupby(["to_code", *keys], sort=True, dropna=False)
    result = grouped.agg(value=("part", "sum"), known=("known", "sum")).reset_index()
    contributors = weights[weights["weight"] > 0].groupby("to_code")["from_code"].nunique()
    complete = result["known"].to_numpy() == result["to_code"].map(contributors).fillna(0)
    result["value"] = result["value"].where(complete)
    return result[["to_code", *keys, "value"]]


def _pieces(sources: gpd.GeoDataFrame, targets: gpd.GeoDataFrame,
            local_crs: str) -> gpd.GeoDataFrame:
    return overlap_pieces(coded(sources, local_crs), coded(targets, local_crs))


def _weights(pieces: gpd.GeoDataFrame, amount: np.ndarray, method: str) -> pd.DataFrame:
    """Each piece's share of its source's ``amount``; area shares where the source has none."""
    source = pieces["left"].to_numpy()
    amount_of_source = pd.Series(amount).groupby(source).transform("sum").to_numpy()
    area = pieces["area"].to_numpy()
    area_of_source = pd.Series(area).groupby(source).transform("sum").to_numpy()
    empty = amount_of_source <= 0
    weight = np.where(empty, area / area_of_source,
                      amount / np.where(empty, 1.0, amount_of_source))
    return pd.DataFrame({"from_code": source, "to_code": pieces["right"].to_numpy(),
                         "weight": weight.astype(np.float64),
                         "method": np.where(empty, NO_POPULATION, method)})
