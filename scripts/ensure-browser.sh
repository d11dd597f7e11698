#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is installed for the browser tests, which drive
# /usr/bin/chromium with Playwright (never `playwright install`: that downloads a browser).
# Installs it when root; otherwise prints the command to run. In CI a missing browser fails the
# run (the browser tests never skip there).
set -euo pipefail

browser="${OBSERVATORY_TEST_CHROMIUM:-/usr/bin/chromium}"
install_cmd="apt-get update && apt-get install -y chromium"

if [ -x "$browser" ]; then
  echo "Chromium for the browser tests: ${browser}"
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing chromium (Debian's, for the browser tests)…"
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    chromium fonts-dejavu-core
  [ -x "$browser" ] || { echo "Installed chromium but ${browser} is missing" >&2; exit 1; }
  echo "Chromium for the browser tests: ${browser}"
  exit 0
fi

echo "Chromium is missing. Run as root:  sudo sh -c '${install_cmd}'" >&2
if [ "${CI:-}" = "true" ]; then
  exit 1
fi
echo "Continuing without it: the browser tests will not pass until it is installed." >&2
