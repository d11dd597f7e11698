"""Feed specs shipped with the package, one folder per city (a package so the YAML is installed)."""
