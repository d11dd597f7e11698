"""Matching a redrawn boundary version to the previous one: identity, codes, names, splits."""

from __future__ import annotations

import pytest
from geo_boxes import CRS, areas

from observatory.geography.matching import AreaMatch, match_versions

OLD = areas({"A": (0, 0, 1000, 1000), "B": (1000, 0, 2000, 1000), "C": (2000, 0, 3000, 1000),
             "D": (3000, 0, 4000, 1000), "E": (4000, 0, 5000, 1000), "F": (6000, 0, 7000, 1000)},
            {"A": "Alpha", "B": "Beta", "C": "Gamma", "D": "Delta", "E": "Epsilon", "F": "Phi"})
NEW = areas({"A": (0, 0, 1000, 1000),  # unchanged
             "B2": (1000, 0, 1950, 1000),  # B, recoded and renamed, 5 % given to C1
             "C1": (1950, 0, 2500, 1000), "C2": (2500, 0, 3000, 1000),  # C split
             "DE": (3000, 0, 5000, 1000),  # D and E merged
             "N": (8000, 0, 9000, 1000)},  # new land
            {"A": "Alpha", "B2": "Beta North", "C1": "Gamma West", "C2": "Gamma East",
             "DE": "Delta-Epsilon", "N": "New"})


def test_identity_codes_names_splits_and_merges_by_hand():
    match = match_versions(OLD, NEW, CRS)
    assert match.kept == ("A",)
    assert match.recoded == (("B", "B2"),)
    assert match.renamed == (("B2", "Beta", "Beta North"),)
    # B keeps its identity but gave 5 % (≥ the 1 % that counts) to C1: also listed as split
    assert match.split == ("B", "C")
    assert match.merged == ("C1", "DE")  # C1 holds 50/550 of B and 500/550 of C
    assert match.gone == ("C", "D", "E", "F")
    assert match.new == ("C1", "C2", "DE", "N")
    assert match.matches == (
        AreaMatch("A", "A", "Alpha", "Alpha", 1.0, 1.0, True),
        AreaMatch("B", "B2", "Beta", "Beta North", pytest.approx(0.95), 1.0, True),
        AreaMatch("B", "C1", "Beta", "Gamma West", pytest.approx(0.05),
                  pytest.approx(50 / 550), False),  # C1 has no identity: its overlaps are shown
        AreaMatch("C", "C1", "Gamma", "Gamma West", pytest.approx(0.5),
                  pytest.approx(500 / 550), False),
        AreaMatch("C", "C2", "Gamma", "Gamma East", 0.5, 1.0, False),
        AreaMatch("D", "DE", "Delta", "Delta-Epsilon", 1.0, 0.5, False),
        AreaMatch("E", "DE", "Epsilon", "Delta-Epsilon", 1.0, 0.5, False),
    )


def test_the_thresholds_are_settings():
    match = match_versions(OLD, NEW, CRS, threshold=0.96, meaningful=0.06)
    assert match.recoded == () and "B" in match.gone and "B2" in match.new
    assert match.split == ("C",)  # B's 5 % no longer counts


def test_a_threshold_of_one_half_or_less_is_refused():
    with pytest.raises(ValueError, match="above 0.5"):
        match_versions(OLD, NEW, CRS, threshold=0.5)
