"""SQL lives in ``sql/``: numbered schema files, and named queries (``-- name: x``) per dialect."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


def schema_files(dialect: str) -> list[Path]:
    """Numbered schema files (``001_schema.sql`` …) in the order they apply."""
    return sorted((SQL_DIR / dialect).glob("[0-9][0-9][0-9]_*.sql"))


@cache
def queries(dialect: str) -> dict[str, str]:
    """Named queries of ``sql/<dialect>/queries.sql``."""
    text = (SQL_DIR / dialect / "queries.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    # parts: [preamble, name1, body1, name2, body2, ...]
    return {name: body.strip().rstrip(";") for name, body in zip(parts[1::2], parts[2::2])}
