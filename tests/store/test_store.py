"""The one store suite: every test runs on embedded DuckDB and on a real PostGIS server."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from observatory.models import City, IngestRun, RejectedRow, canonical_dims
from observatory.store import ConstraintError, StoreError

CITY = City("gaziantep", "Gaziantep", "غازي عنتاب", "TR", "EPSG:32637", 2_100_000)


def _districts(names=("Şahinbey", "Şehitkamil"), shift=0.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["27001", "27002"], "name_en": list(names),
         "name_ar": ["شاهين بك", "شهيد كامل"], "area_m2": [1.0e6, 2.0e6]},
        geometry=[shapely.box(37.3 + shift, 37.0, 37.4, 37.1),
                  shapely.MultiPolygon([shapely.box(37.4, 37.0, 37.5, 37.1)])],
        crs="EPSG:4326",
    )


def _observations(values=(1000.0, 250.0, 800.0, 40.0)) -> pd.DataFrame:
    codes = ["27001", "27001", "27002", "27002"]
    groups = ["national", "syrian", "national", "syrian"]
    return pd.DataFrame({
        "district_code": codes, "period": ["2025"] * 4, "variable": ["population"] * 4,
        "dims": [canonical_dims({"citizenship": g, "sex": "female"}) for g in groups],
        "value": list(values), "unit": ["persons"] * 4,
    })


def _run(feed: str, source: str, content: str, spec: str | None = "") -> IngestRun:
    return IngestRun(city=CITY.slug, feed=feed, source_name=source, content_hash=content,
                     spec_name=spec)


def test_schema_applies_once(store):
    assert store.init_schema() == []
    assert store.schema_version() == ["001_schema.sql", "002_feed_names.sql",
                                      "003_replacement_scope.sql", "004_geographic_levels.sql",
                                      "005_external_peers.sql", "006_data_version.sql",
                                      "007_no_lookup_indexes.sql", "008_uploads.sql",
                                      "009_stored_definitions.sql"]


def test_city_round_trips_with_arabic_name(store):
    store.upsert_city(CITY)
    store.upsert_city(CITY)  # idempotent
    assert store.cities() == [CITY]
    assert store.city("gaziantep").name_ar == "غازي عنتاب"
    assert store.city("nowhere") is None


def test_boundaries_load_as_multipolygons_in_4326(store):
    store.upsert_city(CITY)
    run = store.load(_run("boundaries", "districts.geojson", "h1"), districts=_districts(),
                     valid_from=date(2020, 1, 1))
    assert (run.status, run.rows_loaded, run.rows_rejected) == ("succeeded", 2, 0)
    got = store.districts("gaziantep")
    assert got.crs.to_epsg() == 4326
    assert list(got["code"]) == ["27001", "27002"]
    assert list(got["name_ar"]) == ["شاهين بك", "شهيد كامل"]
    assert set(got.geom_type) == {"MultiPolygon"}
    assert got.geometry.iloc[0].equals(shapely.MultiPolygon([shapely.box(37.3, 37.0, 37.4, 37.1)]))


def test_boundary_versions_survive_redrawing(store):
    store.upsert_city(CITY)
    store.load(_run("boundaries", "2020.geojson", "a"), districts=_districts(),
               valid_from=date(2020, 1, 1))
    store.load(_run("boundaries", "2024.geojson", "b"), districts=_districts(shift=0.05),
               valid_from=date(2024, 1, 1))
    old = store.districts("gaziantep", as_of=date(2022, 6, 1))
    new = store.districts("gaziantep")
    assert old.geometry.iloc[0].bounds[0] == pytest.approx(37.3)
    assert new.geometry.iloc[0].bounds[0] == pytest.approx(37.35)
    assert store.districts("gaziantep", as_of=date(2019, 1, 1)).empty


def test_rerun_lookup_and_rejected_rows_are_kept(store):
    store.upsert_city(CITY)
    rejected = [RejectedRow(7, "value", "'abc' is not a number", "27001;abc"),
                RejectedRow(None, None, "file-level note")]
    run = store.load(_run("census", "census.csv", "hash-1"), observations=_observations(),
                     rejected=rejected)
    assert (run.rows_loaded, run.rows_rejected) == (4, 2)
    assert store.find_run("gaziantep", "census", "hash-1").id == run.id
    assert store.find_run("gaziantep", "census", "hash-2") is None
    assert sorted(store.rejected_rows(run.id), key=lambda r: r.row_number or 0) == sorted(
        rejected, key=lambda r: r.row_number or 0)
    assert store.run(run.id).rows_rejected == 2
    assert [r.id for r in store.runs("gaziantep")] == [run.id]


def test_corrected_file_replaces_the_earlier_runs_rows(store):
    store.upsert_city(CITY)
    store.load(_run("census", "census.csv", "v1"), observations=_observations())
    corrected = _observations().iloc[:3].assign(value=[1.0, 2.0, 3.0])
    run = store.load(_run("census", "census.csv", "v2"), observations=corrected)
    got = store.observations("gaziantep")
    assert len(got) == 3  # the row missing from the corrected file is gone too
    assert sorted(got["value"]) == [1.0, 2.0, 3.0]
    assert set(got["ingest_run"]) == {run.id}


def test_observations_upsert_on_their_key_across_sources(store):
    store.upsert_city(CITY)
    # Two tables (specs) with a key in common: the second replaces only that row.
    store.load(_run("census", "a.csv", "a", "a.yaml"), observations=_observations())
    store.load(_run("census", "b.csv", "b", "b.yaml"),
               observations=_observations().iloc[:1].assign(value=5))
    got = store.observations("gaziantep", variables=["population"], periods=["2025"])
    assert len(got) == 4 and got["value"].min() == 5
    assert store.observations("gaziantep", variables=["other"]).empty
    assert store.periods("gaziantep") == ["2025"]


def test_bulk_load_keeps_awkward_text_and_missing_values_as_given(store):
    # PostGIS COPYs CSV: quotes, commas, newlines, an empty string, a literal \N and a missing
    # value must each come back as they went in.
    store.upsert_city(CITY)
    awkward = ['{"note":"a, \\"quoted\\"\nline"}', "", "\\N", '{"حي":"الشرقية"}']
    store.load(_run("census", "awkward.csv", "w"), observations=_observations(
        values=(1.5, float("nan"), 1e-300, 4.0)).assign(dims=awkward, unit=["", "\\N", "x", "y"]))
    got = store.observations("gaziantep").set_index("dims").loc[awkward]
    assert list(got["unit"]) == ["", "\\N", "x", "y"]
    assert got["value"].iloc[0] == 1.5 and pd.isna(got["value"].iloc[1])
    assert list(got["value"].iloc[2:]) == [1e-300, 4.0]


def test_a_failing_load_leaves_nothing_but_a_failed_run(store):
    store.upsert_city(CITY)
    bad = pd.concat([_observations(), _observations().iloc[:1]])  # a repeated key
    with pytest.raises(StoreError, match="repeat"):
        store.load(_run("census", "bad.csv", "bad"), districts=_districts(), observations=bad)
    assert store.observations("gaziantep").empty
    assert store.districts("gaziantep").empty
    [failed] = store.runs("gaziantep")
    assert failed.status == "failed" and "repeat" in failed.message
    assert store.find_run("gaziantep", "census", "bad") is None


def test_indicator_values_replace_per_indicator_and_period(store):
    store.upsert_city(CITY)
    values = pd.DataFrame({
        "district_code": ["27001", "27002", None], "period": ["2025"] * 3,
        "indicator_id": ["foreign_citizens_share"] * 3, "value": [0.2, 0.047, 0.1409],
        "score": [None] * 3, "coverage": [1.0] * 3, "suppressed": [False, True, False],
        "definition_hash": ["abc"] * 3,
    })
    assert store.put_indicator_values("gaziantep", values) == 3
    assert store.put_indicator_values("gaziantep", values.iloc[:2]) == 2
    got = store.indicator_values("gaziantep", "foreign_citizens_share", "2025")
    assert list(got["district_code"]) == ["27001", "27002"]
    assert list(got["suppressed"]) == [False, True]
    assert store.indicator_values("gaziantep", "other").empty


def test_duckdb_spatial_extension_loads_offline_from_its_wheel(tmp_path):
    import duckdb

    from observatory.store.duckdb_store import spatial_extension_path

    path = spatial_extension_path()
    assert f"v{duckdb.__version__}" in path.as_posix()
    con = duckdb.connect(str(tmp_path / "x.duckdb"),
                         config={"autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    con.execute(f"LOAD '{path.as_posix()}'")
    [(x, y)] = con.execute(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_Point(16.3725, 48.2083), "
        "'EPSG:4326', 'EPSG:31256', always_xy := true) AS p)").fetchall()
    assert x == pytest.approx(2_900, abs=500) and y == pytest.approx(340_900, abs=500)


def _events() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "id": ["f1", "f2", "w1"], "layer": ["fire", "fire", "waste"],
        "occurred_at": pd.to_datetime(["2025-01-05T10:00Z", "2025-02-01T00:00Z",
                                       "2025-01-20T08:30Z"]),
        "attributes": ['{"cause": "electrical", "حي": "الزيتون"}', "{}", '{"tonnes": 2}'],
        "status": ["published", "published", "submitted"],
    }, geometry=shapely.points([(37.35, 37.05), (37.36, 37.06), (37.45, 37.05)]),
        crs="EPSG:4326")


def test_events_filter_by_layer_time_and_status(store):
    store.upsert_city(CITY)
    run = store.load(_run("events", "incidents.geojson", "e1"), events=_events())
    assert run.rows_loaded == 3
    fires = store.events("gaziantep", layer="fire")
    assert list(fires["id"]) == ["f1", "f2"] and fires.crs.to_epsg() == 4326
    assert fires.geometry.iloc[0].equals(shapely.Point(37.35, 37.05))
    assert "الزيتون" in fires["attributes"].iloc[0]
    january = store.events("gaziantep", start=pd.Timestamp("2025-01-01T00:00Z"),
                           end=pd.Timestamp("2025-02-01T00:00Z"),
                           statuses=("published", "submitted"))
    assert list(january["id"]) == ["f1", "w1"]
    assert store.events("gaziantep", layer="waste").empty  # submitted is not public
    # A file of the same spec replaces its scope only, the fire layer on 5 January: the
    # February fire and the waste event stay.
    again = store.load(_run("events", "incidents.geojson", "e2"), events=_events().iloc[:1])
    kept = store.events("gaziantep", statuses=("published", "submitted"))
    assert sorted(kept["id"]) == ["f1", "f2", "w1"]
    assert (store.rows_held(run.id), store.rows_held(again.id)) == (2, 1)


def test_field_reports_are_reviewed_and_keep_their_photos(store):
    from observatory.models import Attachment

    store.upsert_city(CITY)
    report = _events().iloc[:1].assign(id="rep-1", layer="field", status="submitted")
    store.add_event("gaziantep", report, submitter="key:abc")
    assert store.events("gaziantep", layer="field").empty
    photo = Attachment("att-1", "rep-1", "ab" * 32, "image/jpeg", 1234, "photos/abab.jpg")
    store.add_attachment(photo)
    assert store.attachments("rep-1")[0].sha256 == "ab" * 32
    assert store.set_event_status("rep-1", "published") is True
    assert store.set_event_status("nope", "published") is False
    assert list(store.events("gaziantep", layer="field")["id"]) == ["rep-1"]


def test_api_keys_are_stored_by_hash_with_a_role(store):
    store.add_api_key("f" * 64, "officer", "ingest team")
    assert store.api_key_role("f" * 64) == "officer"
    assert store.api_key_role("0" * 64) is None
    with pytest.raises(ConstraintError):
        store.add_api_key("1" * 64, "emperor", "no such role")


def test_duckdb_store_serves_concurrent_threads_and_then_frees_the_file(duckdb_url):
    """The API answers requests in threads; DuckDB refuses two instances of one file in a
    process, so concurrent work must share one (and release it for other processes after)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    import duckdb

    from observatory.store import open_store

    store = open_store(duckdb_url)
    store.init_schema()
    store.upsert_city(CITY)
    store.load(_run("boundaries", "d.geojson", "h"), districts=_districts())
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: len(store.districts("gaziantep")), range(64)))
    assert results == [2] * 64
    # Once idle past its linger time, nothing is held open: another process (here: a plain
    # connection, which DuckDB refuses while the store's instance is open) can write the file.
    time.sleep(store.linger_seconds + 0.5)
    other = duckdb.connect(duckdb_url.removeprefix("duckdb:///"))
    other.execute("CREATE TABLE scratch (x INTEGER)")
    other.close()


