"""The indicator catalogue is parsed once and again only when a definition file changes."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from indicators.definitions import DEFINITIONS_DIR
from observatory.services import definitions
from observatory.services.indicator_catalog import indicator_catalog


@pytest.fixture
def folder(tmp_path):
    copied = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, copied)
    return copied


def test_repeated_calls_parse_the_definitions_once(folder, monkeypatch):
    parsed = []
    real = definitions.load_frameworks
    monkeypatch.setattr(definitions, "load_frameworks",
                        lambda directory: parsed.append(directory) or real(directory))

    first = indicator_catalog(folder)
    for _ in range(50):
        assert indicator_catalog(folder) is first

    assert parsed == [folder]
    assert first["foreign_citizens_share"].unit == "share"
    assert first["cpi"].unit == "score"  # a composite


def test_an_edited_definition_shows_at_the_next_call(folder):
    demography = folder / "demography.yaml"
    assert indicator_catalog(folder)["foreign_citizens_share"].name_en == (
        "Foreign citizens (share of residents)")

    demography.write_text(
        demography.read_text(encoding="utf-8").replace(
            "en: Foreign citizens (share of residents)", "en: Non-nationals"),
        encoding="utf-8",
    )
    later = time.time_ns() + 5_000_000_000  # a new mtime, even on a coarse clock
    os.utime(demography, ns=(later, later))

    assert indicator_catalog(folder)["foreign_citizens_share"].name_en == "Non-nationals"
