"""``python -m bench.api [--quick]``: the observatory's districts items, indicator items and
vector tiles against tipg serving the same PostGIS tables (throughput, p50/p99), and the size of
the choropleth page."""
