"""Coverage simplification: lighter district maps whose neighbours still share their borders."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from rasterio.features import shapes
from rasterio.transform import Affine
from scipy.spatial import cKDTree

from maps.simplify import CoverageWarning, simplify_districts

LOCAL_CRS = "EPSG:32637"  # UTM 37N
PIXEL_M = 10.0


def _districts(n: int, side: int, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` (or a few more) districts with staircase borders, a vertex every 10 m, as a
    coverage in EPSG:4326: Voronoi cells of random seeds drawn on a 10 m raster and polygonised.
    Cells cut in pieces by others become one district per piece."""
    rng = np.random.default_rng(seed)
    seeds = rng.uniform(0, side, (n, 2))
    rows, cols = np.indices((side, side))
    centres = np.column_stack([cols.ravel() + 0.5, rows.ravel() + 0.5])
    labels = cKDTree(seeds).query(centres)[1].reshape(side, side).astype("int32")
    transform = Affine(PIXEL_M, 0, 500_000, 0, -PIXEL_M, 4_100_000)
    polygons = [shapely.geometry.shape(g) for g, _ in shapes(labels, transform=transform)]
    # A vertex at every pixel corner on both sides of each border, so that borders match.
    polygons = shapely.transform(shapely.segmentize(np.array(polygons), PIXEL_M), np.round)
    return gpd.GeoDataFrame(
        {"code": [f"{i:05d}" for i in range(len(polygons))], "name_en": "", "name_ar": ""},
        geometry=polygons,
        crs=LOCAL_CRS,
    ).to_crs(4326)


@pytest.fixture(scope="module")
def city() -> gpd.GeoDataFrame:
    return _districts(300, 400)


def test_neighbours_keep_sharing_their_borders_exactly(city):
    assert shapely.coverage_is_valid(city.geometry.values)  # the test's premise

    simplified = simplify_districts(city, LOCAL_CRS, tolerance_m=10.0)

    assert simplified.crs.to_epsg() == 4326
    assert list(simplified["code"]) == list(city["code"])
    assert shapely.coverage_is_valid(simplified.geometry.values)  # no overlaps, borders match
    local = simplified.to_crs(LOCAL_CRS)
    union = shapely.union_all(local.geometry.values).area
    assert local.area.sum() == pytest.approx(union, rel=1e-9)  # no overlaps
    assert union == pytest.approx(city.to_crs(LOCAL_CRS).area.sum(), rel=1e-3)  # no new gaps
    assert shapely.get_num_coordinates(simplified.geometry.values).sum() < 0.5 * (
        shapely.get_num_coordinates(city.geometry.values).sum()
    )


def test_borders_move_no_further_than_about_the_tolerance(city):
    simplified = simplify_districts(city, LOCAL_CRS, tolerance_m=10.0).to_crs(LOCAL_CRS)
    original = city.to_crs(LOCAL_CRS)

    moved = shapely.hausdorff_distance(original.geometry.values, simplified.geometry.values)
    assert moved.max() <= 2 * 10.0
    assert moved.max() > 0  # it did simplify


def test_simplifying_each_district_alone_would_break_borders(city):
    """Why the coverage version: the naive one opens gaps and overlaps (the test can fail)."""
    local = city.to_crs(LOCAL_CRS)
    naive = local.geometry.simplify(10.0).values

    assert not shapely.coverage_is_valid(naive)


@pytest.mark.slow
def test_a_5000_district_map_gets_much_smaller():
    city = _districts(5000, 1000)
    assert len(city) >= 5000

    simplified = simplify_districts(city, LOCAL_CRS, tolerance_m=10.0)

    before = len(city.to_json().encode())
    after = len(simplified.to_json().encode())
    assert after < 0.5 * before, f"{before:,} -> {after:,} bytes"
    assert shapely.coverage_is_valid(simplified.geometry.values)


def test_overlapping_districts_are_simplified_with_a_warning():
    overlapping = gpd.GeoDataFrame(
        {"code": ["1", "2"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(900, 0, 2000, 1000)],
        crs=LOCAL_CRS,
    )
    with pytest.warns(CoverageWarning, match="repair the boundaries file"):
        simplified = simplify_districts(overlapping, LOCAL_CRS, tolerance_m=5.0)
    assert simplified.crs.to_epsg() == 4326 and len(simplified) == 2


@pytest.mark.parametrize("tolerance", [0, -5, float("nan")])
def test_tolerance_must_be_positive_metres(city, tolerance):
    with pytest.raises(ValueError, match="positive number of metres"):
        simplify_districts(city, LOCAL_CRS, tolerance_m=tolerance)
