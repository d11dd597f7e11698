"""Point events from CSV and GeoJSON into the event table, on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from ingest.errors import IngestError
from ingest.jobs import ingest_boundaries, ingest_events

CITY = "testville"
CSV_SPEC = """\
feed: events
layer: {column: kind, values: {F: fire, W: waste}}
time: {column: when, format: "%d/%m/%Y %H:%M", timezone: Asia/Amman}
point: {lon: x, lat: y}
id: {column: ref}
attributes: {severity: level, الشارع: street}
"""


@pytest.fixture
def city(store, boundaries: Path):
    ingest_boundaries(store, boundaries, CITY)
    return store


def _csv(tmp_path: Path, lines: str) -> tuple[Path, Path]:
    spec = tmp_path / "events.yaml"
    spec.write_text(CSV_SPEC, encoding="utf-8")
    data = tmp_path / "incidents.csv"
    data.write_text("ref,kind,when,x,y,level,street\n" + lines, encoding="utf-8")
    return data, spec


GOOD = ("1,F,14/03/2025 18:30,35.205,31.905,high,شارع الزيتون\n"
        "2,W,15/03/2025 08:00,35.215,31.905,low,Palm Road\n"
        "3,F,16/03/2025 09:15,35.300,31.950,low,Ring Road\n")  # outside both districts


def test_csv_events_land_with_layers_times_attributes_and_outside_count(city, tmp_path):
    data, spec = _csv(tmp_path, GOOD + "4,F,,35.205,31.905,low,x\n"  # no time
                      "5,F,32/03/2025 10:00,35.205,31.905,low,x\n"  # no such day
                      "1,W,17/03/2025 10:00,35.205,31.905,low,x\n"  # repeated id
                      "6,F,17/03/2025 10:00,174000,3534000,low,x\n")  # metres, not degrees
    run = ingest_events(city, data, CITY, spec)
    assert run.status == "succeeded" and run.rows_loaded == 3
    assert "3 events (fire: 2, waste: 1); 1 fall outside every district (kept)" in run.message
    rejected = [(r.row_number, r.column) for r in city.rejected_rows(run.id)]
    assert rejected == [(5, "when"), (6, "when"), (7, "ref"), (8, "x")]
    reasons = [r.reason for r in city.rejected_rows(run.id)]
    assert "no time given" in reasons[0]
    assert "'32/03/2025 10:00' is not a time in the spec's time.format" in reasons[1]
    assert "repeats the one of row 2" in reasons[2]
    assert "are not longitude and latitude: set crs" in reasons[3]

    events = city.events(CITY).sort_values("occurred_at")
    assert events["layer"].tolist() == ["fire", "waste", "fire"]
    # 18:30 in Amman (UTC+3 since 2022) is 15:30 UTC.
    assert events["occurred_at"].iloc[0] == pd.Timestamp("2025-03-14 15:30", tz="UTC")
    first = json.loads(events["attributes"].iloc[0])
    assert first == {"severity": "high", "الشارع": "شارع الزيتون"}
    assert events.geometry.iloc[0].equals(Point(35.205, 31.905))
    assert city.events(CITY, layer="waste")["layer"].tolist() == ["waste"]


def test_rerun_is_a_no_op_and_a_corrected_file_replaces(city, tmp_path):
    data, spec = _csv(tmp_path, GOOD)
    first = ingest_events(city, data, CITY, spec)
    again = ingest_events(city, data, CITY, spec)
    assert again.status == "unchanged" and again.id == first.id
    assert len(city.events(CITY)) == 3
    _csv(tmp_path, GOOD.replace("W,15/03", "F,15/03"))
    replaced = ingest_events(city, data, CITY, spec)
    assert replaced.status == "succeeded" and replaced.id != first.id
    events = city.events(CITY)
    assert len(events) == 3 and set(events["layer"]) == {"fire"}


def test_geojson_points_in_a_projected_crs_keep_typed_attributes(city, tmp_path):
    points = gpd.GeoDataFrame(
        {"when": ["2025-03-14T18:30:00+03:00", "2025-03-14T10:00:00Z", "2025-03-15"],
         "truck": [7, 8, 9]},
        geometry=[Point(35.205, 31.905), Point(35.215, 31.905), Point(35.215, 31.905)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32636")
    data = tmp_path / "waste.geojson"
    points.to_file(data, driver="GeoJSON")  # GDAL writes the GeoJSON in EPSG:4326
    gpkg = tmp_path / "waste.gpkg"
    points.to_file(gpkg, driver="GPKG")  # the GeoPackage keeps EPSG:32636
    spec = tmp_path / "waste.yaml"
    spec.write_text("feed: events\nlayer: {value: waste}\ntime: {column: when}\n",
                    encoding="utf-8")
    for path in (data, gpkg):
        run = ingest_events(city, path, CITY, spec)
        assert run.status == "succeeded" and run.rows_loaded == 3, run.message
        # The GeoPackage holds the same layer and times with the same spec: it replaces them.
        events = city.events(CITY).sort_values(["occurred_at", "id"])
        assert len(events) == 3
        assert events.geometry.iloc[0].distance(Point(35.215, 31.905)) < 1e-6
        assert json.loads(events["attributes"].iloc[0]) == {"truck": 8}
        assert events["occurred_at"].iloc[1] == pd.Timestamp("2025-03-14 15:30", tz="UTC")


def test_non_point_features_are_rejected_and_a_table_needs_point_columns(city, tmp_path):
    mixed = gpd.GeoDataFrame({"when": ["2025-03-14", "2025-03-14"]},
                             geometry=[Point(35.205, 31.905),
                                       LineString([(35.2, 31.9), (35.21, 31.91)])],
                             crs="EPSG:4326")
    data = tmp_path / "mixed.geojson"
    mixed.to_file(data, driver="GeoJSON")
    spec = tmp_path / "mixed.yaml"
    spec.write_text("feed: events\nlayer: {value: fire}\ntime: {column: when}\n",
                    encoding="utf-8")
    run = ingest_events(city, data, CITY, spec)
    (rejected,) = city.rejected_rows(run.id)
    assert (rejected.row_number, rejected.column) == (2, "geometry")
    assert "an event needs a point, not a LineString" in rejected.reason

    table = tmp_path / "no_points.csv"
    table.write_text("when,x,y\n2025-03-14,35.2,31.9\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"key point: a table of events needs coordinate "
                                          r"columns — fix: add point: \{lon"):
        ingest_events(city, table, CITY, spec)
