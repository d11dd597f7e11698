"""Map labels and number formats come from the indicator definitions."""

from __future__ import annotations

from indicators.definitions import load_definitions
from observatory.api.indicator_display import IndicatorDisplay, indicator_display


def test_a_defined_share_is_named_in_the_page_language_and_written_as_percent():
    names = load_definitions()["foreign_citizens_share"].names

    assert indicator_display("foreign_citizens_share", "ar") == IndicatorDisplay(names["ar"], ".1%")


def test_an_undefined_indicator_is_named_by_its_id():
    assert indicator_display("median_rent_eur", "en") == IndicatorDisplay("median rent eur", ",.2f")
