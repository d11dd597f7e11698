"""Chicago's 1,412 carjackings of 2020 as rates per community area through the shipped specs
and ``observatory compute``, checked against an independent geopandas count of the raw files;
hot spots and the maps of the API work on the rates."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from fastapi.testclient import TestClient

from indicators.compute import compute_city
from ingest.jobs import ingest_boundaries, ingest_census, ingest_events
from observatory.app import create_app
from observatory.settings import ApiSettings, DisclosureSettings, StoreSettings
from observatory.store import open_store

pytestmark = pytest.mark.realdata

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs" / "chicago"
LOCAL = "EPSG:26971"


def _by_hand(chicago: Path) -> gpd.GeoDataFrame:
    """Carjackings per area from the raw files: a spatial join in the local CRS (a point on a
    shared border goes to the lowest area number, as in the indicator), over TOT_POP."""
    areas = gpd.read_file(chicago / "community_areas" / "Chicago_2020.shp").to_crs(LOCAL)
    areas["code"] = areas["area_numbe"].astype(int).astype(str)
    points = gpd.read_file(chicago / "carjackings_2020.geojson").to_crs(LOCAL)
    joined = gpd.sjoin(points[["geometry"]], areas[["code", "geometry"]], predicate="intersects")
    joined = joined.assign(order=joined["code"].astype(int)).sort_values("order")
    joined = joined[~joined.index.duplicated(keep="first")]
    n = joined["code"].value_counts().reindex(areas["code"], fill_value=0)
    out = areas.set_index("code")[["TOT_POP", "geometry"]].assign(n=n)
    out["per_1000"] = out["n"] * 1000 / out["TOT_POP"]
    out["per_km2"] = out["n"] / (out.geometry.area / 1e6)
    return out


def test_carjackings_per_1000_residents_and_per_km2_match_an_independent_count(
        duckdb_url, shared_data):
    chicago = shared_data / "chicago"
    store = open_store(duckdb_url)
    store.init_schema()
    shapefile = chicago / "community_areas" / "Chicago_2020.shp"
    ingest_boundaries(store, shapefile, "chicago")
    ingest_census(store, shapefile, "chicago", SPECS / "census.yaml")
    ingest_events(store, chicago / "carjackings_2020.geojson", "chicago",
                  SPECS / "carjackings.yaml")
    disclosure = DisclosureSettings()
    assert compute_city(store, "chicago", disclosure, framework="incidents") > 0

    hand = _by_hand(chicago)
    for indicator, column in (("carjacking_per_1000_residents", "per_1000"),
                              ("carjacking_per_km2", "per_km2")):
        stored = store.indicator_values("chicago", indicator)
        assert set(stored["period"]) == {"2020"}  # local years: no stray 2021 from UTC
        areas = stored[stored["district_code"].notna()].set_index("district_code")
        assert len(areas) == 77
        small = hand["n"] <= disclosure.min_count
        assert set(areas.index[areas["suppressed"].astype(bool)]) == set(hand.index[small])
        published = areas[~areas["suppressed"].astype(bool)]
        expected = hand.loc[published.index, column]
        # published to 3 significant digits
        np.testing.assert_allclose(published["value"], expected, rtol=5e-3)
        assert (published["estimate"] == "").all()  # the census of 2020 is the denominator
    top = hand[~small].sort_values("per_1000", ascending=False).head(3)
    assert top["per_1000"].iloc[0] > 1.0

    app = create_app(StoreSettings(database_url=duckdb_url), ApiSettings())
    with TestClient(app) as client:
        spots = client.get("/cities/chicago/hotspots",
                           params={"indicator": "carjacking_per_1000_residents",
                                   "permutations": 99})
        assert spots.status_code == 200, spots.text
        body = spots.json()
        assert body["summary"]["n"] == int((~small).sum())
        page = client.get("/maps/chicago/hotspots/carjacking_per_1000_residents")
        assert page.status_code == 200 and "Carjackings per 1,000 residents" in page.text
        layers = client.get("/maps/chicago/layers",
                            params={"indicator": "carjacking_per_1000_residents"})
        assert layers.status_code == 200, layers.text
        assert "Carjackings per 1,000 residents" in layers.text
    store.close()
