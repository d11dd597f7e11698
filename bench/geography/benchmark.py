"""Geography that changes (issue 10): the crosswalk against tobler's areal interpolation on
real and synthetic boundaries, and the roll-up of a level's counts through a DuckDB store
against a hand-written SQL GROUP BY on the code prefix."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from bench import report
from bench.geography import contenders
from bench.geography.case import CITY, SHARED_DATA, STORES, load_berlin_store
from bench.measure import Measurement, measure, start_child_server

PACKAGES = ["geopandas", "shapely", "tobler", "pandas", "numpy", "duckdb"]
# A level of Berlin and the length of its code: the parent of a planning area is its prefix.
PREFIX = {"forecast_area": 4, "district": 2}
ROLL_UP_FROM, ROLL_UP_SINCE = "planning_area", "2021"  # the 542 planning areas of 2023
REAL_CASES = {
    "berlin": "Berlin: 448 planning areas (until 2020) → 58 forecast areas (2021), "
              "6 counts of t1-planning-areas-2020-02.csv, EPSG:25833",
    "sacramento": "Sacramento: 403 census tracts → 125 ZIP-code areas, 5 counts "
                  "(TOT_POP, WHITE_, BLACK_, ASIAN_, HISP_), EPSG:26910",
}


@dataclass(frozen=True)
class GeographyCase:
    label: str
    synthetic_sizes: tuple[tuple[int, int], ...]  # (sources, targets) of each synthetic case
    real_crosswalks: tuple[str, ...] = tuple(REAL_CASES)  # read from data_dir
    repeats: int = 5
    best_of_up_to: int = 20_000  # cases up to this many sources are timed best of `repeats`
    roll_up_stores: tuple[str, ...] = ("berlin", "planning-only")  # none: no roll-up part
    roll_up_levels: tuple[str, ...] = ("forecast_area", "district")
    data_dir: str = field(default=str(SHARED_DATA))
    profile: bool = True  # a cProfile of ours on the largest synthetic case


FULL = GeographyCase("full", ((1_000, 100), (4_000, 400), (16_000, 1_600)))
QUICK = GeographyCase("quick", ((1_000, 100),), repeats=2, roll_up_stores=("berlin",))


def run_benchmark(case: GeographyCase, out_dir: Path = report.RESULTS_DIR, note: str = "",
                  name: str = "geography") -> dict:
    if (case.real_crosswalks or case.roll_up_stores) and not Path(case.data_dir).is_dir():
        raise FileNotFoundError(f"the real data folder {case.data_dir} is absent: the Berlin "
                                "and Sacramento cases read it (../shared/data beside the "
                                "repository)")
    start_child_server()  # before any data exists, so the contenders' memory is their own
    machine = report.machine(PACKAGES, note)
    crosswalks = [_crosswalk(case, dataset, 0, 0) for dataset in case.real_crosswalks]
    crosswalks += [_crosswalk(case, "synthetic", s, t) for s, t in case.synthetic_sizes]
    roll_up = _roll_up(case) if case.roll_up_stores else []
    profile = _profile(case) if case.profile else ""
    payload = {"benchmark": "geography", "machine": machine, "case": asdict(case),
               "crosswalk": crosswalks, "roll_up": roll_up, "profile": profile,
               "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
    report.write_results(name, _markdown(case, payload), payload, out_dir)
    return payload


# Crosswalk ---------------------------------------------------------------------------------------
def _crosswalk(case: GeographyCase, dataset: str, sources: int, targets: int) -> dict:
    repeats = case.repeats if sources <= case.best_of_up_to else 1
    args = (dataset, case.data_dir, sources, targets)
    ours = measure(contenders.setup_ours, contenders.run_ours, *args, repeats=repeats)
    peer = measure(contenders.setup_tobler, contenders.run_tobler, *args, repeats=repeats)
    ours_values, steps = ours.result
    peer_values, _ = peer.result
    return {"dataset": dataset, "sources": steps["source_count"], "targets": len(peer_values),
            "title": REAL_CASES.get(dataset, f"synthetic: {sources:,} cells → {targets:,} cells"),
            "variables": list(peer_values.columns), "weight_rows": int(steps["weight_rows"]),
            "ours": {**_timing(ours), "weights_seconds": steps["weights_seconds"],
                     "carry_seconds": steps["carry_seconds"]},
            "tobler": _timing(peer), "ratio_ours_to_tobler": ours.best / peer.best,
            "cpu_ratio_ours_to_tobler": ours.best_cpu / peer.best_cpu,
            "agreement": _crosswalk_agreement(ours_values, peer_values,
                                              steps["source_totals"])}


def _crosswalk_agreement(ours: pd.DataFrame, tobler: pd.DataFrame, totals: pd.Series) -> dict:
    """Largest gap between the two, per target and variable, relative to tobler's value; and
    each side's totals against the sources'."""
    missing = tobler.index.difference(ours.index)  # targets no source reaches: ours has no row
    aligned = ours.reindex(index=tobler.index, columns=tobler.columns)
    gap = (aligned.fillna(0.0) - tobler).abs().to_numpy()
    scale = tobler.abs().to_numpy()
    nonzero = scale > 0
    totals = totals.reindex(tobler.columns)
    total_ours = aligned.sum()
    total_tobler = tobler.sum()
    return {
        "cells": int(gap.size),
        "max_relative_difference": float((gap[nonzero] / scale[nonzero]).max(initial=0.0)),
        "max_abs_difference": float(gap.max(initial=0.0)),
        "targets_only_tobler": len(missing),
        "tobler_value_there": float(tobler.loc[missing].abs().to_numpy().sum()),
        "source_total": float(totals.sum()),
        "max_relative_total_error_ours": float(((total_ours - totals).abs() / totals).max()),
        "max_relative_total_error_tobler": float(((total_tobler - totals).abs()
                                                  / totals).max()),
    }


# Roll-up -----------------------------------------------------------------------------------------
def _roll_up(case: GeographyCase) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-geography-") as tmp:
        for store_name in case.roll_up_stores:
            database = Path(tmp) / f"{store_name}.duckdb"
            loaded = load_berlin_store(database, Path(case.data_dir) / "berlin", store_name)
            for level in case.roll_up_levels:
                params = {"city": CITY, "from_level": ROLL_UP_FROM, "since": ROLL_UP_SINCE,
                          "prefix": PREFIX[level]}
                ours = measure(contenders.setup_level_inputs, contenders.run_level_inputs,
                               f"duckdb:///{database}", CITY, level, repeats=case.repeats)
                peer = measure(contenders.setup_sql, contenders.run_sql, str(database),
                               params, repeats=case.repeats)
                rows.append({"store": store_name, "tables": STORES[store_name],
                             "observation_rows": loaded, "level": level,
                             "ours": _timing(ours), "sql": _timing(peer),
                             "ratio_ours_to_sql": ours.best / peer.best,
                             "cpu_ratio_ours_to_sql": ours.best_cpu / peer.best_cpu,
                             "agreement": _roll_up_agreement(ours.result, peer.result)})
    return rows


def _roll_up_agreement(ours: pd.DataFrame, sql: pd.DataFrame) -> dict:
    """Every sum of the SQL must be in the level inputs with exactly the same value; rows of the
    level inputs the SQL has no counterpart for (counts carried from 2020) are counted."""
    key = contenders.ROLL_UP_KEY
    both = sql.merge(ours[[*key, "value", "estimate"]], on=key, how="outer",
                     suffixes=("_sql", "_ours"), indicator=True)
    matched = both[both["_merge"] == "both"]
    gap = (matched["value_sql"] - matched["value_ours"]).abs()
    only_ours = both[both["_merge"] == "right_only"]
    return {"sql_cells": len(sql), "ours_rows": len(ours), "matched": len(matched),
            "equal": int((matched["value_sql"] == matched["value_ours"]).sum()),
            "max_abs_difference": float(gap.max()) if len(gap) else 0.0,
            "sql_only": int((both["_merge"] == "left_only").sum()),
            "ours_only": len(only_ours),
            "ours_only_periods": sorted(only_ours["period"].astype(str).unique().tolist()),
            "ours_only_carried": int((only_ours["estimate"] != "").sum())}


def _profile(case: GeographyCase, top: int = 10) -> str:
    """Where ours spends its time on the largest synthetic case (else the first real one)."""
    if case.synthetic_sizes:
        sources, targets = max(case.synthetic_sizes)
        args: tuple = ("synthetic", case.data_dir, sources, targets)
        title = f"synthetic {sources:,} → {targets:,} cells"
    elif case.real_crosswalks:
        args, title = (case.real_crosswalks[0], case.data_dir, 0, 0), case.real_crosswalks[0]
    else:
        return ""
    state = contenders.setup_ours(*args)
    profiler = cProfile.Profile()
    profiler.runcall(contenders.run_ours, state)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    lines = [line.rstrip() for line in out.getvalue().splitlines()
             if line.strip() and not line.lstrip().startswith(("Ordered by", "List red"))]
    return title + "\n" + "\n".join(lines)


def _timing(m: Measurement) -> dict:
    return {"seconds": m.best, "measured_seconds": m.seconds, "cpu_seconds": m.best_cpu,
            "measured_cpu_seconds": m.cpu_seconds, "peak_rss_mb": m.peak_mb,
            "added_rss_mb": m.added_mb}


# Report ------------------------------------------------------------------------------------------
def _markdown(case: GeographyCase, payload: dict) -> str:
    parts = [f"# Geography: crosswalk against tobler, roll-up against SQL ({case.label} run)",
             report.machine_markdown(payload["machine"]),
             (f"- load average at the end (1/5/15 min): "
             f"{' / '.join(str(x) for x in payload['load_average_at_end'])}"),
             "## Crosswalk: `area_weights` + `carry` against tobler's `area_interpolate`",
             CROSSWALK_TEXT,
             report.table(["case", "weight rows", "ours (s)", "of which weights / carry (s, last run)",
                           "ours CPU (s)", "tobler (s)", "tobler CPU (s)", "ours ÷ tobler",
                           "CPU ours ÷ tobler",
                           "peak RSS ours / tobler (MB)", "RSS above input ours / tobler (MB)"],
                          [_crosswalk_row(r) for r in payload["crosswalk"]]),
             ("Agreement (every target and variable; relative to tobler's value where it is "
             "not 0; totals against the sources'):"),
             report.table(["case", "cells", "max relative difference", "max abs difference",
                           "targets only tobler has (its value there)",
                           "total error ours", "total error tobler"],
                          [_agreement_row(r) for r in payload["crosswalk"]])]
    if payload["roll_up"]:
        parts += [("## Roll-up: `observations_at_level` through a DuckDB store against "
                  "hand-written SQL"),
                  ROLL_UP_TEXT,
                  report.table(["store", "level", "ours (s)", "ours CPU (s)", "SQL (s)",
                                "SQL CPU (s)", "ours ÷ SQL", "CPU ours ÷ SQL", "peak RSS ours / SQL (MB)",
                                "agreement"],
                               [_roll_up_row(r) for r in payload["roll_up"]])]
    else:
        parts.append("The roll-up was not part of this run.")
    parts.append(HOW_MEASURED)
    if payload["profile"]:
        parts += ["## Where our crosswalk's time goes (cProfile of `area_weights` + `carry`)",
                  "```\n" + payload["profile"] + "\n```"]
    return "\n\n".join(parts)


def _crosswalk_row(r: dict) -> list[str]:
    ours, peer = r["ours"], r["tobler"]
    return [r["title"], f"{r['weight_rows']:,}", f"{ours['seconds']:.3f} ({_best_of(ours)})",
            f"{ours['weights_seconds']:.3f} / {ours['carry_seconds']:.3f}",
            f"{ours['cpu_seconds']:.3f}", f"{peer['seconds']:.3f} ({_best_of(peer)})",
            f"{peer['cpu_seconds']:.3f}", f"**{r['ratio_ours_to_tobler']:.2f}×**",
            f"{r['cpu_ratio_ours_to_tobler']:.2f}×",
            f"{ours['peak_rss_mb']:,.0f} / {peer['peak_rss_mb']:,.0f}",
            f"{ours['added_rss_mb']:,.0f} / {peer['added_rss_mb']:,.0f}"]


def _agreement_row(r: dict) -> list[str]:
    a = r["agreement"]
    return [r["title"].split(":")[0] if r["dataset"] != "synthetic"
            else f"synthetic {r['sources']:,} → {r['targets']:,}",
            f"{a['cells']:,}", f"{a['max_relative_difference']:.2e}",
            f"{a['max_abs_difference']:.2e}",
            f"{a['targets_only_tobler']} ({a['tobler_value_there']:g})",
            f"{a['max_relative_total_error_ours']:.1e}",
            f"{a['max_relative_total_error_tobler']:.1e}"]


def _roll_up_row(r: dict) -> list[str]:
    ours, sql, a = r["ours"], r["sql"], r["agreement"]
    exact = "exact" if a["equal"] == a["sql_cells"] == a["matched"] else "**DIFFERENT**"
    extra = (f"; {a['ours_only']} more rows in ours ({a['ours_only_carried']} carried, periods "
             f"{', '.join(a['ours_only_periods'])})" if a["ours_only"] else "")
    return [f"{r['store']} ({r['observation_rows']:,} observation rows)", r["level"],
            f"{ours['seconds']:.3f} ({_best_of(ours)})", f"{ours['cpu_seconds']:.3f}",
            f"{sql['seconds']:.3f} ({_best_of(sql)})", f"{sql['cpu_seconds']:.3f}",
            f"**{r['ratio_ours_to_sql']:.1f}×**", f"{r['cpu_ratio_ours_to_sql']:.1f}×",
            f"{ours['peak_rss_mb']:,.0f} / {sql['peak_rss_mb']:,.0f}",
            (f"{exact}: {a['equal']:,} of {a['sql_cells']:,} SQL sums equal, max abs Δ "
            f"{a['max_abs_difference']:g}{extra}")]


def _best_of(entry: dict) -> str:
    n = len(entry["measured_seconds"])
    return f"best of {n}" if n > 1 else "one run"


CROSSWALK_TEXT = (
    "Ours: `observatory.geography.crosswalk.area_weights` (the overlay and the weights, in the "
    "case's local CRS) then `carry` of every count (long rows: one per area and variable, as "
    "the store holds them). tobler: `tobler.area_weighted.area_interpolate(sources, targets, "
    "extensive_variables=[…])` with its defaults (`allocate_total=True`), the counts as columns "
    "of the source frame. Both get their input already read and projected. Synthetic cases: "
    "Voronoi cells of seeded uniform points over a 30 km square, edges cut into segments of "
    "1/15 of a cell's side, onto an independent coarser tessellation of the same square; "
    "5 log-normal counts.")

ROLL_UP_TEXT = (
    "Berlin through the shipped specs into a DuckDB store (`bench/geography/case.py`, as "
    "`load_berlin` in `tests/ingest/test_berlin_realdata.py`): *berlin* holds the three "
    "boundary sets and all four t1 tables (districts 2023, forecast areas 2023, the 542 "
    "planning areas of 2023 as codes, the 448 planning areas of 2020); *planning-only* the "
    "boundaries and the 542 planning areas alone, so every coarser count is a sum. Ours: "
    "`indicators.level_inputs.observations_at_level(store, 'berlin', level)` (opened store; "
    "reads every level's observations, the versions and the crosswalk; loaded counts win, "
    "finer ones are summed by parent code, the 2020 ones carried). SQL: "
    "`bench/geography/roll_up.sql`, a `GROUP BY` on `substr(code, 1, 4)` (forecast areas) or "
    "`substr(code, 1, 2)` (districts) of the planning-area rows since 2021 (connect to the "
    "file, query, fetch a frame). Ours does more than the SQL (the 2020 counts carried, the "
    "loaded tables preferred and compared): the ratio is the cost of that generality. "
    "Agreement: every SQL sum is looked up in ours by (code, period, variable, dims) and must "
    "be equal exactly.")

HOW_MEASURED = (
    "How it was measured: each contender runs in a fresh child process (forked from a bare "
    "fork server); time is wall-clock of the run only, input already read (files read and "
    "projected, or the store file on disk); CPU is the process's CPU time (all threads), the "
    "steadier number on a shared machine. Ratios use wall-clock best times from the same run. "
    "Peak RSS is `resource.getrusage(RUSAGE_SELF).ru_maxrss` of the child after the runs; "
    "*RSS above input* subtracts the reading taken after setup (interpreter, imports, input).")
