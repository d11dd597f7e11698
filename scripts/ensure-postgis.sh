#!/usr/bin/env bash
# Make sure PostgreSQL with PostGIS is installed for the test fixtures, which start a throwaway
# server with pg_ctl. Installs it when root; otherwise prints the command to run. In CI a missing
# PostGIS fails the run (the PostGIS tests never skip there).
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
package="postgresql-${PG_MAJOR}-postgis-3"
install_cmd="apt-get update && apt-get install -y ${package}"

if [ -n "${OBSERVATORY_TEST_POSTGIS_URL:-}" ]; then
  echo "Using the PostGIS server in OBSERVATORY_TEST_POSTGIS_URL; nothing to install."
  exit 0
fi

# The newest PostgreSQL that has both pg_ctl and the PostGIS extension.
find_bin_dir() {
  local bin version
  for bin in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    version="$(basename "$(dirname "$bin")")"
    if [ -x "$bin/pg_ctl" ] && [ -x "$bin/initdb" ] \
      && [ -f "/usr/share/postgresql/${version}/extension/postgis.control" ]; then
      echo "$bin"
      return 0
    fi
  done
  return 1
}

if bin_dir="$(find_bin_dir)"; then
  echo "PostgreSQL with PostGIS: ${bin_dir}"
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${package} (PostgreSQL with PostGIS, for the store tests)…"
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${package}"
  bin_dir="$(find_bin_dir)" || { echo "Installed ${package} but found no pg_ctl with PostGIS under /usr/lib/postgresql/*/bin" >&2; exit 1; }
  echo "PostgreSQL with PostGIS: ${bin_dir}"
  exit 0
fi

echo "PostgreSQL with PostGIS is missing. Run as root:  sudo sh -c '${install_cmd}'" >&2
if [ "${CI:-}" = "true" ]; then
  exit 1
fi
echo "Continuing without it: the PostGIS tests will not pass until it is installed." >&2
