"""The plain choropleth page simplifies its districts: 5,000 surveyed districts stay ≤ 5 MB."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient

from observatory.app import create_app
from observatory.models import City, IngestRun
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import open_store

BIG = City(
    slug="big", name_en="Big City", name_ar="المدينة الكبيرة", country="JO", local_crs="EPSG:32636"
)
MAX_BYTES = 5_000_000


def surveyed_coverage(cols: int, rows: int, size: float = 300.0, per_edge: int = 60):
    """``cols`` × ``rows`` districts whose shared borders are meandering street lines sampled
    every few metres with survey noise (~250 vertices a district), as a valid coverage."""
    rng = np.random.default_rng(3)
    x, y = np.meshgrid(500_000 + np.arange(cols + 1) * size, 3_530_000 + np.arange(rows + 1) * size)
    corners = np.stack([x, y], axis=-1)
    t = np.linspace(0, 1, per_edge + 2)[1:-1]

    def border(a, b):
        along = b - a
        normal = np.array([-along[1], along[0]]) / np.hypot(*along)
        meander = 15 * np.sin(4 * np.pi * t + rng.uniform(0, 2 * np.pi))
        offset = (meander + rng.normal(0, 0.3, per_edge)) * np.sin(np.pi * t)  # 0 at corners
        return a + t[:, None] * along + offset[:, None] * normal

    east = {
        (r, c): border(corners[r, c], corners[r, c + 1])
        for r in range(rows + 1)
        for c in range(cols)
    }
    north = {
        (r, c): border(corners[r, c], corners[r + 1, c])
        for r in range(rows)
        for c in range(cols + 1)
    }
    return [
        shapely.Polygon(np.vstack([
            corners[r, c], east[r, c], corners[r, c + 1], north[r, c + 1],
            corners[r + 1, c + 1], east[r + 1, c][::-1], corners[r + 1, c], north[r, c][::-1],
        ]))
        for r in range(rows) for c in range(cols)
    ]  # fmt: skip


@pytest.mark.slow
def test_a_choropleth_of_5000_districts_is_at_most_5_mb(duckdb_url: str):
    polygons = surveyed_coverage(100, 50)
    districts = gpd.GeoDataFrame(
        {
            "code": [f"{i:04d}" for i in range(len(polygons))],
            "name_en": [f"District {i}" for i in range(len(polygons))],
            "name_ar": [f"الحي رقم {i}" for i in range(len(polygons))],
            "area_m2": shapely.area(polygons),
        },
        geometry=polygons,
        crs=BIG.local_crs,
    ).to_crs(4326)
    assert shapely.coverage_is_valid(districts.to_crs(BIG.local_crs).geometry.values)  # premise
    assert len(districts.to_json().encode()) > 6 * MAX_BYTES  # premise: raw, it is far over
    store = open_store(duckdb_url)
    store.init_schema()
    store.upsert_city(BIG)
    store.load(IngestRun(BIG.slug, "boundaries", "big.gpkg", "big-1"), districts=districts)
    store.put_indicator_values(
        BIG.slug,
        pd.DataFrame({
            "district_code": districts["code"], "period": "2025",
            "indicator_id": "foreign_citizens_share",
            "value": np.random.default_rng(4).uniform(0, 0.5, len(districts)), "score": None,
            "coverage": 1.0, "suppressed": False, "definition_hash": "size-test",
        }),
    )  # fmt: skip
    store.close()

    app = create_app(StoreSettings(database_url=duckdb_url), ApiSettings())
    with TestClient(app) as client:
        page = client.get(f"/maps/{BIG.slug}/foreign_citizens_share")
        coarser = client.get(f"/maps/{BIG.slug}/foreign_citizens_share", params={"tolerance": 25})

    assert page.status_code == 200
    size = len(page.content)
    assert size <= MAX_BYTES, f"{size:,} bytes"  # measured: about 4.35 MB
    assert "الحي رقم 4999" in page.text
    assert len(coarser.content) < size


def test_tolerance_must_be_positive_metres(client: TestClient):
    response = client.get("/maps/qalqilya/foreign_citizens_share", params={"tolerance": 0})

    assert response.status_code == 422 and "tolerance" in response.text
