"""A proposed spec as YAML with the reason for each choice as a comment on its line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Choice:
    """One top-level key of the spec, its value and why; ``items`` comment list entries one
    by one (a list value is then written one entry a line)."""

    key: str
    value: Any
    why: str = ""
    items: tuple[str, ...] = ()


def flow(value: Any) -> str:
    """``value`` as one line of YAML flow style (``{column: id, match: code}``)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=10_000).strip()
    return text.removesuffix("\n...").strip()


def render(choices: list[Choice], header: list[str], trailer: tuple[str, ...] = ()) -> str:
    """The spec as YAML text: ``header`` and ``trailer`` as comment lines around the keys."""
    lines = [f"# {line}" if line else "#" for line in header]
    for choice in choices:
        comment = f"  # {choice.why}" if choice.why else ""
        if isinstance(choice.value, list) and choice.value and isinstance(choice.value[0], dict):
            lines.append(f"{choice.key}:{comment}")
            for position, entry in enumerate(choice.value):
                why = choice.items[position] if position < len(choice.items) else ""
                lines.append(f"  - {flow(entry)}" + (f"  # {why}" if why else ""))
        elif isinstance(choice.value, dict) and choice.value and all(
                isinstance(v, dict) for v in choice.value.values()) and choice.items:
            lines.append(f"{choice.key}:{comment}")
            for position, (name, entry) in enumerate(choice.value.items()):
                why = choice.items[position] if position < len(choice.items) else ""
                lines.append(f"  {flow({name: entry})[1:-1]}" + (f"  # {why}" if why else ""))
        else:
            lines.append(f"{flow({choice.key: choice.value})[1:-1]}{comment}")
    lines += [f"# {line}" for line in trailer]
    return "\n".join(lines) + "\n"
