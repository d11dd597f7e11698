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


def test_generated_group_share_ids_are_named_in_both_languages():
    catalog = indicator_catalog()
    syrian = catalog["citizenship_share.syrian"]
    assert (syrian.framework, syrian.unit) == ("demography", "share")
    assert syrian.name_en == "Share of residents by citizenship: Syrian"
    assert syrian.name_ar == "نسبة السكان حسب الجنسية: سوري"
    born = catalog["birthplace_share.foreign_born"]
    assert born.name_en.endswith(": Foreign-born") and born.name_ar.endswith("المولودون في الخارج")
    martian = catalog["citizenship_share.martian"]
    assert martian.name_en.endswith("martian (no name in the vocabulary)")
    assert martian.name_ar and "martian" in martian.name_ar
    assert "foreign_citizens_share.syrian" not in catalog  # not a group_shares definition
    assert "citizenship_share.syrian" not in list(catalog)  # generated ids are not listed
