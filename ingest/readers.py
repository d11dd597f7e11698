"""Read source files into frames that remember where each record came from.

Tables (CSV, XLSX) come back with every column as text, so codes such as ``01`` keep their
zeros, and indexed by the record's 1-based line (CSV) or sheet row (XLSX). Vector files
(GeoJSON, GeoPackage, Shapefile, zipped Shapefile) come back indexed by 1-based feature number,
and so do their attribute tables read as tables (``format: vector``).

Encoding detection for CSV (``encoding: auto``), deliberately simple:
a UTF-8 byte-order mark -> ``utf-8-sig``; bytes that decode as UTF-8 -> ``utf-8``; otherwise
``cp1256`` (Windows Arabic) when most non-ASCII bytes sit in runs of two or more (Arabic words
are written entirely in non-ASCII bytes), else ``latin-1`` (accented letters in Latin words are
isolated non-ASCII bytes). When it guesses wrong, set ``encoding`` in the feed spec.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
from openpyxl.utils.exceptions import InvalidFileException

from ingest.errors import IngestError
from ingest.text import as_text
from observatory.settings import ResourceSettings

if TYPE_CHECKING:
    from ingest.spec import TableSourceSpec

TABLE_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
DELIMITERS = ";,\t|"
_SNIFF_LINES = 50
_NULS_IN_BINARY = 8  # in the first 4 kB


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame  # text columns (missing = NA); index: source row number
    source: str  # file name, for messages
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only


def read_source(path: Path, source: TableSourceSpec, *, layer: str | None = None) -> Table:
    """``path`` read as a spec's source options (format, encoding, delimiter…) say."""
    return read_table(path, format=source.format, encoding=source.encoding,
                      delimiter=source.delimiter, header_row=source.header_row,
                      sheet=source.sheet, layer=layer)


def read_table(
    path: Path,
    *,
    format: str | None = None,
    encoding: str = "auto",
    delimiter: str | None = None,
    header_row: int = 1,
    sheet: int | str | None = None,
    layer: str | None = None,
) -> Table:
    path = Path(path)
    kind = format or table_format(path)
    if kind is None:
        raise IngestError(
            f"unknown table extension '{path.suffix}'",
            file=path.name,
            fix="give a .csv, .xlsx or vector file (.geojson, .gpkg, .shp), or set "
            "format: csv|xlsx|vector in the feed spec",
        )
    if kind == "vector":
        return read_attribute_table(path, layer=layer)
    limits = ResourceSettings()
    _refuse_big_table(path, limits)
    raw = _read_bytes(path)
    if kind == "xlsx":
        refuse_zip_bomb(path, limits.max_table_bytes)
        return _read_xlsx(path, header_row=header_row, sheet=sheet)
    return _read_csv(path, raw, encoding=encoding, delimiter=delimiter, header_row=header_row)


def encoding_hint(table: Table, present: list[str]) -> str:
    """A hint when column names look like UTF-8 read in a single-byte encoding."""
    if not table.encoding or table.encoding.startswith("utf-8"):
        return ""
    header = "".join(present)
    try:
        as_utf8 = header.encode(table.encoding).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return ""
    if as_utf8 == header:
        return ""
    return f"the header reads as UTF-8, not {table.encoding}: set encoding: utf-8. "


def require_header_columns(table: Table, wanted: Sequence[tuple[str, str | None]]) -> None:
    """Every (spec key, column) the spec names must be in the header; the error says which
    key, the closest header name, and what the header holds (a wrong delimiter or encoding
    shows there)."""
    present = [str(column) for column in table.frame.columns]
    for key, column in wanted:
        if column and column not in present:
            close = difflib.get_close_matches(column, present, n=1)
            hint = encoding_hint(table, present) or (
                f"did you mean '{close[0]}'? " if close else "")
            if len(present) == 1:
                hint += "only one column was found: check delimiter. "
            raise IngestError(
                f"no column '{column}' in the header",
                file=table.source,
                key=key,
                fix=f"{hint}the header has: {', '.join(present)} "
                "(if that is not the header line, set header_row)",
            )