def test_duckdb_store_keeps_one_closer_timer_however_many_reads_end(duckdb_url):
    """A server falls idle between most requests; each end of work used to start a timer
    thread of its own (hundreds a second under load). One is pending at most."""
    import threading

    from observatory.store import open_store

    store = open_store(duckdb_url)
    store.init_schema()

    def timers() -> int:
        return sum(isinstance(t, threading.Timer) for t in threading.enumerate())

    before = timers()
    for _ in range(20):
        store.data_version()
    assert timers() - before <= 1
    store.close()


def test_indicator_periods_list_what_has_values(store):
    store.upsert_city(CITY)
    values = pd.DataFrame({
        "district_code": ["27001", None, "27001"], "period": ["2024", "2025", "2025"],
        "indicator_id": ["share", "share", "other"], "value": [0.1, 0.2, 0.3],
        "score": [None] * 3, "coverage": [1.0] * 3, "suppressed": [False] * 3,
        "definition_hash": ["h"] * 3,
    })
    store.put_indicator_values("gaziantep", values)
    got = store.indicator_periods("gaziantep")
    assert list(zip(got["indicator_id"], got["period"])) == [
        ("other", "2025"), ("share", "2024"), ("share", "2025")]
    assert list(store.indicator_periods("gaziantep", "share")["period"]) == ["2024", "2025"]
    assert store.indicator_periods("gaziantep", "none").empty


