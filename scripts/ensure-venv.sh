#!/usr/bin/env bash
# Create the virtualenv given as $1 with $PYTHON (default python3). Debian's python3 lacks the
# venv module until python3-venv is installed: install it when root, else say how.
set -euo pipefail

venv="${1:-.venv}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  pkg="python3-venv"
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing $pkg (the venv module is missing)…"
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg"
  else
    echo "The Python venv module is missing. Run:  sudo apt-get update && sudo apt-get install -y $pkg" >&2
    exit 1
  fi
fi

# A half-made venv (no pip) from an earlier failure would make every later step fail.
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
