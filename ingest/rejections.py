"""Row-level rejections collected column by column: each row is reported once, for the first
problem found, with the text the data officer needs to find and fix it."""

from __future__ import annotations

import re

import pandas as pd

from observatory.models import RejectedRow
from observatory.settings import ResourceSettings

QUOTED = re.compile(r"'([^']*)'")  # reasons quote a value between single quotes


class Rejections:
    def __init__(self, index: pd.Index) -> None:
        self.bad = pd.Series(False, index=index)
        self.rows: list[RejectedRow] = []

    def add(self, mask: pd.Series, column: str, reason: pd.Series | str, raw: pd.Series) -> None:
        """Reject the rows in ``mask`` not rejected yet; ``reason`` per row or one for all."""
        new = mask.fillna(False).astype(bool) & ~self.bad
        for row in new.index[new]:
            why = reason if isinstance(reason, str) else str(reason[row])
            self.rows.append(RejectedRow(int(row), column, why, raw_text(raw[row])))
        self.bad |= new

    def reject_long_fields(self, frame: pd.DataFrame, max_chars: int | None = None) -> None:
        """Reject rows holding a field longer than ``max_chars`` (default: the setting
        ``OBSERVATORY_MAX_FIELD_CHARS``): such a value is never a code, name or count, and
        neither it nor its row is kept (the raw text records only its length)."""
        limit = max_chars or ResourceSettings().max_field_chars
        for column in frame.columns:
            values = frame[column]
            if values.dtype != object and not pd.api.types.is_string_dtype(values):
                continue
            lengths = values.map(lambda v: len(v) if isinstance(v, str) else 0)
            long = lengths > limit
            if long.any():
                length = lengths.map(lambda n: f"{n:,}")
                self.add(long, str(column),
                         "the value is " + length + f" characters long; a field holds at most "
                         f"{limit:,}: check the delimiter and quotes of that line",
                         "(a value of " + length + " characters, not kept)")


def raw_text(value: object) -> str:
    return "" if pd.isna(value) else str(value)


def capped(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, saying how many more there were."""
    return text if len(text) <= chars else f"{text[:chars]}… (+{len(text) - chars} chars)"


def capped_rows(rows: list[RejectedRow], *, kept: int, chars: int, reason_chars: int
                ) -> list[RejectedRow]:
    """The first ``kept`` rows, raw text, column and each value a reason quotes cut to ``chars``
    characters, the reason (which says how to fix the row) to ``reason_chars``: a hostile file
    cannot fill the store with its rejects."""
    def reason(text: str) -> str:
        quoted = QUOTED.sub(lambda value: f"'{capped(value.group(1), chars)}'", text)
        return capped(quoted, reason_chars)

    return [RejectedRow(row.row_number, None if row.column is None else capped(row.column, chars),
                        reason(row.reason), capped(row.raw, chars))
            for row in rows[:kept]]
