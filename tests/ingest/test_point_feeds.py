"""Geotagged points -> counts per district, month and category, on both stores."""

from __future__ import annotations

import pytest
from bigdata_city import CITY, add_city, border_vertex, lonlat, write_csv

from ingest.errors import IngestError
from ingest.jobs import ingest_points
from observatory.settings import DisclosureSettings

HEADER = ["x", "y", "reported_at", "type"]


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "points.yaml"
    path.write_text(
        "feed: points\n"
        "columns: {lon: x, lat: y, time: reported_at}\n"
        "dimensions:\n"
        "  category: {column: type, values: {W: waste, F: fire}}\n"
        "variable: service_requests\n"
        "unit: requests\n",
        encoding="utf-8",
    )
    return path


def test_points_are_counted_per_district_month_and_category(store, tmp_path, spec):
    add_city(store, tmp_path)
    west, middle, east = lonlat(300, 300), lonlat(1500, 700), lonlat(2500, 500)
    far = lonlat(40_000, 500)
    rows = ([[*west, "2025-03-02T08:00:00Z", "W"]] * 5 + [[*west, "2025-03-09", "F"]] * 3
            + [[*border_vertex(store), "2025-03-10 12:00", "W"]]        # border: to 01
            + [[*middle, "2025-03-11", "W"]] * 3 + [[*middle, "2025-03-11", "F"]]
            + [[*east, "2025-04-01", "W"]] * 4
            + [[*far, "2025-03-01", "W"], [west[1], west[0], "2025-03-01", "W"]]  # outside
            + [[west[0], "", "2025-03-01", "W"], [*west, "01/03/2025", "W"],      # bad
               [*west, "infinity", "W"]])
    feed = write_csv(tmp_path / "requests.csv", HEADER, rows)

    run = ingest_points(store, feed, CITY, spec, disclosure=DisclosureSettings(min_count=2))

    assert run.status == "succeeded" and run.rows_read == 22 and run.rows_rejected == 3
    counts = {(r.district_code, r.period, r.dims): r.value
              for r in store.observations(CITY, variables=["service_requests"]).itertuples()}
    # 02's breakdown holds a single fire report (≤ 2): withheld whole, waste included.
    assert counts == {("01", "2025-03", '{"category":"waste"}'): 6.0,
                      ("01", "2025-03", '{"category":"fire"}'): 3.0,
                      ("03", "2025-04", '{"category":"waste"}'): 4.0}
    assert "1 points on a district border" in run.message
    assert "2 points outside every district" in run.message
    assert "1 of them would be inside with lon and lat swapped" in run.message
    assert "2 cells withheld in 1 district breakdowns" in run.message
    rejected = {r.row_number: r for r in store.rejected_rows(run.id)}
    assert sorted(rejected) == [21, 22, 23]
    assert rejected[21].column == "y" and "latitude" in rejected[21].reason
    assert rejected[22].column == "reported_at" and "01/03/2025" in rejected[22].reason
    # a timestamp DuckDB parses but whose year is NULL: refused, not counted in a period
    assert rejected[23].column == "reported_at" and "infinity is not plausible" in rejected[23].reason


def test_a_feed_with_every_point_bad_loads_nothing(store, tmp_path, spec):
    add_city(store, tmp_path)
    feed = write_csv(tmp_path / "requests.csv", HEADER, [["", "", "2025-03-01", "W"]])
    with pytest.raises(IngestError) as refused:
        ingest_points(store, feed, CITY, spec)
    assert "row 2" in str(refused.value) and "nothing was loaded" in str(refused.value)
    assert store.observations(CITY).empty
