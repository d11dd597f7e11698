"""The contenders, each a (setup, run) pair executed in its own child process by
``bench.measure``: the engine on all frameworks, compute_city through a DuckDB store, and the
foreign-citizens share by the engine and by hand-written DuckDB SQL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from bench.indicators.synthetic import GRID_CRS
from indicators.compute import compute_city, framework_values
from indicators.definitions import load_definitions, load_frameworks
from indicators.evaluate import PreparedObservations, SpatialContext, evaluate
from observatory.settings import DisclosureSettings
from observatory.store import open_store

SHARE_ID = "foreign_citizens_share"
SHARE_SQL = (Path(__file__).with_name("foreign_share.sql")).read_text(encoding="utf-8")
MEMORY_CITY = "bench"  # the city the in-memory SQL view pretends the frame belongs to


def setup_engine(observations_path: str, city_path: str):
    return (list(load_frameworks().values()), pd.read_pickle(observations_path),
            DisclosureSettings().min_count, spatial_context(city_path))


def spatial_context(city_path: str) -> SpatialContext:
    """The synthetic city's districts and events (a pickled pair), as compute_city builds
    it from a store."""
    districts, events = pd.read_pickle(city_path)
    empty = next(iter(events.values())).iloc[:0] if events else None
    return SpatialContext(districts=districts, local_crs=GRID_CRS,
                          events=lambda layer: events.get(layer, empty))


def run_engine(state) -> int:
    """Every framework's values (indicators and composites); returns the rows produced."""
    frameworks, observations, min_count, spatial = state
    prepared = PreparedObservations(observations)
    return sum(len(framework_values(f, prepared, min_count, spatial)) for f in frameworks)


def setup_compute_city(store_url: str, city: str):
    return open_store(store_url), city, DisclosureSettings()


def run_compute_city(state) -> int:
    store, city, disclosure = state
    return compute_city(store, city, disclosure)


def setup_engine_share(observations_path: str):
    return (load_definitions()[SHARE_ID], pd.read_pickle(observations_path),
            DisclosureSettings().min_count)


def run_engine_share(state) -> pd.DataFrame:
    definition, observations, min_count = state
    return evaluate(definition, PreparedObservations(observations), min_count)


def setup_sql_share(observations_path: str):
    con = duckdb.connect()
    con.register("observation_frame", pd.read_pickle(observations_path))
    # The same SQL as on the store: a view gives the frame the store table's name and city.
    con.execute(f"CREATE TEMP VIEW observation AS SELECT '{MEMORY_CITY}' AS city, * "
                "FROM observation_frame")
    return con, MEMORY_CITY, DisclosureSettings().min_count


def run_sql_share(state) -> pd.DataFrame:
    con, city, min_count = state
    return con.execute(SHARE_SQL, {"city": city, "min_count": min_count}).df()


def setup_engine_share_from_store(store_url: str, city: str):
    return open_store(store_url), city, load_definitions()[SHARE_ID], DisclosureSettings()


def run_engine_share_from_store(state) -> pd.DataFrame:
    store, city, definition, disclosure = state
    variables = sorted({term.variable for term in definition.formula.terms.values()})
    observations = store.observations(city, variables=variables)
    return evaluate(definition, PreparedObservations(observations), disclosure.min_count)


def setup_sql_share_from_store(database_path: str, city: str):
    return database_path, city, DisclosureSettings().min_count


def run_sql_share_from_store(state) -> pd.DataFrame:
    database_path, city, min_count = state
    with duckdb.connect(database_path, read_only=True) as con:
        return con.execute(SHARE_SQL, {"city": city, "min_count": min_count}).df()
