"""`observatory audit` on the demo, and the attacks of issue 12 replayed on what it publishes:
1 − the other shares of a district, foreign minus its published groups, the city minus the
other districts, and counts from exact ratios."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from observatory.store import open_store

pytestmark = pytest.mark.slow

GROUPS = "citizenship_share."


def _released(data_dir: Path) -> pd.DataFrame:
    store = open_store(f"duckdb:///{(data_dir / 'observatory.duckdb').as_posix()}")
    try:
        values = store.indicator_values("demo")
    finally:
        store.close()
    values["district_code"] = values["district_code"].fillna("city")
    values["published"] = ~values["suppressed"].astype(bool) & values["value"].notna()
    return values


def _subtraction_attacks(values: pd.DataFrame) -> dict[str, int]:
    """Suppressed cells that a subtraction would give: every other cell of one relation
    published (the attacker knows every denominator, so a share is as good as a count)."""
    shown = values.set_index(["indicator_id", "period", "district_code"])["published"]
    groups = sorted({i for i in values["indicator_id"] if i.startswith(GROUPS)})
    districts = sorted(set(values["district_code"]) - {"city"})
    found = {"1 - other shares": 0, "foreign - other groups": 0, "city - other districts": 0}
    for row in values[~values["published"]].itertuples(index=False):
        key = (row.period, row.district_code)
        if row.indicator_id.startswith(GROUPS):
            others = [g for g in groups if g != row.indicator_id]
            found["1 - other shares"] += all(shown.get((g, *key), False) for g in others)
            if row.indicator_id != f"{GROUPS}national":
                foreign = [g for g in others if g != f"{GROUPS}national"]
                found["foreign - other groups"] += (
                    shown.get(("foreign_citizens_share", *key), False)
                    and all(shown.get((g, *key), False) for g in foreign))
        if row.district_code != "city" and row.indicator_id in {"foreign_citizens_share",
                                                                *groups}:
            found["city - other districts"] += (
                shown.get((row.indicator_id, row.period, "city"), False)
                and all(shown.get((row.indicator_id, row.period, d), False)
                        for d in districts if d != row.district_code))
    return found


def test_audit_passes_on_the_demo_and_the_issue_attacks_recover_nothing(invoke, demo_data_dir):
    result = invoke("audit", "--city", "demo")
    assert result.exit_code == 0, result.output
    summary = re.search(r"demo: (\d+) suppressed cell\(s\) \((\d+) small counts, (\d+) "
                        r"complements\), narrowest interval of a small count ([\d.]+) persons, "
                        r"protection range 15: passed", result.output)
    assert summary, result.output
    assert int(summary[2]) > 0 and int(summary[3]) > 0 and float(summary[4]) >= 15
    # the rule-protected values are in the audit too, counted on lines of their own
    families = dict(re.findall(r"demo, (rates of events|phone estimates): (\d+) suppressed "
                               r"cell\(s\) \(\d+ small counts", result.output))
    assert set(families) == {"rates of events", "phone estimates"}, result.output
    assert all(int(n) > 0 for n in families.values())
    assert sum(map(int, families.values())) < int(summary[1])
    events = re.search(r"demo, rates of events: \d+ suppressed cell\(s\) \((\d+) small "
                       r"counts.*narrowest interval of a small count ([\d.]+)", result.output)
    assert events and int(events[1]) > 0 and float(events[2]) >= 15

    values = _released(demo_data_dir)
    assert (values["indicator_id"].str.startswith(GROUPS) & ~values["published"]).sum() >= 26
    assert _subtraction_attacks(values) == {"1 - other shares": 0,
                                            "foreign - other groups": 0,
                                            "city - other districts": 0}
    # No exact ratio: every published value has at most 3 significant digits.
    published = values.loc[values["published"], "value"].to_numpy(float)
    assert np.all([float(f"{v:.3g}") == v for v in published])


def test_audit_of_an_unknown_city_names_the_known_ones(invoke):
    assert invoke("init").exit_code == 0
    result = invoke("audit", "--city", "atlantis")
    assert result.exit_code == 2 and "atlantis" in result.output


def test_the_attacks_find_an_unprotected_release():
    # the same attack code on a release without secondary suppression finds the cell
    values = pd.DataFrame({
        "indicator_id": [f"{GROUPS}national", f"{GROUPS}iraqi", f"{GROUPS}syrian",
                         "foreign_citizens_share"],
        "period": "2025", "district_code": "D1", "value": [0.6, None, 0.3, 0.4],
        "suppressed": [False, True, False, False]})
    values["published"] = ~values["suppressed"]
    found = _subtraction_attacks(values)
    assert found["1 - other shares"] == 1 and found["foreign - other groups"] == 1
