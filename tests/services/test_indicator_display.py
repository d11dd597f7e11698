"""Map labels and number formats come from the indicator definitions, read again only when a
definition file changes."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from indicators.definitions import DEFINITIONS_DIR, load_definitions
from observatory.services.indicator_display import IndicatorDisplay, indicator_display, value_format


def test_a_defined_share_is_named_in_the_page_language_and_written_as_percent():
    names = load_definitions()["foreign_citizens_share"].names

    assert indicator_display("foreign_citizens_share", "ar") == IndicatorDisplay(names["ar"], ".1%")


def test_an_undefined_indicator_is_named_by_its_id():
    assert indicator_display("median_rent_eur", "en") == IndicatorDisplay("median rent eur", ",.2f")


@pytest.mark.parametrize(
    ("unit", "value", "written"),
    [
        ("share", 0.1234, "12.3%"),  # shares are stored as fractions
        ("percent", 12.34, "12.3"),
        ("score", 71.6, "72"),
        ("persons", 12345.0, "12,345"),
        ("count", 7.0, "7"),
        ("eur", 1234.5, "1,234.50"),
        (None, 0.1234, "0.12"),
    ],
)
def test_one_format_per_unit(unit, value, written):
    assert format(value, value_format(unit)) == written


@pytest.fixture
def definitions(tmp_path):
    folder = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, folder)
    return folder


def test_an_edited_definition_shows_at_the_next_call(definitions):
    demography = definitions / "demography.yaml"
    before = indicator_display("foreign_citizens_share", "en", definitions)

    demography.write_text(
        demography.read_text(encoding="utf-8").replace(
            "en: Foreign citizens (share of residents)", "en: Non-nationals"
        ),
        encoding="utf-8",
    )
    # A new mtime, even where the file system's clock is coarse.
    later = time.time_ns() + 5_000_000_000
    os.utime(demography, ns=(later, later))

    assert before.label == "Foreign citizens (share of residents)"
    assert indicator_display("foreign_citizens_share", "en", definitions).label == "Non-nationals"


def test_repeated_calls_do_not_parse_the_definitions_again(definitions, monkeypatch):
    from observatory.services import definitions as cache

    indicator_display("foreign_citizens_share", "en", definitions)  # parsed once here
    parsed: list[object] = []
    real_load = cache.load_definitions
    monkeypatch.setattr(cache, "load_definitions",
                        lambda *args: parsed.append(args) or real_load(*args))
    for _ in range(200):
        indicator_display("foreign_citizens_share", "en", definitions)

    # Counted, not timed: a cached call only stats the files (timings fail on a loaded machine).
    assert parsed == []
