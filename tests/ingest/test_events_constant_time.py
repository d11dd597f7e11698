"""`time: {value: …}`: events without a time column (a list of places) get one time each."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ingest.errors import IngestError
from ingest.jobs import ingest_boundaries, ingest_events
from ingest.spec import load_events_spec

CITY = "testville"


@pytest.fixture
def city(store, tmp_path: Path):
    frame = gpd.GeoDataFrame(
        {"code": ["01"], "name_en": ["Al-Zaytoun"], "name_ar": ["حي الزيتون"]},
        geometry=[box(35.20, 31.90, 35.21, 31.91)],
        crs="EPSG:4326",
    )
    path = tmp_path / "districts.gpkg"
    frame.to_file(path, driver="GPKG")
    ingest_boundaries(store, path, CITY)
    return store


def _spec(tmp_path: Path, time: str) -> Path:
    spec = tmp_path / "services.yaml"
    spec.write_text(f"feed: events\nformat: vector\nlayer: {{value: service}}\ntime: {time}\n"
                    "id: {column: id}\n", encoding="utf-8")
    return spec


def test_every_event_gets_the_constant_time(city, tmp_path):
    places = gpd.GeoDataFrame(
        {"id": ["SP01", "SP02"], "name_ar": ["مركز الاستقبال", "المركز الصحي"]},
        geometry=[Point(35.205, 31.905), Point(35.207, 31.906)],
        crs="EPSG:4326",
    )
    path = tmp_path / "service_points.geojson"
    places.to_file(path, driver="GeoJSON")
    spec = _spec(tmp_path, '{value: "2025-01-01", timezone: Asia/Amman}')

    run = ingest_events(city, path, CITY, spec)

    assert (run.status, run.rows_loaded, run.rows_rejected) == ("succeeded", 2, 0)
    events = city.events(CITY, layer="service")
    assert sorted(pd.to_datetime(events["occurred_at"], utc=True).astype(str)) == [
        "2024-12-31 21:00:00+00:00"] * 2  # midnight in Amman (UTC+3 since 2022)
    assert any("المركز الصحي" in text for text in events["attributes"])


@pytest.mark.parametrize("time, message", [
    ('{value: "1 January"}', "time.value is not a time in ISO 8601"),
    ('{value: "2025-01-01", column: opened}', "exactly one of time.column or time.value"),
    ("{timezone: UTC}", "exactly one of time.column or time.value"),
])
def test_a_bad_constant_time_is_a_spec_error_naming_the_key(tmp_path, time, message):
    with pytest.raises(IngestError) as caught:
        load_events_spec(_spec(tmp_path, time))
    assert message in str(caught.value) and "time" in str(caught.value)
