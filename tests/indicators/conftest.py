"""Fixtures for the measure tests: the PySAL example data beside the project, when present."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pysal_data(shared_data: Path) -> Path:
    folder = shared_data / "pysal"
    if not folder.is_dir():
        pytest.skip(f"PySAL example data not found at {folder}")
    return folder
