"""The partitioned indicator engine (issue 15, point 2) at growing sizes: every framework on
worker processes from a city's Parquet files, against the whole-frame engine in one process
where that fits in memory. ``python -m bench.indicators.parts [--quick] [--note TEXT]``."""

from __future__ import annotations

import argparse
import itertools
import resource
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import report
from bench.indicators.benchmark import IndicatorCase, _scaling_row
from bench.indicators.synthetic import (
    GRID_CRS,
    event_layers,
    observation_plan,
    synthetic_city,
    synthetic_observation_parts,
)
from bench.measure import measure, start_child_server
from indicators.city_files import CityFiles, write_city_files
from indicators.definitions import load_frameworks
from indicators.partitioned import Partitioning, partitioned_values
from observatory.settings import DisclosureSettings

PACKAGES = ["pandas", "numpy", "duckdb", "pyarrow", "geopandas"]
TARGET_SECONDS, TARGET_MB, TARGET_GROWTH = 60.0, 4_096.0, 12.0


@dataclass(frozen=True)
class PartsCase:
    label: str
    district_counts: tuple[int, ...]
    periods: int
    chunk: int  # districts per part
    workers: int
    whole_frame_up_to: int  # the one-process engine is run up to this many districts
    target_districts: int = 50_000
    seed: int = 2026


FULL = PartsCase("full", (500, 5_000, 50_000), periods=10, chunk=2_500, workers=2,
                 whole_frame_up_to=5_000)
QUICK = PartsCase("quick", (100, 1_000), periods=10, chunk=250, workers=2,
                  whole_frame_up_to=1_000, target_districts=1_000)


def run_benchmark(case: PartsCase, out_dir: Path = report.RESULTS_DIR, note: str = "",
                  name: str = "indicators-parts") -> dict:
    start_child_server()
    machine = report.machine(PACKAGES, note)
    frameworks = load_frameworks()
    plan = observation_plan(frameworks.values())
    layers = event_layers(d.formula for f in frameworks.values() for d in f.indicators)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-parts-") as tmp:
        for n in case.district_counts:
            started = time.perf_counter()
            districts, events = synthetic_city(n, case.periods, layers, seed=case.seed)
            folder = Path(tmp) / f"city-{n}"
            write_city_files(folder, synthetic_observation_parts(plan, districts, case.periods,
                                                                 case.seed),
                             districts, events, GRID_CRS)
            del districts, events
            written = time.perf_counter() - started
            m = measure(setup_parts, run_parts, str(folder), case.chunk, case.workers)
            row = {"districts": n, "periods": case.periods, "input_seconds": written,
                   "input_mb": sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
                   / 2**20, **m.result, "seconds": m.best, "parent_peak_mb": m.peak_mb}
            row["peak_mb"] = row["parent_peak_mb"] + sum(row["worker_peaks_mb"])
            if n <= case.whole_frame_up_to:
                whole = IndicatorCase("whole", (n,), case.periods, store_districts=0,
                                      best_of_up_to=0, repeats=1, seed=case.seed)
                row["whole_frame"] = _scaling_row(whole, plan, layers, n, Path(tmp))
            shutil.rmtree(folder)
            rows.append(row)
    payload = {"benchmark": "indicators-parts", "machine": machine, "case": asdict(case),
               "frameworks": sorted(frameworks), "rows": rows,
               "targets": {"seconds": TARGET_SECONDS, "peak_mb": TARGET_MB,
                           "growth": TARGET_GROWTH}}
    report.write_results(name, _markdown(case, payload), payload, out_dir)
    return payload


def setup_parts(folder: str, chunk: int, workers: int):
    root = Path(folder)
    files = CityFiles(root / "observations.parquet", root / "districts.parquet",
                      root / "events", GRID_CRS)
    return (list(load_frameworks().values()), files, DisclosureSettings().min_count,
            Partitioning(chunk=chunk, workers=workers))


def run_parts(state) -> dict:
    """One run, its values written to a scratch folder and then removed; the workers' CPU
    is theirs once the pool has joined them (RUSAGE_CHILDREN)."""
    frameworks, files, min_count, partitioning = state
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="bench-parts-out-") as out:
        run = partitioned_values(frameworks, files, Path(out), min_count, partitioning)
        written_mb = sum(f.stat().st_size for f in run.files) / 2**20
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    tasks = [{"frameworks": list(t.frameworks), "districts": t.districts,
              "rows": sum(t.rows.values()), "seconds": t.seconds, "cpu_seconds": t.cpu_seconds,
              "worker_peak_mb": t.peak_mb} for t in run.tasks]
    return {"indicator_rows": sum(run.rows.values()), "written_mb": written_mb,
            "workers_cpu_seconds": workers_cpu, "worker_peaks_mb": run.worker_peaks_mb(),
            "tasks": tasks}


