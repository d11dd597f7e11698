"""The audit of the values that rules protect (``disclosure.ruled``): rates of events and phone
estimates, with a release built to be attackable (the rule bypassed) and the rule's own."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from indicators.definitions import Definition, load_definitions
from indicators.disclosure.gate import DisclosureRefused, audit_release, refuse_unless_protected
from indicators.disclosure.rounding import round_significant
from indicators.disclosure.ruled import COUNTED, EVENTS, PHONES, ruled_table
from indicators.evaluate import PreparedObservations, SpatialContext
from observatory.models import Level, canonical_dims
from observatory.settings import DisclosureSettings

LEVELS = [Level("district")]
FIRES = {"A": 3, "B": 40, "C": 55}  # A's 3 fires of 2025 are small
RESIDENTS = {"A": 810, "B": 1120, "C": 800}
RATES = ["fire_per_1000_residents", "fire_per_km2"]


def _census() -> pd.DataFrame:
    return pd.DataFrame([{"district_code": d, "period": "2025", "variable": "population_total",
                          "dims": canonical_dims({}), "value": float(n), "unit": "persons",
                          "ingest_run": "c"} for d, n in RESIDENTS.items()])


def _spatial() -> SpatialContext:
    districts = gpd.GeoDataFrame(
        {"code": list(FIRES), "area_m2": [2.0e6, 3.0e6, 2.5e6]},
        geometry=[shapely.box(36.50 + i / 100, 37.00, 36.51 + i / 100, 37.01)
                  for i in range(3)], crs="EPSG:4326")
    rng = np.random.default_rng(3)
    points, times = [], []
    for i, n in enumerate(FIRES.values()):
        xs = 36.501 + i / 100 + 0.008 * rng.random(n)
        points += [shapely.Point(x, 37.005) for x in xs]
        times += list(pd.Timestamp("2025-03-01T12:00Z") + pd.to_timedelta(
            rng.integers(0, 200, n), unit="D"))
    events = gpd.GeoDataFrame({"occurred_at": times}, geometry=points, crs="EPSG:4326")
    return SpatialContext(districts=districts, local_crs="EPSG:32637",
                          events=lambda layer: events if layer == "fire" else events.iloc[:0])


def _released(spatial: SpatialContext, prepared: PreparedObservations) -> pd.DataFrame:
    """The rates as the formula's rule releases them, rounded."""
    frames = []
    for ident in RATES:
        rows = load_definitions()[ident].formula.evaluate(prepared, min_count=15,
                                                          spatial=spatial, indicator_id=ident)
        frames.append(rows.assign(indicator_id=ident))
    out = pd.concat(frames, ignore_index=True)
    out["value"] = round_significant(out["value"].to_numpy(float), 3)
    return out[["indicator_id", "period", "district_code", "value", "suppressed"]]


def test_a_city_rate_published_with_a_district_withheld_is_refused():
    """The city's fires per 1,000 residents times its residents, minus B's and C's, would be
    A's 3 fires: built directly (the rule bypassed), the release is refused, the cell named."""
    settings = DisclosureSettings()
    spatial, prepared = _spatial(), PreparedObservations(_census())
    definitions = [load_definitions()[i] for i in RATES]
    table = ruled_table(definitions, prepared, spatial, settings.min_count)
    cells = table.cells
    # one cell per district and the city, published by both rates
    assert len(cells) == 4 and set(cells["family"]) == {EVENTS}
    a = cells[cells["district_code"] == "A"]
    assert a["count"].tolist() == [3.0] and a["primary"].tolist() == [True]

    ruled = _released(spatial, prepared)
    by = ruled.set_index(["indicator_id", "district_code"], drop=False)
    assert by.loc[("fire_per_1000_residents", "A"), "suppressed"]
    assert ruled[ruled["district_code"].isna()]["suppressed"].all()  # the rule: no city
    passed = audit_release({"district": table}, LEVELS, {}, {"district": ruled}, settings)
    assert len(passed) == 2 and passed["protected"].all()  # A and the city
    refuse_unless_protected(passed, "fires")  # does not raise

    attackable = ruled.copy()
    city = attackable["district_code"].isna() & (attackable["indicator_id"] == RATES[0])
    attackable.loc[city, "value"] = round_significant(
        np.array([1000 * sum(FIRES.values()) / sum(RESIDENTS.values())]), 3)[0]
    attackable.loc[city, "suppressed"] = False
    audit = audit_release({"district": table}, LEVELS, {}, {"district": attackable},
                          settings)
    [row] = audit.itertuples(index=False)  # the city is published now: A alone is audited
    assert row.district_code == "A" and row.width < 2 and not row.protected
    assert row.lower <= 3 <= row.upper
    with pytest.raises(DisclosureRefused, match="fire_per_1000_residents, fire_per_km2 in A, "
                                                "2025") as refused:
        refuse_unless_protected(audit, "fires")
    assert " 3 " not in str(refused.value)  # the message names cells, never counts


