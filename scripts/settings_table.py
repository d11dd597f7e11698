#!/usr/bin/env python3
"""Print the README's settings table, generated from the settings classes; ``--write`` puts it
into README.md between the settings-table markers. tests/cli/test_readme.py keeps them equal."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

from pydantic_settings import BaseSettings

from observatory import settings

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
# Every settings class of the module, in source order, so that a new class joins the table.
SETTINGS_CLASSES = sorted(
    (
        cls
        for cls in vars(settings).values()
        if inspect.isclass(cls) and issubclass(cls, BaseSettings) and cls is not BaseSettings
    ),
    key=lambda cls: inspect.getsourcelines(cls)[1],
)


def _shown(default: object) -> str:
    if default in (None, ""):
        return "unset"
    return f"`{json.dumps(default) if isinstance(default, list) else default}`"


def settings_table() -> str:
    rows = ["| variable | default | meaning | class |", "|---|---|---|---|"]
    for cls in SETTINGS_CLASSES:
        prefix = cls.model_config.get("env_prefix", "")
        for name, field in cls.model_fields.items():
            shown = _shown(field.get_default(call_default_factory=True))
            meaning = (field.description or "").replace("|", "\\|")
            meaning = meaning.replace("<", "&lt;").replace(">", "&gt;")
            rows.append(f"| `{prefix}{name.upper()}` | {shown} | {meaning} | `{cls.__name__}` |")
    return "\n".join(rows)


def readme_with_table(text: str) -> str:
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not (start and end):
        raise SystemExit(f"{README}: markers {START} … {END} not found")
    return f"{head}{START}\n{settings_table()}\n{END}{tail}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        README.write_text(readme_with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(settings_table())
