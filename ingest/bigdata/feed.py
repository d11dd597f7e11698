"""A big CSV/Parquet feed as lazy DuckDB views, with row checks and precise rejections.

Every query on the views streams the file again; nothing is materialised. ``typed_feed`` has
the feed's columns under canonical names (``lon``, ``lat``, ``time``…), typed; ``checked_feed``
adds ``problem_column`` and ``problem``: NULL for a good row, else the file's column and the
reason (a query may instead apply the checks' ``passes`` itself, where it can do so cheaper).
Lines the CSV parser cannot read (a count ``abc``, a missing field) never reach the view: they
are counted (lines less rows parsed: the line feeds counted in Python settle the usual case
where every line was parsed, a scan counts the lines otherwise), and when there are some, and at
most ``MAX_LISTED``, one more scan has DuckDB keep them in its rejects table with their line
numbers and reasons. Listing
the line numbers of rows that fail the checks costs a second pass and is only done when the
first pass found some.
"""

from __future__ import annotations

import csv
import difflib
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

from ingest.errors import IngestError
from ingest.values import period_range
from observatory.models import RejectedRow, canonical_dims

T = TypeVar("T")
MAX_LISTED = 10_000  # rejected rows kept with their line numbers; the message gives the total
# A file none of whose first lines is a row is refused before the whole of it is scanned: a
# gigabyte of garbage after a valid header would otherwise take many minutes to reject.
SAMPLE_LINES = 1_000
_COUNT_CHUNK = 1 << 23  # bytes compared at a time to count line feeds
_SAMPLE_BUFFER = 1 << 21  # bytes: DuckDB's max_line_size (a smaller buffer refuses longer lines)
_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class FeedColumn:
    name: str  # canonical name the SQL uses
    source: str  # column name in the file
    type: str  # DuckDB type: VARCHAR, DOUBLE, TIMESTAMP
    key: str  # spec key naming it, e.g. "columns.lon"


@dataclass(frozen=True)
class Check:
    """A row check over canonical columns: ``condition`` is true for a bad row."""

    column: str  # canonical name of the column blamed
    condition: str  # SQL
    reason: str  # SQL text expression, so that it can quote the bad value
    # SQL true only where ``condition`` is not, and cheaper: when every check has one, a row
    # passing them all (nearly every row) skips the checks one by one.
    passes: str | None = None


def feed_format(path: Path, given: str | None) -> str:
    if given:
        return given
    found = _FORMATS.get(path.suffix.lower())
    if found is None:
        raise IngestError(
            f"unknown feed file extension '{path.suffix}'",
            file=path.name,
            fix="give a .csv or .parquet file, or set format: csv in the spec",
        )
    return found


