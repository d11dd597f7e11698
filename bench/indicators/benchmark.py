"""The indicator engine on all frameworks at growing sizes, through a DuckDB store, and against
hand-written DuckDB SQL for the foreign-citizens share."""

from __future__ import annotations

import cProfile
import io
import pstats
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench import report
from bench.indicators import contenders
from bench.indicators.synthetic import (
    GRID_CRS,
    event_layers,
    observation_plan,
    place_centres,
    synthetic_city,
    synthetic_observations,
    unmodelled,
)
from bench.measure import Measurement, measure, start_child_server
from indicators.definitions import load_frameworks
from observatory.models import City, IngestRun
from observatory.store import open_store

TARGET_SECONDS = 10.0  # all frameworks for target_districts × periods, at most
CITY = City(slug="bench", name_en="Benchmark city", name_ar="مدينة القياس", local_crs=GRID_CRS)
PACKAGES = ["pandas", "numpy", "duckdb", "pyarrow"]


@dataclass(frozen=True)
class IndicatorCase:
    label: str
    district_counts: tuple[int, ...]
    periods: int
    store_districts: int  # the size of the store and SQL-peer runs
    best_of_up_to: int  # sizes up to this many districts are timed best of `repeats`
    repeats: int = 3
    target_districts: int = 5_000
    seed: int = 2026


# The store part at 1,000 districts: its disclosure plan grows faster than linearly (one LP
# per withheld cell over a component of every district of a ratio and period; 86 s at 1,000).
FULL = IndicatorCase("full", (500, 5_000, 50_000), periods=10, store_districts=1_000,
                     best_of_up_to=5_000)
QUICK = IndicatorCase("quick", (100, 1_000), periods=10, store_districts=1_000,
                      best_of_up_to=1_000)
# The target size only, once, the store part at 1,000 districts: what a shared machine can
# afford (the 50,000 row needs ~13 GB). The store needs OBSERVATORY_MEMORY_LIMIT above 1GB.
TARGET = IndicatorCase("target", (5_000,), periods=10, store_districts=1_000,
                       best_of_up_to=5_000, repeats=1)


def run_benchmark(case: IndicatorCase, out_dir: Path = report.RESULTS_DIR, note: str = "",
                  name: str = "indicators") -> dict:
    start_child_server()  # before the data exists, so the contenders' memory is their own
    machine = report.machine(PACKAGES, note)
    frameworks = load_frameworks()
    plan = observation_plan(frameworks.values())
    layers = event_layers(d.formula for f in frameworks.values() for d in f.indicators)
    with tempfile.TemporaryDirectory(prefix="bench-indicators-") as tmp:
        scaling = [_scaling_row(case, plan, layers, n, Path(tmp))
                   for n in case.district_counts]
        store_part = _store_and_peer(case, plan, layers, Path(tmp))
        profile = _profile(case, plan, layers)
    payload = {"benchmark": "indicators", "machine": machine, "case": asdict(case),
               "frameworks": sorted(frameworks),
               "indicators": sum(len(f.indicators) for f in frameworks.values()),
               "kinds": sorted({d.formula.kind for f in frameworks.values()
                                for d in f.indicators}),
               "event_layers": layers, "events_per_layer_at_target": case.target_districts
               * case.periods,
               "plan": plan, "unmodelled": unmodelled(frameworks.values()),
               "target_seconds": TARGET_SECONDS, "scaling": scaling,
               **store_part, "profile": profile}
    report.write_results(name, _markdown(case, payload), payload, out_dir)
    return payload


def _inputs(case: IndicatorCase, plan, layers: list[str], districts: int):
    """Observations (centres at the districts' centroids) and the synthetic city."""
    city = synthetic_city(districts, case.periods, layers, seed=case.seed)
    observations = place_centres(
        synthetic_observations(plan, districts, case.periods, case.seed), city[0])
    return observations, city


def _scaling_row(case: IndicatorCase, plan, layers: list[str], districts: int,
                 tmp: Path) -> dict:
    path, city_path = tmp / f"observations-{districts}.pkl", tmp / f"city-{districts}.pkl"
    observations, city = _inputs(case, plan, layers, districts)
    rows = len(observations)
    observations.to_pickle(path)
    pd.to_pickle(city, city_path)
    del observations, city
    repeats = case.repeats if districts <= case.best_of_up_to else 1
    m = measure(contenders.setup_engine, contenders.run_engine, str(path), str(city_path),
                repeats=repeats)
    path.unlink()
    city_path.unlink()
    cells = districts * case.periods
    return {"districts": districts, "periods": case.periods, "observation_rows": rows,
            "indicator_rows": m.result, **_timing(m),
            "microseconds_per_district_period": 1e6 * m.best / cells}