POINTS = {"A": 3, "B": 40, "C": 55}  # geotagged points counted in 2025; A's 3 are small
POINTS_PER_KM2 = Definition.model_validate({
    "id": "points_per_km2", "names": {"en": "Points per km²", "ar": "نقاط لكل كم²"},
    "formula": {"kind": "rate", "counts": {"variable": "points", "where": {"kind": "post"}},
                "per": "km2"}})


def test_a_city_rate_of_counted_points_per_km2_beside_a_withheld_district_is_refused():
    """A rate of counted points per km² publishes each count over a known area: the city's
    rate times the city's area, minus B's and C's counts, would be A's 3 points. The rule's
    release (the city withheld with A) passes; the city published anyway is refused."""
    settings = DisclosureSettings()
    spatial = _spatial()
    prepared = PreparedObservations(pd.DataFrame([
        {"district_code": d, "period": "2025", "variable": "points",
         "dims": canonical_dims({"kind": "post"}), "value": float(n), "unit": "count",
         "ingest_run": "p"} for d, n in POINTS.items()]))
    table = ruled_table([POINTS_PER_KM2], prepared, spatial, settings.min_count)
    cells = table.cells
    assert len(cells) == 4 and set(cells["family"]) == {COUNTED}  # A, B, C and the city
    assert cells.set_index(cells["district_code"].fillna("city"))["count"].to_dict() == {
        "A": 3.0, "B": 40.0, "C": 55.0, "city": 98.0}
    assert cells["primary"].tolist() == [True, False, False, False]

    rows = POINTS_PER_KM2.formula.evaluate(prepared, min_count=settings.min_count,
                                           spatial=spatial, indicator_id=POINTS_PER_KM2.id)
    ruled = rows.assign(indicator_id=POINTS_PER_KM2.id, value=round_significant(
        rows["value"].to_numpy(float), 3))
    assert ruled.set_index(ruled["district_code"].fillna("city"))["suppressed"].to_dict() == {
        "A": True, "B": False, "C": False, "city": True}
    passed = audit_release({"district": table}, LEVELS, {}, {"district": ruled}, settings)
    assert len(passed) == 2 and passed["protected"].all()  # A and the city

    attackable = ruled.copy()
    city = attackable["district_code"].isna().to_numpy()
    attackable.loc[city, "value"] = round_significant(np.array([98 / 7.5]), 3)[0]  # 7.5 km²
    attackable.loc[city, "suppressed"] = False
    audit = audit_release({"district": table}, LEVELS, {}, {"district": attackable}, settings)
    [row] = audit.itertuples(index=False)
    assert row.district_code == "A" and not row.protected and row.lower <= 3 <= row.upper
    with pytest.raises(DisclosureRefused, match="points_per_km2 in A, 2025"):
        refuse_unless_protected(audit, "points")


def _phones(small: float) -> PreparedObservations:
    """Census 2025 by citizenship and two months of home-location subscribers; A's Syrians in
    February hold ``small`` (stored under a lower threshold at ingest)."""
    rows = []
    for d, n in RESIDENTS.items():
        for g, share in (("national", 0.8), ("syrian", 0.2)):
            rows.append({"district_code": d, "period": "2025", "variable": "population",
                         "dims": canonical_dims({"citizenship": g}), "value": float(share * n),
                         "unit": "persons", "ingest_run": "c"})
            for m in (1, 2):
                value = small if (d, m, g) == ("A", 2, "syrian") else share * n / 4 + m
                rows.append({"district_code": d, "period": f"2025-{m:02d}",
                             "variable": "mobile_home_subscribers",
                             "dims": canonical_dims({"citizenship": g}), "value": float(value),
                             "unit": "subscribers", "ingest_run": "t"})
    return PreparedObservations(pd.DataFrame(rows))