class Feed:
    """Opens the views ``checked_feed`` and (for listing line numbers) ``checked_numbered``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, *, format: str | None,
                 delimiter: str | None, columns: list[FeedColumn], checks: list[Check]):
        self.con = con
        self.path = Path(path)
        self.format = feed_format(self.path, format)
        self.columns = columns
        self._by_name = {c.name: c for c in columns}
        header = self._header(delimiter)
        self._require(columns, header)
        typed, numbered = (self._csv_sources(header) if self.format == "csv"
                           else self._parquet_sources())
        failed, problem_column, problem = _problem_sql(checks)
        con.execute(f"CREATE TEMP VIEW typed_feed AS {typed}")
        # The checks run once per row, giving the number of the first that fails; the column
        # and the reason are looked up from that number.
        for view, source in (("checked_feed", "SELECT * FROM typed_feed"),
                             ("checked_numbered", numbered)):
            con.execute(f"CREATE TEMP VIEW {view} AS SELECT * EXCLUDE (failed), "
                        f"{problem_column} AS problem_column, {problem} AS problem "
                        f"FROM (SELECT *, {failed} AS failed FROM ({source})) AS feed")
        # Counted while the scans run (DuckDB and numpy both release the GIL), for
        # parse_rejections.
        self._line_feeds: Future[int | None] | None = (
            _in_background(_lines_by_line_feeds, self.path) if self.format == "csv" else None)

    # opening ---------------------------------------------------------------------------------
    def _header(self, delimiter: str | None) -> list[str]:
        if self.format == "parquet":
            try:
                described = self.con.execute(
                    f"DESCRIBE SELECT * FROM read_parquet({_literal(self.path)})").fetchall()
            except duckdb.Error as exc:
                raise IngestError(f"cannot read the Parquet file ({exc})", file=self.path.name,
                                  fix="check that the file is Parquet and not truncated") from exc
            return [row[0] for row in described]
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as source:
                first = source.readline()
        except (OSError, UnicodeDecodeError) as exc:
            raise IngestError(f"cannot read the header line ({exc})", file=self.path.name,
                              fix="give a UTF-8 CSV file with the column names on line 1") from exc
        if not first.strip():
            raise IngestError("the file is empty", file=self.path.name, row=1,
                              fix="give a CSV file with the column names on line 1")
        self.delimiter = delimiter or _sniff_delimiter(first)
        return next(csv.reader([first], delimiter=self.delimiter))

    def _require(self, columns: list[FeedColumn], header: list[str]) -> None:
        for column in columns:
            if column.source in header:
                continue
            close = difflib.get_close_matches(column.source, header, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            if len(header) == 1:
                hint += "only one column was found: check the delimiter. "
            raise IngestError(
                f"no column '{column.source}' in the header", file=self.path.name, row=1,
                key=column.key, fix=f"{hint}set {column.key} to one of: {', '.join(header)}")

    def _csv_sources(self, header: list[str]) -> tuple[str, str]:
        wanted = {c.source: c for c in self.columns}
        typed = {name: wanted[name].type if name in wanted else "VARCHAR" for name in header}
        text = dict.fromkeys(header, "VARCHAR")
        # The dialect is fixed, not sniffed: the sniffer can be thrown by the very lines
        # that need reporting.
        dialect = (f"auto_detect=false, header=true, delim={_literal(self.delimiter)}, "
                   "quote='\"', escape='\"'")
        # The scans that aggregate skip lines they cannot parse; the lines are counted, and
        # listed with DuckDB's reasons by one more scan only when they are few: keeping
        # rejects costs about 7 kB per line outside DuckDB's memory limit (a gigabyte of
        # garbage took 20 GB).
        typed_scan = (f"read_csv({_literal(self.path)}, {dialect}, columns={_struct(typed)}, "
                      "ignore_errors=true)")
        self._rejecting_scan = typed_scan.replace(
            "ignore_errors=true", "store_rejects=true, rejects_table='feed_rejects', "
            f"rejects_scan='feed_reject_scans', rejects_limit={MAX_LISTED}")
        # Every line gives a row here (short lines padded, long ones cut), so that the row
        # number is the line number less the header.
        text_scan = (f"read_csv({_literal(self.path)}, {dialect}, columns={_struct(text)}, "
                     "null_padding=true, strict_mode=false)")
        select = ", ".join(f"{_ident(c.source)} AS {c.name}" for c in self.columns)
        casts = ", ".join(f"TRY_CAST({_ident(c.source)} AS {c.type}) AS {c.name}"
                          for c in self.columns)
        raw = ", ".join(_ident(name) for name in header)  # the line as the file has it
        # Unlike the parallel scanner, the serial one pads short lines even where a quote
        # opens a value across lines, as garbage does.
        self._text_scan = text_scan
        serial_text_scan = text_scan.replace("strict_mode=false",
                                             "strict_mode=false, parallel=false")
        # The sample reads the file a line's greatest size at a time (2 MiB, DuckDB's
        # max_line_size), not in 32 MiB buffers: a tenth of the time for the same lines.
        self._refuse_garbage(serial_text_scan.replace(
            "parallel=false", f"parallel=false, buffer_size={_SAMPLE_BUFFER}"))
        return (f"SELECT {select} FROM {typed_scan}",
                (f"SELECT row_number() OVER () + 1 AS line, "
                 f"concat_ws({_literal(self.delimiter)}, {raw}) AS raw, {casts} "
                 f"FROM {serial_text_scan}"))

    def _refuse_garbage(self, text_scan: str) -> None:
        """Refuse a file none of whose first ``SAMPLE_LINES`` lines is a row."""
        readable = " AND ".join(
            f"{_ident(c.source)} IS NOT NULL"
            + (f" AND TRY_CAST({_ident(c.source)} AS {c.type}) IS NOT NULL"
               if c.type != "VARCHAR" else "")
            for c in self.columns)
        lines, rows = self.con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {readable}) "
            f"FROM (SELECT * FROM {text_scan} LIMIT {SAMPLE_LINES}) AS sample").fetchone() or (0, 0)
        if lines == SAMPLE_LINES and rows == 0:
            raise IngestError(
                f"none of the first {SAMPLE_LINES:,} lines after the header is a row of its "
                "columns (each needs every column, numbers and dates where the header says)",
                file=self.path.name, row=2,
                fix=f"check that this is the feed's CSV export, complete, with the delimiter "
                f"{self.delimiter!r}; nothing was loaded")

    def _parquet_sources(self) -> tuple[str, str]:
        scan = f"read_parquet({_literal(self.path)})"
        casts = ", ".join(f"TRY_CAST({_ident(c.source)} AS {c.type}) AS {c.name}"
                          for c in self.columns)
        raw = ", ".join(f"CAST({_ident(c.source)} AS VARCHAR)" for c in self.columns)
        return (f"SELECT {casts} FROM {scan}",
                (f"SELECT row_number() OVER () AS line, concat_ws(',', {raw}) AS raw, {casts} "
                 f"FROM {scan}"))

    # reporting -------------------------------------------------------------------------------
    def parse_rejections(self, rows_parsed: int) -> list[RejectedRow]:
        """Lines the CSV parser refused (wrong type, wrong number of fields), once each, given
        how many rows it gave; more than ``MAX_LISTED`` such lines refuse the file."""
        if self.format != "csv":
            return []
        # The parser sees at most as many lines as there are line feeds (a quoted one joins
        # two lines), so when that many rows were parsed, every line was: the usual case is
        # settled by counting bytes, at a fifth of the cost of the scan that counts lines.
        if self._line_feeds is not None and self._line_feeds.result() == rows_parsed:
            return []
        unparsed = self._line_count() - rows_parsed
        if unparsed <= 0:
            return []
        if unparsed > MAX_LISTED:
            raise IngestError(
                f"{unparsed:,} lines cannot be read as rows of the header's columns (more "
                f"than {MAX_LISTED:,}: the file is damaged or not this feed's export)",
                file=self.path.name,
                fix=f"check the delimiter ({self.delimiter!r}), the quotes and that the file "
                "is complete; nothing was loaded")
        # Every column read (count(*) alone reads none, and rejects nothing); fetchall, as
        # the table appears only once the query has finished.
        self.con.execute(f"SELECT count(COLUMNS(*)) FROM {self._rejecting_scan}").fetchall()
        rows = self.con.execute(
            "SELECT DISTINCT line, column_name, error_type, error_message, csv_line "
            "FROM feed_rejects ORDER BY line").fetchall()
        types = {c.source: c.type for c in self.columns}
        return [RejectedRow(int(line), column,
                            _parse_reason(kind, message, column, types.get(column)),
                            _printable(raw or "").strip())
                for line, column, kind, message, raw in rows]

    def _line_count(self) -> int:
        """Lines after the header; the parallel scanner gives up where a quote opens a value
        across lines (as in garbage), the serial one does not."""
        try:
            counted = self.con.execute(f"SELECT count(*) FROM {self._text_scan}").fetchone()
        except duckdb.Error:
            serial = self._text_scan.replace("strict_mode=false",
                                             "strict_mode=false, parallel=false")
            counted = self.con.execute(f"SELECT count(*) FROM {serial}").fetchone()
        return int(counted[0]) if counted else 0

    def listed_problems(self, extra: Check | None = None) -> list[RejectedRow]:
        """Rows failing the checks, or the ``extra`` check found only after aggregation (a
        site outside the city), with their line numbers: a second pass over the file."""
        where, column, reason = "problem IS NOT NULL", "problem_column", "problem"
        if extra is not None:
            where += f" OR ({extra.condition})"
            column = f"coalesce(problem_column, {_literal(extra.column)})"
            reason = f"coalesce(problem, {extra.reason})"
        rows = self.con.execute(
            f"SELECT line, {column}, {reason}, raw FROM checked_numbered WHERE {where} "
            f"ORDER BY line LIMIT {MAX_LISTED}").fetchall()
        return [RejectedRow(int(line), self._source_name(column), _printable(reason),
                            _printable(raw or ""))
                for line, column, reason, raw in rows]

    def _source_name(self, column: str) -> str:
        found = self._by_name.get(column)
        return found.source if found else column


def _in_background(function: Callable[..., T], *args: object) -> Future[T]:
    """``function(*args)`` in a thread of its own; its result or exception in the future."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the result
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return future


