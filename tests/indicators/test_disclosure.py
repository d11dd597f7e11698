"""The disclosure gate: rounding, secondary suppression and the LP audit, on a table built to
be attackable (one suppressed group, the others and the totals published)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from indicators.compute import compute_city
from indicators.definitions import load_definitions
from indicators.disclosure.audit import intervals, planned_bounds, with_suppressed
from indicators.disclosure.gate import DisclosureRefused, plan_release, refuse_unless_protected
from indicators.disclosure.rounding import half_step, round_significant
from indicators.disclosure.secondary import secondary_suppression
from indicators.disclosure.stored import audit_city
from indicators.disclosure.tables import build_table
from indicators.evaluate import PreparedObservations
from observatory.models import City, IngestRun, canonical_dims
from observatory.settings import DisclosureSettings

# District A has 10 Iraqis (≤ 15: suppressed); everything else is large. Published at full
# precision with its group shares and the city's, the 10 follows by subtraction.
CENSUS = [("A", "national", 500), ("A", "syrian", 300), ("A", "iraqi", 10),
          ("B", "national", 800), ("B", "syrian", 200), ("B", "iraqi", 120),
          ("C", "national", 650), ("C", "syrian", 90), ("C", "iraqi", 60)]
SHARES = ["citizenship_share", "foreign_citizens_share"]


def _observations() -> pd.DataFrame:
    return pd.DataFrame([{"district_code": d, "period": "2025", "variable": "population",
                          "dims": canonical_dims({"citizenship": g}), "value": float(v),
                          "unit": "persons", "ingest_run": "r1"} for d, g, v in CENSUS])


def _table(settings: DisclosureSettings):
    definitions = [load_definitions()[i] for i in SHARES]
    return build_table(definitions, PreparedObservations(_observations()), settings.min_count)


def test_rounding_hides_the_exact_ratio_and_bounds_hold_the_truth():
    assert round_significant(np.array([278 / 9149]), 3)[0] == 0.0304
    assert round_significant(np.array([0.0, np.nan, 123456.0]), 3)[1] != 0.0
    assert round_significant(np.array([123456.0]), 3)[0] == 123000.0
    truth = np.array([0.009996, 0.0100049, 0.5554, 0.99951])
    published = round_significant(truth, 3)
    assert np.all(np.abs(truth - published) <= half_step(published, 3))


def test_the_table_has_the_relations_an_attacker_uses():
    table = _table(DisclosureSettings())
    cells = table.cells
    # 3 groups + foreign, for A, B, C and the city
    assert len(cells) == 16
    iraqi_a = cells[(cells["district_code"] == "A")
                    & cells["signature"].map(lambda s: '"iraqi"' in s[0])]
    assert iraqi_a["primary"].tolist() == [True] and iraqi_a["count"].tolist() == [10.0]
    # per unit: groups sum to the whole, foreign = syrian + iraqi; per signature: districts
    # sum to the city
    assert len(table.relations) == 4 * 2 + 4


def test_attackable_table_is_refused_without_secondary_suppression_and_passes_with_it():
    settings = DisclosureSettings()
    table = _table(settings)
    primary = table.cells["primary"].to_numpy()
    bounds = planned_bounds(table, settings.published_digits)
    whole = table.cells["whole"].to_numpy(float)
    naive = intervals(table, with_suppressed(bounds, whole, primary), settings.protection)
    assert not naive["protected"].all()
    assert naive["width"].min() < 2  # 1 − the other shares: the 10 to within a person
    with pytest.raises(DisclosureRefused, match="refused") as refused:
        refuse_unless_protected(naive, "attackable")
    assert "10" not in str(refused.value)  # the message names cells, never counts

    withheld = secondary_suppression(table, settings.published_digits, settings.protection)
    assert withheld.sum() > primary.sum() and withheld[primary].all()
    audit = intervals(table, with_suppressed(bounds, whole, withheld), settings.protection)
    sensitive = audit[audit["primary"]]
    assert audit["protected"].all() and sensitive["width"].min() >= settings.protection
    refuse_unless_protected(audit, "attackable")  # does not raise
    # every interval holds the truth
    counts = table.cells["count"].to_numpy()[audit["cell"].to_numpy()]
    assert np.all((audit["lower"] <= counts + 1e-6) & (counts <= audit["upper"] + 1e-6))


def test_plan_is_deterministic_and_linked_indicators_follow_their_cell():
    settings = DisclosureSettings()
    definitions = [load_definitions()[i] for i in SHARES + ["location_quotient_foreign"]]
    prepared = PreparedObservations(_observations())
    first = plan_release(definitions, prepared, settings)
    assert (first.withheld == plan_release(definitions, prepared, settings).withheld).all()
    assert first.table.linked == {"location_quotient_foreign":
                                  first.table.published_as["foreign_citizens_share"][0]}


def _attackable_city(store) -> None:
    store.upsert_city(City("att", "Att", "أت"))
    districts = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "name_en": ["A", "B", "C"], "name_ar": ["أ", "ب", "ج"],
         "area_m2": [1.0, 1.0, 1.0]},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)], crs="EPSG:4326")
    store.load(IngestRun("att", "boundaries", "b.geojson", "b"), districts=districts)
    store.load(IngestRun("att", "census", "c.csv", "c"),
               observations=_observations().drop(columns="ingest_run"))


def test_compute_publishes_rounded_values_and_no_suppressed_cell_is_recoverable(store):
    _attackable_city(store)
    settings = DisclosureSettings()
    assert compute_city(store, "att", settings, framework="demography") > 0
    values = store.indicator_values("att")
    published = values[~values["suppressed"].astype(bool)]
    assert np.all(round_significant(published["value"].to_numpy(float), 3)
                  == published["value"].to_numpy(float))
    by = values.set_index(["indicator_id", "district_code"])
    assert by.loc[("citizenship_share.iraqi", "A"), "suppressed"]
    # 1 − the other shares of A no longer gives the Iraqi share: another one is withheld
    a = values[(values["district_code"] == "A")
               & values["indicator_id"].str.startswith("citizenship_share.")]
    assert a["suppressed"].sum() >= 2
    audit = audit_city(store, "att", settings)
    assert len(audit) >= 2 and audit["protected"].all()


def test_segregation_refusals_quote_no_counts():
    from indicators.measures.segregation import dissimilarity

    with pytest.raises(ValueError, match="choose another group") as empty:
        dissimilarity(np.array([0.0, 0.0]), np.array([13.0, 7.0]))
    with pytest.raises(ValueError) as everyone:
        dissimilarity(np.array([13.0, 7.0]), np.array([13.0, 7.0]))
    for refused in (empty, everyone):
        assert not any(str(n) in str(refused.value) for n in (0, 7, 13, 20))


def test_segregation_summary_for_the_public_has_no_counts_and_withholds_small_groups():
    from indicators.disclosure.summaries import release_summary

    summary = {"group": "iraqi", "districts": 4, "groups": ["iraqi", "national"],
               "group_total": 13.0, "population": 93.0, "dissimilarity": 0.123456,
               "moran": {"I": 0.5555555, "n": 4}}
    small = release_summary(summary, min_count=15, digits=3)
    assert small["suppressed"] and small["dissimilarity"] is None and small["moran"] is None
    assert "group_total" not in small and "population" not in small
    large = release_summary(summary | {"group_total": 130.0, "population": 930.0},
                            min_count=15, digits=3)
    assert not large["suppressed"] and large["dissimilarity"] == 0.123
    assert large["moran"] == {"I": 0.556, "n": 4}


def test_a_rate_per_category_is_protected_with_its_total():
    """Service requests per 1,000 residents, per category and in total: A's 10 water
    requests (≤ 15) would follow from A's total minus its other categories."""
    requests = [("A", "waste", 300), ("A", "roads", 200), ("A", "water", 10),
                ("B", "waste", 250), ("B", "roads", 90), ("B", "water", 60),
                ("C", "waste", 400), ("C", "roads", 120), ("C", "water", 80)]
    points = pd.DataFrame([{"district_code": d, "period": "2025", "variable": "service_requests",
                            "dims": canonical_dims({"category": c}), "value": float(v),
                            "unit": "requests", "ingest_run": "p"} for d, c, v in requests])
    prepared = PreparedObservations(pd.concat([_observations(), points], ignore_index=True))
    settings = DisclosureSettings()
    definitions = [load_definitions()[i] for i in (
        "service_requests_per_1000_residents",
        "service_requests_by_category_per_1000_residents")]
    table = build_table(definitions, prepared, settings.min_count)
    cells = table.cells
    assert len(cells) == 4 * 4  # 3 categories + the total, for A, B, C and the city
    water_a = cells[(cells["district_code"] == "A")
                    & cells["signature"].map(lambda s: '"water"' in s[0])]
    assert water_a["primary"].tolist() == [True] and water_a["whole"].tolist() == [810.0]
    # per unit: total = Σ categories; per signature: districts sum to the city
    assert len(table.relations) == 4 + 4
    bounds = planned_bounds(table, settings.published_digits)
    whole = cells["whole"].to_numpy(float)
    naive = intervals(table, with_suppressed(bounds, whole, cells["primary"].to_numpy()),
                      settings.protection)
    assert not naive["protected"].all()
    withheld = secondary_suppression(table, settings.published_digits, settings.protection)
    audit = intervals(table, with_suppressed(bounds, whole, withheld), settings.protection)
    assert withheld.sum() > cells["primary"].sum() and audit["protected"].all()


