"""The city commands work while `observatory serve` owns the DuckDB file: with the server
answering two concurrent streams of requests on the demo store (each a request every 0.1 s:
a stream as fast as the server answers took a core from the commands on a 2-core machine,
52 s instead of 35 s for the 23 commands), `audit`, `levels`, `segregation`,
`export`, `bundle export|import`, `compare`, `icc score|benchmark` and `spec infer` (real CLI
processes, which could not open the locked file) are run by it and print, and write, what they
do when run directly on a copy of the store; every request is answered meanwhile."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from exportable_city import add_exportable_city
from serving import CLI, cli_env, serving_under_load

from observatory.keys import create_api_key
from observatory.store import open_store

pytestmark = pytest.mark.slow

THREADS = 2
PAUSE = 0.1
LONGEST_SECONDS = 300.0  # the hammering stops by then whatever happens
LAYER = ("export", "--city", "demo", "--indicator", "foreign_citizens_share")
COMMANDS = {
    "audit": ["audit", "--city", "demo"],
    "audit unknown city": ["audit", "--city", "nowhere"],
    "levels": ["levels", "--city", "demo"],
    "segregation": ["segregation", "--city", "demo"],
    "segregation unknown group": ["segregation", "--city", "demo", "--group", "nobody"],
    "export csv": [*LAYER, "--format", "csv", "--out", "layer.csv"],
    "export gpkg officer": [*LAYER, "--format", "gpkg", "--role", "officer", "--out",
                            "layer.gpkg"],
    "export unknown indicator": ["export", "--city", "demo", "--indicator", "nothing",
                                 "--format", "csv", "--out", "none.csv"],
    "export heat": ["export", "--city", "demo", "--heat", "all", "--format", "cog",
                    "--out", "heat.tif"],
    "bundle export": ["bundle", "export", "--city", "tarsus", "--out", "tarsus.zip"],
    "bundle export refused": ["bundle", "export", "--city", "nowhere", "--out", "none.zip"],
    "bundle import": ["bundle", "import", "{peer}", "--as", "tarsus_peer"],
    "bundle import again": ["bundle", "import", "{peer}", "--as", "tarsus_peer"],
    "compare": ["compare", "--cities", "demo,demo_town"],
    "compare csv": ["compare", "--format", "csv"],
    "compare html": ["compare", "--cities", "demo", "--format", "html", "--lang", "ar",
                     "--out", "report.html"],
    "compare report of no city": ["compare", "--format", "html"],
    "icc score": ["icc", "score", "{data}/demo/icc_answers_2025.yaml", "--city", "demo",
                  "--year", "2025", "--questionnaire", "{data}/demo/icc_questionnaire.yaml"],
    "icc score unknown city": ["icc", "score", "{data}/demo/icc_answers_2025.yaml", "--city",
                               "nowhere", "--year", "2025"],
    "icc benchmark": ["icc", "benchmark", "--city", "demo", "--peers", "{data}/peers.csv"],
    "icc benchmark unscored": ["icc", "benchmark", "--city", "tarsus", "--peers",
                               "{data}/peers.csv"],
    "spec infer": ["spec", "infer", "{data}/demo/census.csv", "--city", "demo", "--out",
                   "census.yaml"],
    "spec infer unknown file": ["spec", "infer", "{data}/garbage.bin", "--city", "demo"],
}
SAME_BYTES = ("layer.csv", "heat.tif", "census.yaml", "report.html")


def _commands(duckdb_url: str, folder: Path, peer: Path,
              data: Path) -> dict[str, tuple[int, str, str]]:
    """Each command as its own CLI process in ``folder`` (where it writes its files): exit
    code, output and errors, the folder's path replaced by DIR."""
    folder.mkdir()
    ran = {}
    for name, args in COMMANDS.items():
        run = subprocess.run([*CLI, "--database-url", duckdb_url,
                              *(arg.format(peer=peer, data=data) for arg in args)],
                             cwd=folder, env=cli_env(), capture_output=True, text=True,
                             check=False, timeout=LONGEST_SECONDS)
        ran[name] = (run.returncode, run.stdout.replace(str(folder), "DIR"),
                     run.stderr.replace(str(folder), "DIR"))
    return ran


