"""The contenders, each a (setup, run) pair run in its own child process by ``bench.measure``.
Every run returns the published counts as a frame (district_code, period, category, value)."""

from __future__ import annotations

import io
import tempfile
import uuid
from contextlib import ExitStack
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import shapely

from bench.ingest.case import CITY, SPEC, districts
from ingest.bigdata.engine import feed_engine
from ingest.bigdata.points import point_counts
from ingest.jobs import ingest_points
from ingest.spec import PointCountsSpec, load_point_counts_spec
from observatory.models import IngestRun
from observatory.settings import DisclosureSettings
from observatory.store import open_store
from observatory.store.duckdb_store import spatial_extension_path

HAND_SQL = Path(__file__).with_name("hand_written.sql").read_text(encoding="utf-8")
PARSE_SQL = Path(__file__).with_name("parse_only.sql").read_text(encoding="utf-8")
MIN_COUNT = DisclosureSettings().min_count


def _spec() -> PointCountsSpec:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.yaml"
        path.write_text(SPEC, encoding="utf-8")
        return load_point_counts_spec(path)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["district_code", "period", "category"]).reset_index(drop=True)


# (1) the project: point_counts (DuckDB), then the store write, then the whole job ----------------
def setup_compute(feed: str):
    return Path(feed), _spec(), districts()


def run_compute(state) -> pd.DataFrame:
    feed, spec, frame = state
    result = point_counts(feed, spec, frame, min_count=MIN_COUNT)
    out = result.observations
    return _tidy(pd.DataFrame({"district_code": out["district_code"], "period": out["period"],
                               "category": out["dims"].str.extract(r'"category":"(\w+)"')[0]
                               .astype(str),
                               "value": out["value"].astype(int)}))


def setup_store_write(feed: str, store_dir: str):
    store = _store_with_city(store_dir)
    observations = point_counts(Path(feed), _spec(), districts(),
                                min_count=MIN_COUNT).observations
    return store, observations


def run_store_load(state) -> int:
    """``store.load`` of the observations as a new run (either store)."""
    store, observations = state
    run = IngestRun(city=CITY.slug, feed="points", source_name="bench.csv",
                    content_hash=uuid.uuid4().hex)
    return store.load(run, observations=observations).rows_loaded


def setup_job(feed: str, store_dir: str):
    spec_path = Path(store_dir) / "points.yaml"
    spec_path.write_text(SPEC, encoding="utf-8")
    return _store_with_city(store_dir), Path(feed), spec_path


def run_job(state) -> int:
    store, feed, spec_path = state
    run = ingest_points(store, feed, CITY.slug, spec_path)
    assert run.status == "succeeded", run.message
    return run.rows_loaded


def _store_with_city(store_dir: str):
    store = open_store(f"duckdb:///{Path(store_dir) / 'observatory.duckdb'}")
    store.init_schema()
    store.upsert_city(CITY)
    store.load(IngestRun(city=CITY.slug, feed="boundaries", source_name="bench.gpkg",
                         content_hash="bench-districts"), districts=districts())
    return store


# (2) hand-written DuckDB spatial SQL ------------------------------------------------------------
def setup_hand_sql(feed: str):
    stack = ExitStack()  # held in the state: the connection lives as long as the child
    con = stack.enter_context(feed_engine())
    con.execute(f"LOAD '{spatial_extension_path().as_posix()}'")
    con.execute("CREATE TEMP TABLE district (code VARCHAR, geom GEOMETRY)")
    frame = districts()
    con.executemany("INSERT INTO district VALUES (?, ST_GeomFromWKB(?))",
                    list(zip(frame["code"], shapely.to_wkb(frame.geometry.values), strict=True)))
    return con, feed, stack


def run_hand_sql(state) -> pd.DataFrame:
    con, feed, _ = state
    frame = con.execute(HAND_SQL, {"path": feed, "min_count": MIN_COUNT}).df()
    return _tidy(frame.rename(columns={"n": "value"}).astype({"value": int}))


# (2b) the floor of any DuckDB path: parse the file and count per month and category ------------
def setup_parse_only(feed: str):
    stack = ExitStack()
    return stack.enter_context(feed_engine()), feed, stack


def run_parse_only(state) -> int:
    con, feed, _ = state
    return len(con.execute(PARSE_SQL, {"path": feed}).fetchall())


# (3) naive geopandas: read_csv -> points -> sjoin -> groupby -----------------------------------
def setup_geopandas(feed: str):
    return feed, districts()[["code", "geometry"]]


def run_geopandas(state) -> pd.DataFrame:
    feed, frame = state
    table = pd.read_csv(feed, parse_dates=["reported_at"])
    points = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]),
                              crs="EPSG:4326")
    joined = gpd.sjoin(points, frame, predicate="within", how="inner")
    joined["period"] = joined["reported_at"].dt.strftime("%Y-%m")
    counts = (joined.groupby(["code", "period", "category"]).size().rename("value")
              .reset_index().rename(columns={"code": "district_code"}))
    small = counts.groupby(["district_code", "period"])["value"].transform("min") <= MIN_COUNT
    return _tidy(counts[~small])


def run_pandas_parse(state) -> int:
    """geopandas' first step alone: the share of its time that is parsing."""
    feed, _ = state
    return len(pd.read_csv(feed, parse_dates=["reported_at"]))


# PostGIS bulk load: store.load(observations=…) against raw COPY into a plain table ---------------
def setup_postgis_load(url: str, observations_path: str):
    store = open_store(url)
    store.init_schema()
    store.upsert_city(CITY)
    return store, pd.read_pickle(observations_path)


def setup_raw_copy(url: str, observations_path: str):
    con = psycopg.connect(url)
    con.execute("CREATE TABLE IF NOT EXISTS raw_observation (district_code TEXT, period TEXT, "
                "variable TEXT, dims TEXT, value DOUBLE PRECISION, unit TEXT)")
    con.commit()
    return con, "raw_observation", pd.read_pickle(observations_path)


def setup_keyed_copy(url: str, observations_path: str):
    """Raw COPY into the store's own ``observation`` table: what its primary key costs."""
    store = open_store(url)
    store.init_schema()
    store.close()
    rows = pd.read_pickle(observations_path).assign(city=CITY.slug, ingest_run="raw-copy")
    return psycopg.connect(url), "observation", rows


def run_raw_copy(state) -> int:
    """The rows as CSV text by pandas, COPYed into an emptied table."""
    con, table, rows = state
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, header=False)
    with con.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        with cursor.copy(f"COPY {table} ({', '.join(rows.columns)}) FROM STDIN "
                         "(FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
    con.commit()
    return len(rows)


def postgis_observations(n_rows: int) -> pd.DataFrame:
    """``n_rows`` distinct observation rows (districts × months × groups)."""
    per_district = 12 * 10
    n_districts = -(-n_rows // per_district)
    codes = [f"{i:05d}" for i in range(n_districts)]
    frame = pd.MultiIndex.from_product(
        [codes, [f"2025-{m:02d}" for m in range(1, 13)], range(10)],
        names=["district_code", "period", "group"]).to_frame(index=False).head(n_rows)
    return pd.DataFrame({
        "district_code": frame["district_code"], "period": frame["period"],
        "variable": "residents_home_location",
        "dims": '{"citizenship":"g' + frame["group"].astype(str) + '"}',
        "value": (frame.index % 997).astype(float) + 16, "unit": "subscribers"})