def test_indicator_values_of_chosen_districts(store):
    store.upsert_city(CITY)
    values = pd.DataFrame({
        "district_code": ["27001", "27002", None], "period": ["2025"] * 3,
        "indicator_id": ["share"] * 3, "value": [0.1, 0.2, 0.15], "score": [None] * 3,
        "coverage": [1.0] * 3, "suppressed": [False] * 3, "definition_hash": ["h"] * 3,
    })
    store.put_indicator_values("gaziantep", values)
    got = store.indicator_values("gaziantep", "share", "2025", district_codes=["27002", "x"])
    assert list(got["district_code"]) == ["27002"]
    assert store.indicator_values("gaziantep", "share", district_codes=[]).empty


@pytest.mark.postgis
def test_postgis_pool_is_bounded_and_serves_more_threads_than_connections(postgis_url):
    # OBSERVATORY_POOL_SIZE: at most that many connections; more requests wait their turn.
    from concurrent.futures import ThreadPoolExecutor

    from observatory.store import open_store

    store = open_store(postgis_url, pool_size=2)
    try:
        store.init_schema()
        store.upsert_city(CITY)
        store.load(_run("boundaries", "d.geojson", "h"), districts=_districts())
        with ThreadPoolExecutor(max_workers=8) as pool:
            pages = list(pool.map(lambda _: store.district_features("gaziantep").matched,
                                  range(64)))
        assert pages == [2] * 64
        assert store.engine.pool.size() == 2 and store.engine.pool.checkedout() == 0
        assert store.engine.pool.overflow() <= 0  # never more than pool_size connections
    finally:
        store.close()