def test_an_integration_gap_is_withheld_with_either_of_its_rates():
    """A's 10 unemployed foreigners (≤ 15) follow from A's unemployment gap and the nationals'
    rate, so the gap rests on both rates' cells: withheld in A, and the city's or another
    district's with it (the districts' counts sum to the city's)."""
    labour = [("A", "syrian", "unemployed", 10), ("A", "syrian", "employed", 190),
              ("A", "national", "unemployed", 50), ("A", "national", "employed", 750),
              ("B", "syrian", "unemployed", 40), ("B", "syrian", "employed", 260),
              ("B", "national", "unemployed", 60), ("B", "national", "employed", 640),
              ("C", "syrian", "unemployed", 30), ("C", "syrian", "employed", 170),
              ("C", "national", "unemployed", 45), ("C", "national", "employed", 455)]
    observations = pd.DataFrame([
        {"district_code": d, "period": "2025", "variable": "labour_force",
         "dims": canonical_dims({"citizenship": g, "status": s}), "value": float(v),
         "unit": "persons", "ingest_run": "l"} for d, g, s, v in labour])
    settings = DisclosureSettings()
    gap = "gap_unemployment_foreign_vs_nationals"
    plan = plan_release([load_definitions()[gap]], PreparedObservations(observations), settings)
    cells = plan.table.cells
    assert len(cells) == 2 * 4  # the foreigners' and the nationals' rate, in A, B, C, city
    foreign_a = cells[(cells["district_code"] == "A")
                      & cells["signature"].map(lambda s: "unemployed" in s[0]
                                               and '"not"' in s[0])]
    assert foreign_a["count"].tolist() == [10.0] and foreign_a["primary"].tolist() == [True]

    rows = pd.DataFrame({"indicator_id": gap, "period": "2025",
                         "district_code": ["A", "B", "C", None]})
    withheld = plan.withheld_rows(rows)
    assert withheld[0] and withheld.sum() >= 2  # A, and one that would give A by subtraction
    assert plan.audit["protected"].all()
    # The gap's own rule says it too: its counts are each rate's count and complement.
    values = load_definitions()[gap].formula.evaluate(
        PreparedObservations(observations), min_count=settings.min_count, indicator_id=gap)
    assert values.set_index(values["district_code"].fillna("city"))["suppressed"].to_dict() == {
        "A": True, "B": False, "C": False, "city": False}


