"""The ``rate`` formula kind: events or counted points per 1,000 residents and per km², checked
against hand-derived values on four square districts of 1 km² each."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pydantic import ValidationError

from indicators.definitions import load_frameworks
from indicators.evaluate import PreparedObservations, SpatialContext, evaluate
from indicators.formulas.rates import RateFormula, place_points, utc_offset_from_longitude

CRS = "EPSG:32637"  # metres; the squares sit near Gaziantep (37° E)
X0, Y0 = 350_000.0, 4_100_000.0
CODES = ["A", "B", "C", "D"]  # A B on the bottom row, C D above, 1 km each
RESIDENTS = [
    {"variable": "population", "where": {"citizenship": {"not": []}}, "label": "census"},
    {"variable": "population", "where": {"source": "raster"}, "label": "population raster"},
]


def _districts() -> gpd.GeoDataFrame:
    squares = [shapely.box(X0 + i * 1000, Y0 + j * 1000, X0 + (i + 1) * 1000, Y0 + (j + 1) * 1000)
               for j in range(2) for i in range(2)]
    local = gpd.GeoDataFrame({"code": CODES, "name_en": CODES, "name_ar": CODES},
                             geometry=squares, crs=CRS)
    return local.assign(area_m2=local.area).to_crs(4326)


def _events(points: dict[str, list[tuple[float, str]]]) -> gpd.GeoDataFrame:
    """Events inside districts: code -> [(x offset in m within the square, UTC time)]."""
    rows, origin = [], {c: (X0 + (k % 2) * 1000, Y0 + (k // 2) * 1000) for k, c in
                        enumerate(CODES)}
    for code, items in points.items():
        for dx, when in items:
            rows.append((shapely.Point(origin[code][0] + dx, origin[code][1] + 500), when))
    frame = gpd.GeoDataFrame({"layer": "fire", "occurred_at": pd.to_datetime(
        [w for _, w in rows], utc=True)}, geometry=[p for p, _ in rows], crs=CRS)
    return frame.to_crs(4326)


def _observations(rows: list[tuple[str, str, dict, float]], variable="population"):
    return pd.DataFrame({
        "district_code": [r[0] for r in rows], "period": [r[1] for r in rows],
        "variable": [r[4] if len(r) > 4 else variable for r in rows],
        "dims": [json.dumps(r[2], sort_keys=True, separators=(",", ":")) for r in rows],
        "value": [float(r[3]) for r in rows], "unit": "persons", "ingest_run": "run1"})


def _spatial(events: gpd.GeoDataFrame) -> SpatialContext:
    return SpatialContext(districts=_districts(), local_crs=CRS,
                          events=lambda layer: events[events["layer"] == layer])


def _rate(per: str, **extra) -> RateFormula:
    config = {"kind": "rate", "per": per, "events": "fire", **extra}
    if per == "1000_residents":
        config.setdefault("residents", RESIDENTS)
    return RateFormula.model_validate(config)


def _by_code(values: pd.DataFrame) -> pd.DataFrame:
    return values.assign(district_code=values["district_code"].fillna("city")).set_index(
        ["period", "district_code"])


N = {"A": 20, "B": 40, "C": 16, "D": 2}  # fires in 2025; D's 2 are at or below the threshold


def _fires() -> gpd.GeoDataFrame:
    return _events({code: [(100 + 800 * k / n, "2025-06-01T12:00Z") for k in range(n)]
                    for code, n in N.items()})


def test_events_per_km2_and_per_1000_residents_match_the_hand_counts():
    census = _observations([(c, "2025", {"citizenship": g}, v)
                            for c in CODES for g, v in (("national", 3000), ("syrian", 1000))])
    prepared = PreparedObservations(census)
    spatial = _spatial(_fires())
    per_km2 = _by_code(_rate("km2").evaluate(prepared, min_count=10, spatial=spatial,
                                             indicator_id="fire_per_km2"))
    assert per_km2.loc[("2025", "A"), "value"] == pytest.approx(20.0)
    assert per_km2.loc[("2025", "B"), "value"] == pytest.approx(40.0)
    assert per_km2.loc[("2025", "D"), "suppressed"] and np.isnan(per_km2.loc[("2025", "D"),
                                                                             "value"])
    # D is suppressed, so the city total (which would give D away) is withheld too.
    assert per_km2.loc[("2025", "city"), "suppressed"]
    per_1000 = _by_code(_rate("1000_residents").evaluate(
        prepared, min_count=1, spatial=spatial, indicator_id="fire_per_1000_residents"))
    assert per_1000.loc[("2025", "A"), "value"] == pytest.approx(20 * 1000 / 4000)
    assert per_1000.loc[("2025", "D"), "value"] == pytest.approx(2 * 1000 / 4000)
    assert per_1000.loc[("2025", "city"), "value"] == pytest.approx(78 * 1000 / 16000)
    assert (per_1000["estimate"] == "").all()
    assert set(per_1000["runs"]) == {"run1"}


def test_a_district_without_events_is_a_small_count_and_events_bucket_by_local_year():
    # 23:30 UTC on 31 December is already the new year at UTC+2 (37° E / 15, rounded).
    events = _events({"A": [(500, "2024-12-31T23:30Z")] * 12, "B": [(500, "2025-03-01T10:00Z")]})
    assert utc_offset_from_longitude(_districts()) == 2.0
    prepared = PreparedObservations(_observations([(c, "2025", {"citizenship": "x"}, 100)
                                                   for c in CODES]))
    out = _by_code(_rate("km2").evaluate(prepared, min_count=5, spatial=_spatial(events),
                                         indicator_id="f"))
    assert set(out.index.get_level_values("period")) == {"2025"}
    assert out.loc[("2025", "A"), "value"] == pytest.approx(12.0)
    assert out.loc[("2025", "C"), "suppressed"]  # zero fires: not published as 0
    monthly = _rate("km2", period="month", utc_offset_hours=0).evaluate(
        prepared, min_count=0, spatial=_spatial(events), indicator_id="f")
    assert set(monthly["period"]) == {"2024-12", "2025-03"}


def test_the_raster_serves_where_the_census_is_missing_and_each_value_says_so():
    # A and B have a census of 2025; C only the raster of 2025; D a census of 2019 and the
    # raster of 2025 (the newer population wins); A's raster is ignored (the census comes first).
    rows = [("A", "2025", {"citizenship": "national"}, 4000),
            ("A", "2025", {"source": "raster"}, 9999),
            ("B", "2025", {"citizenship": "national"}, 5000),
            ("C", "2025", {"source": "raster"}, 3200),
            ("D", "2019", {"citizenship": "national"}, 1000),
            ("D", "2025", {"source": "raster"}, 1600)]
    prepared = PreparedObservations(_observations(rows))
    out = _by_code(_rate("1000_residents").evaluate(prepared, min_count=1,
                                                    spatial=_spatial(_fires()), indicator_id="f"))
    assert out.loc[("2025", "A"), "value"] == pytest.approx(20 * 1000 / 4000)
    assert out.loc[("2025", "C"), "value"] == pytest.approx(16 * 1000 / 3200)
    assert out.loc[("2025", "D"), "value"] == pytest.approx(2 * 1000 / 1600)
    assert out.loc[("2025", "A"), "estimate"] == ""
    assert out.loc[("2025", "C"), "estimate"] == "denominator: population raster 2025"
    assert out.loc[("2025", "city"), "value"] == pytest.approx(78 * 1000 / 13800)
    assert "population raster 2025" in out.loc[("2025", "city"), "estimate"]
    # With only an older census, it is carried forward and named with its year.
    older = PreparedObservations(_observations([(c, "2019", {"citizenship": "n"}, 2000)
                                                for c in CODES]))
    carried = _by_code(_rate("1000_residents").evaluate(older, min_count=1,
                                                        spatial=_spatial(_fires()),
                                                        indicator_id="f"))
    assert carried.loc[("2025", "B"), "value"] == pytest.approx(20.0)
    assert carried.loc[("2025", "B"), "estimate"] == "denominator: census 2019"


def test_counted_points_per_category_per_1000_residents():
    counts = [("A", "2025-03", {"category": "waste"}, 30, "service_requests"),
              ("A", "2025-03", {"category": "fire"}, 12, "service_requests"),
              ("B", "2025-03", {"category": "waste"}, 44, "service_requests")]
    census = [(c, "2025", {"citizenship": "national"}, 2000) for c in CODES]
    prepared = PreparedObservations(_observations(census + counts))
    formula = _rate("1000_residents", events=None,
                    counts={"variable": "service_requests"}, by="category")
    out = formula.evaluate(prepared, min_count=10, spatial=_spatial(_fires()), indicator_id="sr")
    assert set(out["indicator_id"]) == {"sr.fire", "sr.waste"}
    waste = _by_code(out[out["indicator_id"] == "sr.waste"])
    assert waste.loc[("2025-03", "A"), "value"] == pytest.approx(15.0)
    assert waste.loc[("2025-03", "B"), "value"] == pytest.approx(22.0)
    # No row (redacted at ingest, or none): withheld, never zero.
    assert waste.loc[("2025-03", "C"), "suppressed"]
    assert np.isnan(waste.loc[("2025-03", "C"), "value"])
    total = _rate("1000_residents", events=None, counts={"variable": "service_requests"})
    all_of_a = _by_code(total.evaluate(prepared, min_count=10, spatial=_spatial(_fires()),
                                       indicator_id="sr"))
    assert all_of_a.loc[("2025-03", "A"), "value"] == pytest.approx(42 * 1000 / 2000)


def test_a_border_point_counts_once_and_points_outside_are_left_out():
    districts = _districts()
    border = shapely.Point(X0 + 1000, Y0 + 500)  # between A and B
    outside = shapely.Point(X0 - 500, Y0 - 500)
    points = gpd.GeoDataFrame(geometry=[border, outside], crs=CRS).to_crs(4326)
    placed = place_points(points, districts)
    assert placed.iloc[0] in {"A", "B"} and pd.isna(placed.iloc[1])


def test_the_definitions_validate_and_a_bad_one_says_what_is_missing():
    incidents = load_frameworks()["incidents"]
    kinds = {d.id: d.formula for d in incidents.indicators}
    assert all(isinstance(f, RateFormula) for f in kinds.values())
    assert {"fire_per_1000_residents", "fire_per_km2", "carjacking_per_1000_residents",
            "service_requests_by_category_per_1000_residents"} <= kinds.keys()
    assert all(d.names.get("ar") and d.unit for d in incidents.indicators)
    with pytest.raises(ValidationError, match="needs `residents`"):
        RateFormula.model_validate({"kind": "rate", "events": "fire", "per": "1000_residents"})
    with pytest.raises(ValidationError, match="either"):
        RateFormula.model_validate({"kind": "rate", "per": "km2"})


def test_without_districts_there_are_no_values():
    prepared = PreparedObservations(_observations([("A", "2025", {"citizenship": "n"}, 10)]))
    definition = load_frameworks()["incidents"].indicators[0]
    assert evaluate(definition, prepared, 10, None).empty


def test_the_rates_of_one_layer_read_and_place_its_events_once_per_run():
    census = _observations([(c, "2025", {"citizenship": "syrian"}, 1000) for c in CODES])
    prepared, fires, reads = PreparedObservations(census), _fires(), []

    def events(layer: str) -> gpd.GeoDataFrame:
        reads.append(layer)
        return fires[fires["layer"] == layer]

    spatial = SpatialContext(districts=_districts(), local_crs=CRS, events=events)
    per_km2 = _rate("km2").evaluate(prepared, min_count=1, spatial=spatial, indicator_id="k")
    per_1000 = _rate("1000_residents").evaluate(prepared, min_count=1, spatial=spatial,
                                                indicator_id="r")
    assert reads == ["fire"]
    # The same counts under both: 20 fires in A's 1 km², 20 per 1,000 of its 1,000 residents.
    assert _by_code(per_km2).loc[("2025", "A"), "value"] == pytest.approx(20.0)
    assert _by_code(per_1000).loc[("2025", "A"), "value"] == pytest.approx(20.0)
    # A month's bucketing is another placement of the same events: read again, counted apart.
    monthly = _rate("km2", period="month").evaluate(prepared, min_count=1, spatial=spatial,
                                                    indicator_id="m")
    assert reads == ["fire", "fire"] and set(monthly["period"]) == {"2025-06"}
    # A new run (a new context) reads the layer afresh: nothing outlives the run.
    fresh = SpatialContext(districts=_districts(), local_crs=CRS, events=events)
    _rate("km2").evaluate(prepared, min_count=1, spatial=fresh, indicator_id="k")
    assert reads == ["fire", "fire", "fire"]
