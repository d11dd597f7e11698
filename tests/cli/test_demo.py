"""`observatory demo --no-serve`: the demo city from generated files to a map that opens offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from observatory.store import open_store

pytestmark = pytest.mark.slow


def test_demo_writes_the_offline_map_and_says_where(invoke, data_dir: Path):
    result = invoke("demo", "--no-serve")
    assert result.exit_code == 0, result.output

    map_path = data_dir / "demo" / "maps" / "foreign_citizens_share.html"
    assert map_path.is_file()
    assert str(map_path.resolve()) in result.output
    assert "http://127.0.0.1:8000/maps/demo/foreign_citizens_share" in result.output
    assert "status succeeded" in result.output

    html = map_path.read_text(encoding="utf-8")
    assert "L.map" in html, "Leaflet must be inlined so that the file opens offline"
    remote = re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']https?://[^\"']+", html)
    assert remote == [], f"the demo map loads assets from the network: {remote}"

    store = open_store(f"duckdb:///{(data_dir / 'observatory.duckdb').as_posix()}")
    try:
        arabic_names = list(store.districts("demo")["name_ar"])
    finally:
        store.close()
    assert len(arabic_names) >= 20
    missing = [name for name in arabic_names if name not in html]
    assert not missing, f"Arabic district names lost on the way to the map: {missing}"


def test_demo_rerun_is_a_no_op_ingest(invoke):
    assert invoke("demo", "--no-serve").exit_code == 0
    again = invoke("demo", "--no-serve")
    assert again.exit_code == 0, again.output
    assert again.output.count("status unchanged") == 2
