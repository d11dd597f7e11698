"""Areal interpolation from source zones (e.g. Voronoi cells of tower sites) to target zones
(districts). Pure functions on geometries in a projected CRS; areas in that CRS's units.

With a_ij the area of source i inside target j (methodology §5):

- extensive variables (counts): v_j = Σ_i v_i · a_ij / a_i, with a_i = Σ_j a_ij, the part of
  source i the targets cover (equal to the cell's area when the targets tile it, as districts
  tile the Voronoi cells clipped to the city), so that totals are preserved exactly;
- intensive variables (rates): v_j = Σ_i v_i · a_ij / Σ_i a_ij, summing over the sources that
  have a value.

Same weights as ``tobler.area_weighted.area_interpolate`` (``allocate_total=True``), which the
tests use as the oracle.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from observatory.geography.overlaps import overlap_pieces

Kind = Literal["extensive", "intensive"]


def voronoi_cells(points: gpd.GeoSeries, outline: BaseGeometry) -> gpd.GeoSeries:
    """The Voronoi cell of each point (same index), clipped to ``outline``.

    Points must be distinct: co-located sites share one location, the caller merges them.
    """
    if len(points) == 1:
        return gpd.GeoSeries([outline], index=points.index, crs=points.crs)
    diagram = shapely.voronoi_polygons(shapely.MultiPoint(list(points.values)),
                                       extend_to=outline, ordered=True)
    cells = shapely.intersection(shapely.get_parts(diagram), outline)
    return gpd.GeoSeries(cells, index=points.index, crs=points.crs)


def area_table(sources: gpd.GeoSeries, targets: gpd.GeoSeries) -> pd.DataFrame:
    """``source``, ``target`` (index labels) and ``area`` of every overlap with positive area."""
    pieces = overlap_pieces(sources, targets)
    return pd.DataFrame({"source": pieces["left"].to_numpy(), "target": pieces["right"].to_numpy(),
                         "area": pieces["area"].to_numpy()})


def interpolate(values: pd.DataFrame, table: pd.DataFrame, kind: Kind,
                by: list[str] | None = None) -> pd.DataFrame:
    """Move ``values`` (columns ``source``, ``value`` and the keys ``by``, one row per source
    and key) onto the targets of ``table``: columns ``target``, ``by``…, ``value``."""
    keys = ["target", *(by or [])]
    merged = values.dropna(subset=["value"]).merge(table, on="source")
    merged["weighted"] = merged["value"] * merged["area"]
    if kind == "extensive":
        source_area = table.groupby("source")["area"].sum()
        merged["weighted"] /= merged["source"].map(source_area)
        result = merged.groupby(keys, sort=True)["weighted"].sum()
    else:
        grouped = merged.groupby(keys, sort=True)
        result = grouped["weighted"].sum() / grouped["area"].sum()
    return result.rename("value").reset_index()
