"""Population-weighted centres: hand-computed on tiny rasters, and against exactextract."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from exactextract import exact_extract
from shapely.geometry import Point
from tiny_rasters import UTM, grid_xy, pixel_box, pixel_polygon, write_raster

from ingest.errors import IngestError
from ingest.raster import population_centres, zonal_sums


def zones(*geometries, crs=UTM) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": [f"z{i}" for i in range(len(geometries))]},
                            geometry=list(geometries), crs=crs)


def in_utm(centres: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    points = centres.to_crs(UTM).geometry
    return {code: (point.x, point.y) for code, point in points.items()}


def test_centres_are_lon_lat_points_indexed_by_code(tmp_path):
    raster = write_raster(tmp_path / "flat.tif", np.ones((4, 4), dtype="float32"))
    centres = population_centres(raster, zones(pixel_box(0, 0, 4, 4)))
    assert centres.crs.to_epsg() == 4326
    assert list(centres.index) == ["z0"] and centres.index.name == "code"
    lon, lat = centres.geometry.iloc[0].x, centres.geometry.iloc[0].y
    assert 14.9 < lon < 15.1 and 45.1 < lat < 45.2  # UTM 33N central meridian is 15°E


def test_uniform_population_puts_the_centre_at_the_square_centre(tmp_path):
    raster = write_raster(tmp_path / "flat.tif", np.full((6, 8), 3.0, dtype="float32"))
    centres = population_centres(raster, zones(pixel_box(1, 1, 7, 5)))
    x, y = in_utm(centres)["z0"]
    assert (x, y) == pytest.approx(grid_xy(4, 3), abs=1e-6)
    assert not centres["representative_point"].iloc[0]


def test_centre_leans_towards_the_heavier_pixel(tmp_path):
    # Pixel (row 0, col 0) holds 1 person, pixel (row 0, col 1) holds 3: the weighted mean of
    # the pixel centres 0.5 and 1.5 is (0.5*1 + 1.5*3) / 4 = 1.25 pixels from the left edge.
    raster = write_raster(tmp_path / "two.tif", np.array([[1.0, 3.0]], dtype="float32"))
    centres = population_centres(raster, zones(pixel_box(0, 0, 2, 1)))
    assert in_utm(centres)["z0"] == pytest.approx(grid_xy(1.25, 0.5), abs=1e-6)
    assert centres["sum"].iloc[0] == pytest.approx(4.0)


def test_partly_covered_pixels_weigh_by_their_covered_fraction(tmp_path):
    # 2 persons per pixel; the zone covers half of pixel column 0 and all of column 1, so the
    # weights are 1 and 2 at the pixel centres 0.5 and 1.5: (0.5*1 + 1.5*2) / 3 = 7/6.
    raster = write_raster(tmp_path / "even.tif", np.full((1, 3), 2.0, dtype="float32"))
    centres = population_centres(raster, zones(pixel_box(0.5, 0, 2, 1)))
    assert in_utm(centres)["z0"] == pytest.approx(grid_xy(7 / 6, 0.5), abs=1e-6)
    assert centres["sum"].iloc[0] == pytest.approx(3.0)


def test_zones_without_population_fall_back_to_a_point_inside_and_say_so(tmp_path):
    values = np.zeros((6, 6), dtype="float32")
    values[0, 0] = 10.0
    raster = write_raster(tmp_path / "empty.tif", values)
    # An L-shaped empty zone (its centroid lies outside it) and a zone off the raster.
    l_shape = pixel_polygon((2, 0), (6, 0), (6, 6), (5, 6), (5, 1), (2, 1))
    off_raster = pixel_box(50, 50, 52, 52)
    centres = population_centres(raster, zones(pixel_box(0, 0, 1, 1), l_shape, off_raster))
    assert centres["representative_point"].tolist() == [False, True, True]
    assert centres.loc["z1", "sum"] == 0.0 and np.isnan(centres.loc["z2", "sum"])
    utm = centres.to_crs(UTM).geometry
    assert l_shape.contains(utm["z1"]) and off_raster.contains(utm["z2"])


def test_one_pass_gives_the_same_sums_as_zonal_sums_and_strips_change_nothing(tmp_path):
    rng = np.random.default_rng(11)
    raster = write_raster(tmp_path / "gamma.tif",
                          rng.gamma(2.0, 30.0, size=(30, 40)).astype("float32"))
    gdf = zones(Point(grid_xy(17.3, 12.1)).buffer(83.0),
                pixel_polygon((1.2, 1.1), (25.7, 3.3), (9.9, 27.4)))
    whole = population_centres(raster, gdf)
    in_strips = population_centres(raster, gdf, max_pixels_per_read=5)
    np.testing.assert_allclose(whole["sum"], zonal_sums(raster, gdf), rtol=1e-12)
    for code, (x, y) in in_utm(whole).items():
        assert in_utm(in_strips)[code] == pytest.approx((x, y), abs=1e-6)


def exactextract_centre(raster, gdf: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    """The oracle: exactextract's per-pixel coverage, value and centre, averaged by hand."""
    cells = exact_extract(str(raster), gdf, ["coverage", "values", "center_x", "center_y"],
                          output="pandas")
    centres = []
    for _, zone in cells.iterrows():
        weights = zone["coverage"] * zone["values"]
        centres.append((float(weights @ zone["center_x"] / weights.sum()),
                        float(weights @ zone["center_y"] / weights.sum())))
    return centres


def test_matches_a_centre_computed_from_exactextract_cells(tmp_path):
    rng = np.random.default_rng(3)
    raster = write_raster(tmp_path / "gamma.tif",
                          rng.gamma(1.5, 50.0, size=(40, 50)).astype("float32"))
    with_hole = pixel_box(3.3, 2.7, 31.9, 28.1).difference(Point(grid_xy(17, 15)).buffer(60))
    gdf = zones(Point(grid_xy(21.37, 17.12)).buffer(97.3), with_hole,
                pixel_polygon((0.12, 0.11), (3.34, 0.47), (0.49, 0.63)))
    ours = list(in_utm(population_centres(raster, gdf)).values())
    for got, expected in zip(ours, exactextract_centre(raster, gdf), strict=True):
        assert got == pytest.approx(expected, abs=1e-4)  # metres


def test_unreadable_raster_gets_an_error_naming_the_file(tmp_path):
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"II*\x00 not really a tiff")
    with pytest.raises(IngestError, match=r"broken\.tif: cannot read the raster.*gdalinfo"):
        population_centres(broken, zones(pixel_box(0, 0, 1, 1)))


@pytest.mark.realdata
def test_worldpop_centre_over_sierra_de_neiba_matches_exactextract(shared_data):
    raster = shared_data / "rasters" / "ppp_2020_1km_Aggregated.tif"
    park = gpd.read_file(shared_data / "rasters" / "sierra_de_neiba_478140.gpkg")
    centres = population_centres(raster, park, code_column="WDPAID")
    assert centres["sum"].iloc[0] == pytest.approx(4146.592, rel=1e-3)
    centre = centres.geometry.iloc[0]
    # The raster is in degrees, so the oracle's centre is lon/lat too; 1e-9° is ~0.1 mm.
    assert (centre.x, centre.y) == pytest.approx(exactextract_centre(raster, park)[0], abs=1e-9)
    assert park.geometry.iloc[0].buffer(0.01).contains(centre)
