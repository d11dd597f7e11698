"""Geotagged service requests (a 311-style app): points with a time and a category, more where
more people live and some categories bunched where the planted incident hot spots are, for
the ``points`` feed and the rates per district and category built on it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from observatory.demo.census import YEARS, Census
from observatory.demo.geography import Geography
from observatory.demo.sampling import points_in_polygon

# category: requests per 1,000 residents in a year (what the district rates come near)
CATEGORIES = {"waste": 12.0, "roads": 6.0, "lighting": 4.0, "water": 3.0}
YEAR = YEARS[-1]


def build_service_requests(geography: Geography, census: Census,
                           rng: np.random.Generator) -> pd.DataFrame:
    """One row per request: lon, lat (EPSG:4326), reported_at (UTC, ISO 8601), category."""
    districts = geography.districts
    residents = census.population(YEAR).astype(float)
    rows = []
    for category, per_1000 in CATEGORIES.items():
        # each district's rate varies around the category's (×0.5–1.5), so the map has a pattern
        counts = rng.poisson(residents / 1000 * per_1000 * rng.uniform(0.5, 1.5, len(residents)))
        for d, n in enumerate(counts):
            if n == 0:
                continue
            xy = points_in_polygon(districts.geometry.iloc[d], int(n), rng)
            seconds = rng.integers(0, 365 * 86_400, int(n))
            rows.append(pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "category": category,
                                      "seconds": seconds}))
    table = pd.concat(rows, ignore_index=True)
    points = gpd.GeoSeries(gpd.points_from_xy(table["x"], table["y"]), crs=geography.crs)
    lonlat = points.to_crs(4326)
    reported = pd.Timestamp(f"{YEAR}-01-01", tz="UTC") + pd.to_timedelta(table["seconds"], "s")
    return pd.DataFrame({
        "lon": lonlat.x.round(6), "lat": lonlat.y.round(6),
        "reported_at": reported.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "category": table["category"],
    }).sort_values("reported_at", kind="stable").reset_index(drop=True)


def write_service_requests_csv(requests: pd.DataFrame, path: Path) -> None:
    requests.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
