"""Geographic levels in the store, on both backends: a store from before them upgrades with its
data on the top level `district`; areas, observations and values of two levels never collide;
a load of a level is one transaction; a crosswalk is replaced whole."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from observatory.models import City, IngestRun, Level
from observatory.store import StoreError, open_store
from observatory.store.sqlfiles import schema_files

CITY = City("amman", "Amman", "عمّان", "JO", "EPSG:28192")
TOP = Level("district", name_en="Districts", name_ar="الألوية")
NEIGHBOURHOOD = Level("neighbourhood", "district", "Neighbourhoods", "الأحياء", parent_prefix=2)


def _areas(codes, parents=None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": codes, "name_en": [f"area {c}" for c in codes],
         "name_ar": [f"منطقة {c}" for c in codes], "area_m2": [1.0] * len(codes),
         **({"parent_code": parents} if parents is not None else {})},
        geometry=[shapely.box(35.9 + i * 0.01, 31.9, 35.91 + i * 0.01, 31.91)
                  for i in range(len(codes))], crs="EPSG:4326")


def _counts(codes, value=10.0) -> pd.DataFrame:
    return pd.DataFrame({"district_code": codes, "period": "2025", "variable": "population",
                         "dims": "{}", "value": value, "unit": "persons"})


def _run(content: str) -> IngestRun:
    return IngestRun(city=CITY.slug, feed="boundaries", source_name="f.geojson",
                     content_hash=content)


def test_a_store_from_before_levels_keeps_its_data_on_the_top_level(store_url):
    old = open_store(store_url)
    files = {f.name: f for f in schema_files(old.backend)}
    with old._transaction(spatial=True, bumps=False) as con:  # the schema before 004
        old._execute(con, "create_schema_migration")
        for name in ("001_schema.sql", "002_feed_names.sql", "003_replacement_scope.sql"):
            old._run_script(con, files[name].read_text(encoding="utf-8"))
            old._execute(con, "record_schema_file", {"name": name, "applied_at": "2026-01-01"})
        old._run_script(con, """
            INSERT INTO city (slug, name_en) VALUES ('amman', 'Amman');
            INSERT INTO observation (city, district_code, period, variable, dims, value, unit,
                                     ingest_run)
            VALUES ('amman', '01', '2025', 'population', '{}', 5, 'persons', 'r1');
            INSERT INTO indicator_value (city, district_code, period, indicator_id, value,
                                         computed_at)
            VALUES ('amman', '01', '2025', 'x', 0.5, '2026-01-01');""")
    assert old.init_schema() == ["004_geographic_levels.sql", "005_external_peers.sql",
                                 "006_data_version.sql", "007_no_lookup_indexes.sql",
                                 "008_uploads.sql", "009_stored_definitions.sql"]
    assert [lv.name for lv in old.levels("amman")] == ["district"]
    assert old.observations("amman")["value"].tolist() == [5.0]
    values = old.indicator_values("amman")
    assert values["value"].tolist() == [0.5] and values["estimate"].tolist() == [""]
    old.close()


def test_two_levels_keep_their_areas_observations_and_values_apart(store):
    store.upsert_city(CITY)
    store.load(_run("a"), districts=_areas(["01", "02"]), valid_from=date(2020, 1, 1),
               level=TOP)
    store.load(_run("b"), districts=_areas(["0101", "0102", "0201"], ["01", "01", "02"]),
               valid_from=date(2020, 1, 1), level=NEIGHBOURHOOD)
    assert [lv.name for lv in store.levels("amman")] == ["district", "neighbourhood"]
    assert store.levels("amman")[1] == NEIGHBOURHOOD
    assert store.districts("amman")["code"].tolist() == ["01", "02"]
    fine = store.districts("amman", level="neighbourhood")
    assert fine["parent_code"].tolist() == ["01", "01", "02"]
    # the same code at two levels is two observations
    census = IngestRun(city=CITY.slug, feed="census", source_name="t.csv", content_hash="c")
    store.load(census, observations=_counts(["01"], 3.0), level=TOP)
    store.load(IngestRun(city=CITY.slug, feed="census", source_name="t.csv", content_hash="d"),
               observations=_counts(["01"], 7.0), level=NEIGHBOURHOOD)
    assert store.observations("amman")["value"].tolist() == [3.0]
    assert store.observations("amman", level="neighbourhood")["value"].tolist() == [7.0]
    assert sorted(store.observations("amman", every_level=True)["level"]) == [
        "district", "neighbourhood"]
    values = pd.DataFrame({"district_code": ["01", None], "period": "2025", "indicator_id": "x",
                           "value": [0.1, 0.2], "score": None, "coverage": 1.0,
                           "suppressed": False, "definition_hash": "h"})
    store.put_indicator_values("amman", values)
    store.put_indicator_values("amman", values.assign(value=[0.3, 0.4],
                                                      estimate="area-weighted"),
                               level="neighbourhood")
    assert store.indicator_values("amman")["value"].tolist() == [0.2, 0.1]
    fine_values = store.indicator_values("amman", level="neighbourhood")
    assert fine_values["value"].tolist() == [0.4, 0.3]
    assert set(fine_values["estimate"]) == {"area-weighted"}


def test_published_values_are_every_citys_top_level_without_suppressed_or_empty_ones(store):
    store.upsert_city(CITY)
    store.load(_run("a"), districts=_areas(["01", "02"]), valid_from=date(2020, 1, 1),
               level=Level("governorate", name_en="Governorates", name_ar="المحافظات"))
    store.load(_run("b"), districts=_areas(["0101"], ["01"]), valid_from=date(2020, 1, 1),
               level=Level("district", "governorate", "Districts", "الألوية", parent_prefix=2))
    store.upsert_city(City("zarqa", "Zarqa", "الزرقاء", "JO", "EPSG:28192"))  # no levels

    def rows(codes, values, suppressed, period="2025"):
        return pd.DataFrame({"district_code": codes, "period": period, "indicator_id": "x",
                             "value": values, "score": None, "coverage": 0.9,
                             "suppressed": suppressed, "definition_hash": "h"})
    store.put_indicator_values("amman", pd.concat([
        rows(["02", "01", None], [0.2, 0.1, 0.5], [False, True, False]),
        rows([None], [None], [False], "2024")]))
    store.put_indicator_values("amman", rows(["0101"], [0.7], [False]), level="district")
    store.put_indicator_values("zarqa", rows([None], [0.3], [False], "2024"))

    got = store.published_values()
    assert list(got.columns) == ["city", "district_code", "period", "indicator_id", "value",
                                 "coverage", "definition_hash", "estimate"]
    plain = got.astype(object).where(got.notna(), None)
    # the top level only (governorate; zarqa's default), city level first, sorted
    assert list(plain[["city", "district_code", "period", "value"]].itertuples(
        index=False, name=None)) == [("amman", None, "2025", 0.5), ("amman", "02", "2025", 0.2),
                                     ("zarqa", None, "2024", 0.3)]
    assert got["coverage"].tolist() == [0.9, 0.9, 0.9]


def test_a_failed_load_of_a_new_level_leaves_neither_the_level_nor_its_areas(store):
    store.upsert_city(CITY)
    store.load(_run("a"), districts=_areas(["01"]), valid_from=date(2020, 1, 1), level=TOP)
    bad = _counts(["0101", "0101"])  # a repeated key fails the load
    with pytest.raises(StoreError):  # DuckDB: checked in the batch; PostGIS: by the key
        store.load(_run("b"), districts=_areas(["0101"], ["01"]), valid_from=date(2020, 1, 1),
                   observations=bad, level=NEIGHBOURHOOD)
    assert [lv.name for lv in store.levels("amman")] == ["district"]
    assert store.districts("amman", level="neighbourhood").empty


def test_versions_end_where_the_next_starts_or_where_they_said_and_crosswalks_are_replaced(
        store):
    store.upsert_city(CITY)
    walk = pd.DataFrame({"from_level": "district", "from_version": date(2010, 1, 1),
                         "from_code": ["01", "01"], "to_level": "district",
                         "to_version": date(2020, 1, 1), "to_code": ["A", "B"],
                         "weight": [0.25, 0.75], "method": "area-weighted"})
    store.load(_run("a"), districts=_areas(["01"]), valid_from=date(2010, 1, 1), level=TOP,
               valid_to=date(2015, 1, 1))
    store.load(_run("b"), districts=_areas(["A", "B"]), valid_from=date(2020, 1, 1), level=TOP,
               crosswalk=walk)
    versions = store.boundary_versions("amman")
    assert versions["areas"].tolist() == [1, 2]
    assert [pd.Timestamp(v).date() if pd.notna(v) else None for v in versions["valid_to"]] == [
        date(2015, 1, 1), None]
    assert store.crosswalk("amman")["weight"].tolist() == [0.25, 0.75]
    assert store.version_districts("amman", "district", date(2010, 1, 1))["code"].tolist() == [
        "01"]
    store.load(_run("c"), districts=_areas(["A", "B"]), valid_from=date(2020, 1, 1), level=TOP,
               crosswalk=walk.iloc[:0])
    assert store.crosswalk("amman").empty
