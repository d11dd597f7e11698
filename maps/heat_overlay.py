"""An events layer and a time window -> a kernel-density heat overlay for a web map.

The density is computed in the city's local projected CRS (metres) with :func:`maps.heat.kde_grid`.
For display the grid is warped with ``rasterio.warp.reproject`` to Web Mercator, the projection
Leaflet draws in: an ``L.imageOverlay`` stretches its image linearly between two corners in
that projection, so an image that is a north-up Web Mercator grid lines up cell for cell.
The local grid itself is what is downloaded as a Cloud-Optimised GeoTIFF.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine
from rasterio.warp import Resampling, calculate_default_transform, reproject

from maps.heat import Bounds, _ramp_lut, bandwidth_rule, kde_grid, render_png

WEB_MERCATOR = "EPSG:3857"
DEFAULT_RAMP = "YlOrRd_09"
# Cells where the smoothed population is thinner than this show no per-capita rate: a rate
# over a handful of residents is noise, not a pattern.
MIN_RESIDENTS_PER_KM2 = 50.0
# A grid larger than this many cells a side is coarsened: the page and the PNG stay light.
MAX_CELLS_A_SIDE = 1000

Bandwidth = float | Literal["scott", "silverman"]


@dataclass(frozen=True)
class HeatOverlay:
    grid: np.ndarray  # density in the local CRS, rows north to south
    transform: Affine  # of ``grid``, in the local CRS
    crs: str  # the local CRS
    bounds_4326: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    png: bytes  # the Web Mercator image to place at ``bounds_4326``
    peak: float  # the density the ramp's top colour stands for
    unit: Literal["per_km2", "per_1000_residents"]
    events: int  # events in the window
    bandwidth_m: float
    cell_size_m: float

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def heat_overlay(
    events_gdf: gpd.GeoDataFrame,
    local_crs: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    bandwidth: Bandwidth = "silverman",
    cell_size: float | None = None,
    population: str | PathLike | None = None,
    bounds: Bounds | None = None,
    ramp: str = DEFAULT_RAMP,
) -> HeatOverlay:
    """Kernel density of the events that occurred in [start, end), as an overlay.

    ``events_gdf`` has point geometry and ``occurred_at`` (EVENT_COLUMNS). ``bandwidth`` is
    metres or a rule (see :func:`maps.heat.bandwidth_rule`); ``cell_size`` defaults to a
    quarter of the bandwidth, coarser when the grid would pass ``MAX_CELLS_A_SIDE``.
    ``bounds`` (local CRS; default: the events padded by three bandwidths) fixes the grid, so
    overlays of different windows share one extent. With ``population`` (a GeoTIFF of persons
    per pixel) the surface is events per 1,000 residents: both surfaces smoothed with the same
    kernel, divided. Otherwise it is events per km².
    """
    xy = _points_in_window(events_gdf, local_crs, start, end)
    if isinstance(bandwidth, str):
        bandwidth = bandwidth_rule(xy, bandwidth)
    if not bandwidth > 0:
        raise ValueError(f"bandwidth must be a positive number of metres, not {bandwidth}")
    if bounds is None:
        if len(xy) == 0:
            raise ValueError("no events in the window and no bounds given: nothing to place")
        pad = 3 * bandwidth
        bounds = (*(xy.min(axis=0) - pad), *(xy.max(axis=0) + pad))
    cell_size = cell_size or _auto_cell_size(bounds, bandwidth)
    density, transform = kde_grid(
        xy, bounds=bounds, cell_size=cell_size, bandwidth=bandwidth, unit="km2"
    )
    unit: Literal["per_km2", "per_1000_residents"] = "per_km2"
    if population is not None:
        density = _per_thousand_residents(
            density, population, local_crs, bounds, cell_size, bandwidth
        )
        unit = "per_1000_residents"
    display, display_transform = _to_web_mercator(density, transform, local_crs)
    peak = float(np.nanmax(display)) if np.isfinite(display).any() else 0.0
    return HeatOverlay(
        grid=density,
        transform=transform,
        crs=local_crs,
        bounds_4326=_corners_4326(display_transform, display.shape),
        png=render_png(display, ramp),
        peak=max(peak, 0.0),
        unit=unit,
        events=len(xy),
        bandwidth_m=float(bandwidth),
        cell_size_m=float(cell_size),
    )


def ramp_stops(ramp: str = DEFAULT_RAMP, n: int = 9) -> list[str]:
    """``n`` colours of the ramp, low to high, as CSS hex, for the legend's gradient."""
    lut = _ramp_lut(ramp)
    picks = np.linspace(0, 255, n).round().astype(int)
    return ["#{:02x}{:02x}{:02x}".format(*lut[i][:3]) for i in picks]


def _points_in_window(events, local_crs, start, end) -> np.ndarray:
    if events.crs is None:
        raise ValueError("events have no CRS; they are stored in EPSG:4326")
    if len(events) == 0:
        return np.empty((0, 2))
    occurred = pd.to_datetime(events["occurred_at"], utc=True)
    keep = np.ones(len(events), dtype=bool)
    if start is not None:
        keep &= (occurred >= _utc(start)).to_numpy()
    if end is not None:
        keep &= (occurred < _utc(end)).to_numpy()
    points = events.loc[keep].to_crs(local_crs).geometry
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def _utc(moment: datetime) -> pd.Timestamp:
    """A moment without a time zone is read as UTC, as the store keeps times."""
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp


def _auto_cell_size(bounds: Bounds, bandwidth: float) -> float:
    xmin, ymin, xmax, ymax = bounds
    return max(bandwidth / 4, max(xmax - xmin, ymax - ymin) / MAX_CELLS_A_SIDE)


def _per_thousand_residents(density, population, local_crs, bounds, cell_size, bandwidth):
    with rasterio.open(population) as src:
        persons = src.read(1, masked=True).astype("float64").filled(0.0)
        persons[~np.isfinite(persons)] = 0.0
        rows, cols = np.nonzero(persons > 0)
        x, y = src.transform @ (cols + 0.5, rows + 0.5)
        weights = persons[rows, cols]
        if src.crs is None:
            raise ValueError(f"{population}: the population raster has no CRS; set it first")
        if src.crs != rasterio.crs.CRS.from_user_input(local_crs):
            x, y = Transformer.from_crs(src.crs, local_crs, always_xy=True).transform(x, y)
    residents, _ = kde_grid(
        np.column_stack([x, y]),
        bounds=bounds,
        cell_size=cell_size,
        bandwidth=bandwidth,
        weights=weights,
        unit="km2",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1000.0 * density / residents
    return np.where(residents >= MIN_RESIDENTS_PER_KM2, rate, np.nan)


def _to_web_mercator(grid: np.ndarray, transform: Affine, crs: str):
    height, width = grid.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (width, height)
    dst_transform, dst_width, dst_height = calculate_default_transform(
        crs, WEB_MERCATOR, width, height, left=left, bottom=bottom, right=right, top=top
    )
    display = np.full((dst_height, dst_width), np.nan)
    reproject(
        np.asarray(grid, dtype="float64"),
        display,
        src_transform=transform,
        src_crs=crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=WEB_MERCATOR,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    return display, dst_transform


def _corners_4326(transform: Affine, shape: tuple[int, int]):
    height, width = shape
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    to_4326 = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)
    (lon_w, lon_e), (lat_s, lat_n) = to_4326.transform([west, east], [south, north])
    if not all(map(math.isfinite, (lon_w, lon_e, lat_s, lat_n))):
        raise ValueError("the heat grid does not fit in Web Mercator; check the city's local CRS")
    return ((lat_s, lon_w), (lat_n, lon_e))
