"""``python -m bench.compare [--quick]``: the comparison of 100 cities × 60 indicators × 10
periods (synthetic, written to a DuckDB store) — the table from the store and from memory —
and one city's benchmark report as HTML and PDF."""