def table_format(path: Path) -> str | None:
    """csv, xlsx or vector, from the file extension; None when it says nothing known."""
    suffix = Path(path).suffix.lower()
    return TABLE_FORMATS.get(suffix) or ("vector" if suffix in VECTOR_SUFFIXES else None)


def read_attribute_table(path: Path, *, layer: str | None = None) -> Table:
    """The attributes of a vector file (e.g. a Shapefile's DBF) as a text table."""
    features = read_vector(path, layer=layer)
    frame = pd.DataFrame(
        {str(column): as_text(features[column])
         for column in features.columns if column != features.geometry.name},
        index=features.index,
    )
    return Table(frame=frame, source=Path(path).name)


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    non_ascii = sum(1 for byte in raw if byte >= 0x80)
    in_runs = sum(len(run) for run in re.findall(rb"[\x80-\xff]{2,}", raw))
    return "cp1256" if in_runs * 2 > non_ascii else "latin-1"


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(
            f"cannot read the file ({exc.strerror})", file=str(path), fix="check the path"
        ) from exc
    if not raw.strip():
        raise IngestError("the file is empty", file=path.name, fix="export the table again")
    return raw


def _refuse_big_table(path: Path, limits: ResourceSettings) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # _read_bytes says why
    if size > limits.max_table_bytes:
        raise IngestError(
            f"the file is {size / 2**20:,.0f} MiB; tables of this feed are read whole, up to "
            f"{limits.max_table_bytes / 2**20:,.0f} MiB",
            file=path.name,
            fix="split the table (by year or area) and ingest the parts, or raise "
            "OBSERVATORY_MAX_TABLE_BYTES where the machine has memory for about 10 times the file",
        )


def _refuse_big_vector(path: Path, max_bytes: int) -> None:
    """Refuse an empty or oversized vector file from its size alone, before reading a byte."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(
            f"cannot read the file ({exc.strerror})", file=str(path), fix="check the path"
        ) from exc
    if size == 0:
        raise IngestError("the file is empty", file=path.name, fix="export the layer again")
    if size > max_bytes:
        raise IngestError(
            f"the file is {size / 2**20:,.0f} MiB; vector files are read whole, up to "
            f"{max_bytes / 2**20:,.0f} MiB",
            file=path.name,
            fix="simplify the geometries or split the layer (by area), or raise "
            "OBSERVATORY_MAX_VECTOR_BYTES where the machine has memory for a few times the file",
        )


# A worksheet's XML compresses 5-20 times; a zip bomb hundreds or thousands of times.
MAX_ZIP_RATIO = 200


def refuse_zip_bomb(path: Path, max_bytes: int) -> None:
    """Refuse a zip (XLSX, zipped Shapefile) that would expand past ``max_bytes`` or whose
    members expand more than ``MAX_ZIP_RATIO`` times, from its directory alone."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: the reader says what it is
    total = sum(member.file_size for member in members)
    swollen = [m for m in members
               if m.file_size > 1024 * 1024 and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1)]
    if total > max_bytes or swollen:
        worst = max(members, key=lambda m: m.file_size / max(m.compress_size, 1))
        raise IngestError(
            f"the zip would expand to {total / 2**20:,.0f} MiB (member {worst.filename!r}: "
            f"{worst.compress_size:,} bytes -> {worst.file_size:,}); refused before reading "
            f"(at most {max_bytes / 2**20:,.0f} MiB, {MAX_ZIP_RATIO} times compressed)",
            file=path.name,
            fix="this looks like a zip bomb or a far larger export than expected: export the "
            "table again, or split it (OBSERVATORY_MAX_TABLE_BYTES sets the limit)",
        )


