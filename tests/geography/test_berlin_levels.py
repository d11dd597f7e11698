"""Berlin's real levels: forecast areas nest in districts, the 2020 planning areas carried onto
the 2021 forecast areas with totals kept and tobler as the oracle, and how many were split."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix

from observatory.geography.crosswalk import area_weights, carry
from observatory.geography.matching import match_versions
from observatory.geography.nesting import nest_by_overlap, nest_by_prefix
from observatory.geography.overlaps import coded, overlap_pieces

pytestmark = pytest.mark.realdata

LOCAL_CRS = "EPSG:25833"  # ETRS89 / UTM 33N
VARIABLES = ["inhabitants_foreigners", "inhabitants"]
SPLIT_2020_PLANNING_AREAS = 6  # measured: divided between forecast areas, ≥ 1 % in each part


def _level(path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path).rename(columns={"id": "code", "name": "name_en"})
    return frame[["code", "name_en", "geometry"]]


@pytest.fixture(scope="module")
def berlin(shared_data) -> dict[str, gpd.GeoDataFrame]:
    folder = shared_data / "berlin"
    districts = _level(folder / "districts.geojson")
    planning = _level(folder / "planning-areas-until-2020.geojson")
    return {"districts": districts, "forecast": _level(folder / "forecast-areas-2021.geojson"),
            "planning": _recode_charlottenburg_schlossstrasse(planning, districts)}


@pytest.fixture(scope="module")
def table_2020(shared_data) -> pd.DataFrame:
    return pd.read_csv(shared_data / "berlin" / "t1-planning-areas-2020-02.csv", dtype=str)


def _recode_charlottenburg_schlossstrasse(planning: gpd.GeoDataFrame,
                                          districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 2020 file codes two areas 06010102 (Schloßstraße). The first lies wholly in district
    04: it is Charlottenburg's Schloßstraße, 04030417, the one code of the 2020 table without a
    geometry; the second is Steglitz's, in district 06. Recoding the first keeps both."""
    twice = planning.index[planning["code"] == "06010102"]
    placed = nest_by_overlap(planning.loc[twice].assign(code=["first", "second"]), districts,
                             LOCAL_CRS)
    assert placed.parent_of == {"first": "04", "second": "06"} and placed.nests
    fixed = planning.copy()
    fixed.loc[twice[0], "code"] = "04030417"
    return fixed


def test_forecast_areas_nest_in_districts_by_overlap_and_by_code(berlin):
    by_overlap = nest_by_overlap(berlin["forecast"], berlin["districts"], LOCAL_CRS)
    assert by_overlap.nests and len(by_overlap.parent_of) == 58
    by_code = nest_by_prefix(berlin["forecast"]["code"].tolist(), 2,
                             berlin["districts"]["code"].tolist())
    assert by_code.nests and by_code.parent_of == by_overlap.parent_of


def test_planning_areas_2020_nest_in_districts_by_overlap_and_by_code(berlin):
    by_overlap = nest_by_overlap(berlin["planning"], berlin["districts"], LOCAL_CRS)
    by_code = nest_by_prefix(berlin["planning"]["code"].tolist(), 2,
                             berlin["districts"]["code"].tolist())
    assert by_overlap.nests and by_code.nests and by_code.parent_of == by_overlap.parent_of


def test_planning_areas_2020_split_between_forecast_areas_2021(berlin):
    match = match_versions(berlin["planning"], berlin["forecast"], LOCAL_CRS)
    print(f"2020 planning areas split between 2021 forecast areas: {len(match.split)} "
          f"({', '.join(match.split)})")
    assert match.split == ("01022103", "04030726", "04061757", "05020627", "09020602",
                           "11040925")
    assert len(match.split) == SPLIT_2020_PLANNING_AREAS
    assert match.kept == match.recoded == ()  # no planning area is a forecast area of its own
    assert len(match.merged) == 58


def test_2020_counts_carried_onto_forecast_areas_keep_totals_and_equal_tobler(berlin,
                                                                             table_2020):
    tobler = pytest.importorskip("tobler.area_weighted")
    planning, forecast = berlin["planning"], berlin["forecast"]
    assert set(table_2020["id"]) == set(planning["code"])
    weights = area_weights(planning, forecast, LOCAL_CRS)
    assert weights["from_code"].nunique() == 448
    values = table_2020.melt(id_vars="id", value_vars=VARIABLES, var_name="variable")
    values = values.rename(columns={"id": "from_code"}).astype({"value": float})

    carried = carry(values, weights, ["variable"])
    before = values.groupby("variable")["value"].sum()
    after = carried.groupby("variable")["value"].sum()
    print(f"totals before {before.to_dict()}, after {after.to_dict()}")
    np.testing.assert_allclose(after[VARIABLES], before[VARIABLES], rtol=1e-9)
    ours = carried.pivot(index="to_code", columns="variable", values="value")[VARIABLES]

    source = planning.merge(table_2020.astype({v: float for v in VARIABLES}),
                            left_on="code", right_on="id").to_crs(LOCAL_CRS)
    target = forecast.set_index("code").to_crs(LOCAL_CRS)
    # tobler keeps its area table in float32: agreement to float32 precision
    oracle = tobler.area_interpolate(source, target, extensive_variables=VARIABLES)
    deviation = (ours / oracle.loc[ours.index, VARIABLES].to_numpy() - 1).abs().max().max()
    print(f"largest relative deviation from tobler (float32 areas): {deviation:.2e}")
    np.testing.assert_allclose(ours, oracle.loc[ours.index, VARIABLES], rtol=1e-6)

    # given our float64 intersection areas, tobler's weighting gives the same numbers
    pieces = overlap_pieces(coded(source, LOCAL_CRS), coded(target.reset_index(), LOCAL_CRS))
    rows = pd.Index(source["code"]).get_indexer(pieces["left"])
    cols = target.index.get_indexer(pieces["right"])
    areas = csr_matrix((pieces["area"], (rows, cols)), shape=(len(source), len(target)))
    same = tobler.area_interpolate(source, target, extensive_variables=VARIABLES, table=areas)
    np.testing.assert_allclose(ours, same.loc[ours.index, VARIABLES], rtol=1e-12)
