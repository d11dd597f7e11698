"""Row-level rejections collected column by column: each row is reported once, for the first
problem found, with the text the data officer needs to find and fix it."""

from __future__ import annotations

import pandas as pd

from observatory.models import RejectedRow


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


def raw_text(value: object) -> str:
    return "" if pd.isna(value) else str(value)
