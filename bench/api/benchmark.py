"""Start PostGIS, load the synthetic city through the store, serve it with the observatory and
with tipg, check they agree, put each endpoint under load, measure the choropleth page, and
write the result table."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench import report
from bench.api import agreement
from bench.api.case import CITY, INDICATOR, PAGE_SIZE, VERTEX_SPACING_M, ApiCase, items_bbox
from bench.api.database import DATABASE, load_city
from bench.api.endpoints import OURS, TIPG, TIPG_VIEW, endpoints, sample_endpoints
from bench.api.load import run_load
from bench.api.servers import Server, observatory_server, tipg_server
from bench.postgis import postgis_database

TARGETS = {"throughput_ratio_min": 1.0, "p99_ms_max": 100.0, "choropleth_bytes_max": 5_000_000}
PACKAGES = ["fastapi", "starlette", "uvicorn", "tipg", "asyncpg", "SQLAlchemy", "psycopg",
            "duckdb", "geopandas", "shapely", "folium"]
OURS_DUCKDB = "observatory_duckdb"
OURS_TWO_WORKERS = "observatory_2_workers"
OURS_DUCKDB_UNCACHED = "observatory_duckdb_uncached"
NO_CACHE = {"OBSERVATORY_RESPONSE_CACHE_BYTES": "0"}


def run_benchmark(case: ApiCase, out_dir: Path = report.RESULTS_DIR, note: str = "",
                  name: str = "api") -> dict:
    machine = report.machine(PACKAGES, note)
    machine["load_generator"] = _load_generator()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp, \
            postgis_database(DATABASE) as postgis_url:
        workdir = Path(tmp)
        loaded = load_city(postgis_url, case)
        machine["postgis"] = _postgis_version(postgis_url)
        duckdb_url = f"duckdb:///{workdir / 'observatory.duckdb'}" if case.duckdb else None
        if duckdb_url:
            load_city(duckdb_url, case)
        with ExitStack() as stack:
            servers = {
                OURS: stack.enter_context(observatory_server(postgis_url, workdir)),
                TIPG: stack.enter_context(tipg_server(postgis_url, workdir, TIPG_VIEW)),
            }
            if case.two_workers:
                servers[OURS_TWO_WORKERS] = stack.enter_context(observatory_server(
                    postgis_url, workdir, "observatory-2-workers", workers=2))
            if duckdb_url:
                servers[OURS_DUCKDB] = stack.enter_context(
                    observatory_server(duckdb_url, workdir, "observatory-duckdb"))
                # Every request built afresh: what the cache saves, and the worst case of
                # a client that never repeats a request.
                servers[OURS_DUCKDB_UNCACHED] = stack.enter_context(observatory_server(
                    duckdb_url, workdir, "observatory-duckdb-uncached", env=NO_CACHE))
            agree = agreement.check(servers, sample_endpoints(case))
            runs = _load_runs(servers, case)
            choropleth = _choropleth(servers[OURS], case)
            peak_rss = {label: server.peak_rss_mb() for label, server in servers.items()}
    payload = {"benchmark": "api", "machine": machine, "case": asdict(case), "loaded": loaded,
               "items_bbox": items_bbox(case), "targets": TARGETS, "runs": runs,
               "ratios": _ratios(runs), "agreement": agree, "choropleth": choropleth,
               "server_peak_rss_mb": peak_rss}
    report.write_results(name, _markdown(case, payload), payload, out_dir)
    return payload


def _load_generator() -> str:
    if shutil.which("wrk") is None:
        return "bench.api.httpx_load (wrk not installed)"
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)  # exits 1
    return (done.stdout or done.stderr).splitlines()[0].split(" Copyright")[0]


def _postgis_version(url: str) -> str:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as con:
        pg = con.execute(sa.text("SHOW server_version")).scalar()
        postgis = con.execute(sa.text("SELECT postgis_lib_version()")).scalar()
    engine.dispose()
    return f"PostgreSQL {pg}, PostGIS {postgis}"


def _load_runs(servers: dict[str, Server], case: ApiCase) -> list[dict]:
    """Interleaved (endpoint, concurrency, server), so drifting background load hits every
    server alike; each run after its own warm-up."""
    runs = []
    for endpoint in endpoints(case):
        for concurrency in case.concurrency:
            for label, server in servers.items():
                url = server.base_url + endpoint.path(label)
                run_load(url, concurrency=concurrency, seconds=case.warmup_seconds)
                result = run_load(url, concurrency=concurrency, seconds=case.seconds)
                runs.append({"endpoint": endpoint.key, "title": endpoint.title,
                             "server": label, "path": endpoint.path(label),
                             "concurrency": concurrency, **asdict(result)})
                print(f"{endpoint.key:16} c={concurrency:<2} {label:18} "
                      f"{result.requests_per_s:8.1f} req/s  p99 {result.p99_ms:7.1f} ms  "
                      f"errors {result.errors}", flush=True)
    return runs


def _ratios(runs: list[dict]) -> dict:
    """Ours ÷ tipg, per endpoint and concurrency: requests/s (higher is better) and p99."""
    by_key = {(r["endpoint"], r["concurrency"], r["server"]): r for r in runs}
    ratios = {}
    for (endpoint, concurrency, server), run in by_key.items():
        if server == TIPG:
            continue
        peer = by_key[(endpoint, concurrency, TIPG)]
        ratios[f"{server}/{endpoint}/c{concurrency}"] = {
            "throughput": run["requests_per_s"] / peer["requests_per_s"],
            "p99": run["p99_ms"] / peer["p99_ms"]}
    return ratios


def _choropleth(server: Server, case: ApiCase) -> dict:
    url = f"{server.base_url}/maps/{CITY.slug}/{INDICATOR}"
    seconds, size = [], 0
    with httpx.Client(timeout=600.0, headers={"Accept-Encoding": "identity"}) as client:
        for _ in range(case.choropleth_repeats):
            start = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - start)
            response.raise_for_status()
            size = len(response.content)
    return {"path": url.removeprefix(server.base_url), "bytes": size, "seconds": seconds}


# --------------------------------------------------------------------------------------------
def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


_TITLES = {OURS: "observatory (PostGIS)", TIPG: "tipg", OURS_DUCKDB: "observatory (DuckDB)",
           OURS_TWO_WORKERS: "observatory (PostGIS, 2 workers)",
           OURS_DUCKDB_UNCACHED: "observatory (DuckDB, no response cache)"}
_JUDGED = (OURS, OURS_DUCKDB)  # the default settings of each store are held to the targets


def _run_rows(payload: dict) -> list[list[str]]:
    ratios = payload["ratios"]
    rows = []
    for run in payload["runs"]:
        ratio = ratios.get(f"{run['server']}/{run['endpoint']}/c{run['concurrency']}")
        rows.append([
            run["title"], str(run["concurrency"]), _TITLES[run["server"]],
            f"{run['requests_per_s']:,.1f}", f"{run['p50_ms']:,.1f}", f"{run['p99_ms']:,.1f}",
            "–" if ratio is None else f"{ratio['throughput']:.2f}×",
            f"{run['bytes_per_response'] / 1024:,.1f}", f"{run['requests']:,}",
            str(run["errors"]),
        ])
    return rows


def _verdicts(payload: dict) -> str:
    """Every endpoint at every number of requests in flight, against the PostGIS server."""
    ratios = payload["ratios"]
    lines = []
    for run in payload["runs"]:
        if run["server"] not in _JUDGED:
            continue
        ratio = ratios[f"{run['server']}/{run['endpoint']}/c{run['concurrency']}"]["throughput"]
        lines.append(
            f"- {_TITLES[run['server']]}, {run['title']}, {run['concurrency']} in flight: "
            "throughput ≥ "
            f"{TARGETS['throughput_ratio_min']:g}× tipg **{_met(ratio >= 1.0)}** "
            f"({ratio:.2f}×); p99 ≤ {TARGETS['p99_ms_max']:g} ms "
            f"**{_met(run['p99_ms'] <= TARGETS['p99_ms_max'])}** ({run['p99_ms']:,.1f} ms)")
    page = payload["choropleth"]
    lines.append(
        f"- choropleth page `{page['path']}` for {payload['loaded']['districts']:,} districts "
        f"≤ 5 MB (5,000,000 bytes): **{_met(page['bytes'] <= TARGETS['choropleth_bytes_max'])}**"
        f" ({page['bytes'] / 1e6:.2f} MB, served in {min(page['seconds']):.2f} s, best of "
        f"{len(page['seconds'])})")
    return "\n".join(lines)


def _agreement_markdown(payload: dict) -> str:
    rows = []
    for row in payload["agreement"]:
        cells = [f"`{row['tipg_path']}`"]
        for label in (TIPG, OURS, OURS_TWO_WORKERS, OURS_DUCKDB, OURS_DUCKDB_UNCACHED):
            answer = row["servers"].get(label)
            if answer is None:
                continue
            if "matched" in answer:
                text = f"{answer['matched']} matched, {answer['returned']} returned"
                if label != TIPG:
                    text += ("" if answer["same_ids_as_tipg"] else ", **other ids**")
                    if row["endpoint"] == "indicator_items":
                        text += ("" if answer["same_values_as_tipg"] else ", **other values**")
            else:
                text = f"{answer['features']} features"
                if label != TIPG and not answer["same_districts_as_tipg"]:
                    text += (f", **{answer['not_in_tipg']} not in tipg's, "
                             f"{answer['missing_from_tipg']} of tipg's missing**")
            cells.append(text)
        rows.append(cells)
    header = ["request (as tipg spells it)", "tipg"] + [
        _TITLES[label] for label in (OURS, OURS_TWO_WORKERS, OURS_DUCKDB, OURS_DUCKDB_UNCACHED)
        if label in payload["agreement"][0]["servers"]]
    return report.table(header, rows)


def _markdown(case: ApiCase, payload: dict) -> str:
    header = ["endpoint", "in flight", "server", "requests/s", "p50 (ms)", "p99 (ms)",
              "÷ tipg requests/s", "KiB/response", "requests", "errors"]
    loaded = payload["loaded"]
    bbox = ", ".join(f"{v:.6f}" for v in payload["items_bbox"])
    rss = "; ".join(f"{_TITLES[k]} {v:,.0f} MB" for k, v in payload["server_peak_rss_mb"].items())
    inputs = (
        f"Input: one synthetic city of {loaded['districts']:,} districts (Voronoi cells of "
        f"seeded points over a {case.side_m / 1000:.1f} km square near Gaziantep, a vertex "
        f"every {VERTEX_SPACING_M:g} m, English and Arabic names) and {loaded['indicator_values']:,} "
        "indicator values (3 indicators × 3 periods, 5 % suppressed), loaded through the "
        "observatory's store (`store.load`, `put_indicator_values`) into one PostGIS database; "
        f"tipg serves the same `district` table and a view `{TIPG_VIEW}` "
        "(`bench/api/tipg_view.sql`: tipg serves one table or view per collection, so the "
        "latest indicator values are joined to the districts there). Items: "
        f"`limit={PAGE_SIZE}&bbox={bbox}`; tiles: the zoom-12 tile at the centre.")
    how = "\n".join([
        "How it was measured:",
        "",
        ("- Each server is `uvicorn` with one worker on 127.0.0.1 in its own process, access "
         "log off: the observatory's `create_app` factory (`OBSERVATORY_DATABASE_URL`), tipg's "
         "`tipg.main:app` (`DATABASE_URL`, `TIPG_DB_TABLES`, `TIPG_TABLE_CONFIG`: pk `code`, "
         "the districts' properties limited to the observatory's, `TIPG_TILE_BUFFER=64` as "
         "the observatory's tiles). The observatory runs with its default settings, among "
         "them `OBSERVATORY_POOL_SIZE=4` (at most 4 PostGIS queries at once per process; "
         "tipg's asyncpg pool allows 10) and the response cache on "
         "(`OBSERVATORY_RESPONSE_CACHE_BYTES`, 64 MiB: a repeated request is answered from "
         "memory until the store's data version changes, which the observatory reads from the "
         "store on every request). Two more observatory servers: PostGIS with 2 uvicorn worker "
         "processes (`--workers 2`, a cache and a pool each), and DuckDB with the cache off "
         "(`OBSERVATORY_RESPONSE_CACHE_BYTES=0`): every request built afresh, as for a client "
         "that never repeats one."),
        (f"- Load: `{payload['machine']['load_generator']}`, one thread, a fixed number of "
         f"requests in flight for {case.seconds:g} s after a {case.warmup_seconds:g} s warm-up, "
         "the same URL each time, no compression asked for; runs interleaved (endpoint → "
         "in flight → server) so background load drifts over all servers alike. p50/p99 are "
         "wrk's latency percentiles (HdrHistogram); KiB/response includes headers."),
        ("- The load generator, both servers and PostgreSQL share the machine's cores; with "
         "more requests in flight than cores, p99 is mostly queueing."),
        ("- Agreement: a sample of requests (the bbox moved by half its width each way, the "
         "tile and its four neighbours) fetched from every server; items compare numberMatched,"
         " numberReturned, the page's ids and the indicator values by id; tiles the district "
         "codes in them. Items select by the geometry on both servers; the observatory's tiles "
         "select by the tile's bounding box (`&&`), tipg's by the geometry, so a tile of ours "
         "may hold one district more, lying only in the 64-pixel buffer. GeoJSON from PostGIS "
         "(both servers' `ST_AsGeoJSON`) has 9 decimals (0.1 mm); the DuckDB store writes "
         "shapely's full precision, hence its larger pages."),
    ])
    return "\n\n".join([
        f"# API throughput: the observatory against tipg ({case.label} run)",
        report.machine_markdown(payload["machine"])
        + f"\n- load generator: {payload['machine']['load_generator']}; "
          f"{payload['machine']['postgis']}",
        inputs,
        report.table(header, _run_rows(payload)),
        _verdicts(payload),
        f"Server peak RSS (VmHWM) after the runs: {rss}.",
        "Agreement on sampled requests:\n\n" + _agreement_markdown(payload),
        how,
    ])
