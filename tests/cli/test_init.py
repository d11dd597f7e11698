"""`observatory init` creates the schema once and is safe to repeat, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.store import open_store


def test_init_is_idempotent(invoke, store_url):
    first = invoke("--database-url", store_url, "init")
    assert first.exit_code == 0, first.output
    assert "Applied" in first.output and "001_schema.sql" in first.output

    second = invoke("--database-url", store_url, "init")
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output

    store = open_store(store_url)
    try:
        assert store.init_schema() == []  # the CLI really applied everything
    finally:
        store.close()


def test_init_uses_the_data_dir_by_default(invoke, data_dir: Path):
    result = invoke("init")
    assert result.exit_code == 0, result.output
    assert (data_dir / "observatory.duckdb").is_file()
    assert str(data_dir / "observatory.duckdb") in result.output


@pytest.mark.postgis
def test_init_hides_the_database_password(invoke, postgis_url):
    url = postgis_url.replace("postgresql://postgres@", "postgresql://postgres:s3cret@", 1)
    result = invoke("--database-url", url, "init")
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output and "postgres:***@" in result.output


def test_unknown_store_url_is_a_clear_error(invoke):
    result = invoke("--database-url", "mysql://x@y/z", "init")
    assert result.exit_code == 2
    assert "mysql://x@y/z" in result.output and "duckdb:///" in result.output
    assert "Traceback" not in result.output
