"""Chicago feed specs (CMAP Community Data Snapshots and City of Chicago, via GeoDa)."""
