#!/usr/bin/env bash
# Make sure poppler-utils (pdftotext, pdftoppm) are installed: the benchmark-report tests read
# the Arabic PDF's text and render its first page with them. Installs them when root;
# otherwise prints the command to run. In CI a missing tool fails the run.
set -euo pipefail

install_cmd="apt-get update && apt-get install -y poppler-utils fonts-dejavu-core"

if command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; then
  echo "PDF tools for the report tests: $(command -v pdftotext), $(command -v pdftoppm)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing poppler-utils (for the benchmark-report tests)…"
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    poppler-utils fonts-dejavu-core
  command -v pdftotext >/dev/null || { echo "Installed poppler-utils but pdftotext is missing" >&2; exit 1; }
  exit 0
fi

echo "pdftotext/pdftoppm are missing. Run as root:  sudo sh -c '${install_cmd}'" >&2
if [ "${CI:-}" = "true" ]; then
  exit 1
fi
echo "Continuing without them: the report tests will not pass until they are installed." >&2
