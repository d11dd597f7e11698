"""The demo run that several CLI tests share (the ``demo_run`` fixture in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEMO_SLUGS = ("demo", "demo_town")  # two of the three cities: the multi-city run, faster


@dataclass(frozen=True)
class DemoRun:
    data_dir: Path
    output: str
