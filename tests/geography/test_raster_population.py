"""Raster population of polygons against exactextract, the oracle, on a real WorldPop clip."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely

from observatory.geography.crosswalk import raster_sums, raster_weights

pytestmark = pytest.mark.realdata

LOCAL_CRS = "EPSG:32619"  # UTM 19N, Hispaniola


def test_population_sums_and_weights_equal_exactextract(shared_data):
    exactextract = pytest.importorskip("exactextract")
    raster = shared_data / "rasters" / "ppp_2020_1km_Aggregated.tif"
    park = gpd.read_file(shared_data / "rasters" / "sierra_de_neiba_478140.gpkg")
    source = gpd.GeoDataFrame({"code": ["478140"]}, geometry=park.geometry.values, crs=park.crs)
    outline = source.to_crs(LOCAL_CRS).geometry.iloc[0]
    minx, miny, maxx, maxy = outline.bounds
    middle = outline.centroid.x
    halves = gpd.GeoDataFrame(
        {"code": ["west", "east"]},
        geometry=[outline.intersection(shapely.box(minx, miny, middle, maxy)),
                  outline.intersection(shapely.box(middle, miny, maxx, maxy))],
        crs=LOCAL_CRS).to_crs(park.crs)

    def oracle(polygons: gpd.GeoDataFrame) -> np.ndarray:
        return exactextract.exact_extract(str(raster), polygons, "sum",
                                          output="pandas")["sum"].to_numpy()

    with rasterio.open(raster) as grid:
        whole, parts = raster_sums(source.geometry, grid), raster_sums(halves.geometry, grid)
    assert whole == pytest.approx([4146.592], abs=1e-3)  # WorldPop's published sum
    np.testing.assert_allclose(whole, oracle(source), rtol=1e-6)
    np.testing.assert_allclose(parts, oracle(halves), rtol=1e-6)

    weights = raster_weights(source, halves, LOCAL_CRS, raster).set_index("to_code")
    assert set(weights["method"]) == {"population-weighted (raster)"}
    np.testing.assert_allclose(weights.loc[["west", "east"], "weight"],
                               oracle(halves) / oracle(halves).sum(), rtol=1e-6)
