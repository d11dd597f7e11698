"""The store commands work while `observatory serve` owns the DuckDB file: with the server
answering a stream of concurrent requests, `init`, `runs`, `runs show` and `keys create` (real
CLI processes, which could not open the locked file) are run by it and print what they print
when run directly; every request is answered meanwhile."""

from __future__ import annotations

import re
import subprocess
import time

import httpx
import pytest
from serving import CLI, cli_env, serving_under_load

from observatory.keys import create_api_key
from observatory.store import open_store

pytestmark = pytest.mark.slow

THREADS = 2
LONGEST_SECONDS = 120.0  # the hammering stops by then whatever happens


def _commands(duckdb_url: str, run_id: str) -> dict[str, subprocess.CompletedProcess[str]]:
    """Each store command, run as its own CLI process."""
    commands = {
        "init": ["init"],
        "runs": ["runs"],
        "runs for a city": ["runs", "--city", "testville", "--limit", "1"],
        "runs show": ["runs", "show", run_id[:8]],
        "runs show unknown": ["runs", "show", "ffffffff"],
        "keys create": ["keys", "create", "--role", "planner", "--label", "planning, Amal"],
    }
    return {name: subprocess.run([*CLI, "--database-url", duckdb_url, *args], env=cli_env(),
                                 capture_output=True, text=True, check=False,
                                 timeout=LONGEST_SECONDS)
            for name, args in commands.items()}


def _key(output: str) -> str:
    """The key `keys create` printed on its second line; "" when it printed none (failed)."""
    lines = output.splitlines()
    return lines[1] if len(lines) > 1 else ""


def test_store_commands_run_in_the_server_with_the_output_of_a_direct_run(
        invoke, duckdb_url, boundaries, census_spec, tmp_path):
    districts, spec = boundaries
    census = tmp_path / "census.csv"
    census.write_text("code,nationals,foreigners\nT01,100,40\nT99,80,20\n", encoding="utf-8")
    args = ("--database-url", duckdb_url, "ingest")
    assert invoke(*args, "boundaries", str(districts), "--city", "testville",
                  "--spec", str(spec)).exit_code == 0
    loaded = invoke(*args, "census", str(census), "--city", "testville",
                    "--spec", str(census_spec))
    assert loaded.exit_code == 0 and "rejected 1" in loaded.output, loaded.output
    run_id = re.search(r"Ingest run ([0-9a-f]{32})", loaded.output).group(1)
    store = open_store(duckdb_url)
    hammer_key = create_api_key(store, "officer", "concurrency test")
    store.close()

    direct = _commands(duckdb_url, run_id)

    paths = ["/health", "/cities", "/cities/testville/districts", "/cities/testville/runs"]
    with serving_under_load(duckdb_url, tmp_path / "serve.log", hammer_key, paths, THREADS,
                            LONGEST_SECONDS) as load:
        time.sleep(1)
        answered_before = load.count()
        served = _commands(duckdb_url, run_id)
        answered_during = load.count() - answered_before
        # The key the server stored works at once, as one stored directly does.
        with_keys = [httpx.get(f"{load.base}/cities", timeout=30,
                               headers={"X-API-Key": _key(run.stdout)}).status_code
                     for run in (direct["keys create"], served["keys create"])]

    for name, run in served.items():
        expected = direct[name]
        assert run.returncode == expected.returncode, (name, run.stdout, run.stderr)
        assert "lock" not in run.stderr.lower(), (name, run.stderr)
        assert run.stderr == expected.stderr, name
        if name == "keys create":  # a new key each time; the rest is the same
            assert _key(run.stdout) != _key(expected.stdout)
            assert (run.stdout.replace(_key(run.stdout), "KEY")
                    == expected.stdout.replace(_key(expected.stdout), "KEY"))
        else:
            assert run.stdout == expected.stdout, name
    assert direct["runs show unknown"].returncode == 2
    assert "No ingest run 'ffffffff'" in direct["runs show unknown"].stderr
    assert "Schema is up to date" in direct["init"].stdout
    assert run_id[:12] in served["runs"].stdout and "T99" in served["runs show"].stdout
    assert with_keys == [200, 200]

    statuses = {answer.status for answer in load.every()}
    assert answered_during > 0, "no request was answered while the commands ran"
    assert all(200 <= status < 300 for status in statuses), sorted(statuses)
