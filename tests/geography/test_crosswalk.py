"""Crosswalk weights (area, raster and finer-level dasymetric) and carrying counts over them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from geo_boxes import CRS, areas
from rasterio.transform import from_origin

from observatory.geography.crosswalk import (
    METHODS,
    area_weights,
    carry,
    finer_level_weights,
    raster_weights,
)
from observatory.geography.interpolation import voronoi_cells


def _as_dict(weights: pd.DataFrame) -> dict[tuple[str, str], tuple[float, str]]:
    return {(f, t): (w, m) for f, t, w, m in weights.itertuples(index=False)}


def test_area_weights_give_each_source_whole_to_the_targets_it_meets():
    sources = areas({"S1": (0, 0, 1000, 1000), "S2": (1000, 0, 2000, 1000)})
    targets = areas({"T1": (0, 0, 1500, 1000), "T2": (1500, 0, 1800, 1000)})  # 200 m of S2 outside
    weights = area_weights(sources, targets, CRS)
    assert list(weights.columns) == ["from_code", "to_code", "weight", "method"]
    assert weights["weight"].dtype == np.float64
    assert _as_dict(weights) == {("S1", "T1"): (1.0, METHODS[0]),
                                 ("S2", "T1"): (pytest.approx(5 / 8), METHODS[0]),
                                 ("S2", "T2"): (pytest.approx(3 / 8), METHODS[0])}


def test_raster_weights_with_partial_pixels_and_the_no_population_fallback(tmp_path):
    # five 500 m pixels in a row: 10, 20, nodata, 0, 40
    path = tmp_path / "people.tif"
    with rasterio.open(path, "w", driver="GTiff", width=5, height=1, count=1, dtype="float32",
                       crs=CRS, transform=from_origin(0, 500, 500, 500), nodata=-1) as out:
        out.write(np.array([[10, 20, -1, 0, 40]], dtype="float32"), 1)
    sources = areas({"S1": (0, 0, 1000, 500), "S2": (1000, 0, 2000, 500),
                     "S3": (2000, 0, 2500, 500)})
    targets = areas({"T1": (0, 0, 750, 500), "T2": (750, 0, 1600, 500),
                     "T3": (1600, 0, 2500, 500)})
    weights = raster_weights(sources, targets, CRS, path)
    # S1∩T1 holds pixel 1 and half of pixel 2 (10 + 10), S1∩T2 the other half (10)
    assert _as_dict(weights) == {
        ("S1", "T1"): (pytest.approx(2 / 3), "population-weighted (raster)"),
        ("S1", "T2"): (pytest.approx(1 / 3), "population-weighted (raster)"),
        ("S2", "T2"): (pytest.approx(0.6), "area-weighted (no population)"),
        ("S2", "T3"): (pytest.approx(0.4), "area-weighted (no population)"),
        ("S3", "T3"): (1.0, "population-weighted (raster)"),
    }


def test_raster_outside_the_areas_means_area_weights(tmp_path):
    path = tmp_path / "elsewhere.tif"
    with rasterio.open(path, "w", driver="GTiff", width=1, height=1, count=1, dtype="float32",
                       crs=CRS, transform=from_origin(90_000, 500, 500, 500)) as out:
        out.write(np.array([[7]], dtype="float32"), 1)
    weights = raster_weights(areas({"S": (0, 0, 1000, 500)}),
                             areas({"T1": (0, 0, 250, 500), "T2": (250, 0, 1000, 500)}), CRS, path)
    assert weights["weight"].tolist() == pytest.approx([0.25, 0.75])
    assert set(weights["method"]) == {"area-weighted (no population)"}


def test_finer_level_weights_by_hand():
    sources = areas({"S1": (0, 0, 1000, 1000), "S2": (1000, 0, 2000, 1000)})
    targets = areas({"T1": (0, 0, 750, 1000), "T2": (750, 0, 2000, 1000)})
    fine = areas({"F1": (0, 0, 500, 1000), "F2": (500, 0, 1000, 1000),
                  "F3": (1000, 0, 2000, 1000)})
    weights = finer_level_weights(sources, targets, CRS, fine, {"F1": 100.0, "F2": 300.0})
    # S1∩T1: F1's 100 and half of F2's 300; S1∩T2: the other 150. S2 holds only F3, nobody.
    assert _as_dict(weights) == {
        ("S1", "T1"): (pytest.approx(250 / 400), "population-weighted (finer level)"),
        ("S1", "T2"): (pytest.approx(150 / 400), "population-weighted (finer level)"),
        ("S2", "T2"): (1.0, "area-weighted (no population)"),
    }


def test_carry_by_hand_and_missing_values_stay_missing():
    weights = pd.DataFrame({"from_code": ["S1", "S2", "S2"], "to_code": ["T1", "T1", "T2"],
                            "weight": [1.0, 5 / 8, 3 / 8], "method": "area-weighted"})
    values = pd.DataFrame({"from_code": ["S1", "S2", "S1", "S2", "S1"],
                           "period": ["a", "a", "b", "b", "c"],
                           "value": [100.0, 80.0, 50.0, np.nan, 40.0]})
    carried = carry(values, weights, ["period"])
    assert list(carried.columns) == ["to_code", "period", "value"]
    got = {(t, p): v for t, p, v in carried.itertuples(index=False)}
    assert got[("T1", "a")] == pytest.approx(150.0) and got[("T2", "a")] == pytest.approx(30.0)
    # b: S2 is missing, so T1 (which needs it) is unknown rather than a too-small 50
    assert np.isnan(got[("T1", "b")]) and np.isnan(got[("T2", "b")])
    # c: S2 has no row at all: T1 is unknown, T2 gets no row (nothing known reaches it)
    assert np.isnan(got[("T1", "c")]) and ("T2", "c") not in got


def test_a_source_with_weight_zero_contributes_nothing_known_or_not():
    weights = pd.DataFrame({"from_code": ["S1", "S2"], "to_code": ["T", "T"],
                            "weight": [1.0, 0.0], "method": "population-weighted (raster)"})
    values = pd.DataFrame({"from_code": ["S1", "S2"], "value": [12.0, np.nan]})
    assert carry(values, weights, [])["value"].tolist() == [12.0]


def test_carry_refuses_two_values_for_one_source_and_key():
    weights = pd.DataFrame({"from_code": ["S"], "to_code": ["T"], "weight": [1.0],
                            "method": "area-weighted"})
    values = pd.DataFrame({"from_code": ["S", "S"], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="one row per source"):
        carry(values, weights, [])


def test_totals_are_preserved_and_weights_sum_to_one_on_random_areas():
    rng = np.random.default_rng(10)
    grid = areas({f"S{i:02d}{j:02d}": (i * 300, j * 100, (i + 1) * 300, (j + 1) * 100)
                  for i in range(10) for j in range(10)})
    sites = gpd.GeoSeries(shapely.points(rng.uniform(0, 3000, 25), rng.uniform(0, 1000, 25)),
                          crs=CRS)
    cells = voronoi_cells(sites, grid.union_all())
    targets = gpd.GeoDataFrame({"code": [f"T{i}" for i in range(25)]}, geometry=cells.values,
                               crs=CRS)
    weights = area_weights(grid, targets, CRS)
    sums = weights.groupby("from_code")["weight"].sum()
    assert len(sums) == 100 and np.abs(sums - 1).max() <= 1e-12
    values = pd.DataFrame({"from_code": np.repeat(grid["code"].to_numpy(), 3),
                           "variable": np.tile(["x", "y", "z"], 100),
                           "value": rng.uniform(0, 1e6, 300)})
    carried = carry(values, weights, ["variable"])
    np.testing.assert_allclose(carried.groupby("variable")["value"].sum().to_numpy(),
                               values.groupby("variable")["value"].sum().to_numpy(), rtol=1e-9)