def test_city_commands_run_in_the_server_with_the_output_of_a_direct_run(
        invoke, demo_data_dir, tmp_path):
    database = demo_data_dir / "observatory.duckdb"
    # A small city's bundle, not the demo's: one value is quicker to export twice and import.
    add_exportable_city(f"duckdb:///{database}")
    peer = tmp_path / "tarsus.zip"  # one bundle for both ways to import: the same outcome
    (demo_data_dir / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    (demo_data_dir / "peers.csv").write_text(
        "city,population,foreign_born_share,icc,icc.commitment\n"
        "lisbon,500000,0.2,70,80\noslo,700000,0.3,40,90\n", encoding="utf-8")
    exported = invoke("--database-url", f"duckdb:///{database}", "bundle", "export",
                      "--city", "tarsus", "--out", str(peer))
    assert exported.exit_code == 0, exported.output
    copy = tmp_path / "served" / "observatory.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(database, copy)
    served_url = f"duckdb:///{copy}"
    store = open_store(served_url)
    key = create_api_key(store, "officer", "concurrency test")
    store.close()

    started = time.monotonic()
    direct = _commands(f"duckdb:///{database}", tmp_path / "direct", peer, demo_data_dir)
    direct_seconds = time.monotonic() - started

    paths = ["/health", "/cities", "/cities/demo/districts", "/cities/demo/runs"]
    with serving_under_load(served_url, tmp_path / "serve.log", key, paths, THREADS,
                            LONGEST_SECONDS, PAUSE) as load:
        time.sleep(1)
        answered_before = load.count()
        started = time.monotonic()
        served = _commands(served_url, tmp_path / "through", peer, demo_data_dir)
        served_seconds = time.monotonic() - started
        answered_during = load.count() - answered_before

    # A bundle's manifest holds the time it was written: its size may differ by a byte.
    for ran in (direct, served):
        code, out, err = ran["bundle export"]
        ran["bundle export"] = (code, re.sub(r"\([\d,]+ bytes\)", "(N bytes)", out), err)
    for name, (code, out, err) in served.items():
        assert "lock" not in err.lower(), (name, err)
        assert (code, out, err) == direct[name], name
    for name in ("audit", "levels", "segregation", "export csv",
                 "export gpkg officer", "export heat", "bundle export", "bundle import",
                 "bundle import again", "compare", "compare csv", "compare html",
                 "icc score", "icc benchmark", "spec infer"):
        assert direct[name][0] == 0, (name, direct[name])
    for name in ("audit unknown city", "segregation unknown group",
                 "export unknown indicator", "bundle export refused",
                 "compare report of no city", "spec infer unknown file"):
        assert direct[name][0] == 2 and direct[name][2], (name, direct[name])
    assert "Unknown city 'nowhere'" in direct["audit unknown city"][2]
    for name in ("icc score unknown city", "icc benchmark unscored"):
        assert direct[name][0] == 1 and direct[name][2], (name, direct[name])
    assert "passed" in direct["audit"][1]
    assert "already imported: nothing changed" in direct["bundle import again"][1]
    for name in SAME_BYTES:  # the server sent the bytes; the CLI wrote them
        assert ((tmp_path / "through" / name).read_bytes()
                == (tmp_path / "direct" / name).read_bytes()), name
    # A GeoPackage and a bundle carry the time they were written: their contents are compared.
    bundles = [zipfile.ZipFile(tmp_path / way / "tarsus.zip") for way in ("direct", "through")]
    assert bundles[0].namelist() == bundles[1].namelist()
    for member in set(bundles[0].namelist()) - {"datapackage.json"}:  # it holds the time
        assert bundles[0].read(member) == bundles[1].read(member), member
    layers = [gpd.read_file(tmp_path / way / "layer.gpkg") for way in ("direct", "through")]
    assert layers[0].equals(layers[1]) and layers[0]["value"].notna().any()

    statuses = {answer.status for answer in load.every()}
    assert answered_during > 0, "no request was answered while the commands ran"
    assert all(200 <= status < 300 for status in statuses), sorted(statuses)
    print(f"\n{len(COMMANDS)} commands: direct {direct_seconds:.1f} s, through the server "
          f"{served_seconds:.1f} s while it answered {answered_during} requests")
