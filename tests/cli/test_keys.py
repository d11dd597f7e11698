"""`observatory keys create` prints a working key once and stores only its hash."""

from __future__ import annotations

import pytest

from observatory.keys import hash_key
from observatory.store import open_store


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_the_printed_key_has_its_role_and_is_stored_hashed(invoke, store_url, role):
    result = invoke("--database-url", store_url, "keys", "create", "--role", role,
                    "--label", "مكتب التخطيط")
    assert result.exit_code == 0, result.output
    assert "not" in result.output and "in clear" in result.output
    key = result.output.splitlines()[1].strip()
    assert len(key) >= 40

    store = open_store(store_url)
    try:
        assert store.api_key_role(hash_key(key)) == role
        assert store.api_key_role(key) is None  # the key itself is not what is stored
    finally:
        store.close()


def test_an_unknown_role_is_refused_naming_the_roles(invoke, duckdb_url):
    result = invoke("--database-url", duckdb_url, "keys", "create", "--role", "mayor",
                    "--label", "x")
    assert result.exit_code == 2
    assert "mayor" in result.output and "officer" in result.output
