"""A census of a period before the districts were redrawn, loaded after the new boundaries,
is matched against the districts of its period (not today's), and carried onto today's at
compute, as if it had been loaded first. On both stores.

The city: districts A, B, C from 2015; in 2021 A is split into A1 (its western 40 %) and A2.
The 2020 census (A: 1,000 nationals, 30 Syrians, 200 Iraqis; B and C: 1,000, 100, 200) names
A, B and C. A 2025 census naming A is refused: A is not a district of 2025.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from redrawn_city import CITY, redraw

from indicators.compute import compute_frameworks
from indicators.disclosure.stored import audit_city
from ingest.jobs import ingest_census
from observatory.settings import DisclosureSettings

CENSUS = """feed: census
format: csv
district: {{column: code, match: code}}
period: {{value: "{period}"}}
variables:
  - {{column: national, variable: population, unit: persons, dims: {{citizenship: national}}}}
  - {{column: syrian, variable: population, unit: persons, dims: {{citizenship: syrian}}}}
  - {{column: iraqi, variable: population, unit: persons, dims: {{citizenship: iraqi}}}}
"""
ROWS = "code,national,syrian,iraqi\nA,1000,30,200\nB,1000,100,200\nC,1000,100,200\n"


def _census(store, tmp: Path, period: str, rows: str):
    (tmp / f"census_{period}.yaml").write_text(CENSUS.format(period=period), encoding="utf-8")
    (tmp / f"census_{period}.csv").write_text(rows, encoding="utf-8")
    return ingest_census(store, tmp / f"census_{period}.csv", CITY,
                         tmp / f"census_{period}.yaml")


@pytest.fixture
def redrawn(store, tmp_path: Path):
    redraw(store, tmp_path, "2021-01-01")
    return store


def test_a_census_of_before_the_redraw_names_the_districts_of_then(redrawn, tmp_path):
    run = _census(redrawn, tmp_path, "2020", ROWS)
    assert (run.status, run.rows_rejected, run.rows_loaded) == ("succeeded", 0, 9)
    compute_frameworks(redrawn, CITY, DisclosureSettings(min_count=15), ["demography"])
    values = redrawn.indicator_values(CITY)
    shares = values[(values["period"] == "2020")
                    & values["indicator_id"].str.startswith("citizenship_share.")]
    got = {(r.indicator_id, None if pd.isna(r.district_code) else r.district_code): r.value
           for r in shares.itertuples(index=False)}
    # A's people are carried onto A1 and A2 in proportion to their areas: the same shares.
    assert got[("citizenship_share.national", "A1")] == pytest.approx(0.813)
    assert got[("citizenship_share.national", "A2")] == pytest.approx(0.813)
    # The city counts them: 230 Syrians of 3,830 residents, not B's and C's 200 of 2,600.
    assert got[("citizenship_share.syrian", None)] == pytest.approx(0.0601)
    assert shares["estimate"].str.startswith("area-weighted, carried from").all()


def test_a_census_of_after_the_redraw_may_not_name_a_district_of_before(redrawn, tmp_path):
    run = _census(redrawn, tmp_path, "2025", ROWS)
    assert (run.rows_rejected, run.rows_loaded) == (1, 6)
    [rejected] = redrawn.rejected_rows(run.id)
    assert rejected.row_number == 2
    assert rejected.reason.startswith("district 'A' is not a known district code of redrawn")


def _syrians(store) -> pd.DataFrame:
    values = store.indicator_values(CITY)
    return values[(values["indicator_id"] == "citizenship_share.syrian")
                  & (values["period"] == "2020")].set_index("district_code")


def test_a_part_of_a_split_area_is_not_given_away_by_its_sibling(redrawn, tmp_path,
                                                                monkeypatch):
    """A's 30 Syrians are carried 12 / 18 onto A1 / A2: A1 is small (≤ 15) and withheld. A1 is
    0.4 / 0.6 of A2 whatever A held, so A2 published gives A1 away, and A2 withheld with it
    still does: their sum of 30 is the city's Syrians less B's and C's, and A1 is 0.4 of it.
    Planned without those relations (as before), the audit now finds A1 within a quarter of a
    person; planned with them, the release withholds enough for 15 persons of doubt (B's
    Syrians too, here)."""
    import indicators.compute

    assert _census(redrawn, tmp_path, "2020", ROWS).status == "succeeded"
    settings = DisclosureSettings(min_count=15)
    with monkeypatch.context() as blind:  # the plan as it was made before: no carried sources
        blind.setattr(indicators.compute.CarriedSources, "of", staticmethod(lambda _: None))
        compute_frameworks(redrawn, CITY, settings, ["demography"])
    audit = audit_city(redrawn, CITY, settings)
    a1 = audit[(audit["district_code"] == "A1") & (audit["period"] == "2020")
               & audit["indicators"].str.contains("citizenship_share.syrian")].iloc[0]
    assert not a1["protected"]
    # By hand: the city's share 0.0601 of 3,830 and B's and C's 0.0769 of 1,300 give
    # A1 + A2 within [0.06005·3830 − 2·0.07695·1300, 0.06015·3830 − 2·0.07685·1300], and A1
    # is 0.4 of that (the crosswalk's weight is A1's share of A's area, 0.39999 in the local
    # projection).
    assert a1["lower"] == pytest.approx(0.4 * (0.06005 * 3830 - 2 * 0.07695 * 1300), abs=0.01)
    assert a1["upper"] == pytest.approx(0.4 * (0.06015 * 3830 - 2 * 0.07685 * 1300), abs=0.01)

    compute_frameworks(redrawn, CITY, settings, ["demography"])
    syrians = _syrians(redrawn)
    assert syrians.loc[["A1", "A2", "B"], "suppressed"].all()
    audit = audit_city(redrawn, CITY, settings)
    assert len(audit) and audit["protected"].all()
    a1 = audit[(audit["district_code"] == "A1") & (audit["period"] == "2020")
               & audit["indicators"].str.contains("citizenship_share.syrian")].iloc[0]
    assert a1["lower"] <= 12 <= a1["upper"] and a1["width"] >= 15
    # The old area's own count is never a row of the audit: it is no published value.
    assert not audit["district_code"].astype(str).str.startswith("ended ").any()
