"""Where the framework definitions live, and their ids from the file names alone: a framework
file is named after its id (``cpi.yaml`` holds ``framework: cpi``). Nothing here parses YAML or
imports the engine, so the CLI can list the frameworks in ``--help`` for free."""

from __future__ import annotations

from pathlib import Path

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


def framework_files(directory: Path = DEFINITIONS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def framework_names(directory: Path = DEFINITIONS_DIR) -> list[str]:
    """The framework ids as the file names give them (loading the files gives the same)."""
    return [file.stem for file in framework_files(directory)]
