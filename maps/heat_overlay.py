"""An events layer and a time window -> a kernel-density heat overlay for a web map.

The density is computed in the city's local projected CRS (metres) with :func:`maps.heat.kde_grid`.
For display the grid is warped with ``rasterio.warp.reproject`` to Web Mercator, the projection
Leaflet draws in: an ``L.imageOverlay`` stretches its image linearly between two corners in
that projection, so an image that is a north-up Web Mercator grid lines up cell for cell.
The local grid itself is what is downloaded as a Cloud-Optimised GeoTIFF.

A per-capita surface divides by residents smoothed with the same kernel: residents come from a
population raster (persons per pixel) or from districts with a ``residents`` count.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from typing import Any, Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine
from rasterio.warp import Resampling, calculate_default_transform, reproject

from maps.heat import Bounds, bandwidth_rule, kde_grid, ramp_lut, render_png

WEB_MERCATOR = "EPSG:3857"
DEFAULT_RAMP = "YlOrRd_09"
# Cells where the smoothed population is thinner than this show no per-capita rate: a rate
# over a handful of residents is noise, not a pattern.
MIN_RESIDENTS_PER_KM2 = 50.0
# A grid larger than this many cells a side is coarsened: the page and the PNG stay light.
MAX_CELLS_A_SIDE = 1000
# A cell size asked for that makes more cells than this is refused: 32 MB per float64 grid.
MAX_CELLS = 4_000_000
# Without bounds the grid covers the window's events and this many bandwidths around them.
DEFAULT_MARGIN_BANDWIDTHS = 3.0

Bandwidth = float | Literal["scott", "silverman"]
# A GeoTIFF of persons per pixel, or districts (or points) with a ``residents`` column.
Population: TypeAlias = str | PathLike | gpd.GeoDataFrame
Unit = Literal["per_km2", "per_1000_residents"]


@dataclass(frozen=True)
class HeatOverlay:
    grid: np.ndarray  # density in the local CRS, rows north to south
    transform: Affine  # of ``grid``, in the local CRS
    crs: str  # the local CRS
    bounds_4326: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    png: bytes  # the Web Mercator image to place at ``bounds_4326``
    png_shape: tuple[int, int]  # (height, width) of ``png``
    peak: float  # the density the ramp's top colour stands for
    unit: Unit
    events: int  # events in the window
    bandwidth_m: float
    cell_size_m: float

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    @property
    def bounds_lonlat(self) -> tuple[float, float, float, float]:
        """Where the PNG goes as (west, south, east, north) in EPSG:4326."""
        (south, west), (north, east) = self.bounds_4326
        return west, south, east, north

    def describe(self) -> dict:
        """The facts a client needs to place the PNG and read the surface, as plain JSON."""
        return {
            "bounds": list(self.bounds_lonlat),
            "bounds_crs": "EPSG:4326",
            "image_width": self.png_shape[1],
            "image_height": self.png_shape[0],
            "crs": self.crs,
            "grid_width": self.grid.shape[1],
            "grid_height": self.grid.shape[0],
            "cell_m": self.cell_size_m,
            "bandwidth_m": self.bandwidth_m,
            "events": self.events,
            "unit": self.unit,
            "peak": self.peak,
        }


def heat_overlay(
    events_gdf: gpd.GeoDataFrame,
    local_crs: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    **options: Any,
) -> HeatOverlay:
    """Kernel density of the events that occurred in [start, end), as an overlay.

    ``events_gdf`` has point geometry and ``occurred_at`` (EVENT_COLUMNS); ``options`` are
    those of :func:`density_overlay`.
    """
    return density_overlay(_points_in_window(events_gdf, local_crs, start, end), local_crs,
                           **options)


def density_overlay(
    xy: np.ndarray,
    local_crs: str,
    *,
    counts: np.ndarray | None = None,
    bandwidth: Bandwidth = "silverman",
    cell_size: float | None = None,
    population: Population | None = None,
    bounds: Bounds | None = None,
    margin: float | None = None,
    ramp: str = DEFAULT_RAMP,
) -> HeatOverlay:
    """Kernel density of points ``xy`` (local CRS, metres) as an overlay; with ``counts``,
    each row stands for that many points (events binned in the store).

    ``bandwidth`` is metres or a rule (see :func:`maps.heat.bandwidth_rule`); ``cell_size``
    defaults to a quarter of the bandwidth, coarser when the grid would pass
    ``MAX_CELLS_A_SIDE``. ``bounds`` (local CRS; default: the points) is the area to cover,
    widened by ``margin`` bandwidths on every side (default: none around given bounds, three
    around the points), so that kernels near the edge are not cut off. Fixed bounds and a
    bandwidth in metres give every window the same grid. With ``population`` (a GeoTIFF of
    persons per pixel, or districts with a ``residents`` column, counted at a point inside
    each) the surface is events per 1,000 residents: both surfaces smoothed with the same
    kernel, divided. Otherwise it is events per km². ``ramp`` colours the PNG.
    """
    if isinstance(bandwidth, str):
        bandwidth = bandwidth_rule(xy, bandwidth, counts, binned=counts is not None)
    if not bandwidth > 0:
        raise ValueError(f"bandwidth must be a positive number of metres, not {bandwidth}")
    if bounds is None:
        if len(xy) == 0:
            raise ValueError("no events in the window and no bounds given: nothing to place")
        bounds = (*xy.min(axis=0), *xy.max(axis=0))
        margin = DEFAULT_MARGIN_BANDWIDTHS if margin is None else margin
    bounds = padded(bounds, bandwidth, margin)
    if cell_size is None:
        cell_size = auto_cell_size(bounds, bandwidth)
    else:
        _check_cell_count(bounds, cell_size)
    density, transform = kde_grid(
        xy, bounds=bounds, cell_size=cell_size, bandwidth=bandwidth, weights=counts, unit="km2"
    )
    unit: Unit = "per_km2"
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
        png_shape=display.shape,
        peak=max(peak, 0.0),
        unit=unit,
        events=len(xy) if counts is None else round(float(np.sum(counts))),
        bandwidth_m=float(bandwidth),
        cell_size_m=float(cell_size),
    )


def ramp_stops(ramp: str = DEFAULT_RAMP, n: int = 9) -> list[str]:
    """``n`` colours of the ramp, low to high, as CSS hex, for the legend's gradient."""
    lut = ramp_lut(ramp)
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