def test_a_sum_over_groups_published_with_a_group_withheld_is_refused():
    """A's estimated residents minus its nationals' estimate, over the Syrians' ratio, would be
    its 9 Syrian subscribers of February: the rule withholds the sum with the group; a release
    that publishes it anyway is refused."""
    settings = DisclosureSettings()
    prepared = _phones(9.0)
    idents = ["phone_estimated_residents", "phone_estimated_residents_by_group"]
    definitions = [load_definitions()[i] for i in idents]
    table = ruled_table(definitions, prepared, None, settings.min_count)
    cells = table.cells
    assert set(cells["family"]) == {PHONES}
    syrian_a = cells[(cells["district_code"] == "A") & (cells["period"] == "2025-02")
                     & cells["signature"].map(lambda s: '"syrian"' in s[0])]
    assert syrian_a["count"].tolist() == [9.0] and syrian_a["primary"].tolist() == [True]

    frames = [load_definitions()[i].formula.evaluate(prepared, min_count=15, indicator_id=i)
              for i in idents]
    ruled = pd.concat(frames, ignore_index=True)
    ruled["value"] = round_significant(ruled["value"].to_numpy(float), 3)
    passed = audit_release({"district": table}, LEVELS, {}, {"district": ruled}, settings)
    assert passed["primary"].sum() == 1 and passed["protected"].all()

    total = (ruled["indicator_id"] == "phone_estimated_residents") & (
        ruled["district_code"] == "A") & (ruled["period"] == "2025-02")
    assert ruled.loc[total, "suppressed"].all()  # the rule
    result = load_definitions()[idents[0]].formula.calibrated(prepared, 15)
    assert result is not None
    ratios = result[2].ratios.set_index("group")["ratio"]
    attackable = ruled.copy()
    attackable.loc[total, "value"] = round_significant(np.array(
        [ratios["national"] * (0.8 * 810 / 4 + 2) + ratios["syrian"] * 9.0]), 3)[0]
    attackable.loc[total, "suppressed"] = False
    audit = audit_release({"district": table}, LEVELS, {}, {"district": attackable},
                          settings)
    failing = audit[~audit["protected"]]
    assert len(failing) == 1 and failing["district_code"].tolist() == ["A"]
    with pytest.raises(DisclosureRefused,
                       match=r"phone_estimated_residents_by_group\.syrian in A, 2025-02"):
        refuse_unless_protected(audit, "phones")


def _level(codes: dict[str, tuple[float, float]], residents: dict[str, int]
           ) -> tuple[SpatialContext, PreparedObservations]:
    """The fires on districts spanning ``codes``' longitudes, with their residents."""
    fires = _spatial()
    districts = gpd.GeoDataFrame(
        {"code": list(codes), "area_m2": [1.0e6 * (b - a) * 100 for a, b in codes.values()]},
        geometry=[shapely.box(a, 37.00, b, 37.01) for a, b in codes.values()], crs="EPSG:4326")
    census = pd.DataFrame([{"district_code": d, "period": "2025",
                            "variable": "population_total", "dims": canonical_dims({}),
                            "value": float(n), "unit": "persons", "ingest_run": "c"}
                           for d, n in residents.items()])
    return (SpatialContext(districts=districts, local_crs="EPSG:32637", events=fires.events),
            PreparedObservations(census))


def test_a_withheld_child_area_is_not_its_parent_minus_its_siblings():
    """Planning areas A and B make district P: P's published rate minus B's would give A's 3
    fires. The rule across levels withholds B with A, which the audit passes; the release
    without it is refused, A named as the joint table names it."""
    from indicators.disclosure.hierarchy import withhold_across_levels

    settings = DisclosureSettings()
    levels = [Level("district"), Level("area", parent="district")]
    parents = {"area": {"A": "P", "B": "P", "C1": "C"}}
    inputs = {"district": _level({"P": (36.50, 36.52), "C": (36.52, 36.53)},
                                 {"P": 1930, "C": 800}),
              "area": _level({"A": (36.50, 36.51), "B": (36.51, 36.52), "C1": (36.52, 36.53)},
                             {"A": 810, "B": 1120, "C1": 800})}
    definitions = [load_definitions()[i] for i in RATES]
    tables = {name: ruled_table(definitions, prepared, spatial, settings.min_count)
              for name, (spatial, prepared) in inputs.items()}
    released = {name: _released(spatial, prepared)
                for name, (spatial, prepared) in inputs.items()}
    # the district level publishes P (43 fires) and C; the area level withholds A only
    assert not released["district"]["suppressed"].any()
    assert released["area"].groupby("district_code")["suppressed"].all().to_dict() == {
        "A": True, "B": False, "C1": False}

    audit = audit_release(tables, levels, parents, released, settings)
    failing = audit[~audit["protected"]]
    assert failing["district_code"].tolist() == ["area/A"]
    with pytest.raises(DisclosureRefused, match="fire_per_1000_residents, fire_per_km2 in "
                                                "area/A, 2025"):
        refuse_unless_protected(audit, "levels")

    protected = withhold_across_levels(released, levels, parents, lambda i: i in RATES)
    audit = audit_release(tables, levels, parents, protected, settings)
    assert audit["protected"].all() and "area/A" in set(audit["district_code"])
