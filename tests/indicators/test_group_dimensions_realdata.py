"""Segregation, shares, location quotients and Moran's I over dimensions other than citizenship,
on real files through the shipped specs, checked against PySAL computed from the source files
themselves: Chicago's foreign-born (birthplace) per community area and Berlin's residents with
a migration background per forecast area."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from indicators.compute import compute_city, compute_frameworks
from indicators.disclosure.rounding import round_significant
from ingest.jobs import ingest_boundaries, ingest_census
from observatory.services.callers import Caller
from observatory.services.errors import InvalidRequest
from observatory.services.indicator_catalog import indicator_catalog
from observatory.services.segregation import city_segregation
from observatory.settings import DisclosureSettings
from observatory.store import open_store

pytestmark = pytest.mark.realdata

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs"
OFFICER = Caller("officer")
# our name -> (PySAL class, keyword arguments). PySAL's Gini takes 11 s on 77 areas: it is
# checked against the pairwise definition instead (and against PySAL on Sacramento elsewhere).
SINGLE_GROUP = {
    "dissimilarity": ("Dissim", {}),
    "isolation": ("Isolation", {}),
    "interaction": ("Interaction", {}),
    "theil_entropy": ("Entropy", {}),
    "atkinson_b0.5": ("Atkinson", {"b": 0.5}),
}
MULTIGROUP = {
    "multigroup_dissimilarity": ("MultiDissim", {}),
    "multigroup_theil": ("MultiInfoTheory", {}),
    "simpsons_interaction": ("SimpsonsInteraction", {}),
}


def _oracle(frame: pd.DataFrame, group: str, other: str) -> dict[str, float]:
    single = pytest.importorskip("segregation.singlegroup")
    multi = pytest.importorskip("segregation.multigroup")
    frame = frame.assign(_total=frame[group] + frame[other])
    values = {name: getattr(single, cls)(frame, group, "_total", **kw).statistic
              for name, (cls, kw) in SINGLE_GROUP.items()}
    values |= {name: getattr(multi, cls)(frame, [group, other], **kw).statistic
               for name, (cls, kw) in MULTIGROUP.items()}
    t = frame["_total"].to_numpy(dtype=float)
    p = frame[group].to_numpy(dtype=float) / t
    share = frame[group].sum() / t.sum()
    pairs = (t[:, None] * t[None, :] * np.abs(p[:, None] - p[None, :])).sum()
    values["gini"] = pairs / (2 * t.sum() ** 2 * share * (1 - share))
    return values


def _moran(shapes: gpd.GeoDataFrame, share: pd.Series) -> float:
    libpysal = pytest.importorskip("libpysal")
    esda = pytest.importorskip("esda")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.Queen.from_dataframe(shapes, use_index=False)
        return float(esda.Moran(share.to_numpy(), w, permutations=0).I)


@pytest.fixture(scope="module")
def chicago(tmp_path_factory, shared_data):
    shapefile = shared_data / "chicago" / "community_areas" / "Chicago_2020.shp"
    store = open_store(f"duckdb:///{tmp_path_factory.mktemp('chicago') / 'o.duckdb'}")
    store.init_schema()
    ingest_boundaries(store, shapefile, "chicago")
    ingest_census(store, shapefile, "chicago", SPECS / "chicago" / "census.yaml")
    yield store, gpd.read_file(shapefile), shapefile
    store.close()


def test_chicago_foreign_born_segregation_matches_pysal(chicago):
    store, source, _ = chicago
    city = store.city("chicago")
    # Chicago carries no citizenship: the dimension, total and group are found in the data
    result = city_segregation(store, city, caller=OFFICER)
    assert (result["dimension"], result["total"], result["group"]) == (
        "birthplace", "population_by_birthplace", "foreign")
    assert result["group_name_en"] == "All but: Native-born"
    assert result["dimension_name_ar"] == "مكان الولادة"
    born = city_segregation(store, city, "foreign_born", dimension="birthplace", caller=OFFICER)
    assert born["group_name_ar"] == "المولودون في الخارج" and born["districts"] == 77
    assert born["group_total"] == source["FOR_BORN"].sum()
    oracle = _oracle(source, "FOR_BORN", "NATIVE")
    for name, expected in oracle.items():
        assert born[name] == pytest.approx(expected, abs=1e-9), name
        assert result[name] == pytest.approx(expected, abs=1e-9), name
    share = source["FOR_BORN"] / (source["FOR_BORN"] + source["NATIVE"])
    assert born["moran"]["I"] == pytest.approx(_moran(source, share), abs=1e-9)
    with pytest.raises(InvalidRequest, match="birthplace"):
        city_segregation(store, city, dimension="citizenship", caller=OFFICER)


def test_chicago_foreign_born_share_and_quotient_per_community_area(chicago):
    store, _, shapefile = chicago
    compute_city(store, "chicago", DisclosureSettings(), framework="demography")
    compute_city(store, "chicago", DisclosureSettings(), framework="intercultural")
    values = store.indicator_values("chicago")
    values = values[values["district_code"].notna()]
    by = {ind: rows.set_index(rows["district_code"].astype(str))["value"]
          for ind, rows in values.groupby("indicator_id")}
    dbf = pyogrio.read_dataframe(shapefile, read_geometry=False)
    dbf.index = dbf["area_numbe"].astype(int).astype(str)
    share = dbf["FOR_BORN"] / (dbf["FOR_BORN"] + dbf["NATIVE"])
    city_share = dbf["FOR_BORN"].sum() / (dbf["FOR_BORN"].sum() + dbf["NATIVE"].sum())
    digits = DisclosureSettings().published_digits  # stored values are rounded to these
    for indicator, expected in (("birthplace_share.foreign_born", share),
                                ("foreign_born_share", share),
                                ("location_quotient_foreign_born", share / city_share)):
        published = round_significant(expected.sort_index().to_numpy(), digits)
        np.testing.assert_allclose(by[indicator].sort_index().to_numpy(), published,
                                   rtol=1e-12, err_msg=indicator)
    info = indicator_catalog()["birthplace_share.native_born"]
    assert info.name_ar == "نسبة السكان حسب مكان الولادة: المولودون في البلد"


def test_berlin_migration_background_segregation_matches_pysal(store, shared_data):
    """On both stores."""
    berlin = shared_data / "berlin"
    ingest_boundaries(store, berlin / "districts.geojson", "berlin")
    ingest_boundaries(store, berlin / "forecast-areas-2021.geojson", "berlin",
                      SPECS / "berlin" / "forecast_areas.yaml")
    ingest_census(store, berlin / "t1-forecast-areas.csv", "berlin",
                  SPECS / "berlin" / "census_t1.yaml", level="forecast_area")
    city = store.city("berlin")
    result = city_segregation(store, city, dimension="migration_background",
                              level="forecast_area", caller=OFFICER)
    assert (result["total"], result["districts"]) == ("population_by_migration_background", 58)
    assert result["group_name_en"] == "All but: Without a migration background"
    table = pd.read_csv(berlin / "t1-forecast-areas.csv", dtype={"id": str})
    oracle = _oracle(table, "inhabitants_with_migration_background",
                     "inhabitants_germans_without_migration_background")
    for name, expected in oracle.items():
        assert result[name] == pytest.approx(expected, abs=1e-9), name
    shapes = gpd.read_file(berlin / "forecast-areas-2021.geojson").sort_values("id")
    share = (table.set_index("id")["inhabitants_with_migration_background"]
             / table.set_index("id")[["inhabitants_with_migration_background",
                                      "inhabitants_germans_without_migration_background"]]
             .sum(axis=1)).reindex(shapes["id"])
    assert result["moran"]["I"] == pytest.approx(_moran(shapes.reset_index(drop=True), share),
                                                 abs=1e-9)
    # the shares and the location quotient per forecast area, as in the file
    compute_frameworks(store, "berlin", DisclosureSettings(), ["demography", "intercultural"])
    values = store.indicator_values("berlin", level="forecast_area")
    by = {ind: rows.set_index(rows["district_code"].astype(str))["value"].sort_index()
          for ind, rows in values[values["district_code"].notna()].groupby("indicator_id")}
    counts = table.set_index("id")
    background = counts["inhabitants_with_migration_background"]
    residents = background + counts["inhabitants_germans_without_migration_background"]
    city_share = background.sum() / residents.sum()
    digits = DisclosureSettings().published_digits
    for indicator, expected in (("migration_background_share", background / residents),
                                ("migration_background_group_share.yes", background / residents),
                                ("location_quotient_migration_background",
                                 background / residents / city_share)):
        np.testing.assert_allclose(
            by[indicator].to_numpy(),
            round_significant(expected.sort_index().to_numpy(dtype=float), digits),
            rtol=1e-12, err_msg=indicator)
    # without a dimension, the first the data carries: citizenship (Germans vs foreigners)
    assert city_segregation(store, city, level="forecast_area",
                            caller=OFFICER)["dimension"] == "citizenship"