def test_a_diversity_index_counts_the_withheld_groups_as_one():
    """Over every group, A's Shannon index and its published shares give A's 10 Iraqis away
    (two unknown shares, their sum and their −p ln p terms known); over the published groups
    and the withheld ones merged, it says nothing the shares do not."""
    from scipy.optimize import brentq

    from indicators.compute import released_diversity
    from indicators.measures.diversity import shannon_diversity

    settings = DisclosureSettings()
    prepared = PreparedObservations(_observations())
    shannon = load_definitions()["citizenship_diversity_shannon"]
    plan = plan_release([load_definitions()[i] for i in SHARES] + [shannon], prepared, settings)
    groups = ["iraqi", "national", "syrian"]
    hidden = plan.withheld_groups(pd.DataFrame({"period": ["2025"], "district_code": ["A"]}),
                                  "population", "citizenship", groups)[0]
    assert hidden.tolist() == [True, False, True]  # the Iraqis and, as complement, the Syrians

    counts = np.array([[10.0, 500.0, 300.0]])
    whole, national = counts.sum(), round_significant(np.array([500 / 810]), 3)[0]
    full = round_significant(shannon_diversity(counts), 3)[0]

    def attack(p: float) -> float:  # the Iraqi share p whose index is the published one
        rest = 1 - national - p
        return -(p * np.log(p) + rest * np.log(rest) + national * np.log(national)) - full

    assert abs(brentq(attack, 1e-6, (1 - national) / 2) * whole - 10) < 2  # within 2 persons

    released = released_diversity(shannon.formula, prepared, settings.min_count, plan)
    a = released.set_index("district_code").loc["A", "value"]
    merged = np.array([[0.0, 500.0, 0.0, 310.0]])  # the withheld groups' 310 as one
    assert a == pytest.approx(shannon_diversity(merged)[0])
    assert round_significant(np.array([a]), 3)[0] != full