def _store_and_peer(case: IndicatorCase, plan, layers: list[str], tmp: Path) -> dict:
    observations, (districts, events) = _inputs(case, plan, layers, case.store_districts)
    population = observations[observations["variable"] == "population"].reset_index(drop=True)
    population_path = tmp / "population.pkl"
    population.to_pickle(population_path)
    database = tmp / "bench.duckdb"
    store = open_store(f"duckdb:///{database}")
    store.init_schema()
    store.upsert_city(CITY)
    store.load(IngestRun(city=CITY.slug, feed="boundaries", source_name="grid.geojson",
                         content_hash="bench-grid"), districts=districts)
    for layer, frame in events.items():
        store.load(IngestRun(city=CITY.slug, feed="events", source_name=f"{layer}.csv",
                             content_hash=f"bench-{layer}"), events=frame)
    del districts, events
    start = time.perf_counter()
    store.load(IngestRun(city=CITY.slug, feed="census", source_name="synthetic.csv",
                         content_hash="bench"), observations=observations)
    load_seconds = time.perf_counter() - start
    store.close()
    observation_rows = len(observations)
    del observations
    url, repeats = f"duckdb:///{database}", case.repeats
    runs = {
        "compute_city": measure(contenders.setup_compute_city, contenders.run_compute_city,
                                url, CITY.slug, repeats=repeats),
        "engine_share_memory": measure(contenders.setup_engine_share,
                                       contenders.run_engine_share, str(population_path),
                                       repeats=repeats),
        "sql_share_memory": measure(contenders.setup_sql_share, contenders.run_sql_share,
                                    str(population_path), repeats=repeats),
        "engine_share_store": measure(contenders.setup_engine_share_from_store,
                                      contenders.run_engine_share_from_store, url, CITY.slug,
                                      repeats=repeats),
        "sql_share_store": measure(contenders.setup_sql_share_from_store,
                                   contenders.run_sql_share_from_store, str(database),
                                   CITY.slug, repeats=repeats),
    }
    agreement = {where: _agreement(runs[f"engine_share_{where}"].result,
                                   runs[f"sql_share_{where}"].result)
                 for where in ("memory", "store")}
    return {"store": {"districts": case.store_districts, "observation_rows": observation_rows,
                      "population_rows": len(population), "load_seconds": load_seconds,
                      "indicator_rows_written": runs["compute_city"].result,
                      "runs": {k: _timing(m) for k, m in runs.items()},
                      "agreement": agreement}}


def _timing(m: Measurement) -> dict:
    return {"seconds": m.best, "measured_seconds": m.seconds, "cpu_seconds": m.best_cpu,
            "measured_cpu_seconds": m.cpu_seconds, "peak_rss_mb": m.peak_mb,
            "added_rss_mb": m.added_mb}


def _agreement(engine: pd.DataFrame, sql: pd.DataFrame) -> dict:
    """How far the SQL peer's share is from the engine's: it must compute the same thing."""
    key = ["period", "district_code"]
    both = engine.assign(district_code=engine["district_code"].fillna("(city)")).merge(
        sql.assign(district_code=sql["district_code"].fillna("(city)")), on=key, how="outer",
        suffixes=("_engine", "_sql"), indicator=True)
    diff = (both["value_engine"] - both["value_sql"]).abs()
    return {"rows_engine": len(engine), "rows_sql": len(sql),
            "unmatched_rows": int((both["_merge"] != "both").sum()),
            "suppressed_mismatches": int((both["suppressed_engine"].astype(bool)
                                          != both["suppressed_sql"].astype(bool)).sum()),
            "max_abs_value_difference": float(np.nan_to_num(diff.max(), nan=0.0))}


def _profile(case: IndicatorCase, plan, layers: list[str], top: int = 12) -> str:
    """Where the time goes at the target size (or the store size if the target is not run)."""
    districts = (case.target_districts if case.target_districts in case.district_counts
                 else case.store_districts)
    observations, (shapes, events) = _inputs(case, plan, layers, districts)
    frameworks = list(load_frameworks().values())
    spatial = contenders.SpatialContext(districts=shapes, local_crs=GRID_CRS,
                                        events=lambda layer: events[layer])
    state = (frameworks, observations, contenders.DisclosureSettings().min_count, spatial)
    profiler = cProfile.Profile()
    profiler.runcall(contenders.run_engine, state)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return f"{districts:,} districts × {case.periods} periods\n" + out.getvalue()


