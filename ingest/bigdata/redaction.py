"""Disclosure control for published counts, the FlowKit rule (methodology §5).

The rule is **publish only counts > min_count** (default 15: a count of 15 is not published).
It is applied after interpolation, to what will be stored for publication, per breakdown: the
cells of one (district, period, variable) across its dimension values (e.g. one count per SIM
nationality). When any cell of a breakdown is small the whole breakdown is dropped, so that a
small cell cannot be recovered by subtracting the published ones from a total.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

BREAKDOWN = ["district_code", "period", "variable"]


@dataclass(frozen=True)
class Redaction:
    published: pd.DataFrame  # the rows kept, same columns as the input
    cells: int  # rows (cells) withheld
    breakdowns: int  # (district, period, variable) breakdowns withheld whole

    def summary(self, min_count: int) -> str:
        return (f"redaction (publish only counts > {min_count}): {self.cells} cells withheld in "
                f"{self.breakdowns} district breakdowns")


def redact(counts: pd.DataFrame, min_count: int, by: list[str] = BREAKDOWN) -> Redaction:
    """Drop every ``by`` group of ``counts`` (with a ``value`` column) holding a value
    ≤ ``min_count``. Missing values count as small: an unknown cell cannot be vouched for."""
    small = ~(counts["value"] > min_count)
    if counts.empty or not small.any():
        return Redaction(counts, 0, 0)
    withheld = small.groupby([counts[c] for c in by], dropna=False).transform("any")
    dropped = counts[withheld]
    return Redaction(counts[~withheld], len(dropped), len(dropped.drop_duplicates(by)))