# Replacement is keyed on what the data is: (city, feed, spec, periods x variables) for
# observations, (city, feed, spec, layers x time range) for events; never the file's name.

def _year(period: str, values=(1000.0, 250.0, 800.0, 40.0)) -> pd.DataFrame:
    return _observations(values).assign(period=period)


def test_a_file_of_another_year_with_the_same_name_keeps_the_earlier_year(store):
    store.upsert_city(CITY)
    y2024 = store.load(_run("census", "census_x.csv", "2024", "census.yaml"),
                       observations=_year("2024"))
    y2025 = store.load(_run("census", "census_x.csv", "2025", "census.yaml"),
                       observations=_year("2025", (1.0, 2.0, 3.0, 4.0)))
    got = store.observations("gaziantep")
    assert got.groupby("period").size().to_dict() == {"2024": 4, "2025": 4}
    assert got.groupby("period")["value"].sum().to_dict() == {"2024": 2090.0, "2025": 10.0}
    assert (store.rows_held(y2024.id), store.rows_held(y2025.id)) == (4, 4)


def test_a_corrected_file_of_the_same_scope_replaces_whatever_its_name(store):
    store.upsert_city(CITY)
    old = store.load(_run("census", "census_2025.csv", "v1", "census.yaml"),
                     observations=_year("2025"))
    other = store.load(_run("census", "census_2024.csv", "v0", "census.yaml"),
                       observations=_year("2024"))
    new = store.load(_run("census", "census_2025_corrected.csv", "v2", "census.yaml"),
                     observations=_year("2025").iloc[:2].assign(value=[7.0, 8.0]))
    got = store.observations("gaziantep")
    assert got.groupby("period").size().to_dict() == {"2024": 4, "2025": 2}
    assert sorted(got[got["period"] == "2025"]["value"]) == [7.0, 8.0]
    assert [store.rows_held(run.id) for run in (old, other, new)] == [0, 4, 2]


