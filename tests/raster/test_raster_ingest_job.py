"""The raster ingest job against a real store (both backends) and on WorldPop."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from tiny_rasters import UTM, grid_xy, pixel_box, write_raster

from ingest.errors import IngestError
from ingest.jobs import ingest_boundaries, ingest_raster
from observatory.store import open_store

CITY = "rastertown"
# 4 rows x 6 columns of people; district 01 covers columns 0-2, district 02 columns 3-5.
PEOPLE = np.array([[1, 2, 3, 4, 5, 6],
                   [0, 0, 7, 0, 0, 0],
                   [2, 2, 2, 9, 0, 1],
                   [0, 5, 0, 0, 0, 3]], dtype="float32")
BOXES = {"01": (0, 0, 3, 4), "02": (3, 0, 6, 4), "03": (40, 40, 42, 42)}  # 03: off the raster


def write_boundaries(folder: Path, boxes: dict[str, tuple], *, slug: str = CITY) -> Path:
    frame = gpd.GeoDataFrame(
        {"code": list(boxes), "name_en": [f"Quarter {code}" for code in boxes],
         "name_ar": [f"الحي {code}" for code in boxes]},
        geometry=[pixel_box(*b) for b in boxes.values()], crs=UTM,
    )
    frame.to_file(folder / "quarters.gpkg", driver="GPKG")
    (folder / "boundaries.yaml").write_text(
        "feed: boundaries\n"
        f"city: {{slug: {slug}, name_en: Rastertown, name_ar: مدينة الخلايا, "
        f"local_crs: '{UTM}'}}\n"
        "code: {column: code}\nname_en: {column: name_en}\nname_ar: {column: name_ar}\n",
        encoding="utf-8",
    )
    return folder / "quarters.gpkg"


@pytest.fixture
def city_with_districts(store, tmp_path):
    boundaries = write_boundaries(tmp_path, BOXES)
    ingest_boundaries(store, boundaries, CITY, tmp_path / "boundaries.yaml")
    return store


@pytest.fixture
def duckdb_store(duckdb_url):
    opened = open_store(duckdb_url)
    opened.init_schema()
    yield opened
    opened.close()


def expected_centre_lonlat(col0: int, col1: int) -> tuple[float, float]:
    """Brute force: every pixel centre of the columns, weighted by its people, in lon/lat."""
    block = PEOPLE[:, col0:col1].astype("float64")
    rows, cols = np.indices(block.shape)
    x, y = grid_xy((cols + col0 + 0.5), (rows + 0.5))
    mean_x, mean_y = (block * x).sum() / block.sum(), (block * y).sum() / block.sum()
    return Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform(mean_x, mean_y)


def observation_table(store, city=CITY):
    found = store.observations(city)
    return found.set_index(["district_code", "variable"])


def test_raster_loads_sums_and_centres_per_district(city_with_districts, tmp_path):
    store = city_with_districts
    raster = write_raster(tmp_path / "people_2025.tif", PEOPLE)
    steps = []
    run = ingest_raster(store, raster, CITY, progress=lambda *step: steps.append(step))

    assert (run.status, run.feed) == ("succeeded", "raster")
    assert (run.rows_loaded, run.rows_rejected) == (6, 1)  # 3 observations per district
    assert run.message.startswith("3 districts -> 6 observations, period 2025")
    assert [done for done, _, _ in steps] == [1, 2, 3, 4]
    (rejected,) = store.rejected_rows(run.id)
    assert "district 03" in rejected.reason and rejected.raw == "03"

    table = observation_table(store)
    assert set(table["period"]) == {"2025"}
    assert {json.loads(d)["source"] for d in table["dims"]} == {"raster"}
    assert table.loc[("01", "population"), "value"] == pytest.approx(PEOPLE[:, :3].sum())
    assert table.loc[("02", "population"), "value"] == pytest.approx(PEOPLE[:, 3:].sum())
    assert table.loc[("01", "population"), "unit"] == "persons"
    for code, (col0, col1) in {"01": (0, 3), "02": (3, 6)}.items():
        lon, lat = expected_centre_lonlat(col0, col1)
        assert table.loc[(code, "population_centre_lon"), "value"] == pytest.approx(lon, abs=1e-9)
        assert table.loc[(code, "population_centre_lat"), "value"] == pytest.approx(lat, abs=1e-9)
        assert table.loc[(code, "population_centre_lat"), "unit"] == "degrees"
    assert ("03", "population") not in table.index


def test_rerun_is_a_no_op_and_a_corrected_raster_replaces(city_with_districts, tmp_path):
    store = city_with_districts
    raster = write_raster(tmp_path / "people_2025.tif", PEOPLE)
    first = ingest_raster(store, raster, CITY)
    again = ingest_raster(store, raster, CITY)
    assert again.status == "unchanged" and again.id == first.id

    write_raster(raster, PEOPLE * 2)  # the officer fixes the file and loads it again
    corrected = ingest_raster(store, raster, CITY)
    assert corrected.status == "succeeded" and corrected.id != first.id
    table = observation_table(store)
    assert len(table) == 6
    assert table.loc[("01", "population"), "value"] == pytest.approx(2 * PEOPLE[:, :3].sum())


def test_variable_and_explicit_period_name_the_observations(duckdb_store, tmp_path):
    ingest_boundaries(duckdb_store, write_boundaries(tmp_path, BOXES), CITY,
                      tmp_path / "boundaries.yaml")
    raster = write_raster(tmp_path / "night_lights.tif", PEOPLE)
    ingest_raster(duckdb_store, raster, CITY, variable="residents", period="2024-06")
    table = observation_table(duckdb_store)
    assert set(table.index.get_level_values("variable")) == {
        "residents", "residents_centre_lon", "residents_centre_lat"}
    assert set(table["period"]) == {"2024-06"}


@pytest.mark.parametrize("name, found", [("people.tif", "no 4-digit year"),
                                         ("pop_2015_2020.tif", "several years")])
def test_a_period_that_cannot_be_read_from_the_name_must_be_given(
    duckdb_store, tmp_path, name, found
):
    raster = write_raster(tmp_path / name, PEOPLE)
    with pytest.raises(IngestError, match=f"{name}: .*{found}.*fix: give the period"):
        ingest_raster(duckdb_store, raster, CITY)


def test_city_without_districts_is_refused(duckdb_store, tmp_path):
    raster = write_raster(tmp_path / "people_2025.tif", PEOPLE)
    with pytest.raises(IngestError, match="people_2025.tif: .*no districts.*ingest boundaries"):
        ingest_raster(duckdb_store, raster, CITY)


def test_bad_rasters_get_errors_naming_file_and_fix(duckdb_store, tmp_path):
    ingest_boundaries(duckdb_store, write_boundaries(tmp_path, BOXES), CITY,
                      tmp_path / "boundaries.yaml")
    no_crs = write_raster(tmp_path / "nocrs_2025.tif", PEOPLE, crs=None)
    with pytest.raises(IngestError, match=r"nocrs_2025\.tif: the raster has no CRS.*fix"):
        ingest_raster(duckdb_store, no_crs, CITY)

    broken = tmp_path / "broken_2025.tif"
    broken.write_bytes(b"this is not a GeoTIFF")
    with pytest.raises(IngestError, match=r"broken_2025\.tif: cannot read the raster.*fix"):
        ingest_raster(duckdb_store, broken, CITY)

    with pytest.raises(IngestError, match=r"missing_2025\.tif: cannot read the file.*fix"):
        ingest_raster(duckdb_store, tmp_path / "missing_2025.tif", CITY)

    far_away = tmp_path / "far"
    far_away.mkdir()
    elsewhere = write_raster(far_away / "people_2025.tif", PEOPLE)
    other = write_boundaries(far_away, {"x": (100, 100, 102, 102)}, slug="elsewhere")
    ingest_boundaries(duckdb_store, other, "elsewhere", far_away / "boundaries.yaml")
    with pytest.raises(IngestError, match=r"people_2025\.tif: the raster does not overlap.*fix"):
        ingest_raster(duckdb_store, elsewhere, "elsewhere")
    assert duckdb_store.observations("elsewhere").empty


@pytest.mark.realdata
def test_worldpop_over_sierra_de_neiba(store, shared_data, tmp_path):
    rasters = shared_data / "rasters"
    spec = tmp_path / "neiba.yaml"
    spec.write_text(
        "feed: boundaries\n"
        "city: {slug: neiba, name_en: Sierra de Neiba, name_ar: سييرا دي نيبا, country: DO}\n"
        "code: {column: WDPAID}\n",
        encoding="utf-8",
    )
    ingest_boundaries(store, rasters / "sierra_de_neiba_478140.gpkg", "neiba", spec)
    run = ingest_raster(store, rasters / "ppp_2020_1km_Aggregated.tif", "neiba")
    assert (run.status, run.rows_loaded) == ("succeeded", 3)

    table = observation_table(store, "neiba")
    assert set(table["period"]) == {"2020"}  # from the file name
    assert table.loc[("478140", "population"), "value"] == pytest.approx(4146.592, rel=1e-3)
    lon = table.loc[("478140", "population_centre_lon"), "value"]
    lat = table.loc[("478140", "population_centre_lat"), "value"]
    assert -71.81 < lon < -71.33 and 18.57 < lat < 18.70  # inside the park's bounds


def test_band_nodata_and_unit_options_shape_the_sums(city_with_districts, tmp_path):
    """A raster that declares no nodata but marks gaps with 7777, counts in its second band:
    --band 2, --nodata 7777 and --unit residents give the sums without the gaps."""
    import rasterio
    from rasterio.transform import Affine
    from tiny_rasters import CELL, ORIGIN_X, ORIGIN_Y

    from ingest.feeds import family
    from ingest.runner import run_feed

    store = city_with_districts
    counts = PEOPLE.astype("int32")
    counts[0, 0] = 7777  # a gap in district 01
    raster = tmp_path / "people_2025.tif"
    with rasterio.open(raster, "w", driver="GTiff", width=counts.shape[1],
                       height=counts.shape[0], count=2, dtype="int32", crs=UTM,
                       transform=Affine(CELL, 0.0, ORIGIN_X, 0.0, -CELL, ORIGIN_Y)) as out:
        out.write(np.zeros_like(counts), 1)
        out.write(counts, 2)
    run = run_feed(family("raster"), store, raster, CITY, band="2", nodata="7777",
                   unit="residents")
    assert run.status == "succeeded", run.message
    table = observation_table(store)
    expected = PEOPLE[:, :3].sum() - PEOPLE[0, 0]
    assert table.loc[("01", "population"), "value"] == pytest.approx(expected)
    assert table.loc[("02", "population"), "value"] == pytest.approx(PEOPLE[:, 3:].sum())
    assert table.loc[("01", "population"), "unit"] == "residents"
    with pytest.raises(IngestError, match="--band 'two' is not a whole number"):
        run_feed(family("raster"), store, raster, CITY, band="two")
