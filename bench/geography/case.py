"""The geography benchmark's inputs: three crosswalk cases (Berlin's old planning areas onto its
forecast areas, Sacramento's tracts onto ZIP codes, synthetic cells onto coarser synthetic
cells) and Berlin loaded through the shipped specs into DuckDB stores for the roll-up.

Every crosswalk case reads as the same three things: source areas (``code``, ``geometry``, one
column per count variable), target areas (``code``, ``geometry``), both in the case's local
metric CRS, and the variables' names. Readers run in the contenders' child processes (their
setup, never timed), so only paths and sizes cross process boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ingest.jobs import ingest_boundaries, ingest_census
from observatory.store import open_store

SPECS = Path(__file__).resolve().parents[2] / "ingest" / "specs" / "berlin"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
BERLIN_CRS = "EPSG:25833"  # ETRS89 / UTM 33N, the city's own
SACRAMENTO_CRS = "EPSG:26910"  # NAD83 / UTM 10N
SYNTHETIC_CRS = "EPSG:32636"
SYNTHETIC_EXTENT_M = 30_000.0
BERLIN_T1_COUNTS = ["inhabitants", "inhabitants_with_migration_background",
                    "inhabitants_germans", "inhabitants_germans_without_migration_background",
                    "inhabitants_germans_with_migration_background", "inhabitants_foreigners"]
SACRAMENTO_COUNTS = ["TOT_POP", "WHITE_", "BLACK_", "ASIAN_", "HISP_"]
SYNTHETIC_COUNTS = [f"count_{i}" for i in range(5)]
# The layer of old planning areas repeats 06010102 on feature 124 (row 123): it is
# Charlottenburg's Schloßstraße, 04030417 (ingest/specs/berlin/planning_areas_2020.yaml).
BERLIN_CORRECTION = (123, "06010102", "04030417")


@dataclass(frozen=True)
class CrosswalkInput:
    sources: gpd.GeoDataFrame  # code, geometry, one column per variable
    targets: gpd.GeoDataFrame  # code, geometry
    variables: list[str]
    crs: str


def crosswalk_input(dataset: str, data_dir: str, sources: int = 0, targets: int = 0,
                    seed: int = 2026) -> CrosswalkInput:
    """``dataset``: "berlin", "sacramento" or "synthetic" (``sources`` onto ``targets`` cells)."""
    if dataset == "berlin":
        return _berlin(Path(data_dir) / "berlin")
    if dataset == "sacramento":
        return _sacramento(Path(data_dir) / "pysal")
    if dataset == "synthetic":
        return _synthetic(sources, targets, seed)
    raise ValueError(f"unknown crosswalk dataset {dataset!r}")


def _berlin(berlin: Path) -> CrosswalkInput:
    old = gpd.read_file(berlin / "planning-areas-until-2020.geojson").to_crs(BERLIN_CRS)
    row, wrong, right = BERLIN_CORRECTION
    if old.loc[row, "id"] != wrong:
        raise ValueError(f"feature {row + 1} of the old planning areas is "
                         f"{old.loc[row, 'id']}, not the duplicate {wrong}")
    old.loc[row, "id"] = right
    table = pd.read_csv(berlin / "t1-planning-areas-2020-02.csv", dtype={"id": str})
    sources = old[["id", "geometry"]].merge(table[["id", *BERLIN_T1_COUNTS]], on="id",
                                            validate="one_to_one")
    if len(sources) != len(old):
        raise ValueError(f"only {len(sources)} of {len(old)} old planning areas join the table")
    new = gpd.read_file(berlin / "forecast-areas-2021.geojson").to_crs(BERLIN_CRS)
    return CrosswalkInput(_coded(sources, "id"), _coded(new, "id")[["code", "geometry"]],
                          BERLIN_T1_COUNTS, BERLIN_CRS)


def _sacramento(pysal: Path) -> CrosswalkInput:
    # As tests/ingest/test_areal_interpolation.py reads them (the files carry no CRS member).
    tracts = gpd.read_file(pysal / "sacramento1.geojson").to_crs(SACRAMENTO_CRS)
    zips = gpd.read_file("/vsizip/" + str(pysal / "sacramento2_zipcodes.zip")
                         + "/SacramentoMSA2/SacramentoMSA2.shp").to_crs(SACRAMENTO_CRS)
    sources = _coded(tracts[["FIPS", "geometry", *SACRAMENTO_COUNTS]], "FIPS")
    return CrosswalkInput(sources, _coded(zips, "ZIP")[["code", "geometry"]],
                          SACRAMENTO_COUNTS, SACRAMENTO_CRS)


def _coded(frame: gpd.GeoDataFrame, column: str) -> gpd.GeoDataFrame:
    out = frame.rename(columns={column: "code"})
    out["code"] = out["code"].astype(str)
    cols = ["code", "geometry", *[c for c in out.columns if c not in ("code", "geometry")]]
    return gpd.GeoDataFrame(out[cols], geometry="geometry", crs=frame.crs).reset_index(drop=True)


def _synthetic(n_sources: int, n_targets: int, seed: int) -> CrosswalkInput:
    """Voronoi cells of seeded points over a 30 km square, their edges cut into segments of
    1/15 of a cell's side (so a cell has tens of vertices, as published polygons do); the
    targets are a coarser, independent tessellation of the same square."""
    rng = np.random.default_rng(seed)
    sources = synthetic_cells(n_sources, rng, "S")
    for name in SYNTHETIC_COUNTS:
        sources[name] = np.round(rng.lognormal(6.0, 1.0, n_sources))
    return CrosswalkInput(sources, synthetic_cells(n_targets, rng, "T"), SYNTHETIC_COUNTS,
                          SYNTHETIC_CRS)


def synthetic_cells(n: int, rng: np.random.Generator, prefix: str) -> gpd.GeoDataFrame:
    side = SYNTHETIC_EXTENT_M
    square = shapely.box(0.0, 0.0, side, side)
    points = shapely.multipoints(rng.uniform(0.0, side, size=(n, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=square))
    cells = shapely.intersection(cells, square)
    cells = shapely.segmentize(cells, side / np.sqrt(n) / 15.0)
    width = len(str(n))
    return gpd.GeoDataFrame({"code": [f"{prefix}{i:0{width}d}" for i in range(len(cells))]},
                            geometry=cells, crs=SYNTHETIC_CRS)


def long_values(data: CrosswalkInput) -> pd.DataFrame:
    """The source counts as the observatory holds them: one row per area and variable."""
    frame = pd.DataFrame(data.sources.drop(columns="geometry"))
    return (frame.melt(id_vars="code", var_name="variable", value_name="value")
            .rename(columns={"code": "from_code"})
            .astype({"value": np.float64}))


# The roll-up stores ------------------------------------------------------------------------------
CITY = "berlin"
BOUNDARIES = (("districts.geojson", None),
              ("forecast-areas-2021.geojson", "forecast_areas.yaml"),
              ("planning-areas-until-2020.geojson", "planning_areas_2020.yaml"))
TABLES = (("t1-districts.csv", "census_t1.yaml", None),
          ("t1-forecast-areas.csv", "census_t1.yaml", "forecast_area"),
          ("t1-planning-areas.csv", "census_t1.yaml", "planning_area"),
          ("t1-planning-areas-2020-02.csv", "census_t1_2020.yaml", None))
# Which tables each store holds: "berlin" all of them, as tests/ingest/test_berlin_realdata.py's
# ``load_berlin`` loads Berlin; "planning-only" the 542 planning areas of 2023 alone (with all
# boundaries, which declare the levels), so the forecast areas' and districts' counts can only
# come from summing them.
STORES = {"berlin": [t[0] for t in TABLES], "planning-only": ["t1-planning-areas.csv"]}


def load_berlin_store(database: Path, berlin: Path, store_name: str) -> int:
    """Berlin into a fresh DuckDB store at ``database`` through the shipped specs; the
    observation rows loaded."""
    store = open_store(f"duckdb:///{database}")
    store.init_schema()
    rows = 0
    try:
        for file, spec in BOUNDARIES:
            run = ingest_boundaries(store, berlin / file, CITY, SPECS / spec if spec else None)
            _check(run, file)
        for file, spec, level in TABLES:
            if file in STORES[store_name]:
                run = ingest_census(store, berlin / file, CITY, SPECS / spec, level=level)
                _check(run, file)
                rows += run.rows_loaded
    finally:
        store.close()
    return rows


def _check(run, file: str) -> None:
    if run.status != "succeeded" or run.rows_rejected:
        raise RuntimeError(f"{file}: {run.status}, {run.rows_rejected} rows rejected: "
                           f"{run.message}")
