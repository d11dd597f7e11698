"""A Parquet input of a big feed is checked from its footer before a row is read: its size,
the footer's size and each row group's decoded size; on both stores nothing is stored."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bigdata_city import CITY, add_city, lonlat

from ingest.errors import IngestError
from ingest.jobs import ingest_points
from ingest.parquet_limits import refuse_big_parquet
from observatory.settings import ResourceSettings


def _points(path, rows: int, row_group_size: int):
    lon, lat = lonlat(300, 300)
    # distinct values: a column of one repeated value is a few bytes even uncompressed
    table = pa.table({"x": [lon + i * 1e-9 for i in range(rows)], "y": [lat] * rows,
                      "reported_at": ["2025-03-02"] * rows, "type": ["W"] * rows})
    pq.write_table(table, path, row_group_size=row_group_size, compression="zstd")
    return path


def test_a_row_group_bigger_than_the_limit_uncompressed_is_refused(tmp_path):
    path = _points(tmp_path / "requests.parquet", 10_000, 5_000)
    groups = pq.read_metadata(path)
    largest = max(groups.row_group(i).total_byte_size for i in range(groups.num_row_groups))

    with pytest.raises(IngestError, match=r"requests\.parquet: row group \d of 2 holds .* "
                       r"uncompressed; .*fix: write it with smaller row groups"):
        refuse_big_parquet(path, ResourceSettings(max_parquet_row_group_bytes=largest - 1))
    refuse_big_parquet(path, ResourceSettings(max_parquet_row_group_bytes=largest))


def test_the_file_size_and_the_footer_are_checked_before_pyarrow_reads_it(tmp_path):
    path = _points(tmp_path / "requests.parquet", 10, 10)
    size = path.stat().st_size
    with pytest.raises(IngestError, match=r"the Parquet file is .*OBSERVATORY_MAX_PARQUET_BYTES"):
        refuse_big_parquet(path, ResourceSettings(max_parquet_bytes=size - 1))

    lying = tmp_path / "lying.parquet"
    body = path.read_bytes()
    lying.write_bytes(body[:-8] + (2**31).to_bytes(4, "little") + b"PAR1")
    with pytest.raises(IngestError, match=r"lying\.parquet: the Parquet footer declares "
                       r"2,048\.0 MiB of metadata"):
        refuse_big_parquet(lying)

    text = tmp_path / "text.parquet"
    text.write_text("x,y\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"text\.parquet: this is not a Parquet file"):
        refuse_big_parquet(text)


def test_the_points_feed_refuses_the_file_and_stores_nothing(store, tmp_path, monkeypatch):
    add_city(store, tmp_path)
    spec = tmp_path / "points.yaml"
    spec.write_text("feed: points\ncolumns: {lon: x, lat: y, time: reported_at}\n"
                    "dimensions:\n  category: {column: type, values: {W: waste}}\n"
                    "variable: service_requests\nunit: requests\n", encoding="utf-8")
    path = _points(tmp_path / "requests.parquet", 10_000, 10_000)
    before = len(store.observations(CITY))
    monkeypatch.setenv("OBSERVATORY_MAX_PARQUET_ROW_GROUP_BYTES", "1000")

    with pytest.raises(IngestError, match=r"requests\.parquet: row group 1 of 1 holds"):
        ingest_points(store, path, CITY, spec)
    assert len(store.observations(CITY)) == before
    assert not [run for run in store.runs(CITY) if run.status == "succeeded"
                and run.source_name == "requests.parquet"]
