"""Arithmetic over columns from a feed spec, e.g. ``90000 + BEZNR*100`` -> "90100".

Evaluated with ``pandas.DataFrame.eval`` (arithmetic on columns, no Python ``eval``), so a spec
cannot run code.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd
from pandas.errors import UndefinedVariableError

from ingest.errors import IngestError
from ingest.text import as_text

_NAME = re.compile(r"`([^`]+)`|\b([A-Za-z_]\w*)\b")


def evaluate_expression(frame: pd.DataFrame, expression: str, *, file: str, key: str) -> pd.Series:
    """The expression's value for every row, as text (missing where an input is not a number)."""
    used = {quoted or bare for quoted, bare in _NAME.findall(expression)} & set(frame.columns)
    # Text columns read from CSV hold digits as text: make them numbers for the arithmetic.
    numbers = pd.DataFrame(
        {name: pd.to_numeric(frame[name], errors="coerce") for name in used}, index=frame.index
    )
    try:
        result = numbers.eval(expression, engine="python")
    except UndefinedVariableError as exc:
        missing = re.search(r"'([^']+)'", str(exc))
        name = missing.group(1) if missing else str(exc)
        close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1)
        raise IngestError(
            f"the expression {expression!r} names '{name}', which is not a column",
            file=file,
            key=key,
            fix=(f"did you mean '{close[0]}'? " if close else "")
            + f"columns are: {', '.join(map(str, frame.columns))}",
        ) from exc
    except (SyntaxError, ValueError, TypeError) as exc:
        raise IngestError(
            f"cannot evaluate the expression {expression!r} ({exc})",
            file=file,
            key=key,
            fix="write arithmetic over column names, e.g. 90000 + BEZNR*100 "
            "(quote names with spaces in backticks)",
        ) from exc
    if not isinstance(result, pd.Series):
        raise IngestError(
            f"the expression {expression!r} uses no column, so every row would get one value",
            file=file,
            key=key,
            fix="name the column that holds each record's number, e.g. 90000 + BEZNR*100",
        )
    return as_text(result)
