"""Bounded resources (issue 12, point 6): a hostile big-feed file ends with a clear error and a
bounded peak, in a subprocess whose peak resident memory is measured."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest
from bigdata_city import CITY, add_city, lonlat

from ingest.errors import IngestError
from ingest.jobs import ingest_cdr

HEADER = "site_id,lon,lat,date,metric,sim_nationality,count\n"
SPEC = ("feed: cdr\nassign: containment\nperiod: month\n"
        "dimensions:\n  citizenship: {column: sim_nationality}\n"
        "metrics:\n  home_location: {variable: residents_home_location, unit: subscribers}\n")
REPO = Path(__file__).resolve().parents[2]

# The child: a fresh DuckDB store, the test city, the hostile file through `ingest cdr`; it
# prints the outcome and its own peak resident memory.
CHILD = """
import json, resource, sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests/ingest"]
from bigdata_city import CITY, add_city
from ingest.errors import IngestError
from ingest.jobs import ingest_cdr
from observatory.store import open_store
work, feed = Path(sys.argv[2]), Path(sys.argv[3])
store = open_store(f"duckdb:///{work}/store.duckdb")
store.init_schema()
add_city(store, work)
try:
    outcome = ingest_cdr(store, feed, CITY, work / "cdr.yaml").status
except IngestError as exc:
    outcome = str(exc)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"outcome": outcome, "peak": peak}))
"""


def _valid_lines(count: int) -> str:
    lon, lat = lonlat(500, 500)
    return "".join(f"A,{lon!r},{lat!r},2025-03-01,home_location,JO,{i}\n" for i in range(count))


def _garbage(size: int, seed: int = 12) -> bytes:
    """Printable lines with quotes and delimiters: the kind that keeps a CSV parser busy."""
    rnd = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + ",;\"' "
    lines = ["".join(rnd.choices(alphabet, k=rnd.randint(20, 200))) for _ in range(4096)]
    block = ("\n".join(lines) + "\n").encode()
    return block * (size // len(block) + 1)


def _spec(tmp_path: Path) -> Path:
    path = tmp_path / "cdr.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_garbage_after_a_valid_header_is_refused_from_a_sample(store, tmp_path):
    add_city(store, tmp_path)
    feed = tmp_path / "towers.csv"
    feed.write_bytes(HEADER.encode() + _garbage(300_000))
    with pytest.raises(IngestError) as caught:
        ingest_cdr(store, feed, CITY, _spec(tmp_path))
    assert "none of the first 1,000 lines after the header is a row" in str(caught.value)
    assert caught.value.row == 2
    assert store.observations(CITY).empty


def test_more_unreadable_lines_than_can_be_listed_refuse_the_file(store, tmp_path):
    add_city(store, tmp_path)
    feed = tmp_path / "towers.csv"
    feed.write_bytes(HEADER.encode() + _valid_lines(1_000).encode() + _garbage(3_000_000))
    with pytest.raises(IngestError) as caught:
        ingest_cdr(store, feed, CITY, _spec(tmp_path))
    assert "lines cannot be read as rows of the header's columns (more than 10,000" in str(
        caught.value)
    assert store.observations(CITY).empty


@pytest.mark.slow
def test_a_hostile_150_mib_towers_file_ends_with_a_message_under_a_bounded_peak(tmp_path):
    feed = tmp_path / "towers.csv"
    with feed.open("wb") as out:
        out.write(HEADER.encode() + _valid_lines(1_000).encode())
        out.write(_garbage(150 * 2**20))
    _spec(tmp_path)
    env = {**os.environ, "OBSERVATORY_MEMORY_LIMIT": "512MB"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(REPO), str(tmp_path), str(feed)],
                          capture_output=True, text=True, env=env, timeout=600, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "lines cannot be read as rows of the header's columns" in result["outcome"]
    # The interpreter with pandas, geopandas and DuckDB loaded is about 300 MB; the rest is
    # bounded by the DuckDB limit, not by the file: 527 MiB measured alone, 1,305 MiB once in
    # a parallel run on a loaded machine, 1,537 MiB once in CI on a slower one (CPU pressure
    # 45 %): the bound is the issue's, 2 GB for a file of any feed.
    assert result["peak"] < 2 * 10**9, result


def test_every_duckdb_connection_carries_the_memory_limit(tmp_path):
    from ingest.bigdata.engine import feed_engine
    from observatory.settings import ResourceSettings
    from observatory.store.duckdb_store import DuckDBStore

    limits = ResourceSettings(memory_limit="300MB", temp_directory=tmp_path / "spill")
    query = "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    with feed_engine(limits) as con:
        assert con.execute(query).fetchone() == ("286.1 MiB", str(tmp_path / "spill"))
    store = DuckDBStore(f"duckdb:///{tmp_path}/store.duckdb", resources=limits)
    try:
        with store._reading() as con:
            assert con.execute(query).fetchone() == ("286.1 MiB", str(tmp_path / "spill"))
    finally:
        store.close()


def test_a_table_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from ingest.readers import read_table

    monkeypatch.setenv("OBSERVATORY_MAX_TABLE_BYTES", str(2**20))
    table = tmp_path / "census.csv"
    table.write_text("district,year,n\n" + "01,2025,1\n" * 200_000, encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_table(table)
    assert "the file is 2 MiB; tables of this feed are read whole, up to 1 MiB" in str(
        caught.value)
    assert "OBSERVATORY_MAX_TABLE_BYTES" in caught.value.fix


def test_a_vector_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from ingest.readers import read_vector

    monkeypatch.setenv("OBSERVATORY_MAX_VECTOR_BYTES", str(2**20))
    feature = ('{"type": "Feature", "properties": {"code": "01"}, "geometry": '
               '{"type": "Point", "coordinates": [36.0, 32.0]}}')
    layer = tmp_path / "districts.geojson"
    layer.write_text('{"type": "FeatureCollection", "features": ['
                     + ",".join([feature] * 20_000) + "]}", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_vector(layer)
    assert "the file is 2 MiB; vector files are read whole, up to 1 MiB" in str(caught.value)
    assert "OBSERVATORY_MAX_VECTOR_BYTES" in caught.value.fix
