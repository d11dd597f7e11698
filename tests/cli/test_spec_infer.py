"""``observatory spec infer`` prints a commented spec, writes it with --out, and the written
spec ingests the file."""

from __future__ import annotations

from pathlib import Path

from ingest.spec import load_census_spec


def test_spec_infer_prints_and_writes_a_spec_that_ingests(invoke, duckdb_url, boundaries,
                                                          tmp_path: Path):
    districts, spec = boundaries
    assert invoke("--database-url", duckdb_url, "ingest", "boundaries", str(districts),
                  "--city", "testville", "--spec", str(spec)).exit_code == 0
    table = tmp_path / "voters_2024.csv"
    table.write_text("Registered voters\nward;voted;did_not_vote\nAl-Zaytoun;120;80\n"
                     "Al-Nakheel;90;60\n", encoding="utf-8")
    out = tmp_path / "voters.yaml"
    result = invoke("--database-url", duckdb_url, "spec", "infer", str(table), "--city",
                    "testville", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "district: {column: ward, match: name_en}  # 2 of 2 rows (100%) hold English " \
           "district names" in result.output
    assert "period: {value: '2024'}  # no period column: the year in the file name" \
        in result.output
    assert out.read_text(encoding="utf-8") in result.output
    written = load_census_spec(out)
    assert (written.header_row, written.delimiter) == (2, ";")
    loaded = invoke("--database-url", duckdb_url, "ingest", "census", str(table), "--city",
                    "testville", "--spec", str(out))
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 4, rejected 0" in loaded.output


def test_spec_infer_of_an_unknown_kind_of_file_exits_2_naming_it(invoke, duckdb_url,
                                                                 tmp_path: Path):
    odd = tmp_path / "minutes.docx"
    odd.write_bytes(b"PK\x03\x04")
    result = invoke("--database-url", duckdb_url, "spec", "infer", str(odd), "--city", "x")
    assert result.exit_code == 2
    assert "minutes.docx" in result.output and "Traceback" not in result.output
