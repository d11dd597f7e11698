"""Rejected rows of personal-data feeds keep no free text in clear.

A value stays readable only if it is a label of the spec's vocabulary (a service area, a
nationality or sex code the spec maps, a district of the city); anything else, a name typed
into the wrong column included, becomes ``<masked: 11 chars, letters+space>``: enough to find
the fault in the file (the row number is kept), nothing to recognise a person by.

The raw text of such a row is ``column=value; …`` over the spec's columns; its reason quotes a
value between single quotes. Both are masked value by value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from ingest.rejections import QUOTED
from observatory.models import RejectedRow

MASK_START = "<masked: "


@dataclass(frozen=True)
class Vocabulary:
    """What may be shown in clear: the spec's labels and the names of its columns."""

    labels: frozenset[str] = field(default_factory=frozenset)
    columns: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", frozenset(map(_folded, self.labels)))

    def knows(self, value: str) -> bool:
        return _folded(value) in self.labels


def _folded(value: str) -> str:
    # "Family reunification", "family-reunification" and "family_reunification" are one label.
    return re.sub(r"[\s\-]+", "_", value.strip().casefold())


def masked(value: str) -> str:
    """``value`` as its length and character classes, e.g. ``<masked: 6 chars, letters>``."""
    classes = {_char_class(char) for char in value}
    named = "+".join(name for name in ("letters", "digits", "space", "punctuation", "symbols")
                     if name in classes)
    return f"{MASK_START}{len(value)} chars, {named or 'empty'}>"


def _char_class(char: str) -> str:
    kind = unicodedata.category(char)[0]
    if char.isspace():
        return "space"
    return {"L": "letters", "M": "letters", "N": "digits", "P": "punctuation"}.get(
        kind, "symbols")


def mask_rejected(rows: list[RejectedRow], vocabulary: Vocabulary) -> list[RejectedRow]:
    return [mask_row(row, vocabulary) for row in rows]


def mask_row(row: RejectedRow, vocabulary: Vocabulary) -> RejectedRow:
    cells = _cells(row.raw, vocabulary.columns)
    values = sorted({value for _, value in cells if value and not vocabulary.knows(value)},
                    key=len, reverse=True)
    reason = row.reason
    for value in values:  # longest first: a value inside a longer one is not half-masked
        reason = reason.replace(f"'{value}'", f"'{masked(value)}'")
    reason = QUOTED.sub(lambda quoted: _masked_quote(quoted, vocabulary), reason)
    raw = "; ".join(f"{column}={_shown(value, vocabulary)}" if column is not None
                    else _shown(value, vocabulary) for column, value in cells)
    column = row.column if row.column is None or row.column in vocabulary.columns else (
        masked(row.column))
    return replace(row, column=column, reason=reason, raw=raw)


def _cells(raw: str, columns: frozenset[str]) -> list[tuple[str | None, str]]:
    """``column=value; …`` as (column, value) pairs, split only before a known column name,
    so a value holding "; " stays whole; text before the first known column has no column."""
    if not raw:
        return []
    if not columns:
        return [(None, raw)]
    names = "|".join(re.escape(c) for c in sorted(columns, key=len, reverse=True))
    starts = [m.start() for m in re.finditer(rf"(?:^|(?<=; ))(?:{names})=", raw)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    pieces = [raw[a:b].removesuffix("; ") for a, b in zip(starts, [*starts[1:], len(raw)],
                                                           strict=True)]
    cells: list[tuple[str | None, str]] = []
    for piece in pieces:
        column, sep, value = piece.partition("=")
        cells.append((column, value) if sep and column in columns else (None, piece))
    return cells


def _shown(value: str, vocabulary: Vocabulary) -> str:
    return value if not value or vocabulary.knows(value) else masked(value)


def _masked_quote(quoted: re.Match[str], vocabulary: Vocabulary) -> str:
    # A quoted value the raw text did not hold (a reason built from a derived value).
    inner = quoted.group(1)
    if inner.startswith(MASK_START) or vocabulary.knows(inner) or inner in vocabulary.columns:
        return quoted.group(0)
    return f"'{masked(inner)}'"
