"""Write the synthetic cities to a DuckDB store through the store protocol, then time the
comparison table (read from the store, and from memory) and one city's benchmark report (HTML,
then PDF with WeasyPrint: the first in the process, with WeasyPrint's start-up, and the next)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import report
from bench.compare.synthetic import synthetic_cities
from observatory.services.benchmark_report import report_html, report_pdf
from observatory.services.comparison import ComparisonRequest, comparison, load_input
from observatory.services.peer_groups import parse_peer_group
from observatory.store import open_store

TABLE_TARGET_S, PDF_TARGET_S = 2.0, 10.0


@dataclass(frozen=True)
class CompareCase:
    name: str
    cities: int
    indicators: int
    periods: int
    repeats: int = 3
    pdf: bool = True


FULL = CompareCase("full", 100, 60, 10)
QUICK = CompareCase("quick", 12, 20, 4, repeats=1)


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[list[tuple[float, float]], Any]:
    """(wall-clock, CPU) seconds per run: on a shared machine the CPU time is the steadier."""
    seconds, result = [], None
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        seconds.append((time.perf_counter() - start, time.process_time() - cpu))
    return seconds, result


def run_benchmark(case: CompareCase, note: str = "", name: str = "compare",
                  out_dir: Path = report.RESULTS_DIR, pdf_out: Path | None = None) -> dict:
    info = report.machine(["duckdb", "pandas", "weasyprint", "jinja2"], note)
    cities, values = synthetic_cities(case.cities, case.indicators, case.periods)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as folder:
        store = open_store(f"duckdb:///{Path(folder) / 'compare.duckdb'}")
        store.init_schema()
        start = time.perf_counter()
        for city in cities:
            store.upsert_city(city)
            store.put_indicator_values(city.slug, values[city.slug])
        written = time.perf_counter() - start
        request = ComparisonRequest(peer_group=parse_peer_group("over-200k"))

        def from_store():
            return comparison(load_input(store), request)

        seconds, result = _timed(from_store, case.repeats)
        rows.append(_row("comparison table, read from the DuckDB store (all indicators, "
                         "over-200k group)", seconds, TABLE_TARGET_S))
        data = load_input(store)
        store.close()
    seconds, result = _timed(lambda: comparison(data, request), case.repeats)
    rows.append(_row("comparison table, from memory (ComparisonInput)", seconds,
                     TABLE_TARGET_S))
    city = cities[0].slug
    seconds, html = _timed(lambda: report_html(data, city, request, "ar"), case.repeats)
    rows.append(_row("benchmark report, HTML (Arabic)", seconds, None))
    if case.pdf:
        first, pdf = _timed(lambda: report_pdf(html), 1)
        rows.append(_row("benchmark report, PDF (Arabic), first in the process", first,
                         PDF_TARGET_S))
        again, pdf = _timed(lambda: report_pdf(html), case.repeats)
        rows.append(_row("benchmark report, PDF (Arabic), next ones", again, PDF_TARGET_S))
        if pdf_out is not None:
            pdf_out.write_bytes(pdf)
    shown = sum(len(r["values"]) for r in result["indicators"])
    flagged = sum(1 for r in result["indicators"] for e in r["values"]
                  if not e["comparable"] and e["value"] is not None)
    payload = {"machine": info, "case": asdict(case), "values_written": int(
        sum(len(v) for v in values.values())), "write_seconds": round(written, 2),
        "indicators_compared": len(result["indicators"]), "entries": shown,
        "flagged_entries": flagged, "results": rows}
    report.write_results(name, _markdown(payload), payload, out_dir)
    return payload


def _row(what: str, seconds: list[tuple[float, float]], target: float | None) -> dict:
    wall, cpu = [w for w, _ in seconds], [c for _, c in seconds]
    best = min(wall)
    return {"what": what, "best_s": round(best, 3),
            "median_s": round(statistics.median(wall), 3), "best_cpu_s": round(min(cpu), 3),
            "runs": len(seconds), "target_s": target,
            "met": None if target is None else best <= target}


def _markdown(payload: dict) -> str:
    case = payload["case"]
    lines = [f"# Comparison of cities and the benchmark report ({case['name']} run)", "",
             report.machine_markdown(payload["machine"]), "",
             (f"Input: {case['cities']} synthetic cities × {case['indicators']} indicators × "
             f"{case['periods']} periods (real catalogue ids: CPI, ICC; 2 % on another "
             "definition hash, 3 % of low coverage, a city in ten without the latest period), "
             f"{payload['values_written']:,} city-level values written to a DuckDB store "
             f"through `put_indicator_values` in {payload['write_seconds']} s. The table "
             f"compares {payload['indicators_compared']} indicators "
             f"({payload['entries']:,} city entries, {payload['flagged_entries']:,} flagged "
             "not comparable) in the over-200k peer group; the report is one city's, in "
             "Arabic, with 12 bar charts, their trends and two radars."), ""]
    rows = [[r["what"], f"{r['best_s']:.3f}", f"{r['median_s']:.3f}", f"{r['best_cpu_s']:.3f}",
             str(r["runs"]),
             "–" if r["target_s"] is None else f"≤ {r['target_s']:g}",
             "–" if r["met"] is None else ("yes" if r["met"] else "**no**")]
            for r in payload["results"]]
    lines.append(report.table(["step", "best wall (s)", "median wall (s)", "best CPU (s)",
                               "runs", "target (s)", "met (wall)"], rows))
    return "\n".join(lines)
