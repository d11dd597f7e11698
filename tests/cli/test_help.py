"""`--help` teaches: every command and option says what it does, with an example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from observatory.cli import app

REPO = Path(__file__).resolve().parents[2]
COMMANDS = {"init", "ingest", "runs", "compute", "icc", "keys", "demo", "serve"}


def _walk(command, path: tuple[str, ...] = ()):
    yield path, command
    if hasattr(command, "commands"):  # a group
        for name, sub in command.commands.items():
            yield from _walk(sub, path + (name,))


ALL = list(_walk(typer.main.get_command(app)))


def test_help_lists_every_command(invoke):
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    listed = {name for name in COMMANDS if f" {name} " in result.output}
    assert listed == COMMANDS


@pytest.mark.parametrize("path, command", ALL, ids=[" ".join(p) or "observatory" for p, _ in ALL])
def test_every_command_and_option_has_help_with_an_example(path, command):
    name = " ".join(("observatory", *path))
    assert "Example" in (command.help or ""), f"{name}: no example in its help"
    for param in command.params:
        if param.name == "help":
            continue
        text = getattr(param, "help", None) or ""
        assert "Example" in text or "e.g." in text, (
            f"{name} {param.name}: help text without an example: {text!r}"
        )


def test_subcommand_help_runs(invoke):
    result = invoke("ingest", "census", "--help")
    assert result.exit_code == 0, result.output
    assert "--spec" in result.output and "--city" in result.output


def test_compute_help_lists_the_frameworks(invoke):
    result = invoke("compute", "--help")
    assert result.exit_code == 0, result.output
    for framework in ("cpi", "demography", "integration_gaps", "intercultural"):
        assert framework in result.output


@pytest.mark.parametrize("feed", ["boundaries", "census", "admin", "cdr", "points", "events",
                                  "raster"])
def test_every_feed_has_an_ingest_command(invoke, feed):
    result = invoke("ingest", feed, "--help")
    assert result.exit_code == 0, result.output
    assert "--city" in result.output
    assert ("--period" if feed == "raster" else "--spec") in result.output


SCREEN_LINES = 40  # a terminal screen, at 100 columns


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[" ".join(p) or "observatory"
                                                           for p, _ in ALL])
def test_every_help_fits_one_screen_and_shows_an_example(invoke, path):
    result = invoke(*path, "--help", env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) <= SCREEN_LINES, f"{len(lines)} lines:\n{result.output}"
    assert max(map(len, lines)) <= 100
    assert "Example" in result.output


def test_the_command_loads_no_heavy_layer_before_a_command_runs():
    # Every CLI call (and every test that starts one) pays for what `import observatory.cli`
    # loads; the demo's map code once pulled in mapclassify and matplotlib: 6 s per call.
    heavy = ["dask", "duckdb", "fastapi", "folium", "geopandas", "mapclassify", "matplotlib",
             "numpy", "pandas", "psycopg", "rasterio", "scipy", "shapely", "sqlalchemy",
             "weasyprint"]
    probe = ("import sys, observatory.cli; "
             f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=REPO, env=os.environ | {"PYTHONPATH": str(REPO)})
    assert loaded.stdout.strip() == ""
