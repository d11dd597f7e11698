"""The README stays true to the code: its settings table and its list of commands."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import typer

from observatory.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_settings_table_is_generated_from_the_settings_classes():
    script = runpy.run_path(str(ROOT / "scripts" / "settings_table.py"))
    assert script["readme_with_table"](README) == README, (
        "README.md's settings table is stale: "
        "run .venv/bin/python scripts/settings_table.py --write"
    )
    classes = script["SETTINGS_CLASSES"]
    assert {"StoreSettings", "ApiSettings", "DisclosureSettings"} <= {c.__name__ for c in classes}
    for cls in classes:
        prefix = cls.model_config["env_prefix"]
        for name in cls.model_fields:
            assert f"`{prefix}{name.upper()}`" in README


def test_readme_shows_every_cli_command():
    def commands(group, prefix="observatory"):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from commands(command, f"{prefix} {name}")
            else:
                yield f"{prefix} {name}"

    for command in commands(typer.main.get_command(app)):
        assert re.search(rf"`{re.escape(command)}[ `]", README), f"README.md lacks `{command}`"


def test_readme_gives_the_two_set_up_commands_in_fenced_blocks():
    assert "```sh\nmake demo\n```" in README
    assert "```sh\nmake test\n```" in README
