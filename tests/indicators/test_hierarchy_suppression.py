"""Rates of events and points across levels (indicators.disclosure.hierarchy): a withheld child
of a published parent never stands alone, so parent minus siblings gives nothing away."""

from __future__ import annotations

import pandas as pd

from indicators.disclosure.hierarchy import withhold_across_levels
from observatory.models import Level

LEVELS = [Level("district"), Level("neighbourhood", "district"), Level("block", "neighbourhood")]
PARENTS = {"neighbourhood": {"A1": "A", "A2": "A", "A3": "A", "B1": "B"},
           "block": {"B1x": "B1"}}


def _rows(cells: dict[str | None, float | None], indicator: str = "fire_per_km2") -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": indicator, "period": "2025",
                         "district_code": list(cells),
                         "value": [float("nan") if v is None else v for v in cells.values()],
                         "score": 1.0, "suppressed": [v is None for v in cells.values()]})


def _hidden(frame: pd.DataFrame) -> set[str]:
    return set(frame.loc[frame["suppressed"], "district_code"].fillna("city"))


def test_a_lone_withheld_child_takes_its_smallest_sibling_or_its_parent_with_it():
    values = {
        "district": _rows({None: 3.0, "A": 2.0, "B": 4.0}),
        "neighbourhood": _rows({None: 3.0, "A1": None, "A2": 5.0, "A3": 1.5, "B1": 4.0}),
        "block": _rows({None: 3.0, "B1x": None}),  # B1's only child
    }
    out = withhold_across_levels(values, LEVELS, PARENTS, lambda i: i == "fire_per_km2")
    assert _hidden(out["block"]) == {"B1x", "city"}
    # B1 is withheld with its only child, then A1 and B1 each stand alone under A and B:
    # A3 (the smaller sibling) goes with A1, and B (B1's parent, no other child) with B1
    assert _hidden(out["neighbourhood"]) == {"A1", "A3", "B1", "city"}
    assert _hidden(out["district"]) == {"B", "city"}
    assert out["neighbourhood"].loc[out["neighbourhood"]["district_code"] == "A3",
                                    "value"].isna().all()


def test_values_outside_the_pass_and_groups_already_safe_are_left_alone():
    values = {
        "district": _rows({"A": 2.0}),
        "neighbourhood": pd.concat([_rows({"A1": None, "A2": None, "A3": 1.0}),
                                    _rows({"A1": None, "A2": 5.0}, "foreign_share")]),
    }
    out = withhold_across_levels(values, LEVELS[:2], PARENTS, lambda i: i == "fire_per_km2")
    fire = out["neighbourhood"][out["neighbourhood"]["indicator_id"] == "fire_per_km2"]
    assert _hidden(fire) == {"A1", "A2"}  # two withheld already: their sum is all one learns
    share = out["neighbourhood"][out["neighbourhood"]["indicator_id"] == "foreign_share"]
    assert _hidden(share) == {"A1"}  # the count table's plan protects it, not this pass
    assert _hidden(out["district"]) == set()
