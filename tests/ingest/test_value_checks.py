"""Values checked in the big feeds (issue 12, point 7), on both stores: a NUL byte, a count no
city has and a year no data has are rejected rows with their reason; PostGIS stores the run."""

from __future__ import annotations

from bigdata_city import CITY, add_city, lonlat, write_csv

from ingest.jobs import ingest_cdr
from observatory.settings import DisclosureSettings

HEADER = ["site_id", "lon", "lat", "date", "metric", "sim_nationality", "count"]


def test_tower_rows_with_nul_bytes_huge_counts_or_far_years_are_rejected(store, tmp_path):
    add_city(store, tmp_path)
    a = lonlat(500, 500)
    rows = [["A", *a, "2025-03-01", "home_location", "JO", 40],          # line 2: good
            ["A", *a, "2025-03-01", "home_location", "J\x00O", 3],       # 3: NUL in a group
            ["A", *a, "2025-03-01", "home\x00location", "JO", 3],        # 4: NUL in the metric
            ["A\x00", *a, "2025-03-01", "home_location", "JO", 3],       # 5: NUL in the site
            ["A", *a, "2025-03-01", "home_location", "JO", 1e13],        # 6: no such count
            ["A", *a, "2999-03-01", "home_location", "JO", 3]]           # 7: no such year
    feed = write_csv(tmp_path / "towers.csv", HEADER, rows)
    spec = tmp_path / "cdr.yaml"
    spec.write_text("feed: cdr\nassign: containment\nperiod: month\n"
                    "dimensions:\n  citizenship: {column: sim_nationality}\n"
                    "metrics:\n  home_location: {variable: residents_home_location, "
                    "unit: subscribers}\n", encoding="utf-8")

    run = ingest_cdr(store, feed, CITY, spec, disclosure=DisclosureSettings(min_count=0))

    assert run.status == "succeeded" and run.rows_read == 6 and run.rows_rejected == 5
    reasons = {r.row_number: (r.column, r.reason) for r in store.rejected_rows(run.id)}
    assert reasons[3][0] == "sim_nationality" and "NUL byte" in reasons[3][1]
    assert reasons[4][0] == "metric" and "\\x00" in reasons[4][1]
    assert reasons[5][0] == "site_id" and "NUL byte" in reasons[5][1]
    assert reasons[6][0] == "count" and "larger than 1e+12" in reasons[6][1]
    assert reasons[7][0] == "date" and "the year must be from 1900" in reasons[7][1]
    assert all("\x00" not in r.raw for r in store.rejected_rows(run.id))
    values = store.observations(CITY)["value"]
    assert list(values) == [40.0]
