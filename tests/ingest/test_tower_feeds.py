"""Tower aggregates -> districts on both stores: containment, Voronoi interpolation, redaction,
re-runs and bad input, on a synthetic city of three 1 km squares (see bigdata_city)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from bigdata_city import CITY, add_city, border_vertex, lonlat, write_csv

from ingest.errors import IngestError
from ingest.jobs import ingest_cdr as ingest_towers
from observatory.settings import DisclosureSettings

HEADER = ["site_id", "lon", "lat", "date", "metric", "sim_nationality", "count"]
NO_REDACTION = DisclosureSettings(min_count=0)


def _spec(tmp_path: Path, assign: str = "containment", extra_metrics: str = "") -> Path:
    path = tmp_path / f"towers-{assign}.yaml"
    path.write_text(
        "feed: towers\n"
        f"assign: {assign}\n"
        "period: month\n"
        "dimensions:\n"
        "  citizenship: {column: sim_nationality, values: {JO: national, SY: syria}}\n"
        "metrics:\n"
        "  home_location: {variable: residents_home_location, unit: subscribers}\n"
        "  roaming_share: {variable: roaming_share, unit: share, kind: intensive}\n"
        + extra_metrics,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def city(store, tmp_path):
    add_city(store, tmp_path)
    return store


def _values(store, variable="residents_home_location"):
    frame = store.observations(CITY, variables=[variable])
    return {(r.district_code, r.period, r.dims): r.value for r in frame.itertuples()}


def test_containment_sums_days_per_month_and_gives_a_border_site_to_the_lowest_code(
        city, tmp_path):
    a, b, c = lonlat(500, 500), border_vertex(city), lonlat(2500, 500)
    rows = []
    for day in ("2025-03-01", "2025-03-02", "2025-03-03"):
        rows += [["A", *a, day, "home_location", "JO", 10], ["A", *a, day, "home_location", "SY", 20],
                 ["B", *b, day, "home_location", "JO", 7], ["B", *b, day, "home_location", "SY", 8],
                 ["C", *c, day, "home_location", "JO", 30], ["C", *c, day, "home_location", "SY", 40]]
    rows.append(["C", *c, "2025-04-01", "home_location", "JO", 5])
    feed = write_csv(tmp_path / "towers.csv", HEADER, rows)

    run = ingest_towers(city, feed, CITY, _spec(tmp_path), disclosure=NO_REDACTION)

    assert run.status == "succeeded" and run.rows_read == 19 and run.rows_rejected == 0
    national, syria = '{"citizenship":"national"}', '{"citizenship":"syria"}'
    assert _values(city) == {
        ("01", "2025-03", national): 51.0, ("01", "2025-03", syria): 84.0,
        ("03", "2025-03", national): 90.0, ("03", "2025-03", syria): 120.0,
        ("03", "2025-04", national): 5.0,
    }
    assert "containment" in run.message and "lowest district code" in run.message


def test_voronoi_moves_counts_and_rates_by_area_and_preserves_totals(city, tmp_path):
    # Sites at x = 250, 1250, 2500 m: cells [0, 750], [750, 1875], [1875, 3000] (× 1 km), so
    # 01 = all of A + 250/1125 of B, 02 = 875/1125 of B + 125/1125 of C, 03 = 1000/1125 of C.
    sites = {"A": (250, 1000, 0.1), "B": (1250, 900, 0.5), "C": (2500, 450, 0.9)}
    rows = []
    for site, (x, count, rate) in sites.items():
        rows.append([site, *lonlat(x, 500), "2025-03-14", "home_location", "JO", count])
        rows.append([site, *lonlat(x, 500), "2025-03-14", "roaming_share", "JO", rate])
    feed = write_csv(tmp_path / "towers.csv", HEADER, rows)

    run = ingest_towers(city, feed, CITY, _spec(tmp_path, "voronoi"), disclosure=NO_REDACTION)

    assert run.status == "succeeded", run.message
    counts = _values(city)
    national = '{"citizenship":"national"}'
    expected = {"01": 1000 + 900 * 250 / 1125, "02": 900 * 875 / 1125 + 450 * 125 / 1125,
                "03": 450 * 1000 / 1125}
    for code, value in expected.items():
        assert counts[(code, "2025-03", national)] == pytest.approx(value, rel=1e-6)
    assert sum(counts.values()) == pytest.approx(2350, rel=1e-9)
    rates = _values(city, "roaming_share")
    expected_rates = {"01": (0.1 * 750 + 0.5 * 250) / 1000, "02": (0.5 * 875 + 0.9 * 125) / 1000,
                      "03": 0.9}
    for code, value in expected_rates.items():
        assert rates[(code, "2025-03", national)] == pytest.approx(value, rel=1e-6)
    assert "Voronoi" in run.message and "EPSG:32636" in run.message


def test_redaction_withholds_a_whole_district_breakdown_after_interpolation(city, tmp_path):
    a, c = lonlat(500, 500), lonlat(2500, 500)
    rows = [["A", *a, "2025-03-01", "home_location", "JO", 16],
            ["A", *a, "2025-03-01", "home_location", "SY", 15],  # = 15: not published
            ["C", *c, "2025-03-01", "home_location", "JO", 16],
            ["C", *c, "2025-03-01", "home_location", "SY", 100]]
    feed = write_csv(tmp_path / "towers.csv", HEADER, rows)
    spec = _spec(tmp_path)

    run = ingest_towers(city, feed, CITY, spec)  # default threshold: 15

    assert sorted(_values(city)) == [("03", "2025-03", '{"citizenship":"national"}'),
                                     ("03", "2025-03", '{"citizenship":"syria"}')]
    assert "publish only counts > 15" in run.message
    assert "2 cells withheld in 1 district breakdowns" in run.message

    again = ingest_towers(city, feed, CITY, spec)
    assert again.status == "unchanged" and again.id == run.id

    lower = ingest_towers(city, feed, CITY, spec, disclosure=DisclosureSettings(min_count=14))
    assert lower.status == "succeeded" and lower.id != run.id
    assert len(_values(city)) == 4


def test_bad_rows_are_rejected_with_their_line_and_column(city, tmp_path):
    a = lonlat(500, 500)
    far = lonlat(50_000, 500)
    rows = [["A", *a, "2025-03-01", "home_location", "JO", 40],         # line 2: good
            ["A", *a, "2025-03-01", "home_location", "SY", "abc"],      # 3: not a number
            ["A", *a, "2025-03-02", "home_location", "JO", -5],         # 4: negative
            ["A", "", a[1], "2025-03-02", "home_location", "SY", 3],    # 5: no longitude
            ["A", a[0], 95.0, "2025-03-03", "home_location", "JO", 3],  # 6: latitude range
            ["A", *a, "2025-03-03", "calls", "JO", 3],                  # 7: unknown metric
            ["S", a[1], a[0], "2025-03-03", "home_location", "JO", 3],  # 8: lon/lat swapped
            ["F", *far, "2025-03-03", "home_location", "JO", 3],        # 9: outside the city
            ["A", *a, "2025-03-04", "home_location", "XX", 3],          # 10: unmapped group
            ["A", *a, "2025-03-04", "home_location", "SY", 30]]         # 11: good
    feed = write_csv(tmp_path / "towers.csv", HEADER, rows)

    run = ingest_towers(city, feed, CITY, _spec(tmp_path), disclosure=NO_REDACTION)

    assert run.status == "succeeded" and run.rows_read == 10 and run.rows_rejected == 8
    rejected = {r.row_number: r for r in city.rejected_rows(run.id)}
    assert {line: r.column for line, r in rejected.items()} == {
        3: "count", 4: "count", 5: "lon", 6: "lat", 7: "metric", 8: "lon", 9: "lon",
        10: "sim_nationality"}
    assert "abc" in rejected[3].reason
    assert "-5" in rejected[4].reason and "0 or more" in rejected[4].reason
    assert "swapped" in rejected[6].reason and "swapped" in rejected[8].reason
    assert "outside every district" in rejected[9].reason
    assert "'calls'" in rejected[7].reason and "metrics" in rejected[7].reason
    assert "'XX'" in rejected[10].reason
    assert _values(city) == {("01", "2025-03", '{"citizenship":"national"}'): 40.0,
                             ("01", "2025-03", '{"citizenship":"syria"}'): 30.0}


def test_unique_subscribers_are_refused_for_voronoi_but_assigned_by_containment(city, tmp_path):
    extra = "  unique_subscribers: {variable: unique_subscribers, additive: false}\n"
    feed = write_csv(tmp_path / "towers.csv", HEADER,
                     [["A", *lonlat(500, 500), "2025-03-01", "unique_subscribers", "JO", 40]])

    with pytest.raises(IngestError) as refused:
        ingest_towers(city, feed, CITY, _spec(tmp_path, "voronoi", extra))
    assert "unique_subscribers" in str(refused.value)
    assert "assign: containment" in str(refused.value)

    run = ingest_towers(city, feed, CITY, _spec(tmp_path, "containment", extra),
                        disclosure=NO_REDACTION)
    assert _values(city, "unique_subscribers") == {
        ("01", "2025-03", '{"citizenship":"national"}'): 40.0}
    assert run.status == "succeeded"


def test_a_misnamed_column_is_named_with_a_fix(city, tmp_path):
    feed = write_csv(tmp_path / "towers.csv", ["site_id", "lon", "lat", "date", "metric",
                                               "sim_nationality", "cnt"],
                     [["A", *lonlat(500, 500), "2025-03-01", "home_location", "JO", 40]])
    with pytest.raises(IngestError) as missing:
        ingest_towers(city, feed, CITY, _spec(tmp_path))
    message = str(missing.value)
    assert "towers.csv" in message and "'count'" in message and "columns.count" in message
    assert "did you mean 'cnt'" in message


def test_a_parquet_feed_loads_the_same_and_names_bad_rows_by_number(city, tmp_path):
    a = lonlat(500, 500)
    csv_feed = write_csv(tmp_path / "towers.csv", HEADER, [
        ["A", *a, "2025-03-01", "home_location", "JO", 40],
        ["A", *a, "2025-03-02", "home_location", "JO", -1],
        ["A", *a, "2025-03-02", "home_location", "SY", 30]])
    feed = tmp_path / "towers.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{csv_feed}')) TO '{feed}' (FORMAT parquet)")

    run = ingest_towers(city, feed, CITY, _spec(tmp_path), disclosure=NO_REDACTION)

    assert run.rows_read == 3 and run.rows_rejected == 1
    assert [(r.row_number, r.column) for r in city.rejected_rows(run.id)] == [(2, "count")]
    assert _values(city) == {("01", "2025-03", '{"citizenship":"national"}'): 40.0,
                             ("01", "2025-03", '{"citizenship":"syria"}'): 30.0}
