"""A definition's ``holds_for``: its latest available value stands for the later periods, until
the next one and at most that many years on (an election's turnout until the next election),
marked as carried; it passes the disclosure gate as its source did and feeds the composites."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from indicators.compute import compute_city, framework_values
from indicators.definitions import Framework, load_definitions
from indicators.evaluate import PreparedObservations
from observatory.models import City, IngestRun, canonical_dims
from observatory.services.comparison import ComparisonRequest, comparison, load_input
from observatory.settings import DisclosureSettings


def _obs(rows, variable):
    return pd.DataFrame([
        {"district_code": d, "period": p, "variable": variable, "dims": canonical_dims(dims),
         "value": v, "unit": "persons", "ingest_run": "r1"} for d, p, dims, v in rows])


def _framework(holds_for: int | None) -> Framework:
    def indicator(ident, sub, variable, **extra):
        return {"id": ident, "names": {"en": ident, "ar": ident}, "dimension": "d1",
                "subdimension": sub, "direction": "higher", "benchmarks": {"min": 0, "max": 1},
                "formula": {"terms": {"x": {"variable": variable}}, "expression": "x"}, **extra}
    return Framework.model_validate({
        "framework": "mini", "names": {"en": "Mini", "ar": "صغير"}, "composite": True,
        "dimensions": [{"id": "d1", "names": {"en": "D1", "ar": "١"},
                        "subdimensions": [{"id": "s1", "names": {"en": "S1", "ar": "١"}},
                                          {"id": "s2", "names": {"en": "S2", "ar": "٢"}}]}],
        "indicators": [indicator("turnout", "s1", "va",
                                 **({} if holds_for is None else {"holds_for": holds_for})),
                       indicator("yearly", "s2", "vb")]})


def test_a_value_stands_until_the_next_one_and_at_most_holds_for_years():
    # observed in 2020 and 2024 (elections); the other indicator every year 2019-2029
    obs = pd.concat([_obs([("A", "2020", {}, 0.6), ("A", "2024", {}, 0.5)], "va"),
                     _obs([("A", str(y), {}, 0.4) for y in range(2019, 2030)], "vb")])
    values = framework_values(_framework(holds_for=4), PreparedObservations(obs), min_count=0)
    at_a = values[values["district_code"] == "A"]
    turnout = at_a[at_a["indicator_id"] == "turnout"].set_index("period")
    assert dict(turnout["value"]) == pytest.approx(
        {"2020": 0.6, "2021": 0.6, "2022": 0.6, "2023": 0.6,  # until the next election
         "2024": 0.5, "2025": 0.5, "2026": 0.5, "2027": 0.5, "2028": 0.5})  # 4 years on
    assert "2029" not in turnout.index and "2019" not in turnout.index  # 5 years on; before
    assert turnout.loc["2026", "score"] == turnout.loc["2024", "score"] == pytest.approx(50.0)
    assert turnout.loc["2024", "estimate"] == ""
    assert turnout.loc["2023", "estimate"] == ("latest available value, carried from 2020 "
                                               "(holds for 4 years)")
    assert turnout.loc["2028", "estimate"].startswith("latest available value, carried from 2024")
    assert set(turnout["source_runs"]) == {"r1"}
    dimension = at_a[at_a["indicator_id"] == "mini.d1"].set_index("period")
    assert dimension.loc["2025", "coverage"] == 1.0
    assert dimension.loc["2025", "score"] == pytest.approx((50 + 40) / 2)
    assert dimension.loc["2025", "estimate"] == ("rests on latest available values carried "
                                                 "from earlier periods: turnout from 2024")
    assert dimension.loc["2024", "estimate"] == ""
    assert dimension.loc["2029", "coverage"] == 0.5  # nothing carried beyond the limit
    # without holds_for, the same observations give the elections' years only
    city = values[values["district_code"].isna() & (values["indicator_id"] == "turnout")]
    assert set(city["period"]) == set(turnout.index)  # the city's value is carried alike
    plain = framework_values(_framework(holds_for=None), PreparedObservations(obs), min_count=0)
    plain = plain[plain["district_code"] == "A"]
    assert set(plain.loc[plain["indicator_id"] == "turnout", "period"]) == {"2020", "2024"}
    assert plain.loc[(plain["indicator_id"] == "mini.d1") & (plain["period"] == "2025"),
                     "coverage"].item() == 0.5


def test_holds_for_leaves_other_definitions_hashes_alone():
    turnout = load_definitions()["cpi_voter_turnout"]
    assert turnout.holds_for == 4
    assert turnout.hash != turnout.model_copy(update={"holds_for": None}).hash
    share = load_definitions()["foreign_citizens_share"]
    assert share.holds_for is None
    assert share.hash != share.model_copy(update={"holds_for": 4}).hash


def _voters(district, year, voted, stayed_home):
    return [(district, year, {"voted": "yes"}, voted), (district, year, {"voted": "no"},
                                                         stayed_home)]


def test_a_carried_turnout_is_published_and_withheld_as_its_source_on_each_backend(store):
    """The real definition through compute_city: every 2024 turnout stands for 2025 (a census
    year) as it was published or withheld in 2024: district B's (8 voters) and whatever the
    secondary suppression withheld with it stay withheld, the rest are the same numbers."""
    store.upsert_city(City("c", "C", "سي"))
    codes = ["A", "B", "C"]
    districts = gpd.GeoDataFrame({"code": codes, "name_en": codes, "name_ar": ["أ", "ب", "ج"],
                                  "area_m2": [1.0] * 3},
                                 geometry=[shapely.box(k, 0, k + 1, 1) for k in range(3)],
                                 crs="EPSG:4326")
    store.load(IngestRun("c", "boundaries", "b.geojson", "b"), districts=districts)
    voters = _obs(_voters("A", "2024", 600, 400) + _voters("B", "2024", 8, 492)
                  + _voters("C", "2024", 300, 200), "registered_voters").drop(columns="ingest_run")
    store.load(IngestRun("c", "elections", "e.csv", "e"), observations=voters)
    census = _obs([(d, y, {"citizenship": c}, 500) for d in codes for y in ("2024", "2025")
                   for c in ("national", "syrian")], "population").drop(columns="ingest_run")
    store.load(IngestRun("c", "census", "c.csv", "c"), observations=census)
    compute_city(store, "c", DisclosureSettings(), framework="cpi")  # its audit passes

    turnout = store.indicator_values("c", "cpi_voter_turnout")
    got = turnout.assign(area=turnout["district_code"].fillna("city")).set_index(
        ["area", "period"]).sort_index()
    assert set(got.index) == {(a, p) for a in ["city", *codes] for p in ("2024", "2025")}
    before, after = got.xs("2024", level="period"), got.xs("2025", level="period")
    assert list(after["suppressed"]) == list(before["suppressed"])
    pd.testing.assert_series_equal(after["value"], before["value"])
    pd.testing.assert_series_equal(after["source_runs"], before["source_runs"])
    assert bool(before.loc["B", "suppressed"]) and np.isnan(after.loc["B", "value"])
    published = after[~after["suppressed"].astype(bool)]
    assert len(published) >= 2 and before.loc["city", "value"] == pytest.approx(
        100 * 908 / 2000)
    assert all(e.startswith("latest available value, carried from 2024 (holds for 4 years)")
               for e in after["estimate"])
    participation = store.indicator_values("c", "cpi.governance.participation", "2025")
    city = participation[participation["district_code"].isna()]
    assert city["coverage"].item() == 1.0
    assert "cpi_voter_turnout from 2024" in city["estimate"].item()
    # every view of a comparison says the value is the latest available, and of which year
    compared = comparison(load_input(store), ComparisonRequest(
        indicators=("cpi_voter_turnout", "cpi.governance.participation")))
    (turnout_entry,), (participation_entry,) = (r["values"] for r in compared["indicators"])
    assert (turnout_entry["period"], turnout_entry["carried_from"]) == ("2025", "2024")
    assert turnout_entry["value"] == pytest.approx(before.loc["city", "value"])
    assert participation_entry["carried_from"] is None  # a composite: its estimate says so