def test_another_variable_or_another_spec_is_another_scope(store):
    store.upsert_city(CITY)
    store.load(_run("census", "census.csv", "p", "census.yaml"), observations=_year("2025"))
    households = _year("2025").assign(variable="households", dims="{}").iloc[[0, 2]]
    store.load(_run("census", "census.csv", "h", "census.yaml"), observations=households)
    by_age = _year("2025").assign(dims=['{"age":"0-14"}'] * 4).iloc[:1]
    store.load(_run("census", "census.csv", "a", "census_age.yaml"), observations=by_age)
    got = store.observations("gaziantep")
    assert got.groupby("variable").size().to_dict() == {"households": 2, "population": 5}


def test_replaces_retires_the_named_runs_rows_whole(store):
    store.upsert_city(CITY)
    y2024 = store.load(_run("census", "old_table.csv", "o", "old.yaml"),
                       observations=_year("2024"))
    kept = store.load(_run("census", "other.csv", "k", "other.yaml"),
                      observations=_year("2023"))
    store.load(_run("census", "new_table.csv", "n", "new.yaml"), observations=_year("2025"),
               replaces=[y2024.id])
    got = store.observations("gaziantep")
    assert got.groupby("period").size().to_dict() == {"2023": 4, "2025": 4}
    assert (store.rows_held(y2024.id), store.rows_held(kept.id)) == (0, 4)


def test_runs_recorded_before_specs_were_kept_match_by_source_name_within_scope(store):
    store.upsert_city(CITY)
    legacy = store.load(_run("census", "census.csv", "l", None), observations=_year("2025"))
    legacy_2024 = store.load(_run("census", "census.csv", "l4", None),
                             observations=_year("2024"))
    elsewhere = store.load(_run("census", "other.csv", "o", None),
                           observations=_year("2025").assign(variable="households"))
    assert store.run(legacy.id).spec_name is None
    store.load(_run("census", "census.csv", "n", "census.yaml"),
               observations=_year("2025").iloc[:1])
    assert [store.rows_held(run.id) for run in (legacy, legacy_2024, elsewhere)] == [0, 4, 4]


def test_events_of_another_month_with_the_same_name_stay_and_replaces_retires(store):
    store.upsert_city(CITY)
    january = store.load(_run("events", "fires.csv", "jan", "fires.yaml"),
                         events=_events().iloc[[0]])
    february = store.load(_run("events", "fires.csv", "feb", "fires.yaml"),
                          events=_events().iloc[[1]])
    assert sorted(store.events("gaziantep")["id"]) == ["f1", "f2"]
    store.load(_run("events", "fires_all.csv", "all", "fires_2.yaml"),
               events=_events().iloc[[2]], replaces=[january.id, february.id])
    assert store.events("gaziantep", statuses=("published", "submitted"))["id"].tolist() == ["w1"]


def test_a_spec_layer_that_left_the_file_is_still_replaced(store):
    store.upsert_city(CITY)
    first = store.load(_run("events", "a.csv", "1", "e.yaml"), events=_events())
    renamed = _events().assign(layer="fire", id=["g1", "g2", "g3"])
    store.load(_run("events", "a.csv", "2", "e.yaml"), events=renamed,
               event_layers=["fire", "waste"])
    assert store.rows_held(first.id) == 0
    got = store.events("gaziantep", statuses=("published", "submitted"))
    assert sorted(got["id"]) == ["g1", "g2", "g3"]


def test_a_boundary_file_of_another_vintage_with_the_same_name_keeps_both(store):
    store.upsert_city(CITY)
    store.load(_run("boundaries", "districts.geojson", "a"), districts=_districts(),
               valid_from=date(2020, 1, 1))
    store.load(_run("boundaries", "districts.geojson", "b"), districts=_districts(shift=0.05),
               valid_from=date(2024, 1, 1))
    assert len(store.districts("gaziantep", as_of=date(2022, 1, 1))) == 2
    # The same vintage again replaces that version.
    store.load(_run("boundaries", "redrawn.geojson", "c"), districts=_districts().iloc[:1],
               valid_from=date(2024, 1, 1))
    assert list(store.districts("gaziantep")["code"]) == ["27001"]
    assert len(store.districts("gaziantep", as_of=date(2022, 1, 1))) == 2
