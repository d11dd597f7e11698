"""``observatory compare`` on a real DuckDB store of four cities: the terminal table with ranks
and flags, the CSV and XLSX files, the HTML report, and the refusals that say what to fix."""

from __future__ import annotations

import openpyxl
import pytest
from peer_cities import seed_peer_cities

from observatory.store import open_store


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """Seeded once: the commands only read it."""
    folder = tmp_path_factory.mktemp("compare-cli")
    url = f"duckdb:///{(folder / 'peers.duckdb').as_posix()}"
    store = open_store(url)
    seed_peer_cities(store)
    store.close()
    return url


def test_the_table_ranks_the_cities_in_the_peer_group(invoke, database):
    result = invoke("--database-url", database, "compare", "--cities", "alpha,beta,gamma",
                    "--peer-group", "over-200k", "--indicators", "cpi,cpi_unemployment_rate")

    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines()
             if line.startswith("│ cpi")}
    cells = [c.strip() for c in lines["cpi"].split("│")[2:-1]]
    assert cells == ["60 (2/2)", "70 (1/2)", "80 (outside group)", "65", "70", "2024"]
    assert "12.0 † definition" in lines["cpi_unemployment_rate"]
    assert "Cities over 200,000 inhabitants (3 cities)" in result.output


def test_csv_xlsx_and_the_report_are_written_to_files(invoke, database, tmp_path):
    csv_file, xlsx_file, html_file = (tmp_path / f"out.{e}" for e in ("csv", "xlsx", "html"))

    for fmt, target in (("csv", csv_file), ("xlsx", xlsx_file), ("html", html_file)):
        result = invoke("--database-url", database, "compare", "--cities", "beta",
                        "--indicators", "cpi,icc", "--format", fmt, "--out", str(target),
                        "--lang", "ar")
        assert result.exit_code == 0, result.output
        assert f"Wrote {target}" in result.output

    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")
    assert csv_file.read_text(encoding="utf-8-sig").splitlines()[1].startswith("cpi,")
    book = openpyxl.load_workbook(xlsx_file)
    sheet = book["comparison"]
    assert sheet.sheet_view.rightToLeft and sheet.max_row == 3
    assert book.sheetnames == ["comparison", "peers", "trends", "about"]  # beta: no districts
    html = html_file.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html and "تقرير المقارنة المرجعية للمدينة: بيتا" in html


@pytest.mark.parametrize(("args", "says"), [
    (["--format", "pdf"], "--format pdf writes a file. Fix: add --out FILE"),
    (["--peer-group", "size:big"], "unknown criterion 'size'"),
    (["--cities", "oslo"], "No city 'oslo'"),
    (["--format", "html"], "The report is one city's. Fix: name it first in --cities"),
])
def test_a_wrong_request_says_what_to_fix(invoke, database, args, says):
    result = invoke("--database-url", database, "compare", *args)

    assert result.exit_code == 2
    assert says in result.output
