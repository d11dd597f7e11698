"""Big event layers stay light: with a layer of many events (inserted in bulk in SQL, not
through the ingest), a tile carries exact counts per grid cell instead of the points, and the
layered map page counts them per cell and day; a sparse tile still carries each event."""

from __future__ import annotations

import json
import re

import mapbox_vector_tile
import numpy as np
from api_seed import CITY
from fastapi.testclient import TestClient

from observatory.store import Store

EVENTS = 50_000  # past both limits: 2,000 points a tile, 30,000 a page
TOWN_TILE = "10/611/415"  # holds the whole town
# A bulk insert the same in both dialects but for the row source (DuckDB's range, PostgreSQL's
# generate_series) and the point constructor: deterministic points over the town, a day each.
LON = "34.97 + ((i * 7919) % 100003) / 100003.0 * 0.04"
LAT = "32.18 + ((i * 104729) % 99991) / 99991.0 * 0.01"
INSERT = {
    "duckdb": f"""INSERT INTO event (id, city, layer, occurred_at, geom, attributes)
        SELECT 'big-' || i, '{CITY.slug}', 'fire', TIMESTAMPTZ '2025-01-01 12:00:00+00'
               + to_days(CAST(i % 365 AS INTEGER)), ST_Point({LON}, {LAT}), '{{}}'
        FROM range({EVENTS}) AS t(i)""",
    "postgis": f"""INSERT INTO event (id, city, layer, occurred_at, geom, attributes)
        SELECT 'big-' || i, '{CITY.slug}', 'fire', TIMESTAMPTZ '2025-01-01 12:00:00+00'
               + make_interval(days => (i % 365)::int),
               ST_SetSRID(ST_MakePoint({LON}, {LAT}), 4326), '{{}}'
        FROM generate_series(0::bigint, {EVENTS - 1}) AS t(i)""",
}


def _points() -> tuple[np.ndarray, np.ndarray]:
    """The inserted points, computed independently of the store."""
    i = np.arange(EVENTS, dtype=np.int64)
    return (34.97 + (i * 7919 % 100003) / 100003.0 * 0.04,
            32.18 + (i * 104729 % 99991) / 99991.0 * 0.01)


def _bulk_events(store: Store) -> None:
    with store._transaction(spatial=True) as con:  # a write like any other: the cache sees it
        store._run_script(con, INSERT[store.backend])


def _tile(api: TestClient, z_x_y: str) -> tuple[int, list[dict]]:
    response = api.get(f"/tiles/{CITY.slug}.events.fire/{z_x_y}.mvt")
    assert response.status_code == 200
    layers = mapbox_vector_tile.decode(response.content)
    return len(response.content), layers[f"{CITY.slug}.events.fire"]["features"]


def test_a_big_layer_stays_light_in_tiles_and_page(api: TestClient, seeded: Store):
    _bulk_events(seeded)
    size, features = _tile(api, TOWN_TILE)
    assert size <= 500_000
    assert sum(f["properties"]["count"] for f in features) == EVENTS  # exact, over the cells
    assert len(features) <= 64 * 64

    # A zoom-18 tile holds a few hundred events: each one, with its id.
    z, n = 18, 2**18
    x = int((34.99 + 180) / 360 * n)
    y = int((1 - np.arcsinh(np.tan(np.radians(32.185))) / np.pi) / 2 * n)
    west, east = x / n * 360 - 180, (x + 1) / n * 360 - 180
    north, south = (np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * r / n)))) for r in (y, y + 1))
    lon, lat = _points()

    def within(margin: float) -> set[str]:  # degrees
        found = ((lon >= west - margin) & (lon <= east + margin)
                 & (lat >= south - margin) & (lat <= north + margin))
        return {f"big-{i}" for i in np.flatnonzero(found)}

    _, close = _tile(api, f"{z}/{x}/{y}")
    shown = {f["properties"]["id"] for f in close}
    # Every event in the tile, and none past its 64-pixel buffer (of 4,096) where the
    # envelope the stores select by may reach.
    buffer = (east - west) * 64 / 4096
    assert within(-1e-7) <= shown <= within(buffer) and 0 < len(shown) <= 2_000

    page = api.get(f"/maps/{CITY.slug}/layers")
    assert page.status_code == 200 and len(page.content) <= 5_000_000
    layers = json.loads(re.search(r"var eventLayers = (\[.*?\]);\n", page.text).group(1))
    fire = next(layer for layer in layers if layer["key"] == "fire")
    assert sum(point.get("n", 1) for point in fire["points"]) == EVENTS
    assert len(fire["points"]) <= 30_000
