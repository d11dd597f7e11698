"""One period minus another: relations across periods in the disclosure table (a year is the
sum of its months where a count is published at both grains), and the kinds whose values
rest on one period only."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from indicators.definitions import DefinitionError, load_definitions, load_frameworks
from indicators.disclosure.audit import intervals, planned_bounds, with_suppressed
from indicators.disclosure.secondary import secondary_suppression
from indicators.disclosure.tables import build_table
from indicators.evaluate import PreparedObservations, SpatialContext, evaluate
from observatory.models import canonical_dims
from observatory.settings import DisclosureSettings

RESIDENTS = {"A": 4000, "B": 6000, "C": 5000}


def _census(period: str = "2025", scale: float = 1.0) -> list[dict]:
    return [{"district_code": d, "period": period, "variable": "population",
             "dims": canonical_dims({"citizenship": g}), "value": float(v), "unit": "persons",
             "ingest_run": "c"}
            for d, n in RESIDENTS.items()
            for g, share in (("national", 0.8), ("syrian", 0.2))
            for v in [round(share * n * scale)]]


def _requests() -> pd.DataFrame:
    """Service requests of 2025 loaded twice, per month and per year (the year's rows the
    months' sums); A's March holds 5 (≤ 15), every other month 40 or more."""
    rng = np.random.default_rng(12)
    months = {(d, m): int(rng.integers(40, 90)) for d in RESIDENTS for m in range(1, 13)}
    months[("A", 3)] = 5
    rows = [{"district_code": d, "period": f"2025-{m:02d}", "value": float(v)}
            for (d, m), v in months.items()]
    rows += [{"district_code": d, "period": "2025",
              "value": float(sum(v for (e, _), v in months.items() if e == d))}
             for d in RESIDENTS]
    frame = pd.DataFrame(rows).assign(variable="service_requests", dims=canonical_dims({}),
                                      unit="requests", ingest_run="p")
    return pd.concat([pd.DataFrame(_census()), frame], ignore_index=True)


def _rate_table(settings: DisclosureSettings):
    definitions = [load_definitions()["service_requests_per_1000_residents"]]
    return build_table(definitions, PreparedObservations(_requests()), settings.min_count)


def test_a_year_published_with_its_months_is_their_sum():
    table = _rate_table(DisclosureSettings())
    cells = table.cells
    assert len(cells) == 13 * 4  # 12 months and the year, for A, B, C and the city
    # A month divides by the census of its year, as the rate does: the months are cells.
    march = cells[(cells["district_code"] == "A") & (cells["period"] == "2025-03")]
    assert march["whole"].tolist() == [4000.0] and march["primary"].tolist() == [True]
    year_a = int(cells.index[(cells["district_code"] == "A") & (cells["period"] == "2025")][0])
    across = [r for r in table.relations if year_a in r.coefs and len(r.coefs) == 13]
    assert len(across) == 1 and across[0].coefs[year_a] == -1.0
    # per period, districts sum to the city (13); per area, the year is its months' (4)
    assert len(table.relations) == 13 + 4


def test_a_suppressed_month_is_not_the_year_minus_the_other_months():
    """Without secondary suppression A's March is A's year minus its 11 published months,
    to within their rounding (under 3 requests); with it, a second month (or the year) is withheld too."""
    settings = DisclosureSettings()
    table = _rate_table(settings)
    cells = table.cells
    primary = cells["primary"].to_numpy()
    assert primary.sum() == 1
    bounds = planned_bounds(table, settings.published_digits)
    whole = cells["whole"].to_numpy(float)
    naive = intervals(table, with_suppressed(bounds, whole, primary), settings.protection)
    assert not naive["protected"].all() and naive["width"].min() < 3
    withheld = secondary_suppression(table, settings.published_digits, settings.protection)
    audit = intervals(table, with_suppressed(bounds, whole, withheld), settings.protection)
    assert audit["protected"].all()
    a = cells[withheld & (cells["district_code"] == "A").to_numpy()]
    assert len(a) >= 2  # March and what would give it away within A's year
    counts = cells["count"].to_numpy()[audit["cell"].to_numpy()]
    assert np.all((audit["lower"] <= counts + 1e-6) & (counts <= audit["upper"] + 1e-6))


def test_a_stock_at_two_grains_is_not_their_sum():
    """A census of 2025 and one of mid-2025 (2025-06): residents do not add up over periods,
    so no relation ties them (it would not hold on the counts)."""
    observations = pd.DataFrame(_census() + _census("2025-06", scale=1.01))
    definitions = [load_definitions()[i] for i in ("foreign_citizens_share",
                                                   "citizenship_share")]
    table = build_table(definitions, PreparedObservations(observations), 15)
    periods = table.cells["period"].to_numpy()
    assert set(periods) == {"2025", "2025-06"}
    assert all(len({periods[c] for c in r.coefs}) == 1 for r in table.relations)


def _phones(small: float | None) -> PreparedObservations:
    """Census 2025 and four months of home-location subscribers; A's Syrians in March hold
    ``small`` (stored under a lower threshold at ingest; None: redacted)."""
    rows = []
    for d, n in RESIDENTS.items():
        for m in range(1, 5):
            for g, share in (("national", 0.8), ("syrian", 0.2)):
                value = round(share * n / 9) + 7 * m + (3 if d == "B" else 0)
                if (d, m, g) == ("A", 3, "syrian"):
                    if small is None:
                        continue
                    value = small
                rows.append({"district_code": d, "period": f"2025-{m:02d}",
                             "variable": "mobile_home_subscribers",
                             "dims": canonical_dims({"citizenship": g}), "value": float(value),
                             "unit": "subscribers", "ingest_run": "t"})
    return PreparedObservations(pd.DataFrame(_census() + rows))


def test_a_phone_estimate_withheld_in_one_month_is_not_the_census_minus_the_others():
    """The ratio makes the mean of a census year's monthly city estimates its census. Were a
    withheld cell in that mean, the census times the months minus the published estimates
    would give it (A's Syrians in March): the published values are the same whatever it
    holds, and the same as when the feed had redacted it."""
    def published(small: float | None) -> pd.DataFrame:
        frames = []
        for ident in ("phone_estimated_residents", "phone_estimated_residents_by_group"):
            definition = load_definitions()[ident]
            frames.append(definition.formula.evaluate(_phones(small), min_count=15,
                                                      indicator_id=ident))
        out = pd.concat(frames, ignore_index=True)
        return out[["indicator_id", "period", "district_code", "value", "suppressed"]]

    redacted = published(None)
    hidden = redacted[redacted["suppressed"]]
    assert {(r.indicator_id, r.district_code) for r in hidden.itertuples()
            if r.period == "2025-03"} == {
        ("phone_estimated_residents_by_group.syrian", "A"),
        ("phone_estimated_residents_by_group.syrian", None),
        ("phone_estimated_residents", "A"), ("phone_estimated_residents", None)}
    for small in (12.0, 1.0):
        pd.testing.assert_frame_equal(published(small), redacted)
    # The attack on what is published: 4 × the census minus the year's published estimates
    # of the group leaves nothing for A's March.
    syrian = redacted[redacted["indicator_id"] == "phone_estimated_residents_by_group.syrian"]
    census = sum(round(0.2 * n) for n in RESIDENTS.values())
    shown = syrian[~syrian["suppressed"] & syrian["district_code"].notna()]["value"].sum()
    assert abs(4 * census - shown) < 1e-6


def test_events_of_one_layer_are_bucketed_one_way(tmp_path):
    """Events are outside the count table, so no definition may publish a layer by year and
    another by month (the year minus eleven months would be the twelfth)."""

    rates = {e: f.period for f in [d.formula for d in load_definitions().values()]
             if getattr(f, "events", None) for e in [f.events]}
    assert rates and set(rates.values()) == {"year"}  # the shipped ones: one bucket each
    (tmp_path / "fires.yaml").write_text(
        "framework: fires\nnames: {en: Fires, ar: الحرائق}\nindicators:\n"
        "  - id: fire_per_km2\n    names: {en: Fires, ar: الحرائق}\n    unit: per km²\n"
        "    formula: {kind: rate, events: fire, per: km2}\n"
        "  - id: fire_per_km2_monthly\n    names: {en: Fires, ar: الحرائق}\n"
        "    unit: per km²\n    formula: {kind: rate, events: fire, per: km2, period: month}\n",
        encoding="utf-8")
    with pytest.raises(DefinitionError, match="'fire' is bucketed two ways.*Fix"):
        load_frameworks(tmp_path)


@pytest.mark.parametrize("ident", [
    "foreign_citizens_share", "citizenship_share", "citizenship_diversity_shannon",
    "location_quotient_foreign", "gap_unemployment_foreign_vs_nationals",
    "service_requests_per_1000_residents", "service_requests_by_category_per_1000_residents"])
def test_values_of_these_kinds_rest_on_their_own_period_only(ident):
    """Terms, group shares, diversity, gaps and rates of counts read the counts of their own
    period (a term has no period of its own): another period's counts, whatever they are,
    change none of a period's values, so no relation across periods comes from them (only
    from one count published at two grains, which the table ties)."""
    def observations(scale: float) -> PreparedObservations:
        rows = []
        for period, factor in (("2024", scale), ("2025", 1.0)):
            for d, n in RESIDENTS.items():
                for g, share in (("national", 0.8), ("syrian", 0.2)):
                    base = {"district_code": d, "period": period, "ingest_run": "x"}
                    rows.append(base | {"variable": "population", "unit": "persons",
                                        "dims": canonical_dims({"citizenship": g}),
                                        "value": float(round(share * n * factor))})
                    for status, rate in (("unemployed", 0.1), ("employed", 0.6)):
                        rows.append(base | {"variable": "labour_force", "unit": "persons",
                                            "dims": canonical_dims({"citizenship": g,
                                                                    "status": status}),
                                            "value": float(round(rate * share * n * factor))})
                for category, k in (("waste", 9), ("roads", 4)):
                    rows.append(base | {"variable": "service_requests", "unit": "requests",
                                        "dims": canonical_dims({"category": category}),
                                        "value": float(round(k * n / 1000 * factor))})
        return PreparedObservations(pd.DataFrame(rows))

    spatial = SpatialContext(
        districts=gpd.GeoDataFrame({"code": list(RESIDENTS)},
                                   geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)],
                                   crs="EPSG:4326"),
        local_crs="EPSG:3857", events=lambda layer: pd.DataFrame())
    definition = load_definitions()[ident]

    def of_2025(scale: float) -> pd.DataFrame:
        values = evaluate(definition, observations(scale), 15, spatial)
        return (values[values["period"] == "2025"].drop(columns=["runs"], errors="ignore")
                .reset_index(drop=True))

    baseline = of_2025(1.0)
    assert len(baseline) and baseline["value"].notna().any()
    for scale in (0.5, 3.0):
        pd.testing.assert_frame_equal(of_2025(scale), baseline)
