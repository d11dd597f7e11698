"""CSV and XLSX reading: encodings, title lines, delimiters, text codes and row numbers."""

from __future__ import annotations

import codecs

import pandas as pd
import pytest

from ingest.errors import IngestError
from ingest.readers import detect_encoding, read_table

ARABIC_TABLE = "عدد السكان حسب الحي\ncode,name,pop\n01,الشيخ جراح,12\n\n02,بيت حنينا,30\n"


def test_title_lines_before_the_header_are_skipped_and_lines_numbered(tmp_path):
    path = tmp_path / "census.csv"
    path.write_text("Population by district\nsource: city office\nCODE;POP\n01;5\n02;7\n",
                    encoding="utf-8")
    table = read_table(path, header_row=3)
    assert list(table.frame.columns) == ["CODE", "POP"]
    assert table.frame.index.tolist() == [4, 5]  # the lines the records are on
    assert table.frame["CODE"].tolist() == ["01", "02"]  # codes keep their zeros
    assert table.delimiter == ";"


def test_cp1256_arabic_names_are_detected_and_decoded(tmp_path):
    path = tmp_path / "arabic.csv"
    path.write_bytes(ARABIC_TABLE.encode("cp1256"))
    table = read_table(path, header_row=2)
    assert table.encoding == "cp1256"
    assert table.frame["name"].tolist() == ["الشيخ جراح", "بيت حنينا"]
    # the blank line is dropped but still counted
    assert table.frame.index.tolist() == [3, 5]


def test_latin1_german_names_are_not_mistaken_for_arabic(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("code;name\n918;Währing\n919;Döbling\n903;Landstraße\n".encode("latin-1"))
    table = read_table(path)
    assert table.encoding == "latin-1"
    assert table.frame["name"].tolist() == ["Währing", "Döbling", "Landstraße"]


def test_utf8_bom_does_not_end_up_in_the_first_column_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "code\tname\n1\tحي الزيتون\n".encode())
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == "\t"
    assert list(table.frame.columns) == ["code", "name"]


def test_explicit_encoding_that_does_not_fit_names_the_line(tmp_path):
    path = tmp_path / "arabic.csv"
    path.write_bytes(ARABIC_TABLE.encode("cp1256"))
    expected = r"arabic.csv, row 1: .* not valid utf-8 — fix: set encoding"
    with pytest.raises(IngestError, match=expected):
        read_table(path, encoding="utf-8", header_row=2)


def test_detect_encoding_rules():
    assert detect_encoding(codecs.BOM_UTF8 + b"a") == "utf-8-sig"
    assert detect_encoding("حي".encode()) == "utf-8"
    assert detect_encoding("حي الزيتون".encode("cp1256")) == "cp1256"
    assert detect_encoding("Döbling".encode("latin-1")) == "latin-1"


def test_the_missing_marker_is_only_an_empty_cell(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("country,pop\nNA,3\n,4\n", encoding="utf-8")
    frame = read_table(path).frame
    assert frame.loc[2, "country"] == "NA"  # Namibia, not missing
    assert pd.isna(frame.loc[3, "country"])


def test_a_ragged_line_is_reported_with_its_line_number(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("title\na;b\n1;2\n3;4;5\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_table(path, header_row=2, delimiter=";")
    assert caught.value.row == 4


def test_xlsx_with_title_rows_keeps_sheet_row_numbers_and_text_codes(tmp_path):
    path = tmp_path / "census.xlsx"
    with pd.ExcelWriter(path) as workbook:
        pd.DataFrame([["Population 2025"]]).to_excel(
            workbook, sheet_name="districts", header=False, index=False, startrow=0)
        pd.DataFrame({"code": ["01", "02"], "name": ["حي الزيتون", "حي النخيل"],
                      "pop": [120, 80]}).to_excel(
            workbook, sheet_name="districts", index=False, startrow=2)
    table = read_table(path, header_row=3, sheet="districts")
    assert table.frame.index.tolist() == [4, 5]
    assert table.frame["code"].tolist() == ["01", "02"]
    assert table.frame["name"].tolist() == ["حي الزيتون", "حي النخيل"]
    assert table.frame["pop"].tolist() == ["120", "80"]
    expected = r"no sheet 'other' — fix: set sheet to one of \['districts'\]"
    with pytest.raises(IngestError, match=expected):
        read_table(path, sheet="other")


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\n  \n")
    with pytest.raises(IngestError, match=r"empty.csv: the file is empty"):
        read_table(path)


def test_unknown_extension_is_an_error(tmp_path):
    path = tmp_path / "table.ods"
    path.write_bytes(b"x")
    with pytest.raises(IngestError, match=r"unknown table extension '.ods' — fix: .*format"):
        read_table(path)


def test_a_spreadsheet_named_csv_is_refused(tmp_path):
    path = tmp_path / "really.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(path, index=False)
    renamed = path.rename(tmp_path / "table.csv")
    with pytest.raises(IngestError, match=r"table.csv: this is not a text \(CSV\) file"):
        read_table(renamed)


def test_a_csv_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "table.xlsx"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"table.xlsx: this is not an Excel .xlsx workbook"):
        read_table(path)


def test_header_row_beyond_the_file_is_an_error(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"header_row is 5 but the file has only 2 lines"):
        read_table(path, header_row=5)
