"""The SQL files: the shared queries read in both dialects, and an install ships every file
(the schema, and the rest of the packages' files with it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from observatory.store.sqlfiles import dollar_parameters, queries, schema_files

REPO = Path(__file__).resolve().parents[2]


def test_parameters_become_dollar_parameters_but_casts_strings_and_comments_stay():
    sql = ("SELECT attributes::text, 'EPSG:4326', x := 1 -- at :noon\n"
           "FROM t WHERE CAST(:city AS TEXT) IS NULL OR city = :city AND b = 'it''s :x'")
    assert dollar_parameters(sql) == (
        "SELECT attributes::text, 'EPSG:4326', x := 1 -- at :noon\n"
        "FROM t WHERE CAST($city AS TEXT) IS NULL OR city = $city AND b = 'it''s :x'")


@pytest.mark.parametrize("dialect, dollar", [("duckdb", True), ("postgis", False)])
def test_each_dialect_has_the_shared_queries_and_its_own(dialect, dollar):
    found = queries(dialect, dollar=dollar)
    assert {"upsert_city", "insert_run", "indicator_values"} <= found.keys()  # shared
    assert {"add_event", "district_tile"} <= found.keys()  # the dialect's own
    assert ("$slug" in found["upsert_city"]) is dollar
    assert "$" not in queries(dialect)["upsert_city"]


def test_schema_files_are_numbered_and_in_order():
    for dialect in ("duckdb", "postgis"):
        names = [file.name for file in schema_files(dialect)]
        assert names[0] == "001_schema.sql" and names == sorted(names)


def _not_built_from(folder: str, names: list[str]) -> set[str]:
    # An earlier build's *.egg-info lists the files it shipped, and setuptools would ship them.
    skipped = {name for name in names if name == "__pycache__" or name.endswith(".egg-info")}
    if Path(folder) == REPO:
        skipped |= {name for name in names if name.startswith(".")}
        skipped |= set(names) & {"build", "dist", "data", "tests", "bench", "docs",
                                 "test-artifacts"}
    return skipped


@pytest.mark.slow
def test_the_wheel_ships_every_sql_file_and_reads_them_installed(tmp_path: Path):
    # Built from a copy: setuptools reuses a build/ folder, which could hide a missing file.
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=_not_built_from)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
         str(tmp_path / "dist"), str(source)], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())

    expected = {f"observatory/sql/{p.relative_to(REPO / 'sql').as_posix()}"
                for p in (REPO / "sql").glob("*/*.sql")}
    assert {"observatory/sql/common/queries.sql", "observatory/sql/duckdb/001_schema.sql",
            "observatory/sql/postgis/001_schema.sql"} <= expected
    # ... and every other file of the packages: ingest/bigdata/sql, templates, vendored maps.
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "observatory", "ingest",
                              "indicators", "maps"], capture_output=True, text=True, check=True)
    expected |= set(tracked.stdout.split())
    assert "ingest/bigdata/sql/point_groups.sql" in expected
    assert expected <= shipped, sorted(expected - shipped)
    assert not any(name.startswith("sql/") for name in shipped), "sql/ is not a top-level package"

    # Installed (here: unpacked), the store reads them from the package, not from a checkout.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("from observatory.store import sqlfiles; "
             "print(sqlfiles.sql_root() / 'common' / 'queries.sql'); "
             "print(len(sqlfiles.queries('duckdb', dollar=True)), "
             "[f.name for f in sqlfiles.schema_files('postgis')])")
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
                         check=False)
    assert ran.returncode == 0, ran.stderr
    root, counts = ran.stdout.splitlines()
    assert root.startswith(str(site)) and "001_schema.sql" in counts
