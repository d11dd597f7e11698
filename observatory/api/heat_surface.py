"""A layer's published events as a kernel-density surface in the city's local CRS, optionally
per 1,000 residents, ready for ``maps.heat.write_cog`` and ``render_png``."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from rasterio.transform import Affine

from maps.heat import bandwidth_rule, kde_grid
from observatory.models import City
from observatory.store import Store

# A surface larger than this is refused: 4 million float64 cells is 32 MB per grid.
MAX_CELLS = 4_000_000
# Below this many residents per km² the per-capita rate is noise over empty land: no value.
MIN_RESIDENTS_PER_KM2 = 1.0


class HeatRequestError(ValueError):
    """A request the surface cannot be made for; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class HeatSurface:
    grid: np.ndarray  # rows north to south
    transform: Affine
    crs: CRS
    bounds_lonlat: tuple[float, float, float, float]
    points: int
    bandwidth_m: float
    cell_m: float
    unit: str

    def describe(self) -> dict:
        finite = self.grid[np.isfinite(self.grid)]
        return {
            "bounds": list(self.bounds_lonlat),
            "bounds_crs": "EPSG:4326",
            "crs": self.crs.to_string(),
            "width": self.grid.shape[1],
            "height": self.grid.shape[0],
            "points": self.points,
            "bandwidth_m": self.bandwidth_m,
            "cell_m": self.cell_m,
            "unit": self.unit,
            "max": float(finite.max()) if finite.size else None,
        }


def parse_bandwidth(text: str) -> float | str:
    if text in ("scott", "silverman"):
        return text
    try:
        metres = float(text)
    except ValueError:
        metres = math.nan
    if not (math.isfinite(metres) and metres > 0):
        raise HeatRequestError(
            f"bandwidth={text!r}: use 'scott', 'silverman' or a positive "
            "number of metres, e.g. bandwidth=500"
        )
    return metres


def local_crs(city: City, districts: gpd.GeoDataFrame, events: gpd.GeoDataFrame) -> CRS:
    if city.local_crs:
        return CRS.from_user_input(city.local_crs)
    found = (districts if not districts.empty else events).estimate_utm_crs()
    if found is None:
        raise HeatRequestError(
            f"{city.slug} has no local CRS; set it in the city block of its "
            "boundaries spec (local_crs: EPSG:…)"
        )
    return found


def district_population(observations: pd.DataFrame) -> pd.Series:
    """Residents per district in the latest period of ``population``: a total row (no
    dimensions) where there is one, else the sum of the census breakdown by citizenship,
    else of whatever rows there are (a population raster's)."""
    if observations.empty:
        return pd.Series(dtype=float)
    latest = observations[observations["period"] == observations["period"].max()]
    dims = latest["dims"].map(json.loads)
    for chosen in (
        dims.map(len) == 0,
        dims.map(lambda d: "citizenship" in d),
        pd.Series(True, index=latest.index),
    ):
        rows = latest[chosen]
        if not rows.empty:
            return rows.groupby("district_code")["value"].sum()
    return pd.Series(dtype=float)


def heat_surface(
    store: Store,
    city: City,
    layer: str,
    *,
    start: datetime | None,
    end: datetime | None,
    bandwidth: float | str,
    cell: float,
    per_capita: bool,
) -> HeatSurface:
    events = store.events(city.slug, layer, start=start, end=end)
    if events.empty:
        raise HeatRequestError(
            f"{city.slug} has no published {layer!r} events in the period "
            "asked for; widen start/end or ingest the layer",
            status=404,
        )
    districts = store.districts(city.slug)
    crs = local_crs(city, districts, events)
    points = events.to_crs(crs).geometry
    xy = np.column_stack([points.x, points.y])
    try:
        metres = bandwidth if isinstance(bandwidth, float) else bandwidth_rule(xy, bandwidth)
    except ValueError as exc:
        raise HeatRequestError(str(exc)) from exc
    bounds = _grid_bounds(xy, districts.to_crs(crs), metres)
    cells = math.ceil((bounds[2] - bounds[0]) / cell) * math.ceil((bounds[3] - bounds[1]) / cell)
    if cells > MAX_CELLS:
        smallest = math.ceil(
            math.sqrt((bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) / MAX_CELLS)
        )
        raise HeatRequestError(
            f"cell={cell:g} m makes {cells:,} cells (at most {MAX_CELLS:,}); "
            f"use cell={smallest} or more"
        )
    try:
        grid, transform = kde_grid(xy, bounds=bounds, cell_size=cell, bandwidth=metres, unit="km2")
    except ValueError as exc:
        raise HeatRequestError(str(exc)) from exc
    unit = "events per km²"
    if per_capita:
        grid = _per_thousand_residents(store, city, districts, crs, grid, bounds, cell, metres)
        unit = "events per 1,000 residents"
    height, width = grid.shape
    right, bottom = transform @ (width, height)
    lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform_bounds(
        transform.c, bottom, right, transform.f
    )
    return HeatSurface(grid, transform, crs, tuple(lonlat), len(xy), float(metres), cell, unit)


def _grid_bounds(xy: np.ndarray, districts: gpd.GeoDataFrame, bandwidth: float):
    """The city's districts and every event, with two bandwidths of margin for the tails."""
    xmin, ymin = xy.min(axis=0)
    xmax, ymax = xy.max(axis=0)
    if not districts.empty:
        dx0, dy0, dx1, dy1 = districts.total_bounds
        xmin, ymin, xmax, ymax = min(xmin, dx0), min(ymin, dy0), max(xmax, dx1), max(ymax, dy1)
    margin = 2 * bandwidth
    return xmin - margin, ymin - margin, xmax + margin, ymax + margin


def _per_thousand_residents(
    store: Store,
    city: City,
    districts: gpd.GeoDataFrame,
    crs: CRS,
    grid: np.ndarray,
    bounds,
    cell: float,
    bandwidth: float,
) -> np.ndarray:
    """A kernel ratio: the event density over the resident density smoothed with the same
    kernel (residents placed at their district's centre), per 1,000 residents."""
    population = district_population(store.observations(city.slug, variables=["population"]))
    placed = districts.assign(code=districts["code"].astype(str)).merge(
        population.rename("residents"), left_on="code", right_index=True
    )
    if placed.empty or placed["residents"].sum() <= 0:
        raise HeatRequestError(
            f"per_capita needs residents per district, and {city.slug} has no 'population' "
            f"observations: ingest a census (observatory ingest census FILE --city {city.slug}) "
            "or a population raster, or ask without per_capita"
        )
    centres = placed.to_crs(crs).geometry.representative_point()
    residents, _ = kde_grid(
        np.column_stack([centres.x, centres.y]),
        bounds=bounds,
        cell_size=cell,
        bandwidth=bandwidth,
        weights=placed["residents"].to_numpy(dtype=float),
        unit="km2",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(residents >= MIN_RESIDENTS_PER_KM2, grid / residents * 1000, np.nan)
