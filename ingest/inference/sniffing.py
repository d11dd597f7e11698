"""How a file is laid out: format, encoding, delimiter and header row (title lines skipped)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.errors import IngestError
from ingest.readers import DELIMITERS, Table, detect_encoding, read_table, read_vector, table_format

SNIFF_BYTES = 256 * 1024
SNIFF_LINES = 60


@dataclass(frozen=True)
class Layout:
    """What reading the file takes, each with the reason it was chosen."""

    format: str  # csv, xlsx or vector
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    reasons: tuple[tuple[str, str], ...] = ()  # (key, why)

    def why(self, key: str) -> str:
        return dict(self.reasons).get(key, "")


def sniff(path: Path) -> Layout:
    """The layout of ``path``; an ``IngestError`` when no reader knows its kind."""
    kind = table_format(path)
    if kind is None:
        raise IngestError(f"cannot tell what kind of file '{path.suffix}' is", file=path.name,
                          fix="give a .csv, .xlsx, .geojson, .gpkg, .shp or zipped Shapefile")
    if kind == "vector":
        return Layout("vector", reasons=(("format", f"a vector file ({path.suffix})"),))
    if kind == "xlsx":
        return Layout("xlsx", header_row=1,
                      reasons=(("format", "a spreadsheet (.xlsx): its first sheet"),))
    return _sniff_csv(path)


def _sniff_csv(path: Path) -> Layout:
    with path.open("rb") as source:
        raw = source.read(SNIFF_BYTES)
    encoding = detect_encoding(raw)
    text = raw.decode(encoding, errors="replace").removeprefix("\ufeff")
    lines = [line for line in text.splitlines()[:SNIFF_LINES] if line.strip()]
    if len(raw) == SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line read may be cut
    best: tuple[int, str, int] | None = None  # (modal fields x lines, delimiter, fields)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)),
                                                  delimiter=delimiter)]
        fields, times = Counter(counts).most_common(1)[0] if counts else (1, 0)
        if fields > 1 and (best is None or fields * times > best[0]):
            best = (fields * times, delimiter, fields)
    if best is None:
        raise IngestError("cannot tell the delimiter: no line splits into columns",
                          file=path.name, fix="save the table as CSV with ; , tab or | between "
                          "the columns")
    _, delimiter, fields = best
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = next(number for number, row in enumerate(rows, 1) if len(row) == fields)
    named = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}[delimiter]
    skipped = (f"lines 1–{header - 1} are titles (fewer columns); " if header > 2 else
               "line 1 is a title (fewer columns); " if header == 2 else "")
    return Layout("csv", encoding, delimiter, header, reasons=(
        ("format", "a text table (.csv)"),
        ("encoding", _encoding_why(encoding)),
        ("delimiter", f"{named}: {fields} columns on most lines"),
        ("header_row", f"{skipped}line {header} names the {fields} columns"),
    ))


def _encoding_why(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8 with a byte-order mark",
            "utf-8": "every byte decodes as UTF-8",
            "cp1256": "not UTF-8; non-ASCII bytes in runs, as Arabic words in Windows-1256",
            "latin-1": "not UTF-8; isolated non-ASCII bytes, as accents in Latin-1"}[encoding]


def read_with(path: Path, layout: Layout, layer: str | None = None) -> Table:
    """The file read as the proposed spec would read it: text columns, source row numbers."""
    return read_table(path, format=layout.format, encoding=layout.encoding or "auto",
                      delimiter=layout.delimiter, header_row=layout.header_row, layer=layer)


def geometry_kind(path: Path, layer: str | None = None) -> tuple[str, str | None, pd.DataFrame]:
    """A vector file's main geometry type (``polygon``, ``point``, ``line``), CRS and rows."""
    features = read_vector(path, layer=layer)
    types = features.geometry.geom_type.dropna().str.lower()
    main = types.mode().iloc[0] if len(types) else "none"
    kind = ("polygon" if "polygon" in main else "point" if "point" in main else
            "line" if "line" in main else main)
    crs = features.crs
    code = crs.to_epsg(min_confidence=70) if crs is not None else None
    named = f"EPSG:{code}" if code else crs.name if crs is not None else None
    return kind, named, features