def _lines_by_line_feeds(path: Path) -> int | None:
    """Lines after the header as line feeds delimit them (a last line without one counted),
    or None when a carriage return stands alone: the parser breaks lines there too. The bytes
    are compared by numpy a chunk at a time (read, not mapped: the mapped file would count in
    the process's memory)."""
    feeds, lone_returns, last, return_before = 0, 0, b"", False
    buffer = bytearray(_COUNT_CHUNK)
    with path.open("rb") as source:
        while size := source.readinto(buffer):
            data = np.frombuffer(buffer, dtype=np.uint8, count=size)
            feeds += int(np.count_nonzero(data == 10))
            if return_before and data[0] != 10:
                lone_returns += 1
            if buffer.find(b"\r", 0, size) >= 0:  # memchr: the usual file has none
                returns = data[:-1] == 13
                lone_returns += int(np.count_nonzero(returns & (data[1:] != 10)))
            return_before, last = bool(data[-1] == 13), bytes(buffer[size - 1:size])
    if lone_returns or return_before:
        return None
    return feeds - 1 + (1 if last != b"\n" else 0)


def _problem_sql(checks: list[Check]) -> tuple[str, str, str]:
    """SQL for the number of the first check failing, and by that number the column blamed
    and the reason."""
    if not checks:
        return "NULL", "NULL", "NULL"
    failed = "CASE " + " ".join(f"WHEN {c.condition} THEN {i}" for i, c in enumerate(checks)) + " END"
    if all(c.passes for c in checks):
        passing = " AND ".join(dict.fromkeys(f"({c.passes})" for c in checks))
        failed = f"CASE WHEN {passing} THEN NULL ELSE {failed} END"
    column = " ".join(f"WHEN {i} THEN {_literal(c.column)}" for i, c in enumerate(checks))
    reason = " ".join(f"WHEN {i} THEN {c.reason}" for i, c in enumerate(checks))
    return failed, f"CASE failed {column} END", f"CASE failed {reason} END"


