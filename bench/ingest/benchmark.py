"""Run the contenders on one synthetic feed, check they agree, write the result table."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from bench import report
from bench.ingest import contenders
from bench.ingest.case import (
    CATEGORIES,
    COLUMNS,
    OUTSIDE_SHARE,
    ROWS,
    IngestCase,
    write_feed,
    write_head,
)
from bench.measure import measure, start_child_server
from bench.postgis import NoPostGIS, postgis_database

TARGETS = {"hand_sql_ratio_max": 1.3, "geopandas_speedup_min": 10.0, "peak_rss_mb_max": 2048,
           "postgis_vs_copy_min": 0.7}
PACKAGES = ["duckdb", "duckdb-extension-spatial", "geopandas", "shapely", "pandas", "psycopg"]


def run_benchmark(case: IngestCase, out_dir: Path = report.RESULTS_DIR, note: str = "",
                  name: str = "ingest") -> dict:
    start_child_server()
    machine = report.machine(PACKAGES, note)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        feed = Path(tmp) / "points.csv"
        write_feed(feed, case.n_rows)
        head = feed
        if case.geopandas_rows < case.n_rows:
            head = Path(tmp) / "head.csv"
            write_head(feed, head, case.geopandas_rows)

        ours = measure(contenders.setup_compute, contenders.run_compute, str(feed),
                       repeats=case.repeats)
        hand = measure(contenders.setup_hand_sql, contenders.run_hand_sql, str(feed),
                       repeats=case.repeats)
        parse = measure(contenders.setup_parse_only, contenders.run_parse_only, str(feed),
                        repeats=case.repeats)
        gpd_run = measure(contenders.setup_geopandas, contenders.run_geopandas, str(head),
                          repeats=case.repeats)
        pandas_parse = measure(contenders.setup_geopandas, contenders.run_pandas_parse,
                               str(head), repeats=case.repeats)
        hand_head = measure(contenders.setup_hand_sql, contenders.run_hand_sql, str(head))
        write = measure(contenders.setup_store_write, contenders.run_store_load, str(feed),
                        _fresh(tmp, "write"), repeats=case.repeats)
        job = measure(contenders.setup_job, contenders.run_job, str(feed), _fresh(tmp, "job"))
        scale = case.n_rows / case.geopandas_rows
        results = {
            "project_compute": _entry(ours),
            "hand_written_sql": _entry(hand),
            "duckdb_parse_only": _entry(parse),
            "geopandas_naive": _entry(gpd_run, extrapolate=scale),
            "pandas_read_csv_only": _entry(pandas_parse, extrapolate=scale),
            "project_store_write_duckdb": _entry(write),
            "project_job_duckdb": _entry(job),
        }
        agree = {
            "project_vs_hand_sql": _same(ours.result, hand.result),
            "geopandas_vs_hand_sql_on_its_rows": _same(gpd_run.result, hand_head.result),
        }
        results["postgis"] = _postgis(case, tmp)
    ratios = {
        "project_over_hand_sql": results["project_compute"]["seconds"]
        / results["hand_written_sql"]["seconds"],
        "geopandas_over_project": results["geopandas_naive"]["seconds"]
        / results["project_compute"]["seconds"],
        "geopandas_over_project_cpu": results["geopandas_naive"]["cpu_seconds"]
        / results["project_compute"]["cpu_seconds"],
        # No DuckDB path can beat this: geopandas against parsing the file alone.
        "geopandas_over_parse_only": results["geopandas_naive"]["seconds"]
        / results["duckdb_parse_only"]["seconds"],
        "postgis_load_over_copy_rate": results["postgis"]["store_rows_per_s"]
        / results["postgis"]["copy_rows_per_s"] if results["postgis"] else None,
    }
    payload = {"benchmark": "ingest", "machine": machine, "case": asdict(case),
               "published_cells": len(ours.result), "agree": agree, "targets": TARGETS,
               "ratios": ratios, "results": results}
    report.write_results(name, _markdown(case, payload), payload, out_dir)
    return payload


def _fresh(tmp: str, name: str) -> str:
    path = Path(tmp) / name
    path.mkdir()
    return str(path)


def _entry(m, extrapolate: float = 1.0) -> dict:
    return {"seconds": m.best * extrapolate, "measured_seconds": m.seconds,
            "cpu_seconds": m.best_cpu * extrapolate, "measured_cpu_seconds": m.cpu_seconds,
            "extrapolation_factor": extrapolate, "peak_rss_mb": m.peak_mb,
            "added_rss_mb": m.added_mb}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    columns = ["district_code", "period", "category", "value"]
    return a[columns].reset_index(drop=True).equals(b[columns].reset_index(drop=True))


def _postgis(case: IngestCase, tmp: str) -> dict | None:
    """The PostGIS load in a fresh database (``bench.postgis``); None without PostgreSQL."""
    try:
        with postgis_database("bench_ingest") as db_url:
            return _postgis_load(case, tmp, db_url)
    except NoPostGIS:
        return None


def _postgis_load(case: IngestCase, tmp: str, db_url: str) -> dict:
    observations = Path(tmp) / "observations.pkl"
    contenders.postgis_observations(case.postgis_rows).to_pickle(observations)
    load = measure(contenders.setup_postgis_load, contenders.run_store_load, db_url,
                   str(observations), repeats=case.repeats)
    copy = measure(contenders.setup_raw_copy, contenders.run_raw_copy, db_url,
                   str(observations), repeats=case.repeats)
    keyed = measure(contenders.setup_keyed_copy, contenders.run_raw_copy, db_url,
                    str(observations), repeats=case.repeats)
    return {"rows": case.postgis_rows, "store_seconds": load.best, "copy_seconds": copy.best,
            "store_rows_per_s": case.postgis_rows / load.best,
            "copy_rows_per_s": case.postgis_rows / copy.best,
            "rows_loaded": {"store": load.result, "copy": copy.result, "keyed_copy": keyed.result},
            "keyed_copy_seconds": keyed.best,
            "keyed_copy_rows_per_s": case.postgis_rows / keyed.best,
            "store_peak_rss_mb": load.peak_mb, "copy_peak_rss_mb": copy.peak_mb,
            "keyed_copy_peak_rss_mb": keyed.peak_mb}


def _markdown(case: IngestCase, payload: dict) -> str:
    res, ratios = payload["results"], payload["ratios"]
    rows = []
    titles = [("project_compute", "project: `ingest.bigdata.points.point_counts` (DuckDB)"),
              ("hand_written_sql", "hand-written DuckDB spatial SQL"),
              ("duckdb_parse_only", "floor: DuckDB parses the file, counts per month × category"),
              ("geopandas_naive", "geopandas: read_csv → points_from_xy → sjoin → groupby"),
              ("pandas_read_csv_only", "geopandas' first step alone: `pandas.read_csv`"),
              ("project_store_write_duckdb", "project: store write only (`store.load`, DuckDB)"),
              ("project_job_duckdb", "project: whole job `ingest_points` (hash + compute + write)")]
    base = res["hand_written_sql"]["seconds"]
    for key, title in titles:
        e = res[key]
        time, runs = f"{e['seconds']:.2f}", len(e["measured_seconds"])
        best = f"best of {runs}" if runs > 1 else "one run"
        if e["extrapolation_factor"] != 1:
            time += (f" ({best}, extrapolated ×{e['extrapolation_factor']:g} from "
                     f"{min(e['measured_seconds']):.2f} s on {case.geopandas_rows:,} rows)")
        elif runs > 1:
            time += f" ({best})"
        rows.append([title, time, f"{e['cpu_seconds']:.2f}", f"{e['seconds'] / base:.2f}×",
                     f"{e['peak_rss_mb']:,.0f}", f"{e['added_rss_mb']:,.0f}"])
    peak = max(res[k]["peak_rss_mb"] for k in ("project_compute", "project_job_duckdb"))
    verdicts = [
        (f"- project ≤ {TARGETS['hand_sql_ratio_max']}× hand-written SQL: "
        f"**{_met(ratios['project_over_hand_sql'] <= TARGETS['hand_sql_ratio_max'])}** "
        f"({ratios['project_over_hand_sql']:.2f}×)"),
        (f"- project ≥ {TARGETS['geopandas_speedup_min']:g}× faster than geopandas: "
        f"**{_met(ratios['geopandas_over_project'] >= TARGETS['geopandas_speedup_min'])}** "
        f"({ratios['geopandas_over_project']:.1f}× wall-clock, "
        f"{ratios['geopandas_over_project_cpu']:.1f}× in CPU time; parsing the file alone in "
        f"DuckDB is {ratios['geopandas_over_parse_only']:.1f}× faster than geopandas, the "
        "ceiling for any DuckDB path)"),
        (f"- project peak memory ≤ 2 GB: **{_met(peak <= TARGETS['peak_rss_mb_max'])}** "
        f"({peak:,.0f} MB)"),
    ]
    pg = res["postgis"]
    if pg:
        ok = ratios["postgis_load_over_copy_rate"] >= TARGETS["postgis_vs_copy_min"]
        verdicts.append(f"- PostGIS load ≥ {TARGETS['postgis_vs_copy_min']}× raw COPY rows/s: "
                        f"**{_met(ok)}** ({ratios['postgis_load_over_copy_rate']:.2f}×)")
        pg_table = report.table(
            ["PostGIS bulk load", "rows", "time (s)", "rows/s", "peak RSS (MB)"],
            [[("`store.load(observations=…)` (DuckDB writes the CSV; COPY into `observation`, "
               "its key checked by the table)"), f"{pg['rows']:,}", f"{pg['store_seconds']:.2f}",
              f"{pg['store_rows_per_s']:,.0f}", f"{pg['store_peak_rss_mb']:,.0f}"],
             ["raw `COPY … FROM STDIN (FORMAT csv)` into a plain table (no key): the target",
              f"{pg['rows']:,}", f"{pg['copy_seconds']:.2f}", f"{pg['copy_rows_per_s']:,.0f}",
              f"{pg['copy_peak_rss_mb']:,.0f}"],
             ["raw COPY as above into the store's `observation` table (its 5-column primary key)",
              f"{pg['rows']:,}", f"{pg['keyed_copy_seconds']:.2f}",
              f"{pg['keyed_copy_rows_per_s']:,.0f}", f"{pg['keyed_copy_peak_rss_mb']:,.0f}"]])
    else:
        verdicts.append("- PostGIS load: **not run** (no PostgreSQL server binaries found)")
        pg_table = ""
    agree = payload["agree"]
    header = ["contender", "time (s)", "CPU (s)", "÷ hand-written SQL", "peak RSS (MB)",
              "RSS above input (MB)"]
    return "\n\n".join(filter(None, [
        f"# Big point feed → redacted district counts ({case.label} run)",
        report.machine_markdown(payload["machine"]),
        (f"Input: {case.n_rows:,} seeded geotagged points (CSV: lon, lat, timestamp, one of "
        f"{len(CATEGORIES)} categories) over {COLUMNS * ROWS} districts (a {COLUMNS} × {ROWS} "
        f"grid of 2 km squares with a vertex every 100 m, stored in EPSG:4326), about "
        f"{100 * OUTSIDE_SHARE:.0f} % of the points beyond the city's edge; counts per "
        "district × month × category, redacted (publish only counts > 15, a district-month "
        f"withheld whole when any category is small): {payload['published_cells']} cells "
        "published."),
        report.table(header, rows),
        pg_table,
        "\n".join(verdicts),
        (f"Agreement: project = hand-written SQL, cell for cell: "
        f"**{agree['project_vs_hand_sql']}**; geopandas = hand-written SQL on the same "
        f"{case.geopandas_rows:,} rows: **{agree['geopandas_vs_hand_sql_on_its_rows']}**."),
        ("How it was measured:\n\n"
        "- Each contender runs in its own child process (`bench.measure`); time is wall-clock "
        "of the run only (imports, districts and spec loaded in the setup), CPU time that of "
        "all the child's threads (steadier than wall-clock on a shared machine; DuckDB uses "
        "both cores, pandas and shapely one); peak RSS is the child's `ru_maxrss`.\n"
        "- The project's compute does more than the hand-written SQL in its single pass over "
        "the file: row checks (missing or out-of-range lon/lat, unparsable times, kept with "
        "line numbers), and points on a border (lowest code) and outside the city (with a "
        "lon/lat-swap hint) are counted and reported. It places points with a lon/lat grid "
        "(`ingest.bigdata.grid`): cells wholly inside one district give their district by "
        "arithmetic and an array lookup in DuckDB; only points in cells a border crosses take "
        "the point-in-polygon test, once per distinct location, in shapely (DuckDB's spatial "
        "extension is not even loaded). The hand-written SQL tests every point with "
        "`ST_Contains`.\n"
        "- geopandas reads the whole file into pandas; on the full run it is timed on the "
        f"first {case.geopandas_rows:,} rows and its time **extrapolated linearly** "
        "(its memory is that of the subsample run, so it understates the full-size need); "
        "so is its `read_csv` step timed alone.\n"
        "- PostGIS: a throwaway cluster started as `tests/conftest.py` does (fsync off); all "
        "three contenders start from the same pandas frame; raw COPY includes writing the CSV text "
        "with `DataFrame.to_csv`. Keeping the primary key costs the database about 1.3 s a "
        "million rows whatever its columns (a 3-column key with an integer series id measured "
        "the same); the store wins that back by writing its CSV with DuckDB (0.3 s against "
        "pandas' 1.35 s) and by leaving a repeated key to the table's key instead of checking "
        "it in pandas first."),
    ]))


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"
