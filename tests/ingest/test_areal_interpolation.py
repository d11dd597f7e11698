"""Voronoi cells and areal interpolation: hand-computed cases, exact totals, and tobler as the
oracle on real tracts -> ZIP codes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import csr_matrix

from observatory.geography.interpolation import area_table, interpolate, voronoi_cells

SQUARES = gpd.GeoSeries([shapely.box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(3)],
                        index=["01", "02", "03"], crs="EPSG:32636")
OUTLINE = shapely.box(0, 0, 3000, 1000)


def _sites(xy) -> gpd.GeoSeries:
    return gpd.GeoSeries(shapely.points(np.asarray(xy, dtype=float)), crs="EPSG:32636")


def test_voronoi_cells_are_clipped_to_the_outline_and_keep_the_site_order():
    cells = voronoi_cells(_sites([(2500, 500), (250, 500), (1250, 500)]), OUTLINE)
    assert cells.area.tolist() == pytest.approx([1_125_000, 750_000, 1_125_000])
    assert shapely.contains(cells.values, _sites([(2500, 500), (250, 500), (1250, 500)]).values).all()
    assert cells.union_all().area == pytest.approx(OUTLINE.area)


def test_a_single_site_gets_the_whole_city():
    cells = voronoi_cells(_sites([(10, 10)]), OUTLINE)
    assert cells.iloc[0].equals(OUTLINE)


def test_extensive_and_intensive_weights_by_hand():
    table = area_table(voronoi_cells(_sites([(250, 500), (1250, 500), (2500, 500)]), OUTLINE),
                       SQUARES)
    counts = interpolate(pd.DataFrame({"source": [0, 1, 2], "value": [1000.0, 900.0, 450.0]}),
                         table, "extensive").set_index("target")["value"]
    assert counts.to_dict() == pytest.approx({"01": 1200.0, "02": 750.0, "03": 400.0})
    rates = interpolate(pd.DataFrame({"source": [0, 1, 2], "value": [0.1, 0.5, 0.9]}),
                        table, "intensive").set_index("target")["value"]
    assert rates.to_dict() == pytest.approx({"01": 0.2, "02": 0.55, "03": 0.9})


def test_intensive_values_average_only_over_sources_that_have_a_value():
    table = area_table(voronoi_cells(_sites([(250, 500), (1250, 500), (2500, 500)]), OUTLINE),
                       SQUARES)
    values = pd.DataFrame({"source": [0, 1, 2, 0, 2], "period": ["a", "a", "a", "b", "b"],
                           "value": [0.1, 0.5, 0.9, 0.3, 0.7]})
    rates = interpolate(values, table, "intensive", by=["period"])
    b = rates[rates["period"] == "b"].set_index("target")["value"]
    assert b.to_dict() == pytest.approx({"01": 0.3, "02": 0.7, "03": 0.7})


def test_totals_are_preserved_for_random_sites_and_groups():
    rng = np.random.default_rng(7)
    sites = _sites(np.column_stack([rng.uniform(0, 3000, 40), rng.uniform(0, 1000, 40)]))
    table = area_table(voronoi_cells(sites, OUTLINE), SQUARES)
    values = pd.DataFrame({"source": np.repeat(np.arange(40), 3),
                           "group": np.tile(["x", "y", "z"], 40),
                           "value": rng.uniform(0, 1e6, 120)})
    moved = interpolate(values, table, "extensive", by=["group"])
    before = values.groupby("group")["value"].sum()
    after = moved.groupby("group")["value"].sum()
    np.testing.assert_allclose(after.to_numpy(), before.to_numpy(), rtol=1e-9)
    assert moved["target"].nunique() == 3


@pytest.mark.realdata
def test_tracts_to_zip_codes_match_tobler(shared_data):
    tobler = pytest.importorskip("tobler.area_weighted")
    crs = "EPSG:26910"  # NAD83 / UTM 10N: areas in metres, as tobler needs them too
    tracts = gpd.read_file(shared_data / "pysal" / "sacramento1.geojson").to_crs(crs)
    zips = gpd.read_file("/vsizip/" + str(shared_data / "pysal" / "sacramento2_zipcodes.zip")
                         + "/SacramentoMSA2/SacramentoMSA2.shp").to_crs(crs)

    table = area_table(tracts.geometry, zips.geometry)
    ours = interpolate(pd.DataFrame({"source": tracts.index, "value": tracts["TOT_POP"]}),
                       table, "extensive").set_index("target")["value"]
    assert len(ours) > 100
    assert ours.sum() == pytest.approx(tracts["TOT_POP"].sum(), rel=1e-9)

    # tobler keeps its area table in float32: agreement to float32 precision
    oracle = tobler.area_interpolate(tracts, zips, extensive_variables=["TOT_POP"])["TOT_POP"]
    np.testing.assert_allclose(ours.to_numpy(), oracle.loc[ours.index].to_numpy(), rtol=1e-6)
    assert (oracle.drop(ours.index) == 0).all()  # ZIP codes no tract reaches get nothing

    # given our float64 areas, tobler's weighting must give the same numbers to rounding
    areas = csr_matrix((table["area"], (table["source"], table["target"])),
                       shape=(len(tracts), len(zips)))
    same = tobler.area_interpolate(tracts, zips, extensive_variables=["TOT_POP"],
                                   table=areas)["TOT_POP"]
    np.testing.assert_allclose(ours.to_numpy(), same.loc[ours.index].to_numpy(), rtol=1e-12)