# A's 10 foreigners (≤ 15) are suppressed; B's and C's are large. The same table by
# citizenship (a location quotient of kind terms) and by birthplace (kind diversity).
SMALL_FOREIGN = [("A", 800, 10), ("B", 700, 200), ("C", 600, 150)]
QUOTIENTS = {
    "citizenship": ("population", "national", "syrian", "foreign_citizens_share",
                    "location_quotient_foreign"),
    "birthplace": ("population_by_birthplace", "native_born", "foreign_born",
                   "foreign_born_share", "location_quotient_foreign_born"),
}


def _quotient_release(dimension: str, withhold_city: bool = False):
    """The share and the location quotient as released (rows indicator_id, period,
    district_code, value, suppressed) and the share's plan; ``withhold_city``: the plan as if
    secondary suppression had chosen the city's share as a complement."""
    from dataclasses import replace

    from indicators.disclosure.gate import release
    from indicators.evaluate import evaluate

    variable, native, other, share, quotient = QUOTIENTS[dimension]
    observations = pd.DataFrame([
        {"district_code": d, "period": "2025", "variable": variable,
         "dims": canonical_dims({dimension: g}), "value": float(v), "unit": "persons",
         "ingest_run": "q"} for d, n, f in SMALL_FOREIGN for g, v in ((native, n), (other, f))])
    prepared = PreparedObservations(observations)
    definitions = [load_definitions()[i] for i in (share, quotient)]
    settings = DisclosureSettings()
    plan = plan_release(definitions, prepared, settings)
    if withhold_city:
        cells = plan.table.cells
        city = (cells["district_code"].isna()
                & (cells["signature"] == plan.table.published_as[share][0])).to_numpy()
        plan = replace(plan, withheld=plan.withheld | city)
    rows = [release(evaluate(d, prepared, settings.min_count).assign(indicator_id=d.id), plan)
            for d in definitions]
    return pd.concat(rows, ignore_index=True), share, quotient, plan


@pytest.mark.parametrize("dimension", ["citizenship", "birthplace"])
def test_a_location_quotient_of_a_suppressed_count_is_withheld(dimension):
    """LQ_A · the city's share is A's share, and A's share · its residents is A's 10: a
    quotient built on A's suppressed count is withheld with it, by the plan and by its own
    rule, and no published quotient and share give a withheld share back."""
    values, share, quotient, plan = _quotient_release(dimension)
    by = values.set_index(["indicator_id", values["district_code"].fillna("city")])
    assert by.loc[(share, "A"), "suppressed"] and by.loc[(quotient, "A"), "suppressed"]
    assert np.isnan(by.loc[(quotient, "A"), "value"])
    assert plan.table.city_linked == {quotient: plan.table.published_as[share][0]}
    assert plan.audit["protected"].all()
    _assert_no_share_recovered(values, share, quotient)


