"""The contenders, each a (setup, run) pair executed in its own child process by
``bench.measure``: the crosswalk (observatory against tobler) and the roll-up (the level
inputs through a DuckDB store against hand-written DuckDB SQL)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import duckdb
import pandas as pd

from bench.geography.case import crosswalk_input, long_values
from indicators.level_inputs import observations_at_level
from observatory.geography.crosswalk import area_weights, carry
from observatory.store import open_store

ROLL_UP_SQL = Path(__file__).with_name("roll_up.sql").read_text(encoding="utf-8")
ROLL_UP_KEY = ["district_code", "period", "variable", "dims"]


# Crosswalk: each returns the carried counts, one row per target code, one column per variable.
def setup_ours(dataset: str, data_dir: str, sources: int, targets: int):
    data = crosswalk_input(dataset, data_dir, sources, targets)
    # The observatory holds counts long (one row per area and variable), tobler wide: each
    # contender gets the shape it reads, built here, outside the timing.
    return (data.sources[["code", "geometry"]], data.targets, data.crs, long_values(data))


def run_ours(state) -> tuple[pd.DataFrame, dict]:
    """``area_weights`` then ``carry`` of every variable; also the time of each step, the
    weight rows, and the sources' count and totals (for the agreement check)."""
    sources, targets, crs, values = state
    start = time.perf_counter()
    weights = area_weights(sources, targets, crs)
    middle = time.perf_counter()
    carried = carry(values, weights, by=["variable"])
    end = time.perf_counter()
    wide = carried.pivot(index="to_code", columns="variable", values="value")
    return wide, {"weights_seconds": middle - start, "carry_seconds": end - middle,
                  "weight_rows": len(weights), "source_count": len(sources),
                  "source_totals": values.groupby("variable")["value"].sum()}


def setup_tobler(dataset: str, data_dir: str, sources: int, targets: int):
    import tobler.area_weighted  # noqa: F401  (imported before the timing)

    data = crosswalk_input(dataset, data_dir, sources, targets)
    return data.sources, data.targets, data.variables


def run_tobler(state) -> tuple[pd.DataFrame, dict]:
    """``area_interpolate`` of the same counts as extensive variables (``allocate_total``)."""
    from tobler.area_weighted import area_interpolate

    sources, targets, variables = state
    with warnings.catch_warnings():  # scipy's FutureWarning about tobler's diags() dtype
        warnings.simplefilter("ignore", FutureWarning)
        result = area_interpolate(sources, targets, extensive_variables=variables)
    result.index = targets["code"].to_numpy()
    return pd.DataFrame(result[variables]), {}


# Roll-up: each returns the summed counts, one row per (district_code, period, variable, dims).
def setup_level_inputs(store_url: str, city: str, level: str):
    return open_store(store_url), city, level


def run_level_inputs(state) -> pd.DataFrame:
    store, city, level = state
    return observations_at_level(store, city, level).observations


def setup_sql(database_path: str, params: dict):
    return database_path, params


def run_sql(state) -> pd.DataFrame:
    """Connect to the store file, run the GROUP BY, fetch: what a hand-written report does."""
    database_path, params = state
    with duckdb.connect(database_path, read_only=True) as con:
        return con.execute(ROLL_UP_SQL, params).df()
