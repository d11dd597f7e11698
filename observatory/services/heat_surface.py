"""One heat surface for every heat map: a city's published events of one layer (or of every
incident layer) and a :class:`HeatRequest` (``start``, ``end``, ``bandwidth``, ``cell``,
``per_capita``) -> a :class:`maps.heat_overlay.HeatOverlay` (local-CRS grid for the GeoTIFF,
Web Mercator PNG with lon/lat bounds for the map)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from indicators.vocabulary import group_dimensions
from maps.city_map import FIELD_LAYER, SERVICE_LAYER
from maps.heat import bandwidth_rule
from maps.heat_overlay import (
    DEFAULT_RAMP,
    HeatOverlay,
    auto_cell_size,
    density_overlay,
    padded,
)
from observatory.city_crs import local_crs
from observatory.models import City
from observatory.services.errors import InvalidRequest, NotFound, ServiceError
from observatory.store import Store

# Layers that are not incidents: they are drawn on maps, but never counted in the default
# heat map of "every incident layer".
NOT_INCIDENTS = (SERVICE_LAYER, FIELD_LAYER)
# The grid reaches this many bandwidths past the districts and events, so that kernels at the
# city's edge keep their mass (the GeoTIFF integrates to the number of events).
MARGIN_BANDWIDTHS = 2.0
DEFAULT_BANDWIDTH = "silverman"
# What a city's heat map can mean, in metres: below a metre a kernel is finer than any event's
# position, beyond 50 km wider than any city; a cell under 10 cm is finer than any position. A
# cell is also checked against the city's extent when the grid is laid out (maps.heat_overlay).
BANDWIDTH_RANGE_M = (1.0, 50_000.0)
CELL_RANGE_M = (0.1, 10_000.0)
# The days a window may name: stored events are of this range, and Python's dates end in 9999.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2099, 12, 31)
# A bandwidth rule reads the events' spread from squares of this fraction of the extent.
RULE_BIN_SIDES = 512
METRES_PER_DEGREE = 111_320.0  # of latitude, the most a degree of longitude spans


class HeatRequest:
    """How a heat surface is asked for, as given (texts, as in a URL's query), checked."""

    def __init__(
        self,
        start: str | None = None,
        end: str | None = None,
        bandwidth: str = DEFAULT_BANDWIDTH,
        cell: float | None = None,
        per_capita: bool = False,
    ):
        self.start_text, self.end_text = start or None, end or None
        self.start, self.end = _moment("start", start), _moment("end", end)
        self.bandwidth = _kernel(bandwidth)
        self.bandwidth_text = bandwidth
        self.cell, self.per_capita = cell, per_capita

    def window(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as instants: a day starts at midnight UTC and an end day is included."""
        return _instant(self.start, day_end=False), _instant(self.end, day_end=True)

    def days(self) -> tuple[date | None, date | None]:
        """The window as whole days, for a page's date inputs."""
        return _day(self.start), _day(self.end)

    def query(self, *, window: bool, layer: str | None = None) -> str:
        """These parameters as they were given (with or without the window) as a query string."""
        params = {
            "layer": layer,
            "bandwidth": self.bandwidth_text,
            "cell": None if self.cell is None else f"{self.cell:g}",
            "per_capita": "true" if self.per_capita else None,
        }
        if window:
            params |= {"start": self.start_text, "end": self.end_text}
        return urlencode({k: v for k, v in params.items() if v is not None})


def incidents_of(events: gpd.GeoDataFrame, layer: str | None) -> gpd.GeoDataFrame:
    """The events a heat map of ``layer`` counts (None: every incident layer)."""
    if layer is None:
        return events[~events["layer"].isin(NOT_INCIDENTS)]
    return events[events["layer"] == layer]


def city_heat(
    store: Store,
    city: City,
    layer: str | None,
    params: HeatRequest,
    *,
    districts: gpd.GeoDataFrame | None = None,
    ramp: str = DEFAULT_RAMP,
) -> HeatOverlay:
    """The heat overlay of ``layer`` (None: every incident layer) in the window of ``params``.

    The grid covers the districts and every event of the layer whatever the window, plus a
    margin, so windows asked for with a bandwidth in metres share one grid. The events come
    binned from the store (:func:`binned_events`), never one by one.
    """
    sizes = store.event_layer_sizes(city.slug)
    chosen = (sizes[sizes["layer"] == layer] if layer is not None
              else sizes[~sizes["layer"].isin(NOT_INCIDENTS)])
    if chosen.empty:
        what = f"{layer!r} events" if layer else "incident events"
        raise NotFound(
            f"{city.slug} has no published {what}; ingest them (observatory ingest events) "
            "or ask for another layer"
        )
    if districts is None:
        districts = store.districts(city.slug)
    start, end = params.window()
    box = _box(chosen)
    try:
        crs = local_crs(city, districts, gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(box[::2], box[1::2]), crs="EPSG:4326"))
        bounds = _extent(crs, districts, box)

        def binned(side_m: float) -> tuple[np.ndarray, np.ndarray]:
            return binned_events(store, city.slug, list(chosen["layer"]), crs, box,
                                 side_m=side_m, start=start, end=end)

        bandwidth = params.bandwidth
        if isinstance(bandwidth, str):  # the rule's spread, from coarser squares
            xy, counts = binned(max(bounds[2] - bounds[0], bounds[3] - bounds[1])
                                / RULE_BIN_SIDES)
            bandwidth = bandwidth_rule(xy, bandwidth, counts, binned=True)
        cell = params.cell or auto_cell_size(padded(bounds, bandwidth, MARGIN_BANDWIDTHS),
                                             bandwidth)
        xy, counts = binned(cell / 2)
        return density_overlay(
            xy,
            crs,
            counts=counts,
            bandwidth=bandwidth,
            cell_size=params.cell,
            population=_residents(store, city, districts) if params.per_capita else None,
            bounds=bounds,
            margin=MARGIN_BANDWIDTHS,
            ramp=ramp,
        )
    except ServiceError:
        raise
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc


def binned_events(
    store: Store,
    city: str,
    layers: list[str],
    crs: str,
    box: tuple[float, float, float, float],
    *,
    side_m: float,
    start: datetime | None,
    end: datetime | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The events of ``layers`` in [start, end) counted in the store per lon/lat square at most
    ``side_m`` metres a side, as points in ``crs`` with counts: each square's events at their
    mean. The heat surface asks for squares of half its cell (a bandwidth is four cells by
    default, at least one when a wide city coarsens the grid): the mean stands for its events
    to within their spread in the square, an error of the second order in square / bandwidth,
    of the order of the grid's own linear binning (tests/demo/test_demo_binned_heat.py states
    the tolerance), with a few numbers per occupied square whatever the number of events."""
    # About 111 km to a degree of latitude, and no more to one of longitude.
    found = store.event_cells(city, layers, cell=side_m / METRES_PER_DEGREE, west=box[0],
                              south=box[1], start=start, end=end)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        found["lon"].to_numpy(float), found["lat"].to_numpy(float))
    return np.column_stack([x, y]), found["events"].to_numpy(float)


def district_population(observations: pd.DataFrame) -> pd.Series:
    """Residents per district in the latest period of ``population``: a total row (no
    dimensions) where there is one, else the sum of the census breakdown by the first
    dimension that defines population groups (indicators/vocabulary: citizenship, birthplace,
    migration background…) the rows carry, else of whatever rows there are (a population
    raster's)."""
    if observations.empty:
        return pd.Series(dtype=float)
    latest = observations[observations["period"] == observations["period"].max()]
    dims = latest["dims"].map(json.loads)
    carried = set().union(*dims)
    breakdown = next((d for d in group_dimensions() if d in carried), None)
    for chosen in (
        dims.map(len) == 0,
        dims.map(lambda d: breakdown in d),
        pd.Series(True, index=latest.index),
    ):
        rows = latest[chosen]
        if not rows.empty:
            return rows.groupby("district_code")["value"].sum()
    return pd.Series(dtype=float)


def _box(sizes: pd.DataFrame) -> tuple[float, float, float, float]:
    """The lon/lat box (west, south, east, north) of the layers' events."""
    return (float(sizes["west"].min()), float(sizes["south"].min()),
            float(sizes["east"].max()), float(sizes["north"].max()))


def _extent(crs: str, districts: gpd.GeoDataFrame,
            box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The districts' and the events' box in ``crs`` (the box's edges densified, so that
    every event is inside however the projection bends them)."""
    corners = [Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform_bounds(
        *box, densify_pts=21)]
    if not districts.empty:
        corners.append(tuple(districts.to_crs(crs).total_bounds))
    both = np.array(corners)
    return (*both[:, :2].min(axis=0), *both[:, 2:].max(axis=0))


def _residents(store: Store, city: City, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    population = district_population(store.observations(city.slug, variables=["population"]))
    placed = districts.assign(code=districts["code"].astype(str)).merge(
        population.rename("residents"), left_on="code", right_index=True
    )
    if placed.empty or not placed["residents"].sum() > 0:
        raise InvalidRequest(
            f"per_capita needs residents per district, and {city.slug} has no 'population' "
            f"observations: ingest a census (observatory ingest census FILE --city {city.slug}) "
            "or a population raster, or ask without per_capita"
        )
    return placed


def _kernel(text: str) -> float | Literal["scott", "silverman"]:
    if text == "scott":
        return "scott"
    if text == "silverman":
        return "silverman"
    try:
        metres = float(text)
    except ValueError:
        metres = math.nan
    low, high = BANDWIDTH_RANGE_M
    if not low <= metres <= high:  # NaN fails too
        raise InvalidRequest(
            f"bandwidth={text!r}: give metres (e.g. 400) or scott or silverman; "
            f"metres from {low:g} to {high:g}"
        )
    return metres


def _moment(name: str, text: str | None) -> date | datetime | None:
    """A day (``2025-01-31``) or a date-time; one without a time zone is UTC, as stored."""
    if not text:
        return None
    moment: date | datetime
    try:
        if len(text) == len("2025-01-31"):
            moment = date.fromisoformat(text)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(
            f"{name}={text!r} is not a date: give a day (2025-01-31) or a date-time "
            "(2025-01-31T18:00:00Z)"
        ) from None
    day = moment.date() if isinstance(moment, datetime) else moment
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidRequest(
            f"{name}={text!r} is out of range: give a day from {EARLIEST_DAY} to {LATEST_DAY}"
        )
    if isinstance(moment, datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _instant(moment: date | datetime | None, *, day_end: bool) -> datetime | None:
    if moment is None or isinstance(moment, datetime):
        return moment
    return datetime.combine(moment + timedelta(days=int(day_end)), time(0), tzinfo=UTC)


def _day(moment: date | datetime | None) -> date | None:
    return moment.date() if isinstance(moment, datetime) else moment
