"""The demo's geotagged service requests (the points feed) become requests per 1,000 residents
per district and category, equal to a count by hand from the generated files (DuckDB: the
points feed on both stores is tests/ingest/test_point_feeds.py)."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd

from indicators.compute import compute_city
from indicators.disclosure.rounding import round_significant
from indicators.spatial import hotspots
from ingest.jobs import ingest_boundaries, ingest_census, ingest_points
from observatory.services.indicator_catalog import indicator_catalog
from observatory.settings import DisclosureSettings
from observatory.store import open_store

TOTAL = "service_requests_per_1000_residents"
BY = "service_requests_by_category_per_1000_residents"


def test_demo_requests_per_1000_residents_by_district_and_category(demo, duckdb_url) -> None:
    store = open_store(duckdb_url)
    store.init_schema()
    ingest_boundaries(store, demo.boundaries, "demo", demo.boundaries_spec)
    ingest_census(store, demo.census, "demo", demo.census_spec)
    run = ingest_points(store, demo.service_requests, "demo", demo.service_requests_spec)
    assert run.status == "succeeded" and run.rows_rejected == 0
    compute_city(store, "demo", DisclosureSettings(), framework="incidents")

    # by hand: each request's district, residents from the census file (2025, all groups)
    districts = gpd.read_file(demo.boundaries)
    requests = pd.read_csv(demo.service_requests)
    points = gpd.GeoDataFrame(requests, geometry=gpd.points_from_xy(requests.lon, requests.lat),
                              crs=4326)
    placed = gpd.sjoin(points, districts[["code", "geometry"]], predicate="within")
    census = pd.read_csv(demo.census, skiprows=1, dtype={"DISTRICT_CODE": str})
    census = census[census["YEAR"] == 2025]
    residents = census.drop(columns=["DISTRICT_CODE", "YEAR", "SEX", "AGE_BAND"]).sum(
        axis=1).groupby(census["DISTRICT_CODE"]).sum()
    counts = placed.groupby(["code", "category"]).size().unstack(fill_value=0)
    withheld = (counts <= DisclosureSettings().min_count).any(axis=1)  # whole breakdown

    values = store.indicator_values("demo")
    values = values[values["district_code"].notna() & (values["period"] == "2025")]
    for indicator, count in [(TOTAL, counts.sum(axis=1)),
                             *((f"{BY}.{c}", counts[c]) for c in counts.columns)]:
        got = values[values["indicator_id"] == indicator].set_index("district_code")
        assert len(got) == 30, indicator
        assert set(got.index[got["suppressed"]]) == set(withheld.index[withheld]), indicator
        shown = got[~got["suppressed"]].sort_index()
        expected = 1000 * count[shown.index] / residents[shown.index]
        np.testing.assert_allclose(
            shown["value"], round_significant(expected.to_numpy(dtype=float),
                                              DisclosureSettings().published_digits),
            rtol=1e-12, err_msg=indicator)
    assert 20 <= withheld.size - withheld.sum() <= 30  # most districts are published
    # hot spots on the rate: Gi* of the published values equals esda's (queen contiguity)
    rates = values[values["indicator_id"] == TOTAL]
    table, summary = hotspots(store.districts("demo"), rates, permutations=0)
    assert summary["n"] == (~rates["suppressed"]).sum()
    used = table[table["value"].notna()].reset_index(drop=True)
    shapes = districts.set_index("code").loc[used["code"]].reset_index()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.Queen.from_dataframe(shapes, use_index=False)
        oracle = esda.G_Local(used["value"].to_numpy(), w, star=True, permutations=0)
    np.testing.assert_allclose(used["gi_z"].to_numpy(dtype=float), oracle.Zs, atol=1e-9)
    info = indicator_catalog()[f"{BY}.waste"]
    assert (info.name_en, info.name_ar) == (
        "Service requests by category per 1,000 residents: Waste",
        "طلبات الخدمة حسب الفئة لكل 1000 مقيم: النفايات")
