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


def test_spec_infer_codes_from_a_table_computes_the_codes_the_tables_use(invoke, duckdb_url,
                                                                         tmp_path: Path):
    """A layer numbering its districts 1, 2 and a table keying them 90100, 90200: the inferred
    spec computes the table's codes, and the layer loads under them."""
    import geopandas as gpd
    from shapely.geometry import box

    from observatory.store import open_store

    layer = tmp_path / "bezirke.geojson"
    gpd.GeoDataFrame({"NR": [1, 2], "NAME": ["Innere Stadt", "Leopoldstadt"]},
                     geometry=[box(16.36, 48.20, 16.37, 48.21), box(16.37, 48.20, 16.38, 48.21)],
                     crs="EPSG:4326").to_file(layer)
    table = tmp_path / "population.csv"
    table.write_text("DISTRICT_CODE;YEAR;PEOPLE\n90100;2024;10\n90200;2024;12\n",
                     encoding="utf-8")
    out = tmp_path / "bezirke.yaml"
    assert invoke("--database-url", duckdb_url, "init").exit_code == 0
    result = invoke("--database-url", duckdb_url, "spec", "infer", str(layer), "--city",
                    "wien", "--feed", "boundaries", "--codes-from", str(table), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert ("code: {expression: 90000 + NR*100}  # 90000 + NR*100 (computed from NR) give 100% "
            "of the features a code of population.csv (DISTRICT_CODE)") in result.output
    loaded = invoke("--database-url", duckdb_url, "ingest", "boundaries", str(layer), "--city",
                    "wien", "--spec", str(out))
    assert loaded.exit_code == 0, loaded.output
    store = open_store(duckdb_url)
    try:
        assert sorted(store.districts("wien")["code"].astype(str)) == ["90100", "90200"]
    finally:
        store.close()
