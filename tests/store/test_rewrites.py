"""Rewriting the same keyed rows again and again (a city recomputed, a feed re-ingested) keeps
the store whole and its values exact, on a real DuckDB file and on PostGIS. The DuckDB write
paths once met "FATAL Error: Failed to delete all rows from index" (duckdb/duckdb#23645),
which invalidates the database: the tables rewritten this way carry no secondary ART index."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from observatory.models import City, IngestRun
from observatory.store import open_store

CITIES = [City(slug, slug.title(), "مدينة", "JO", "EPSG:32636", 100_000)
          for slug in ("amman", "irbid", "zarqa")]
INDICATORS = [f"indicator_{i:02d}" for i in range(25)]
PERIODS = [str(year) for year in range(2015, 2027)]
DISTRICTS = [f"{i:03d}" for i in range(1, 141)]
# 3 cities x 25 indicators x 12 periods x (140 districts + the city) = 126,900 rows: more than
# one DuckDB row group (122,880 rows), so a rewrite spans row groups.
ROWS_PER_CITY = len(INDICATORS) * len(PERIODS) * (len(DISTRICTS) + 1)


def _values(city_index: int, round_: int) -> pd.DataFrame:
    """A city's values of one compute round: every value differs from the last round's."""
    keys = pd.MultiIndex.from_product([INDICATORS, PERIODS, [None, *DISTRICTS]],
                                      names=["indicator_id", "period", "district_code"])
    frame = keys.to_frame(index=False)
    n = np.arange(len(frame), dtype=float)
    frame["value"] = n / 7.0 + 1000.0 * round_ + 0.5 * city_index
    frame["score"] = np.where(n % 3 == 0, np.nan, n % 100.0 + round_)
    frame["coverage"] = 1.0 - (n % 10) / 20.0
    frame["suppressed"] = (n + round_) % 11 == 0
    frame["definition_hash"] = f"hash-{round_}"
    frame["source_runs"] = f"run-{city_index}-{round_}"
    frame["estimate"] = np.where(n % 13 == 0, "areal", "")
    return frame


def _stored(store, city: str) -> pd.DataFrame:
    got = store.indicator_values(city).drop(columns=["computed_at"])
    return got.sort_values(["indicator_id", "period", "district_code"],
                           na_position="first").reset_index(drop=True)


def _expected(values: pd.DataFrame) -> pd.DataFrame:
    return values.sort_values(["indicator_id", "period", "district_code"],
                           na_position="first").reset_index(drop=True)


def _assert_exact(store, city: str, values: pd.DataFrame) -> None:
    got, want = _stored(store, city), _expected(values)
    assert len(got) == ROWS_PER_CITY
    for column in ("indicator_id", "period", "definition_hash", "source_runs", "estimate"):
        assert got[column].tolist() == want[column].tolist(), column
    assert got["district_code"].isna().sum() == len(INDICATORS) * len(PERIODS)
    assert (got["district_code"].fillna("city") == want["district_code"].fillna("city")).all()
    assert got["suppressed"].tolist() == want["suppressed"].tolist()
    for column in ("value", "score", "coverage"):
        np.testing.assert_array_equal(got[column].to_numpy(float), want[column].to_numpy(float),
                                      err_msg=column)


def test_recomputing_cities_again_and_again_keeps_every_value_exact(store_url):
    # A fresh store object per round, as each `observatory compute` opens the file anew (the
    # indexes of a DuckDB file are read back from disk then).
    with_schema = open_store(store_url)
    with_schema.init_schema()
    for city in CITIES:
        with_schema.upsert_city(city)
    with_schema.close()
    last = {}
    for round_ in range(4):
        store = open_store(store_url)
        for index, city in enumerate(CITIES):
            if round_ == 3 and index == 1:
                continue  # a city not recomputed keeps its values
            values = _values(index, round_)
            # One write per indicator group, as compute writes one per framework.
            for part in np.array_split(np.arange(len(INDICATORS)), 3):
                rows = values[values["indicator_id"].isin([INDICATORS[i] for i in part])]
                assert store.put_indicator_values(city.slug, rows) == len(rows)
            last[city.slug] = values
        store.close()
    store = open_store(store_url)
    for city in CITIES:
        _assert_exact(store, city.slug, last[city.slug])
    assert store.indicator_values("irbid")["definition_hash"].unique().tolist() == ["hash-2"]
    store.close()


def _events(count: int, shift: float) -> gpd.GeoDataFrame:
    n = np.arange(count)
    return gpd.GeoDataFrame({
        "id": [f"e{i:06d}" for i in n],
        "layer": np.where(n % 3 == 0, "fire", "waste"),
        "occurred_at": pd.Timestamp("2025-01-01T00:00Z") + pd.to_timedelta(n, unit="min"),
        "attributes": [f'{{"n": {i}, "round": {shift}}}' for i in n],
        "status": "published",
    }, geometry=shapely.points(35.9 + (n % 500) / 10_000 + shift, 31.9 + n / 1e7),
        crs="EPSG:4326")


def test_re_ingesting_the_same_events_replaces_them_exactly(store):
    # A changed file of the same spec replaces the earlier run's events: the same ids, deleted
    # and inserted again in one transaction, three times over.
    store.upsert_city(CITIES[0])
    for round_ in range(3):
        events = _events(5_000, round_ / 100)
        run = IngestRun(city="amman", feed="events", source_name="incidents.csv",
                        content_hash=f"h{round_}", spec_name="incidents.yaml")
        assert store.load(run, events=events).rows_loaded == 5_000
        got = store.events("amman").sort_values("id").reset_index(drop=True)
        assert got["id"].tolist() == events["id"].tolist()
        assert got["layer"].tolist() == events["layer"].tolist()
        assert got["attributes"].tolist() == events["attributes"].tolist()
        assert got.geometry.x.round(9).tolist() == events.geometry.x.round(9).tolist()
        assert store.rows_held(run.id) == 5_000


@pytest.mark.parametrize("table", ["indicator_value", "event"])
def test_duckdb_rewritten_tables_have_no_secondary_art_index(duckdb_url, table):
    import duckdb

    store = open_store(duckdb_url)
    store.init_schema()
    store.close()
    con = duckdb.connect(duckdb_url.removeprefix("duckdb:///"), read_only=True)
    found = con.execute("SELECT index_name FROM duckdb_indexes() WHERE table_name = ?",
                        [table]).fetchall()
    con.close()
    assert found == []


def _observations(round_: int, districts: int) -> pd.DataFrame:
    keys = pd.MultiIndex.from_product(
        [DISTRICTS[:districts], PERIODS, ["population", "foreign_citizens"],
         ['{"sex": "female"}', '{"sex": "male"}']],
        names=["district_code", "period", "variable", "dims"])
    frame = keys.to_frame(index=False)
    frame["value"] = np.arange(len(frame), dtype=float) * 3.0 + round_
    frame["unit"] = "persons"
    return frame


def _run(content: str, spec: str = "census.yaml") -> IngestRun:
    return IngestRun(city="amman", feed="census", source_name="census.csv",
                     content_hash=content, spec_name=spec)


def _stored_observations(store) -> pd.DataFrame:
    got = store.observations("amman")
    return got.sort_values(["district_code", "period", "variable", "dims"]).reset_index(drop=True)


def test_re_ingesting_the_same_observations_replaces_them_exactly(store):
    # Each round a changed file of the same spec: the same keys loaded again (updated where
    # they were), and in round 2 fewer districts (the keys left out go).
    store.upsert_city(CITIES[0])
    runs = []
    for round_, districts in enumerate([140, 140, 90, 140]):
        runs.append(store.load(_run(f"h{round_}"), observations=_observations(round_, districts)))
        want = _observations(round_, districts).sort_values(
            ["district_code", "period", "variable", "dims"]).reset_index(drop=True)
        got = _stored_observations(store)
        assert len(got) == districts * len(PERIODS) * 4
        for column in ("district_code", "period", "variable", "dims", "unit"):
            assert got[column].tolist() == want[column].tolist(), column
        np.testing.assert_array_equal(got["value"].to_numpy(), want["value"].to_numpy())
        assert set(got["ingest_run"]) == {runs[-1].id}
        assert [store.rows_held(run.id) for run in runs] == [0] * round_ + [len(got)]
    # A spec that retires the earlier runs by name, loading part of the same keys again.
    last = store.load(_run("h-new", spec="census_2.yaml"), observations=_observations(9, 50),
                      replaces=[run.id for run in runs])
    got = _stored_observations(store)
    assert len(got) == 50 * len(PERIODS) * 4 and set(got["ingest_run"]) == {last.id}
    np.testing.assert_array_equal(
        got["value"].to_numpy(),
        _observations(9, 50).sort_values(["district_code", "period", "variable", "dims"])[
            "value"].to_numpy())


def test_duckdb_re_ingest_overwrites_the_keys_it_loads_again_in_place(duckdb_url):
    # The same rowid: the row was updated, not deleted and re-inserted under its key.
    import duckdb

    store = open_store(duckdb_url)
    store.init_schema()
    store.upsert_city(CITIES[0])
    store.load(_run("h0"), observations=_observations(0, 20))
    query = ("SELECT district_code, period, variable, dims, rowid, value FROM observation "
             "ORDER BY ALL")
    path = duckdb_url.removeprefix("duckdb:///")
    store.close()
    with duckdb.connect(path, read_only=True) as con:
        before = con.execute(query).fetchall()
    store = open_store(duckdb_url)
    store.load(_run("h1"), observations=_observations(1, 20))
    store.close()
    with duckdb.connect(path, read_only=True) as con:
        after = con.execute(query).fetchall()
    assert [row[:5] for row in after] == [row[:5] for row in before]
    assert [row[5] for row in after] == [row[5] + 1 for row in before]


def _areas(codes) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": codes, "name_en": codes, "name_ar": codes,
                             "area_m2": 1.0},
                            geometry=[shapely.box(35.9 + i / 100, 31.9, 35.91 + i / 100, 31.91)
                                      for i in range(len(codes))], crs="EPSG:4326")


def test_a_crosswalk_loaded_again_is_replaced_exactly(store):
    # The same keys again with new weights, then a key fewer: updated and removed exactly.
    from datetime import date

    store.upsert_city(CITIES[0])
    for round_, codes in enumerate([["A", "B", "C"], ["A", "B", "C"], ["A", "C"]]):
        walk = pd.DataFrame({"from_level": "district", "from_version": date(2010, 1, 1),
                             "from_code": "01", "to_level": "district",
                             "to_version": date(2020, 1, 1), "to_code": codes,
                             "weight": [(i + 1) / 10 + round_ for i in range(len(codes))],
                             "method": f"area-weighted-{round_}"})
        run = IngestRun(city="amman", feed="boundaries", source_name="b.geojson",
                        content_hash=f"h{round_}")
        store.load(run, districts=_areas(["A", "B", "C"]), valid_from=date(2020, 1, 1),
                   crosswalk=walk)
        got = store.crosswalk("amman")
        assert got["to_code"].tolist() == codes
        assert got["weight"].tolist() == walk["weight"].tolist()
        assert set(got["method"]) == {f"area-weighted-{round_}"}


def test_duckdb_crosswalk_weights_loaded_again_keep_their_rows(duckdb_url):
    from datetime import date

    import duckdb

    store = open_store(duckdb_url)
    store.init_schema()
    store.upsert_city(CITIES[0])
    path = duckdb_url.removeprefix("duckdb:///")
    rowids = []
    for round_ in range(2):
        walk = pd.DataFrame({"from_level": "district", "from_version": date(2010, 1, 1),
                             "from_code": "01", "to_level": "district",
                             "to_version": date(2020, 1, 1), "to_code": ["A", "B"],
                             "weight": [0.5 + round_ / 10, 0.5 - round_ / 10],
                             "method": "area-weighted"})
        store.load(IngestRun(city="amman", feed="boundaries", source_name="b.geojson",
                             content_hash=f"h{round_}"),
                   districts=_areas(["A", "B"]), valid_from=date(2020, 1, 1), crosswalk=walk)
        store.close()
        with duckdb.connect(path, read_only=True) as con:
            rowids.append(con.execute("SELECT rowid FROM crosswalk ORDER BY to_code").fetchall())
    assert rowids[1] == rowids[0]
    assert store.crosswalk("amman")["weight"].tolist() == [0.6, 0.4]
    store.close()


def _vintage(codes, round_: int, moved=None) -> gpd.GeoDataFrame:
    # Each round its own names for the same codes (a corrected boundary file), and its own
    # geometries for the codes ``moved`` (all by default).
    shape = [round_ if moved is None or c in moved else 0 for c in codes]
    return gpd.GeoDataFrame(
        {"code": codes, "name_en": [f"{c} v{round_}" for c in codes],
         "name_ar": [f"حي {c} {round_}" for c in codes], "area_m2": [100.0 + round_] * len(codes),
         "parent_code": None},
        geometry=[shapely.box(35.9 + i / 100, 31.9, 35.905 + i / 100 + shape[i] / 1000, 31.91)
                  for i in range(len(codes))], crs="EPSG:4326")


def _boundary_run(content: str) -> IngestRun:
    return IngestRun(city="amman", feed="boundaries", source_name="districts.geojson",
                     content_hash=content)


def _load_vintage(store, content: str, areas: gpd.GeoDataFrame, year: int) -> IngestRun:
    from datetime import date

    return store.load(_boundary_run(content), districts=areas, valid_from=date(year, 1, 1))


def test_a_boundary_file_of_the_same_vintage_loaded_again_is_replaced_exactly(store):
    # Between an earlier and a later vintage, the 2020 file is corrected twice: new names and
    # geometries for the codes it keeps, one code fewer the second time.
    from datetime import date

    store.upsert_city(CITIES[0])
    _load_vintage(store, "h2010", _vintage(["A", "B"], 0), 2010)
    _load_vintage(store, "h2025", _vintage(["A", "B", "C"], 0), 2025)
    runs = [_load_vintage(store, f"h2020-{round_}", _vintage(codes, round_), 2020)
            for round_, codes in enumerate([["A", "B", "C", "D"], ["A", "B", "C", "D"],
                                            ["A", "B", "D"]])]
    want = _vintage(["A", "B", "D"], 2)
    got = store.version_districts("amman", "district", date(2020, 1, 1))
    assert got["code"].tolist() == ["A", "B", "D"]
    for column in ("name_en", "name_ar", "area_m2"):
        assert got[column].tolist() == want[column].tolist(), column
    assert [g.equals(w) for g, w in zip(got.geometry, want.geometry)] == [True] * 3
    assert [store.rows_held(run.id) for run in runs] == [0, 0, 3]
    # The earlier version still closes where 2020 starts, 2020 where 2025 starts.
    versions = store.boundary_versions("amman")
    assert [(str(row.valid_from)[:10], None if pd.isna(row.valid_to) else str(row.valid_to)[:10],
             row.areas) for row in versions.itertuples()] == [
        ("2010-01-01", "2020-01-01", 2), ("2020-01-01", "2025-01-01", 3), ("2025-01-01", None, 3)]
    assert store.districts("amman", as_of=date(2022, 6, 1))["name_en"].tolist() == [
        "A v2", "B v2", "D v2"]


def _rowids(duckdb_url: str, query: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(duckdb_url.removeprefix("duckdb:///"), read_only=True) as con:
        return con.execute(query).fetchall()


def test_duckdb_districts_of_the_same_vintage_loaded_again_keep_their_rows(duckdb_url):
    # Renamed codes keep their row (updated in place). A code whose shape changed is rewritten
    # by DuckDB itself as a delete and an insert: updating a GEOMETRY column always is (1.5).
    store = open_store(duckdb_url)
    store.init_schema()
    store.upsert_city(CITIES[0])
    query = "SELECT code, rowid, name_en, ST_AsWKB(geom) FROM district ORDER BY code"
    _load_vintage(store, "h0", _vintage(["A", "B", "C", "D"], 0), 2020)
    store.close()
    before = {row[0]: row for row in _rowids(duckdb_url, query)}
    corrected = _vintage(["A", "B", "D"], 1, moved=["D"])
    _load_vintage(store, "h1", corrected, 2020)
    store.close()
    after = {row[0]: row for row in _rowids(duckdb_url, query)}
    assert sorted(after) == ["A", "B", "D"]
    assert [after[code][1] for code in "AB"] == [before[code][1] for code in "AB"]
    assert [after[code][2] for code in "ABD"] == ["A v1", "B v1", "D v1"]
    assert [shapely.from_wkb(bytes(after[code][3])).equals(shape)
            for code, shape in zip("ABD", corrected.geometry)] == [True] * 3
    assert after["D"][3] != before["D"][3] and after["D"][1] != before["D"][1]


def _events_run(content: str, spec: str = "incidents.yaml") -> IngestRun:
    return IngestRun(city="amman", feed="events", source_name="incidents.csv",
                     content_hash=content, spec_name=spec)


def _stored_events(store) -> gpd.GeoDataFrame:
    return store.events("amman", statuses=("published", "rejected")).sort_values(
        "id").reset_index(drop=True)


def _assert_events(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame) -> None:
    assert got["id"].tolist() == want["id"].tolist()
    for column in ("layer", "attributes", "status"):
        assert got[column].tolist() == want[column].tolist(), column
    assert (got["occurred_at"] == want["occurred_at"]).all()
    assert got.geometry.x.round(9).tolist() == want.geometry.x.round(9).tolist()


def test_re_ingested_events_with_changed_attributes_and_one_fewer_are_replaced_exactly(store):
    store.upsert_city(CITIES[0])
    first = store.load(_events_run("h0"), events=_events(300, 0.0))
    # A corrected file: every event moved and re-described, one (inside its time range) gone.
    corrected = _events(300, 0.01).drop(index=150).reset_index(drop=True)
    corrected.loc[corrected.index % 5 == 0, "status"] = "rejected"
    second = store.load(_events_run("h1"), events=corrected)
    _assert_events(_stored_events(store), corrected)
    assert [store.rows_held(run.id) for run in (first, second)] == [0, 299]
    # A new spec retiring that run by name, loading a part of the same ids again.
    retiring = store.load(_events_run("h2", spec="incidents_2.yaml"), events=_events(50, 0.02),
                          replaces=[second.id])
    _assert_events(_stored_events(store), _events(50, 0.02))
    assert [store.rows_held(run.id) for run in (second, retiring)] == [0, 50]
    # Loading it again changes nothing.
    assert store.load(_events_run("h3", spec="incidents_2.yaml"),
                      events=_events(50, 0.02)).rows_loaded == 50
    _assert_events(_stored_events(store), _events(50, 0.02))


def test_an_event_id_held_by_a_row_the_load_does_not_replace_is_still_a_conflict(store):
    from observatory.store import ConflictError, StoreError

    store.upsert_city(CITIES[0])
    store.load(_events_run("h0"), events=_events(10, 0.0))
    # Another spec's events are not superseded by this one: their ids are not this run's.
    with pytest.raises(ConflictError, match="already holds a row with this key"):
        store.load(_events_run("h1", spec="other.yaml"), events=_events(12, 0.01))
    _assert_events(_stored_events(store), _events(10, 0.0))
    with pytest.raises(StoreError, match=r"event ids must be unique; repeated: \['e000001'\]"):
        store.load(_events_run("h2"), events=_events(3, 0.0).iloc[[0, 1, 1]])


def test_duckdb_re_ingested_events_keep_their_rows(duckdb_url):
    # Re-described events keep their row; a moved point is rewritten by DuckDB (see above).
    store = open_store(duckdb_url)
    store.init_schema()
    store.upsert_city(CITIES[0])
    query = "SELECT id, rowid, attributes, ST_AsWKB(geom) FROM event ORDER BY id"
    store.load(_events_run("h0"), events=_events(300, 0.0))
    store.close()
    before = {row[0]: row for row in _rowids(duckdb_url, query)}
    corrected = _events(300, 0.0).drop(index=150).reset_index(drop=True)
    corrected["attributes"] = _events(299, 0.01)["attributes"]
    corrected.loc[corrected["id"] == "e000007", "geometry"] = shapely.Point(36.5, 32.0)
    store.load(_events_run("h1"), events=corrected)
    store.close()
    after = {row[0]: row for row in _rowids(duckdb_url, query)}
    assert sorted(after) == corrected["id"].tolist()
    kept = [i for i in after if i != "e000007"]
    assert [after[i][1] for i in kept] == [before[i][1] for i in kept]
    assert [after[i][2] for i in corrected["id"]] == corrected["attributes"].tolist()
    assert after["e000007"][1] != before["e000007"][1]
    assert shapely.from_wkb(bytes(after["e000007"][3])).equals(shapely.Point(36.5, 32.0))
