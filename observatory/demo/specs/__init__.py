"""Feed specs for the demo city's files (data shipped with the package, read as resources)."""
