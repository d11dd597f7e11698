"""An ingest run's rejected rows as a CSV an officer opens in Excel (UTF-8 with a byte-order
mark, so Arabic stays intact): row, column, reason and the raw text, as the store keeps them
(a personal-data feed's raw text is already masked)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from observatory.models import RejectedRow

COLUMNS = ("row", "column", "reason", "raw")


def rejected_csv(rows: Sequence[RejectedRow]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(("" if row.row_number is None else row.row_number, row.column or "",
                         row.reason, row.raw))
    return text.getvalue().encode("utf-8-sig")


def rejected_filename(source_name: str, run_id: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in source_name) or "run"
    return f"{stem}-{run_id[:8]}-rejected.csv"
