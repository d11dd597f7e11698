"""``python -m bench.scale [--quick]``: the Dask engine (a local cluster of worker processes)
against the embedded DuckDB engine on the same partitioned point feed, with time, CPU time,
peak memory per worker and the scheduler's overhead, and the workers a national feed needs."""