@pytest.mark.parametrize("dimension", ["citizenship", "birthplace"])
def test_a_withheld_city_share_withholds_every_location_quotient(dimension):
    """Were the city's share a complement, any published quotient LQ_B and share s_B would
    give it back (s_B / LQ_B), and A's 10 with it (city minus B and C): every quotient is
    then withheld."""
    values, share, quotient, _ = _quotient_release(dimension, withhold_city=True)
    lq = values[values["indicator_id"] == quotient]
    assert lq["suppressed"].all() and lq["value"].isna().all()
    _assert_no_share_recovered(values, share, quotient)


def _assert_no_share_recovered(values: pd.DataFrame, share: str, quotient: str) -> None:
    """No withheld share, a district's or the city's, is a published quotient times or over
    a published share."""
    shown = values[~values["suppressed"].astype(bool)]
    published = shown[shown["indicator_id"] == share]
    shares = published.set_index(published["district_code"].fillna("city"))["value"]
    quotients = shown[shown["indicator_id"] == quotient].set_index("district_code")["value"]
    hidden = set(values.loc[values["suppressed"].astype(bool)
                            & (values["indicator_id"] == share),
                            "district_code"].fillna("city"))
    for district in quotients.index:
        if pd.isna(district):
            continue  # the city's quotient is 1 whatever the counts
        assert district not in hidden  # LQ_d · s_city would be s_d
        assert "city" in shares.index or district not in shares.index  # s_d / LQ_d: s_city


def test_a_segregation_index_is_not_rounded_into_safety():
    """A's 10 Iraqis are withheld, B's 120 and C's 60 published (their shares pin them to the
    person), the districts' residents public: each index of the Iraqis, even at 3 significant
    digits, is met by A holding 10 and by no other count from 0 to 30."""
    from indicators.measures.segregation import dissimilarity, isolation, theil_entropy

    residents = np.array([810.0, 1120.0, 800.0])

    def iraqis(a: float) -> np.ndarray:
        return np.array([a, 120.0, 60.0])

    for index in (dissimilarity, isolation, theil_entropy):
        published = round_significant(np.array([index(iraqis(10.0), residents)]), 3)[0]
        fits = [a for a in range(31) if round_significant(
            np.array([index(iraqis(float(a)), residents)]), 3)[0] == published]
        assert fits == [10]


def test_the_public_segregation_answer_rests_on_published_cells_only(store):
    """The attackable city (A's 10 Iraqis withheld, A's Syrians with them as complement):
    the public gets no single-group measure of the Iraqis (a cell is small) nor of the
    Syrians (a cell is withheld by the release, though not small), those of the foreign
    residents (no cell of theirs is withheld), and the multigroup measures over the nationals
    and the Iraqis and Syrians merged, which the published shares give anyway."""
    from indicators.disclosure.summaries import MERGED
    from indicators.measures.segregation import multigroup_dissimilarity
    from observatory.services.callers import PUBLIC, Caller
    from observatory.services.segregation import city_segregation

    _attackable_city(store)
    settings = DisclosureSettings()
    compute_city(store, "att", settings, framework="demography")
    city = store.city("att")
    assert city is not None
    answers = {g: city_segregation(store, city, g, caller=PUBLIC, disclosure=settings,
                                   moran=False) for g in ("iraqi", "syrian", "foreign")}
    officer = city_segregation(store, city, "iraqi", disclosure=settings, moran=False,
                               caller=Caller("officer"))
    assert officer["dissimilarity"] is not None  # the officer sees every measure
    for group in ("iraqi", "syrian"):
        assert answers[group]["suppressed"] is True
        assert answers[group]["dissimilarity"] is None and answers[group]["isolation"] is None
    foreign = answers["foreign"]
    assert foreign["suppressed"] is False and foreign["dissimilarity"] is not None
    merged = pd.DataFrame({"national": [500.0, 800.0, 650.0],
                           MERGED: [310.0, 320.0, 150.0]})
    expected = round_significant(np.array([multigroup_dissimilarity(merged.to_numpy())]), 3)
    for answer in answers.values():
        assert answer["multigroup_merged"] == ["iraqi", "syrian"]
        assert answer["multigroup_dissimilarity"] == expected[0]
        assert "group_total" not in answer and "population" not in answer
