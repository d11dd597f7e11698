"""The demo's towers, through the cdr feed's own district assignment, give phone estimates
whose held-out error (indicator phone_calibration_mape and its companions) equals a direct
numpy computation from the census file and the subscribers per district."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from indicators.definitions import load_frameworks
from indicators.evaluate import PreparedObservations, evaluate
from ingest.bigdata.towers import tower_observations
from ingest.spec import load_cdr_spec
from observatory.models import canonical_dims
from observatory.settings import DisclosureSettings

MIN_COUNT = DisclosureSettings().min_count
GROUPS = ["national", "syrian", "iraqi", "afghan", "other_foreign"]


@pytest.fixture(scope="module")
def phones(demo) -> pd.DataFrame:
    districts = gpd.read_file(demo.boundaries).to_crs(4326)
    result = tower_observations(demo.towers, load_cdr_spec(demo.towers_spec), districts,
                                local_crs=demo.city.local_crs, min_count=MIN_COUNT)
    return result.observations


@pytest.fixture(scope="module")
def wide_census(census) -> pd.DataFrame:
    """Residents per (year, district) × group, straight from the census file."""
    return census.groupby(["YEAR", "DISTRICT_CODE"])[[g.upper() for g in GROUPS]].sum()


def _observations(phones: pd.DataFrame, wide_census: pd.DataFrame) -> pd.DataFrame:
    long = wide_census.rename(columns=str.lower).stack().rename("value").reset_index()
    census = pd.DataFrame({
        "district_code": long["DISTRICT_CODE"], "period": long["YEAR"].astype(str),
        "variable": "population",
        "dims": [canonical_dims({"citizenship": g}) for g in long["level_2"]],
        "value": long["value"].astype(float), "unit": "persons"})
    return pd.concat([census, phones], ignore_index=True).assign(ingest_run="r")


def test_the_reported_held_out_error_is_the_direct_computation(phones, wide_census) -> None:
    prepared = PreparedObservations(_observations(phones, wide_census))
    framework = load_frameworks()["phone_population"]
    reported = {d.id: evaluate(d, prepared, MIN_COUNT) for d in framework.indicators
                if d.id.startswith("phone_calibration_") and not d.id.endswith("by_group")}

    # Independent: subscribers as an array (month, district, group), NaN where redacted.
    home = phones[phones["variable"] == "mobile_home_subscribers"].copy()
    home["group"] = home["dims"].str.extract(r'"citizenship": ?"(\w+)"')[0]
    months = sorted(home["period"].unique())
    codes = sorted(wide_census.index.get_level_values("DISTRICT_CODE").unique())
    cube = (home.pivot_table(index=["period", "district_code"], columns="group", values="value")
            .reindex(pd.MultiIndex.from_product([months, codes]))[GROUPS]
            .to_numpy().reshape(len(months), len(codes), len(GROUPS)))
    in_year = {y: np.array([m.startswith(str(y)) for m in months]) for y in (2024, 2025)}
    truth = {y: wide_census.loc[y].reindex(codes).to_numpy(float) for y in (2024, 2025)}
    ratio_2024 = truth[2024].sum(axis=0) / np.nansum(cube[in_year[2024]], axis=1).mean(axis=0)
    months_2025 = cube[in_year[2025]]
    seen = np.isfinite(months_2025).sum(axis=0)
    with np.errstate(invalid="ignore"):
        predicted = np.nansum(months_2025, axis=0) / seen * ratio_2024  # NaN: never published
    cells = np.isfinite(predicted) & (truth[2025] > MIN_COUNT)
    error = (predicted - truth[2025])[cells] / truth[2025][cells]
    expected = {
        "phone_calibration_mape": 100 * np.abs(error).mean(),
        "phone_calibration_mdape": 100 * np.median(np.abs(error)),
        "phone_calibration_bias": 100 * error.mean(),
        "phone_calibration_wape": 100 * np.abs(predicted - truth[2025])[cells].sum()
        / truth[2025][cells].sum(),
        "phone_calibration_cells": cells.sum(),
        "phone_calibration_coverage": 100 * truth[2025][cells].sum() / truth[2025].sum(),
    }
    got = {i: float(frame["value"].iloc[0]) for i, frame in reported.items()}
    assert got == pytest.approx(expected, rel=1e-9)
    assert {tuple(frame["period"]) for frame in reported.values()} == {("2025",)}
    assert 100 < got["phone_calibration_cells"] <= 150  # of 30 districts × 5 groups


def test_estimates_cover_the_months_without_a_census_and_day_night_ratios_vary(
        phones, wide_census) -> None:
    prepared = PreparedObservations(_observations(phones, wide_census))
    definitions = {d.id: d for d in load_frameworks()["phone_population"].indicators}
    residents = evaluate(definitions["phone_estimated_residents"], prepared, MIN_COUNT)
    districts = residents[residents["district_code"].notna()]
    assert districts["period"].max() == "2026-06"  # no census in 2026
    published = districts[~districts["suppressed"]]
    assert published["district_code"].nunique() >= 25
    assert (published["estimate"].str.contains("calibrated on census 2025")
            == (published["period"] >= "2025")).all()
    # In a census month the estimates of the calibration year add up to about the census.
    june = published[published["period"] == "2025-06"]
    census_2025 = wide_census.loc[2025].sum(axis=1)
    assert (june.set_index("district_code")["value"] / census_2025).dropna().between(
        0.7, 1.4).all()
    ratio = evaluate(definitions["phone_day_night_ratio"], prepared, MIN_COUNT)
    shown = ratio[ratio["district_code"].notna() & ~ratio["suppressed"]]
    assert shown["value"].max() > 1.2 and shown["value"].min() < 0.85  # centre vs outskirts