def _markdown(case: IndicatorCase, payload: dict) -> str:
    scaling_rows = [[
        f"{r['districts']:,}", str(r["periods"]), f"{r['observation_rows']:,}",
        f"{r['indicator_rows']:,}",
        f"{r['seconds']:.2f} ({_best_of(r)})", f"{r['cpu_seconds']:.2f}",
        f"{r['microseconds_per_district_period']:.1f}",
        f"{r['peak_rss_mb']:,.0f}", f"{r['added_rss_mb']:,.0f}",
    ] for r in payload["scaling"]]
    target = [r for r in payload["scaling"] if r["districts"] == case.target_districts]
    if target:
        met = "met" if target[0]["seconds"] <= TARGET_SECONDS else "MISSED"
        verdict = (f"- all frameworks for {case.target_districts:,} districts × {case.periods} "
                   f"periods in ≤ {TARGET_SECONDS:g} s: **{met}** ({target[0]['seconds']:.2f} s)")
    else:
        verdict = f"- the {case.target_districts:,}-district target size is not part of this run"
    store = payload["store"]
    runs = store["runs"]
    sql_memory, sql_store = runs["sql_share_memory"]["seconds"], runs["sql_share_store"]["seconds"]
    labels = [
        ("compute_city", "`compute_city` via the DuckDB store: read + all frameworks + write",
         None),
        ("engine_share_memory", "engine, foreign-citizens share only, in memory", sql_memory),
        ("sql_share_memory", "DuckDB SQL (GROUP BY … FILTER) on the same pandas frame",
         sql_memory),
        ("engine_share_store", "engine share: `store.observations` + evaluate", sql_store),
        ("sql_share_store", "DuckDB SQL on the store file (connect + query + fetch)", sql_store),
    ]
    store_rows = [[title, f"{runs[k]['seconds']:.3f} ({_best_of(runs[k])})",
                   f"{runs[k]['cpu_seconds']:.3f}",
                   f"{runs[k]['seconds'] / peer:.1f}×" if peer else "–",
                   f"{runs[k]['peak_rss_mb']:,.0f}", f"{runs[k]['added_rss_mb']:,.0f}"]
                  for k, title, peer in labels]
    agree = [f"{where}: {a['rows_engine']:,} rows each side, {a['unmatched_rows']} unmatched, "
             f"{a['suppressed_mismatches']} suppression mismatches, max |Δ value| "
             f"{a['max_abs_value_difference']:.2g}" for where, a in store["agreement"].items()]
    return "\n\n".join([
        f"# Indicator engine: all frameworks, a DuckDB store, hand-written SQL ({case.label} run)",
        report.machine_markdown(payload["machine"]),
        _input_text(case, payload),
        ("## Growth with size (`framework_values` for every framework, "
        "`PreparedObservations` included)"),
        report.table(["districts", "periods", "observation rows", "indicator rows", "time (s)",
                      "CPU (s)", "µs per district-period", "peak RSS (MB)",
                      "RSS above input (MB)"], scaling_rows),
        verdict,
        (f"## Through a DuckDB store, and the SQL peer ({store['districts']:,} districts × "
        f"{case.periods} periods)"),
        (f"Loading the {store['observation_rows']:,} observations into the store "
        f"(`store.load`, not timed below) took {store['load_seconds']:.1f} s; `compute_city` "
        f"wrote {store['indicator_rows_written']:,} indicator rows."),
        report.table(["run", "time (s)", "CPU (s)", "÷ SQL peer", "peak RSS (MB)",
                      "RSS above input (MB)"], store_rows),
        "The engine and the SQL peer agree — " + "; ".join(agree) + ".",
        HOW_MEASURED,
        "## Where the time goes (cProfile of the engine, all frameworks)",
        "```\n" + _trim_profile(payload["profile"]) + "\n```",
    ])


HOW_MEASURED = (
    "How it was measured: each run is a fresh child process (forked from a bare fork server); "
    "time is wall-clock of the run only, input already loaded (a pickled frame, or the store "
    "file on disk); CPU is the process's CPU time (all threads: DuckDB's can exceed the "
    "wall-clock), the steadier number on a shared machine. Ratios and µs per district-period "
    "use wall-clock. Peak RSS is `resource.getrusage(RUSAGE_SELF).ru_maxrss` of the child after "
    "the runs; *RSS above input* subtracts the reading taken after setup (interpreter, imports, "
    "input).")


def _input_text(case: IndicatorCase, payload: dict) -> str:
    plan = "; ".join(
        f"{variable}: " + " + ".join("×".join(f"{dim}({len(vals)})" for dim, vals in t.items())
                                     or "total" for t in tables)
        for variable, tables in payload["plan"].items())
    first = payload["scaling"][0]
    per_cell = first["observation_rows"] // (first["districts"] * first["periods"])
    text = (f"Frameworks: {', '.join(payload['frameworks'])} ({payload['indicators']} indicators "
            "plus composites). Synthetic observations follow the definitions' variables and "
            f"dimensions (read from the loaded YAML): {plan} — {per_cell} observation rows per "
            "district and period, log-normal counts.")
    text += (f" Formula kinds: {', '.join(payload['kinds'])}. The formulas that need districts "
             "and events (rates of events, access to services) get a synthetic city: square "
             "districts of 500 m (area 0.25 km²) and, in each of the layers "
             f"{', '.join(payload['event_layers'])}, one event per district and period "
             f"({payload['events_per_layer_at_target']:,} per layer at the target size), "
             "uniformly placed; population-weighted centres at the districts' centroids.")
    if payload["unmodelled"]:
        text += (" Not modelled (they need more than observations, so they produce no rows "
                 f"here): {', '.join(payload['unmodelled'])}.")
    return text


def _best_of(entry: dict) -> str:
    n = len(entry["measured_seconds"])
    return f"best of {n}" if n > 1 else "one run"


def _trim_profile(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()
                     if line.strip() and not line.lstrip().startswith(("Ordered by", "List red")))