def _markdown(case: PartsCase, payload: dict) -> str:
    rows = payload["rows"]
    table = [[f"{r['districts']:,}", f"{r['indicator_rows']:,}", f"{r['seconds']:.1f}",
              f"{r['workers_cpu_seconds']:.1f}",
              f"{1e6 * r['seconds'] / (r['districts'] * r['periods']):.0f}",
              f"{r['peak_mb']:,.0f}",
              " + ".join(f"{p:,.0f}" for p in r["worker_peaks_mb"]),
              (f"{r['whole_frame']['seconds']:.1f} s, {r['whole_frame']['peak_rss_mb']:,.0f} MB"
               if "whole_frame" in r else "–")] for r in rows]
    verdicts = _verdicts(case, rows)
    tasks = [[f"{r['districts']:,}", ", ".join(t["frameworks"]), f"{t['districts']:,}",
              f"{t['rows']:,}", f"{t['seconds']:.1f}", f"{t['cpu_seconds']:.1f}",
              f"{t['worker_peak_mb']:,.0f}"]
             for r in rows for t in _grouped_tasks(r["tasks"])]
    return "\n\n".join([
        f"# Indicator engine in parts ({case.label} run)",
        report.machine_markdown(payload["machine"]),
        (f"Every framework ({', '.join(payload['frameworks'])}) on {case.workers} worker "
         f"processes, parts of {case.chunk:,} districts, {case.periods} periods; input: the "
         "`bench.indicators` synthetic city written as Parquet files part by part "
         "(`indicators.city_files`), values written as Parquet by the workers. Peak memory "
         "is the measuring process's peak RSS plus each worker's (an upper bound of the "
         "processes' peak together). The whole-frame column is `framework_values` in one "
         "process on one pandas frame (`bench.indicators`), where that fits in memory."),
        report.table(["districts", "indicator rows", "time (s)", "workers' CPU (s)",
                      "µs per district-period", "peak RSS, all processes (MB)",
                      "workers' peaks (MB)", "whole frame, one process"], table),
        "\n".join(verdicts),
        "## Tasks (parts summed per size)",
        report.table(["districts", "frameworks", "districts per task", "rows", "time (s)",
                      "CPU (s)", "worker peak so far (MB)"], tasks),
    ])


def _grouped_tasks(tasks: list[dict]) -> list[dict]:
    """The whole-city tasks one by one, the parts summed (their peak: the largest)."""
    whole = [t for t in tasks if "cpi" not in t["frameworks"]]
    parts = [t for t in tasks if "cpi" in t["frameworks"]]
    if parts:
        whole.append({"frameworks": [*parts[0]["frameworks"], f"({len(parts)} parts)"],
                      "districts": max(t["districts"] for t in parts),
                      "rows": sum(t["rows"] for t in parts),
                      "seconds": sum(t["seconds"] for t in parts),
                      "cpu_seconds": sum(t["cpu_seconds"] for t in parts),
                      "worker_peak_mb": max(t["worker_peak_mb"] for t in parts)})
    return whole


def _verdicts(case: PartsCase, rows: list[dict]) -> list[str]:
    out = []
    target = [r for r in rows if r["districts"] == case.target_districts]
    for r in target:
        met_t = "met" if r["seconds"] <= TARGET_SECONDS else "MISSED"
        met_m = "met" if r["peak_mb"] <= TARGET_MB else "MISSED"
        out.append(f"- {r['districts']:,} districts × {r['periods']} periods in ≤ "
                   f"{TARGET_SECONDS:g} s: **{met_t}** ({r['seconds']:.1f} s); peak ≤ "
                   f"{TARGET_MB:,.0f} MB: **{met_m}** ({r['peak_mb']:,.0f} MB)")
    for small, big in itertools.pairwise(rows):
        growth = big["seconds"] / small["seconds"]
        ratio = big["districts"] / small["districts"]
        met = "met" if growth <= TARGET_GROWTH * ratio / 10 else "MISSED"
        out.append(f"- {small['districts']:,} → {big['districts']:,} districts "
                   f"({ratio:g}×): {growth:.1f}× the time (≤ {TARGET_GROWTH * ratio / 10:g}×: "
                   f"**{met}**)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.indicators.parts",
                                     description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run, for development")
    parser.add_argument("--note", default="", help="a remark for the result table")
    args = parser.parse_args()
    name = "indicators-parts-quick" if args.quick else "indicators-parts"
    run_benchmark(QUICK if args.quick else FULL, note=args.note, name=name)
    print(f"wrote bench/results/{name}.md and .json")


if __name__ == "__main__":
    main()
