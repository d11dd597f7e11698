"""Zonal sums with exact partial-pixel coverage, on tiny rasters written here and on WorldPop."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from exactextract import exact_extract
from rasterio.transform import Affine
from shapely.geometry import Point, Polygon, box

from ingest.errors import IngestError
from ingest.raster import zonal_sums

# A 10 m grid in UTM 33N whose top-left corner is (500000, 5000000).
ORIGIN_X, ORIGIN_Y, CELL = 500_000.0, 5_000_000.0, 10.0
UTM = "EPSG:32633"


def write_raster(path: Path, values: np.ndarray, *, nodata=None) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=values.shape[1],
        height=values.shape[0],
        count=1,
        dtype=values.dtype,
        crs=UTM,
        transform=Affine(CELL, 0.0, ORIGIN_X, 0.0, -CELL, ORIGIN_Y),
        nodata=nodata,
    ) as dst:
        dst.write(values, 1)
    return path


def pixel_box(col0: float, row0: float, col1: float, row1: float):
    """A rectangle given in pixel coordinates of the test grid (columns right, rows down)."""
    return box(
        ORIGIN_X + col0 * CELL,
        ORIGIN_Y - row1 * CELL,
        ORIGIN_X + col1 * CELL,
        ORIGIN_Y - row0 * CELL,
    )


def pixel_polygon(*corners):
    """A polygon given by corners in pixel coordinates of the test grid."""
    return Polygon([(ORIGIN_X + col * CELL, ORIGIN_Y - row * CELL) for col, row in corners])


def zones(*geometries, crs=UTM) -> gpd.GeoDataFrame:
    codes = [f"z{i}" for i in range(len(geometries))]
    return gpd.GeoDataFrame({"code": codes}, geometry=list(geometries), crs=crs)


@pytest.fixture
def ramp_raster(tmp_path) -> Path:
    values = np.arange(1, 7 * 9 + 1, dtype="float32").reshape(7, 9)
    return write_raster(tmp_path / "ramp.tif", values)


def test_half_a_pixel_gets_half_its_value(ramp_raster):
    # Left half of the pixel at row 2, column 3, whose value is 2*9 + 3 + 1 = 22.
    result = zonal_sums(ramp_raster, zones(pixel_box(3, 2, 3.5, 3)))
    assert result["z0"] == pytest.approx(11.0, rel=1e-12)


def test_half_a_pixel_cut_diagonally_gets_half_its_value(ramp_raster):
    triangle = pixel_polygon((3, 2), (4, 2), (3, 3))
    assert zonal_sums(ramp_raster, zones(triangle))["z0"] == pytest.approx(11.0, rel=1e-12)


def test_pixel_aligned_square_equals_the_plain_sum(ramp_raster):
    values = np.arange(1, 7 * 9 + 1, dtype="float64").reshape(7, 9)
    result = zonal_sums(ramp_raster, zones(pixel_box(2, 1, 6, 5)))
    assert result["z0"] == pytest.approx(values[1:5, 2:6].sum(), rel=1e-12)


def test_fractions_add_up_for_zones_that_tile_the_raster(ramp_raster):
    # Two zones split by a slanted line across the whole raster: together they hold everything.
    left = pixel_polygon((0, 0), (3.3, 0), (6.1, 7), (0, 7))
    right = pixel_polygon((3.3, 0), (9, 0), (9, 7), (6.1, 7))
    result = zonal_sums(ramp_raster, zones(left, right))
    assert result.sum() == pytest.approx(sum(range(1, 64)), rel=1e-12)
    assert result["z0"] > 0 and result["z1"] > 0


def test_matches_exactextract_on_odd_shapes_and_strips(tmp_path):
    rng = np.random.default_rng(7)
    values = rng.gamma(2.0, 40.0, size=(40, 50)).astype("float32")
    raster = write_raster(tmp_path / "gamma.tif", values)
    circle = Point(ORIGIN_X + 213.7, ORIGIN_Y - 171.2).buffer(97.3)
    with_hole = pixel_box(3.3, 2.7, 31.9, 28.1).difference(
        Point(ORIGIN_X + 170, ORIGIN_Y - 150).buffer(60)
    )
    sliver = pixel_polygon((0.12, 0.11), (3.34, 0.47), (0.49, 0.63))
    gdf = zones(circle, with_hole, sliver)
    expected = exact_extract(str(raster), gdf, "sum", include_cols=["code"], output="pandas")
    expected = expected.set_index("code")["sum"]

    whole = zonal_sums(raster, gdf)
    in_strips = zonal_sums(raster, gdf, max_pixels_per_read=7)  # one row per read

    np.testing.assert_allclose(whole.loc[expected.index], expected, rtol=1e-6)
    np.testing.assert_allclose(in_strips, whole, rtol=1e-12)


def test_zones_are_reprojected_to_the_raster_crs(ramp_raster):
    square = pixel_box(1.25, 1.5, 5.75, 4.5)
    in_raster_crs = zonal_sums(ramp_raster, zones(square))
    in_wgs84 = zonal_sums(ramp_raster, zones(square).to_crs("EPSG:4326"))
    assert in_wgs84["z0"] == pytest.approx(in_raster_crs["z0"], rel=1e-6)


def test_float_nodata_and_nan_are_skipped(tmp_path):
    nodata = -3.4e38
    values = np.full((3, 3), 5.0, dtype="float32")
    values[0, 0] = nodata
    values[1, 1] = np.nan
    raster = write_raster(tmp_path / "holes.tif", values, nodata=nodata)
    result = zonal_sums(raster, zones(pixel_box(0, 0, 3, 3), pixel_box(0, 0, 1, 1)))
    assert result["z0"] == pytest.approx(7 * 5.0)
    # Only nodata under the zone: no data, which is not the same as nobody.
    assert np.isnan(result["z1"])


def test_zone_outside_the_raster_gets_nan_and_others_keep_their_codes(ramp_raster):
    far = pixel_box(100, 100, 101, 101)
    result = zonal_sums(ramp_raster, zones(far, pixel_box(0, 0, 1, 1)))
    assert list(result.index) == ["z0", "z1"]
    assert np.isnan(result["z0"]) and result["z1"] == pytest.approx(1.0)


def test_arabic_codes_are_kept_as_the_index(ramp_raster):
    gdf = gpd.GeoDataFrame(
        {"name_ar": ["الشرق", "الغرب"]},
        geometry=[pixel_box(0, 0, 1, 1), pixel_box(1, 0, 2, 1)],
        crs=UTM,
    )
    result = zonal_sums(ramp_raster, gdf, code_column="name_ar")
    assert result.to_dict() == {"الشرق": 1.0, "الغرب": 2.0}


def test_bad_zones_get_errors_that_say_the_fix(ramp_raster):
    gdf = zones(pixel_box(0, 0, 1, 1), pixel_box(1, 0, 2, 1))
    with pytest.raises(
        IngestError, match="column district: the zones have no column.*code_column="
    ):
        zonal_sums(ramp_raster, gdf, code_column="district")
    with pytest.raises(IngestError, match="row 2, column code: zone code 'z0' repeats.*dissolve"):
        zonal_sums(ramp_raster, gdf.assign(code="z0"))
    with pytest.raises(IngestError, match="no CRS.*set_crs"):
        zonal_sums(ramp_raster, gdf.set_crs(None, allow_override=True))


@pytest.mark.realdata
def test_worldpop_sum_over_sierra_de_neiba_matches_exactextract(shared_data):
    raster = shared_data / "rasters" / "ppp_2020_1km_Aggregated.tif"
    park = gpd.read_file(shared_data / "rasters" / "sierra_de_neiba_478140.gpkg")
    result = zonal_sums(raster, park, code_column="WDPAID")
    assert result.iloc[0] == pytest.approx(4146.592, rel=1e-3)
    oracle = exact_extract(str(raster), park, "sum", output="pandas")["sum"].iloc[0]
    assert result.iloc[0] == pytest.approx(oracle, rel=1e-9)


@pytest.mark.realdata
def test_burundi_uint16_nodata_is_excluded(shared_data):
    raster = shared_data / "rasters" / "burundi_worldpop.tif"
    rows, cols = slice(0, 60), slice(0, 80)
    with rasterio.open(raster) as src:
        window = src.read(1, window=((rows.start, rows.stop), (cols.start, cols.stop)), masked=True)
        assert src.nodata == 65535
        left, top = src.transform @ (cols.start, rows.start)
        right, bottom = src.transform @ (cols.stop, rows.stop)
    assert window.mask.any() and not window.mask.all()  # the window really mixes data and nodata
    expected = float(window.astype("float64").sum())

    square = gpd.GeoDataFrame(
        {"code": ["nw"]}, geometry=[box(left, bottom, right, top)], crs="EPSG:4326"
    )
    result = zonal_sums(raster, square)
    assert result["nw"] == pytest.approx(expected, rel=1e-9)
    assert result["nw"] < window.data.astype("float64").sum()  # counting 65535s would inflate it