def _parse_reason(kind: str, message: str, column: str | None, type_: str | None) -> str:
    if kind == "CAST":
        wanted = {"DOUBLE": "a number such as 42 or 35.21",
                  "TIMESTAMP": "an ISO date or time such as 2025-03-14 or 2025-03-14T08:30:00Z"}
        return f"{message.split('. ', 1)[-1]}: give {wanted.get(type_ or '', 'a valid value')}"
    return f"{message}: every line needs the same fields as the header"


def _sniff_delimiter(header_line: str) -> str:
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _printable(raw: str) -> str:
    """A line as stored with its rejection: a NUL byte written out, as no store keeps it in
    text (PostgreSQL refuses it)."""
    return raw.replace("\x00", "\\x00")


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"{_literal(n)}: {_literal(t)}" for n, t in columns.items()) + "}"


@dataclass
class FeedResult:
    observations: pd.DataFrame  # OBSERVATION_COLUMNS, what may be published
    rows_read: int
    rows_used: int  # rows that passed every check and reached a district
    rejected: list[RejectedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return "; ".join(self.notes)


def dedupe_rejections(rejected: list[RejectedRow]) -> list[RejectedRow]:
    """One rejection per line, the first given (the parser's reason: the second pass sees a
    line it could not parse as a row of NULLs)."""
    seen: set[int | None] = set()
    kept = []
    for row in rejected:
        if row.row_number not in seen:
            seen.add(row.row_number)
            kept.append(row)
    return sorted(kept, key=lambda r: r.row_number or 0)


PERIOD_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def coordinate_checks() -> list[Check]:
    first, last = period_range()
    # A BETWEEN is false for NULL, NaN and infinities alike; a finite time in the years'
    # range has a year in it.
    lon_ok, lat_ok = "lon BETWEEN -180 AND 180", "lat BETWEEN -90 AND 90"
    time_ok = (f"time >= make_timestamp({first}, 1, 1, 0, 0, 0) "
               f"AND time < make_timestamp({last + 1}, 1, 1, 0, 0, 0)")
    return [
        Check("lon", "lon IS NULL", "'no longitude'", lon_ok),
        Check("lat", "lat IS NULL", "'no latitude'", lat_ok),
        Check("lon", "NOT isfinite(lon) OR lon NOT BETWEEN -180 AND 180",
              "'longitude ' || lon || ' is outside -180…180: give WGS84 degrees (EPSG:4326)'",
              lon_ok),
        Check("lat", "NOT isfinite(lat) OR lat NOT BETWEEN -90 AND 90",
              "'latitude ' || lat || ' is outside -90…90: are lon and lat swapped?'", lat_ok),
        Check("time", "time IS NULL", "'no date or time: give an ISO date such as 2025-03-14'",
              time_ok),
        # not "year(time) NOT BETWEEN": the year of 'infinity', which parses, is NULL
        Check("time", f"NOT ({time_ok})",
              f"'the date ' || strftime(time, '%Y-%m-%d') || ' is not plausible: the year must "
              f"be from {first} to {last} (OBSERVATORY_EARLIEST_YEAR, OBSERVATORY_LATEST_YEAR)'",
              time_ok),
    ]


def dimension_columns(dimensions: dict, key_prefix: str = "dimensions") -> list[FeedColumn]:
    """Dimension columns as ``dim_0``, ``dim_1``… in the order of their sorted keys."""
    return [FeedColumn(f"dim_{i}", dimensions[key].column, "VARCHAR", f"{key_prefix}.{key}.column")
            for i, key in enumerate(sorted(dimensions))]


def dimension_checks(dimensions: dict) -> list[Check]:
    checks = []
    for i, key in enumerate(sorted(dimensions)):
        name, known = f"dim_{i}", dimensions[key].values
        no_nul = f"NOT contains({name}, chr(0))"  # NULL, not true, for a NULL value
        checks.append(Check(name, f"{name} IS NULL", _literal(f"no {key} given"), no_nul))
        checks.append(Check(name, f"contains({name}, chr(0))",
                            _literal(f"the {key} holds a NUL byte (0x00), which no text value "
                                     "may hold: the export is probably damaged"), no_nul))
        if known:
            listed = ", ".join(_literal(v) for v in known)
            fix = (f"' is not in the spec's values for {key} ({', '.join(known)}): "
                   f"add it under dimensions.{key}.values")
            quote = _literal("'")
            checks.append(Check(name, f"{name} NOT IN ({listed})",
                                f"{quote} || {name} || {_literal(fix)}", f"{name} IN ({listed})"))
    return checks


def sql_text_list(values: list[str]) -> str:
    return ", ".join(_literal(v) for v in values)


def dims_text(frame: pd.DataFrame, dimensions: dict) -> pd.Series:
    """The ``dim_0``… columns of an aggregate, mapped by the spec's values, as canonical JSON."""
    keys = sorted(dimensions)
    mapped = [frame[f"dim_{i}"].map(lambda v, known=dimensions[key].values: known.get(v, v))
              for i, key in enumerate(keys)]
    return pd.Series([canonical_dims(dict(zip(keys, values, strict=True)))
                      for values in zip(*mapped, strict=True)] if keys else "{}",
                     index=frame.index, dtype=object)
