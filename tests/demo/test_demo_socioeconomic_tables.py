"""The demo's labour-force, household, socio-economic and election tables: seeded, described by
their specs in the names the indicator definitions use, and consistent with the census."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.definitions import load_frameworks
from ingest.spec import load_census_spec
from observatory.demo import DemoCity, generate_demo_city

TABLES = ["labour_force", "households", "socioeconomic", "elections", "urban_services"]
WORKING_AGE = ["15-24", "25-44", "45-64"]


def _read(demo: DemoCity, table: str) -> pd.DataFrame:
    return pd.read_csv(getattr(demo, table), skiprows=1, dtype={"DISTRICT_CODE": str, "SEX": str})


def _long(demo: DemoCity, table: str) -> pd.DataFrame:
    """The table as observations (district, year, variable, dims, value), following its spec."""
    spec = load_census_spec(getattr(demo, f"{table}_spec"))
    frame = _read(demo, table)
    rows = []
    for variable in spec.variables:
        part = pd.DataFrame({"district": frame["DISTRICT_CODE"], "year": frame["YEAR"],
                             "variable": variable.variable, "value": frame[variable.column]})
        for key, value in variable.dims.items():
            part[key] = value
        for key, dimension in spec.dimensions.items():
            part[key] = frame[dimension.column].astype(str).map(dimension.values or None)
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def working_age(census: pd.DataFrame) -> pd.Series:
    """Census residents aged 15–64 by district and year."""
    rows = census[census["AGE_BAND"].isin(WORKING_AGE)]
    return rows.groupby(["DISTRICT_CODE", "YEAR"])["total"].sum()


def test_same_seed_same_bytes_other_seed_other_tables(demo: DemoCity, tmp_path: Path) -> None:
    def digests(city: DemoCity) -> list[str]:
        return [hashlib.sha256(getattr(city, t).read_bytes()).hexdigest() for t in TABLES]

    assert digests(generate_demo_city(tmp_path / "again")) == digests(demo)
    other = digests(generate_demo_city(tmp_path / "other", seed=7))
    assert [t for t, a, b in zip(TABLES, other, digests(demo)) if a == b] == []


def test_specs_name_every_column_of_their_table(demo: DemoCity) -> None:
    for table in TABLES:
        spec = load_census_spec(getattr(demo, f"{table}_spec"))
        header = _read(demo, table).columns
        named = [spec.district.column, spec.period.column]
        named += [dimension.column for dimension in spec.dimensions.values()]
        named += [variable.column for variable in spec.variables]
        assert sorted(named) == sorted(header), table
    assert [table for table, _ in demo.census_tables] == [
        demo.census, demo.labour_force, demo.households, demo.socioeconomic, demo.elections,
        demo.urban_services,
    ]


def test_specs_give_every_variable_and_dimension_value_the_definitions_use(demo) -> None:
    produced: dict[str, set[tuple[str, str]]] = {}
    for table in ["census", *TABLES]:
        spec = load_census_spec(getattr(demo, f"{table}_spec"))
        for variable in spec.variables:
            pairs = produced.setdefault(variable.variable, set())
            pairs |= set(variable.dims.items())
            for key, dimension in spec.dimensions.items():
                pairs |= {(key, value) for value in dimension.values.values()} or {(key, "*")}
    frameworks = load_frameworks()
    for name in ["cpi", "integration_gaps"]:
        for definition in frameworks[name].indicators:
            for term in definition.formula.terms.values():
                assert term.variable in produced, (definition.id, term.variable)
                keys = {key for key, _ in produced[term.variable]}
                for key, wanted in term.where.items():
                    assert key in keys, (definition.id, term.variable, key)
                    if isinstance(wanted, str):
                        assert (key, wanted) in produced[term.variable], (definition.id, wanted)


def test_labour_force_fits_the_census_and_shows_the_gaps(demo, census, working_age) -> None:
    labour = _long(demo, "labour_force")
    by_district = labour.groupby(["district", "year"])["value"].sum()
    assert (by_district <= working_age.reindex(by_district.index)).all()
    assert 0.40 < by_district.sum() / working_age.sum() < 0.50  # about 45 % of those aged 15–64
    latest = labour[labour["year"] == 2025]
    foreign = latest["citizenship"] != "national"

    def unemployment(rows: pd.DataFrame) -> float:
        return rows.loc[rows["status"] == "unemployed", "value"].sum() / rows["value"].sum()

    def women_share_of_employed(rows: pd.DataFrame) -> float:
        employed = rows[rows["status"] == "employed"]
        return employed.loc[employed["sex"] == "female", "value"].sum() / employed["value"].sum()

    assert unemployment(latest[foreign]) > unemployment(latest[~foreign]) + 0.05
    assert women_share_of_employed(latest[foreign]) < women_share_of_employed(latest[~foreign])
    assert set(latest["citizenship"]) == {"national", "syrian", "iraqi", "afghan", "other_foreign"}
    assert (labour["value"] <= 15).mean() > 0.05  # thin cells, for the disclosure rule


def test_every_household_split_covers_the_same_households(demo, census) -> None:
    households = _long(demo, "households")
    splits = ["water", "sanitation", "shelter", "internet", "waste"]
    totals = pd.DataFrame({
        split: households[households[split].notna()].groupby(["district", "year"])["value"].sum()
        for split in splits
    })
    assert (totals.nunique(axis=1) == 1).all()
    residents = census.groupby(["DISTRICT_CODE", "YEAR"])["total"].sum()
    size = residents.sum() / totals["water"].sum()
    assert 4.3 < size < 4.7


def test_cluster_has_the_lowest_coverage(demo) -> None:
    frame = _read(demo, "households").query("YEAR == 2025").set_index("DISTRICT_CODE")
    unserved = frame["WATER_UNIMPROVED"] / (frame["WATER_IMPROVED"] + frame["WATER_UNIMPROVED"])
    cluster = _census_cluster(demo)
    assert unserved[cluster].min() > unserved.drop(cluster).max()


def _census_cluster(demo: DemoCity) -> list[str]:
    """Districts where the census puts more than a third of residents as foreign citizens."""
    census = pd.read_csv(demo.census, skiprows=1, dtype={"DISTRICT_CODE": str})
    census = census[census["YEAR"] == 2025].groupby("DISTRICT_CODE").sum(numeric_only=True)
    foreign = 1 - census["NATIONAL"] / census[
        ["NATIONAL", "SYRIAN", "IRAQI", "AFGHAN", "OTHER_FOREIGN"]
    ].sum(axis=1)
    return sorted(foreign[foreign > 1 / 3].index)


def test_socioeconomic_counts_fit_the_census_and_the_map(demo, census, districts) -> None:
    frame = _read(demo, "socioeconomic").set_index(["DISTRICT_CODE", "YEAR"])
    residents = census.groupby(["DISTRICT_CODE", "YEAR"])["total"].sum()
    adults = census[census["AGE_BAND"] != "0-14"].groupby(["DISTRICT_CODE", "YEAR"])["total"].sum()
    pd.testing.assert_series_equal(
        frame["POVERTY_BELOW_LINE"] + frame["POVERTY_ABOVE_LINE"], residents, check_names=False
    )
    pd.testing.assert_series_equal(
        frame["ADULTS_LITERATE"] + frame["ADULTS_ILLITERATE"], adults, check_names=False
    )
    area = districts.set_index("code").area
    land = frame.xs(2025, level="YEAR")["LAND_AREA_M2"]
    assert np.allclose(land, area.reindex(land.index), rtol=0.001)
    assert (frame["STREET_AREA_M2"] < frame["LAND_AREA_M2"]).all()
    assert (frame["GREEN_AREA_M2"] < frame["LAND_AREA_M2"]).all()
    assert all(pd.api.types.is_integer_dtype(dtype) for dtype in frame.dtypes)

    per_capita = frame["GROSS_PRODUCT"] / residents
    latest = per_capita.xs(2025, level="YEAR")
    city = frame["GROSS_PRODUCT"].xs(2025, level="YEAR").sum() / residents.xs(2025, level=1).sum()
    assert 9_000 < city < 25_000
    assert latest.min() > 8_000 and latest.max() < 28_000
    centre, edge = ["D01", "D02", "D03"], ["D28", "D29", "D30"]  # codes run outwards
    assert latest[centre].mean() > latest[edge].mean()
    assert latest[_census_cluster(demo)].max() < latest.median()


def test_elections_are_2020_and_2024_with_nationals_only(demo, census) -> None:
    frame = _read(demo, "elections").set_index(["DISTRICT_CODE", "YEAR"])
    assert sorted(frame.index.unique("YEAR")) == [2020, 2024]
    national_adults = (
        census[census["AGE_BAND"] != "0-14"].groupby(["DISTRICT_CODE", "YEAR"])["NATIONAL"].sum()
    )
    registered = frame["VOTED"] + frame["DID_NOT_VOTE"]
    assert (registered <= national_adults.reindex(registered.index)).all()
    turnout = frame["VOTED"].sum() / registered.sum()
    assert 0.35 < turnout < 0.65