def _read_csv(
    path: Path, raw: bytes, *, encoding: str, delimiter: str | None, header_row: int
) -> Table:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(
            "the file is UTF-16 (it starts with a UTF-16 byte-order mark)",
            file=path.name,
            fix="UTF-16: save as UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')",
        )
    # Binary formats are full of NUL bytes; a text export damaged in places has a few.
    if raw.startswith(b"PK\x03\x04") or raw[:4096].count(b"\x00") > _NULS_IN_BINARY:
        raise IngestError(
            "this is not a text (CSV) file: it holds binary data",
            file=path.name,
            fix="export the table as CSV, or name a spreadsheet .xlsx and set format: xlsx",
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise IngestError(
            "the line holds a NUL byte (0x00), which no text value may hold",
            file=path.name,
            row=raw[:nul].count(b"\n") + 1,
            fix="remove the NUL bytes (the export is probably damaged), or export the table again",
        )
    used = detect_encoding(raw) if encoding == "auto" else encoding
    try:
        # Decoded once to find the first bad byte, and for the sniffer and header_row only:
        # pandas parses the bytes, so the table is never held as text too (a str and its
        # StringIO held it up to 5 more times).
        text = raw.decode(used)
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"byte {raw[exc.start]:#04x} is not valid {used}",
            file=path.name,
            row=raw[: exc.start].count(b"\n") + 1,
            fix="set encoding in the feed spec (utf-8, utf-8-sig, cp1256, latin-1) "
            "or save the file as UTF-8",
        ) from exc
    # A byte-order mark left by encoding: utf-8 must not become part of the first column name.
    bom = len(codecs.BOM_UTF8) if used == "utf-8" and raw.startswith(codecs.BOM_UTF8) else 0
    text = text.removeprefix("\ufeff")
    start = _line_start(text, header_row)
    if start is None:
        raise IngestError(
            f"header_row is {header_row} but the file has only {len(text.splitlines())} lines",
            file=path.name,
            fix="set header_row to the line that holds the column names",
        )
    # Only the start is split into lines (for the sniffer).
    head = text[start:start + 65536]
    offset = bom + len(text[:start].encode(used))
    del text
    sep = delimiter or _sniff_delimiter(path, head.splitlines(keepends=True), header_row)
    body = io.BytesIO(raw if offset == 0 else memoryview(raw)[offset:])
    try:
        # header=None: the header line sets the field count, so a record with more fields is
        # an error instead of silently turning the first column into an index.
        cells = pd.read_csv(
            body,
            encoding=used,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,  # "NA" may be a code (Namibia); only empty cells are missing
            na_values=[""],
            skip_blank_lines=False,  # keeps the line numbering of what follows
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise IngestError(
            f"cannot split the line into columns ({str(exc).strip()})",
            file=path.name,
            row=int(found.group(1)) + header_row - 1 if found else None,
            fix=f"check the delimiter (used {sep!r}) and the quotes on that line; if line "
            f"{header_row} is a title rather than the column names, set header_row",
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise IngestError("no header line", file=path.name, fix="check header_row") from exc
    columns = [
        str(name).strip() if pd.notna(name) else f"column {position + 1}"
        for position, name in enumerate(cells.iloc[0])
    ]
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise IngestError(
            f"the header names the columns {repeated} more than once",
            file=path.name,
            row=header_row,
            fix="give every column its own name (or set header_row if that is not the header)",
        )
    frame = cells.iloc[1:]
    frame.columns = columns
    # A record's line: the header is line header_row, records follow one per line (a quoted
    # value spanning lines would shift later numbers; census exports do not do that).
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row")
    blank = frame.isna().all(axis=1)
    if blank.any():  # a copy only when there are blank lines to drop
        frame = frame[~blank]
    return Table(frame=frame, source=path.name, encoding=used, delimiter=sep)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _line_start(text: str, line: int) -> int | None:
    """Where line ``line`` (1-based) of ``text`` starts; None when the text has fewer lines."""
    start = 0
    for _ in range(line - 1):
        end = _LINE_END.search(text, start)
        if end is None:
            return None
        start = end.end()
    return start if start < len(text) or line == 1 else None


def _sniff_delimiter(path: Path, body: list[str], header_row: int) -> str:
    sample = "".join(body[:_SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = body[0]
        best = max(DELIMITERS, key=header.count)
        if header.count(best):
            return best
    raise IngestError(
        f"cannot tell the delimiter: the header line has none of {list(DELIMITERS)}",
        file=path.name,
        row=header_row,
        fix="set delimiter in the feed spec, or header_row if the header is on another line",
    )


def _read_xlsx(path: Path, *, header_row: int, sheet: int | str | None) -> Table:
    try:
        workbook = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, InvalidFileException, ValueError, KeyError) as exc:
        raise IngestError(
            f"this is not an Excel .xlsx workbook ({exc})",
            file=path.name,
            fix="save it from the spreadsheet program as .xlsx, or export CSV",
        ) from exc
    with workbook:
        names = workbook.sheet_names
        chosen = 0 if sheet is None else sheet
        if (isinstance(chosen, int) and not 0 <= chosen < len(names)) or (
            isinstance(chosen, str) and chosen not in names
        ):
            raise IngestError(
                f"no sheet {chosen!r}",
                file=path.name,
                fix=f"set sheet to one of {names} (or its 0-based index)",
            )
        cells = pd.read_excel(workbook, sheet_name=chosen, header=None, dtype=str)
    if len(cells) < header_row:
        raise IngestError(
            f"header_row is {header_row} but sheet {chosen!r} has only {len(cells)} rows",
            file=path.name,
            fix="set header_row to the row that holds the column names",
        )
    cells.index = pd.RangeIndex(1, len(cells) + 1, name="row")  # spreadsheet row numbers
    frame = cells.loc[header_row + 1 :].copy()
    frame.columns = [
        str(name).strip() if pd.notna(name) else f"column {position + 1}"
        for position, name in enumerate(cells.loc[header_row])
    ]
    frame = frame.apply(lambda column: column.str.strip()).replace("", pd.NA)
    return Table(frame=frame.dropna(how="all"), source=path.name)


def _require_shapefile_members(path: Path) -> None:
    """A zipped Shapefile needs its .shx and .dbf beside each .shp: without the .dbf GDAL
    reads geometries with no columns at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [name for name in archive.namelist() if not name.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        return  # the vector reader says what the file is
    stems = {str(Path(name).with_suffix("")).lower(): name
             for name in names if name.lower().endswith(".shp")}
    present = {name.lower() for name in names}
    missing = [f"{Path(shp).with_suffix('').as_posix()}{suffix}"
               for stem, shp in sorted(stems.items()) for suffix in (".shx", ".dbf")
               if f"{stem}{suffix}" not in present]
    if missing:
        raise IngestError(
            f"the zip lacks {', '.join(missing)} beside the .shp",
            file=path.name,
            fix="zip every part of the Shapefile together (.shp, .shx, .dbf and .prj)",
        )


def _refuse_nul_text(frame: gpd.GeoDataFrame, path: Path) -> None:
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        nul = frame[column].map(lambda v: isinstance(v, str) and "\x00" in v)
        if nul.any():
            raise IngestError(
                "the value holds a NUL byte (0x00), which no text value may hold",
                file=path.name, row=int(nul.idxmax()), column=str(column),
                fix="remove the NUL bytes (the export is probably damaged), or export again",
            )


def read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    path = Path(path)
    if path.suffix.lower() not in VECTOR_SUFFIXES:
        raise IngestError(
            f"unknown boundary file extension '{path.suffix}'",
            file=path.name,
            fix=f"give one of {', '.join(VECTOR_SUFFIXES)} (a Shapefile may be zipped)",
        )
    limits = ResourceSettings()
    _refuse_big_vector(path, limits.max_vector_bytes)
    if path.suffix.lower() == ".zip":
        refuse_zip_bomb(path, limits.max_vector_bytes)
        _require_shapefile_members(path)
    try:
        if layer is None:
            layers = [str(name) for name, _ in pyogrio.list_layers(path)]
            if len(layers) > 1:
                raise IngestError(
                    f"the file holds {len(layers)} layers: {layers}",
                    file=path.name,
                    fix="set layer in the feed spec (source_layer in an events spec)",
                )
        frame = pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise IngestError(
            f"cannot read it as {path.suffix.lstrip('.')} vector data ({exc})",
            file=path.name,
            fix="check that the file is what its extension says and is complete "
            "(a Shapefile needs its .shx, .dbf and .prj beside it or in the same zip)",
        ) from exc
    if frame.empty:
        raise IngestError("the file holds no features", file=path.name, fix="export it again")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="feature")
    _refuse_nul_text(frame, path)
    return frame