def padded(bounds: Bounds, bandwidth: float, margin: float | None) -> Bounds:
    """``bounds`` widened by ``margin`` bandwidths on every side."""
    pad = (margin or 0.0) * bandwidth
    return (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)


def auto_cell_size(bounds: Bounds, bandwidth: float) -> float:
    """The grid's cell when none is asked for: a quarter of the bandwidth, or coarser so that
    the grid has at most ``MAX_CELLS_A_SIDE`` cells a side."""
    xmin, ymin, xmax, ymax = bounds
    return max(bandwidth / 4, max(xmax - xmin, ymax - ymin) / MAX_CELLS_A_SIDE)


def _check_cell_count(bounds: Bounds, cell_size: float) -> None:
    xmin, ymin, xmax, ymax = bounds
    if not cell_size > 0:
        raise ValueError(f"cell size must be a positive number of metres, not {cell_size}")
    cells = math.ceil((xmax - xmin) / cell_size) * math.ceil((ymax - ymin) / cell_size)
    if cells > MAX_CELLS:
        smallest = math.ceil(math.sqrt((xmax - xmin) * (ymax - ymin) / MAX_CELLS))
        raise ValueError(
            f"a cell size of {cell_size:g} m makes {cells:,} cells here (at most "
            f"{MAX_CELLS:,}); use a cell size of {smallest} m or more"
        )


def _per_thousand_residents(density, population, local_crs, bounds, cell_size, bandwidth):
    if isinstance(population, gpd.GeoDataFrame):
        xy, weights = _residents_of_districts(population, local_crs)
    else:
        xy, weights = _residents_of_raster(population, local_crs)
    residents, _ = kde_grid(
        xy, bounds=bounds, cell_size=cell_size, bandwidth=bandwidth, weights=weights, unit="km2"
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1000.0 * density / residents
    return np.where(residents >= MIN_RESIDENTS_PER_KM2, rate, np.nan)


def _residents_of_raster(path, local_crs) -> tuple[np.ndarray, np.ndarray]:
    """Each populated pixel's persons, at the pixel's centre in the local CRS."""
    with rasterio.open(path) as src:
        persons = src.read(1, masked=True).astype("float64").filled(0.0)
        persons[~np.isfinite(persons)] = 0.0
        rows, cols = np.nonzero(persons > 0)
        x, y = src.transform @ (cols + 0.5, rows + 0.5)
        if src.crs is None:
            raise ValueError(f"{path}: the population raster has no CRS; set it first")
        if src.crs != rasterio.crs.CRS.from_user_input(local_crs):
            x, y = Transformer.from_crs(src.crs, local_crs, always_xy=True).transform(x, y)
    return np.column_stack([x, y]), persons[rows, cols]


def _residents_of_districts(
    districts: gpd.GeoDataFrame, local_crs
) -> tuple[np.ndarray, np.ndarray]:
    """Each district's residents at a point inside it (its centroid may fall outside)."""
    if "residents" not in districts:
        raise ValueError("the population districts have no 'residents' column; add the counts")
    counted = districts[districts["residents"].notna()]
    if counted.empty or not counted["residents"].sum() > 0:
        raise ValueError("no district has residents, so no per-capita rate can be made")
    points = counted.to_crs(local_crs).geometry.representative_point()
    return np.column_stack([points.x, points.y]), counted["residents"].to_numpy(dtype="float64")


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
