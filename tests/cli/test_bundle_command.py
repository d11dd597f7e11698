"""``observatory bundle export|import`` end to end on DuckDB files: the file written, the peer
loaded and marked, a repeated import, and the refusals a user sees."""

from __future__ import annotations

from pathlib import Path

from exportable_city import add_exportable_city

from observatory.store import open_store


def _origin(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path / 'origin.duckdb'}"
    store = open_store(url)
    store.init_schema()
    store.close()
    add_exportable_city(url)
    return url


def test_export_then_import_as_an_external_peer(invoke, tmp_path: Path) -> None:
    bundle = tmp_path / "tarsus.zip"
    exported = invoke("--database-url", _origin(tmp_path), "bundle", "export", "--city",
                      "tarsus", "--out", str(bundle), "--origin", "Tarsus office")
    assert exported.exit_code == 0, exported.output
    assert f"Bundle of tarsus written to {bundle}" in exported.output
    peer = f"duckdb:///{tmp_path / 'peer.duckdb'}"
    assert invoke("--database-url", peer, "init").exit_code == 0
    imported = invoke("--database-url", peer, "bundle", "import", str(bundle))
    assert imported.exit_code == 0, imported.output
    assert "tarsus (external peer from Tarsus office): imported; 1 published value(s)" in (
        imported.output)
    again = invoke("--database-url", peer, "bundle", "import", str(bundle))
    assert "already imported: nothing changed" in again.output

    refused = invoke("--database-url", peer, "compute", "--city", "tarsus")
    assert refused.exit_code == 1
    assert "'tarsus' is an external peer" in refused.output
    every = invoke("--database-url", peer, "compute")  # every city: the peer is skipped
    assert "tarsus" not in every.output

    bundle.write_bytes(bundle.read_bytes()[:-40])
    damaged = invoke("--database-url", peer, "bundle", "import", str(bundle))
    assert damaged.exit_code == 2
    assert "tarsus.zip: not a readable zip archive" in damaged.output
