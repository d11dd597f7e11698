"""Nesting of a level in its parent level: by code prefix, by a given parent, by overlap."""

from __future__ import annotations

import pytest
from geo_boxes import CRS, areas

from observatory.geography.nesting import (
    Nesting,
    Unnested,
    nest_by_given,
    nest_by_overlap,
    nest_by_prefix,
)

DISTRICTS = areas({"01": (0, 0, 2000, 1000), "02": (2000, 0, 4000, 1000)})


def test_overlap_rule_by_hand():
    children = areas({"0101": (0, 0, 1000, 1000),
                      "0150": (1472, 0, 2472, 1000),  # straddles 01 and 02
                      "0201": (2000, 0, 3000, 1000),
                      "0250": (3500, 0, 4500, 1000),  # half outside the city
                      "0900": (5000, 0, 6000, 1000)},  # nowhere
                     {"0150": "Border"})
    nesting = nest_by_overlap(children, DISTRICTS, CRS, parent_level="district")
    assert nesting == Nesting(
        parent_of={"0101": "01", "0150": "01", "0201": "02", "0250": "02"},
        unnested=(
            Unnested("0150", "Border", "01", pytest.approx(0.528),
                     "52.8 % of it lies in 01, 47.2 % in 02"),
            Unnested("0250", "0250", "02", pytest.approx(0.5),
                     "50.0 % of it lies in 02, 50.0 % in no area of district"),
            Unnested("0900", "0900", None, None, "it overlaps no area of district"),
        ),
        method="overlap ≥ 95 %")
    assert not nesting.nests


def test_overlap_rule_tolerates_slivers_below_the_threshold():
    children = areas({"0101": (0, 0, 2040, 1000)})  # 2 % over the border
    assert nest_by_overlap(children, DISTRICTS, CRS).nests
    assert not nest_by_overlap(children, DISTRICTS, CRS, min_share=0.99).nests


def test_prefix_rule_with_a_missing_parent_and_a_short_code():
    nesting = nest_by_prefix(["0101", "0102", "0301", "01"], 2, {"01", "02"},
                             {"0301": "Nowhere"}, parent_level="district")
    assert nesting == Nesting(
        parent_of={"0101": "01", "0102": "01"},
        unnested=(
            Unnested("0301", "Nowhere", "03", None,
                     "its code's parent 03 is not an area of district"),
            Unnested("01", "", None, None,
                     "its code 01 is not longer than 2 characters, so it names no parent"),
        ),
        method="code prefix (2 characters)")


def test_prefix_rule_without_parent_codes_only_checks_the_length():
    nesting = nest_by_prefix(["0101", "0301"], 2, None)
    assert nesting.parent_of == {"0101": "01", "0301": "03"} and nesting.nests


def test_given_parents_are_checked_for_existence():
    nesting = nest_by_given({"a": "01", "b": "07", "c": None}, ["01", "02"], "column BEZ",
                            parent_level="district")
    assert nesting == Nesting(
        parent_of={"a": "01"},
        unnested=(Unnested("b", "", "07", None,
                           "its parent 07 (column BEZ) is not an area of district"),
                  Unnested("c", "", None, None, "its column BEZ is empty")),
        method="column BEZ")
