"""Parquet inputs checked from their footer before DuckDB reads a row: the file's size, the
footer's own size (read from the file's last 8 bytes) and each row group's size uncompressed,
as the footer declares it (pages are decompressed whole, so a small file of pages compressed a
thousand times would expand in memory; DuckDB streams the decoded rows themselves)."""

from __future__ import annotations

import struct
from pathlib import Path

import pyarrow.parquet as pq

from ingest.errors import IngestError
from observatory.settings import ResourceSettings

PARQUET_SUFFIXES = (".parquet", ".pq")
_MAGIC = b"PAR1"
MAX_FOOTER_BYTES = 64 * 1024 * 1024  # a footer of millions of columns is no city's data


def refuse_big_parquet(path: Path, limits: ResourceSettings | None = None) -> None:
    limits = limits or ResourceSettings()
    size = path.stat().st_size
    if size > limits.max_parquet_bytes:
        raise IngestError(
            f"the Parquet file is {_mib(size)}; at most {_mib(limits.max_parquet_bytes)}",
            file=path.name,
            fix="split it into parts (a folder of .parquet files is read part by part), or "
            "raise OBSERVATORY_MAX_PARQUET_BYTES")
    with path.open("rb") as source:
        source.seek(max(size - 8, 0))
        tail = source.read(8)
    if size < 12 or tail[4:] != _MAGIC:
        raise IngestError("this is not a Parquet file (it does not end with PAR1)",
                          file=path.name, fix="export the file again as Parquet, or give a CSV")
    (footer,) = struct.unpack("<I", tail[:4])
    if footer > min(MAX_FOOTER_BYTES, size - 8):
        raise IngestError(
            f"the Parquet footer declares {_mib(footer)} of metadata; at most "
            f"{_mib(min(MAX_FOOTER_BYTES, size - 8))}",
            file=path.name, fix="export the file again (the footer is damaged or hostile)")
    try:
        metadata = pq.read_metadata(path)
    except (OSError, ValueError) as exc:
        raise IngestError(f"cannot read the Parquet footer ({exc})", file=path.name,
                          fix="export the file again as Parquet") from exc
    for index in range(metadata.num_row_groups):
        uncompressed = metadata.row_group(index).total_byte_size
        if uncompressed > limits.max_parquet_row_group_bytes:
            raise IngestError(
                f"row group {index + 1} of {metadata.num_row_groups} holds {_mib(uncompressed)} "
                f"uncompressed; at most {_mib(limits.max_parquet_row_group_bytes)}",
                file=path.name,
                fix="write it with smaller row groups (pyarrow: row_group_size=100_000; DuckDB: "
                "ROW_GROUP_SIZE 100000), or raise OBSERVATORY_MAX_PARQUET_ROW_GROUP_BYTES")


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"
