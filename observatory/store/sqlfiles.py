"""The SQL files: numbered schema files per dialect (``sql/<dialect>/NNN_*.sql``) and named
queries (``-- name: x``), those the dialects share in ``sql/common/queries.sql`` and the rest in
``sql/<dialect>/queries.sql``.

The top-level ``sql/`` folder is their source; an install ships it as the package
``observatory.sql`` (see ``setup.py``), read here with importlib.resources.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)
_SCHEMA_FILE = re.compile(r"^\d{3}_\w+\.sql$")
# A string literal, a comment or a ``::type`` cast (all kept as they are), or a parameter.
_TOKEN = re.compile(r"'(?:[^']|'')*'|--[^\n]*|::|:(\w+)")
_CHECKOUT = Path(__file__).resolve().parents[2]


def sql_root() -> Traversable:
    """Run from a source checkout (tests, editable installs), the checkout's ``sql/`` folder
    itself, so that an edit there counts at once and another checkout's install cannot shadow
    it; otherwise the installed package ``observatory.sql``."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "sql" / "common").is_dir():
        return _CHECKOUT / "sql"
    return resources.files("observatory.sql")


def schema_files(dialect: str) -> list[Traversable]:
    """Numbered schema files (``001_schema.sql`` …) in the order they apply."""
    found = [f for f in (sql_root() / dialect).iterdir() if _SCHEMA_FILE.match(f.name)]
    return sorted(found, key=lambda f: f.name)


def dollar_parameters(sql: str) -> str:
    """``:name`` parameters (SQLAlchemy's, the common files' style) as DuckDB's ``$name``."""
    return _TOKEN.sub(lambda m: f"${m[1]}" if m[1] else m[0], sql)


@cache
def queries(dialect: str, *, dollar: bool = False) -> dict[str, str]:
    """The named queries of a dialect: the common ones (with ``dollar``, their parameters
    rewritten as ``$name``) and the dialect's own. A name may live in one file only."""
    common = _named(sql_root() / "common" / "queries.sql")
    if dollar:
        common = {name: dollar_parameters(sql) for name, sql in common.items()}
    own = _named(sql_root() / dialect / "queries.sql")
    if twice := sorted(common.keys() & own.keys()):
        raise RuntimeError(f"sql/{dialect}/queries.sql repeats queries of sql/common: {twice}")
    return common | own


def _named(file: Traversable) -> dict[str, str]:
    parts = _NAME.split(file.read_text(encoding="utf-8"))
    # parts: [preamble, name1, body1, name2, body2, ...]
    return {name: body.strip().rstrip(";") for name, body in zip(parts[1::2], parts[2::2])}
