"""The link between `observatory serve` and CLI ingests on one DuckDB file: the link file, the
internal endpoint's guards, and `observatory ingest` run by a live server (uvicorn on loopback
in this process) with the report and exit codes of a local run."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from serving import free_port

from observatory.api.routes import store_admin
from observatory.app import create_app
from observatory.cli.server_link import (
    ServerLink,
    find_server,
    link_file,
    published,
    serving_pid,
)
from observatory.services.ingest_jobs import TOKEN_HEADER
from observatory.settings import StoreSettings


def _database(url: str) -> Path:
    return Path(url.removeprefix("duckdb:///"))


def test_the_link_is_private_names_the_server_and_goes_when_it_stops(duckdb_url):
    path = link_file(_database(duckdb_url).resolve())
    with published(duckdb_url, "0.0.0.0", 8123) as link:
        assert link is not None
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        written = json.loads(path.read_text("utf-8"))
        assert written == {"pid": os.getpid(), "host": "0.0.0.0", "port": 8123,
                           "token": link.token, "database": str(path.parent / "observatory.duckdb")}
        assert link.base_url == "http://127.0.0.1:8123"  # a wildcard is reached on loopback
        assert serving_pid(duckdb_url) == os.getpid()
        with published(duckdb_url, "127.0.0.1", 8124) as second:
            assert second is None  # the live server keeps its link
        assert json.loads(path.read_text("utf-8"))["token"] == link.token
    assert not path.exists() and serving_pid(duckdb_url) is None


def test_no_server_for_postgis_or_a_stale_link(duckdb_url):
    assert find_server("postgresql://u:p@localhost:5432/db") is None
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    path = link_file(_database(duckdb_url).resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": int(dead.stdout), "host": "127.0.0.1", "port": 9,
                                "token": "x", "database": str(_database(duckdb_url).resolve())}))
    assert find_server(duckdb_url) is None  # its process is gone: the CLI opens the file


def _order(tmp_path: Path) -> dict:
    census = tmp_path / "census.csv"
    census.write_text("code,nationals,foreigners\nT01,100,40\n", encoding="utf-8")
    return {"feed": "census", "file": str(census), "city": "testville",
            "spec": str(tmp_path / "census.yaml"), "settings": {}}


def test_the_endpoint_is_internal_loopback_only_and_needs_the_token(duckdb_url, tmp_path):
    settings = StoreSettings(database_url=duckdb_url, data_dir=tmp_path)
    with TestClient(create_app(settings)) as plain:
        assert "/internal/ingest" not in json.dumps(plain.get("/openapi.json").json())
        assert plain.get("/internal/ingest").status_code == 404  # not started by serve
    app = create_app(settings, ingest_token="the-token")
    with TestClient(app) as remote:  # its client is "testclient", not loopback
        assert remote.get("/internal/ingest",
                          headers={TOKEN_HEADER: "the-token"}).status_code == 403
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert local.get("/internal/ingest").status_code == 401
        assert local.get("/internal/ingest", headers={TOKEN_HEADER: "wrong"}).status_code == 401
        assert local.get("/internal/ingest",
                         headers={TOKEN_HEADER: "the-token"}).json() == {"status": "ready"}
        bad = _order(tmp_path) | {"settings": {"privacy": {"hash_key": 12345678}},
                                  "file": "relative.csv", "options": {"period": "2025"}}
        refused = local.post("/internal/ingest", json=bad, headers={TOKEN_HEADER: "the-token"})
        assert refused.status_code == 422
        assert "file" in refused.json()["detail"] and "12345678" not in refused.text


def test_the_store_endpoints_have_the_same_guard(duckdb_url, tmp_path):
    settings = StoreSettings(database_url=duckdb_url, data_dir=tmp_path)
    # Every route under /internal/store, the city commands' among them.
    calls = [(method, route.path.replace("{run_id}", "abc"), None)
             for route in store_admin.router.routes if isinstance(route, APIRoute)
             for method in route.methods]
    assert {"/internal/store/audit", "/internal/store/export", "/internal/store/compare",
            "/internal/store/bundle/import", "/internal/store/keys"} <= {p for _, p, _ in calls}
    with TestClient(create_app(settings)) as plain:
        assert "/internal/store" not in json.dumps(plain.get("/openapi.json").json())
        assert all(plain.request(m, p, json=b).status_code == 404 for m, p, b in calls)
    app = create_app(settings, ingest_token="the-token")
    with TestClient(app) as remote:
        assert all(remote.request(m, p, json=b, headers={TOKEN_HEADER: "the-token"})
                   .status_code == 403 for m, p, b in calls)
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert all(local.request(m, p, json=b, headers={TOKEN_HEADER: "wrong"})
                   .status_code == 401 for m, p, b in calls)
        token = {TOKEN_HEADER: "the-token"}
        assert local.post("/internal/store/init", headers=token).json()["backend"] == "duckdb"
        assert local.get("/internal/store/runs", headers=token).json() == []
        unknown = local.get("/internal/store/runs/abc", headers=token)
        assert unknown.status_code == 404 and "No ingest run 'abc'" in unknown.json()["detail"]
        assert local.post("/internal/store/keys", headers=token,
                          json={"role": "root", "label": "x"}).status_code == 422


@pytest.fixture
def live_server(duckdb_url: str, tmp_path: Path) -> Iterator[ServerLink]:
    """The app on loopback, published as the server of the DuckDB file, as `observatory serve`
    does it (uvicorn in a thread of this process, whose pid the link names)."""
    port = free_port()
    with published(duckdb_url, "127.0.0.1", port) as link:
        assert link is not None
        app = create_app(StoreSettings(database_url=duckdb_url, data_dir=tmp_path),
                         ingest_token=link.token)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        try:
            yield link
        finally:
            server.should_exit = True
            thread.join(timeout=30)


def test_a_cli_ingest_runs_in_the_server_with_the_same_report_and_exit_codes(
        invoke, duckdb_url, boundaries, census_spec, tmp_path, live_server):
    districts, spec = boundaries
    args = ("--database-url", duckdb_url, "ingest")
    handed = "it runs this ingest"

    census = tmp_path / "census.csv"
    census.write_text("code,nationals,foreigners\nT01,100,40\nT99,80,20\n", encoding="utf-8")
    early = invoke(*args, "census", str(census), "--city", "testville",
                   "--spec", str(census_spec))
    assert early.exit_code == 2, early.output  # no districts yet: bad input, as locally
    assert handed in early.output and "observatory ingest boundaries" in early.output

    first = invoke(*args, "boundaries", str(districts), "--city", "testville", "--spec", str(spec))
    assert first.exit_code == 0, first.output
    assert handed in first.output and "status succeeded" in first.output

    loaded = invoke(*args, "census", str(census), "--city", "testville",
                    "--spec", str(census_spec))
    assert loaded.exit_code == 0, loaded.output
    assert handed in loaded.output and "loaded 2, rejected 1" in loaded.output
    assert "Rejected rows" in loaded.output and "T99" in loaded.output

    again = invoke(*args, "census", str(census), "--city", "testville",
                   "--spec", str(census_spec))
    assert again.exit_code == 0 and "status unchanged" in again.output, again.output


def test_every_setting_a_feed_asks_for_can_travel_with_an_order():
    from ingest.feeds import FAMILIES
    from observatory.cli.context import CliContext
    from observatory.services.ingest_jobs import JOB_SETTINGS

    asked = {name for feed in FAMILIES for name in feed.settings}
    assert asked <= set(JOB_SETTINGS)
    assert all(CliContext.__dataclass_fields__[name].type.endswith(JOB_SETTINGS[name].__name__)
               for name in asked)


def test_a_cli_compute_runs_in_the_server_with_the_same_report_and_exit_codes(
        invoke, duckdb_url, boundaries, census_spec, tmp_path, live_server):
    districts, spec = boundaries
    census = tmp_path / "census.csv"
    census.write_text("code,nationals,foreigners\nT01,100,40\nT02,80,20\n", encoding="utf-8")
    for args in (("boundaries", str(districts), "--city", "testville", "--spec", str(spec)),
                 ("census", str(census), "--city", "testville", "--spec", str(census_spec))):
        assert invoke("--database-url", duckdb_url, "ingest", *args).exit_code == 0

    unknown = invoke("--database-url", duckdb_url, "compute", "--city", "atlantis")
    assert unknown.exit_code == 1, unknown.output
    assert "it computes" in unknown.output
    assert "'atlantis'" in unknown.output and "testville" in unknown.output

    computed = invoke("--database-url", duckdb_url, "compute", "--framework", "demography")
    assert computed.exit_code == 0, computed.output
    assert "it computes" in computed.output
    written = [line for line in computed.output.splitlines() if "value(s) written" in line]
    assert len(written) == 1 and written[0].startswith("testville: demography: ")
    assert int(written[0].split()[2]) > 0

    # The server serves what it computed, as a local compute would have stored it.
    answer = live_server.call(
        "GET", "/cities/testville/indicators?indicator=foreign_citizens_share&period=2025")
    by_district = {v["district_code"]: v["value"] for v in answer["values"]}
    assert by_district["T01"] == 0.286 and by_district["T02"] == 0.2  # 40/140, 20/100

    again = invoke("--database-url", duckdb_url, "compute", "--framework", "demography")
    assert again.exit_code == 0 and written[0] in again.output, again.output
