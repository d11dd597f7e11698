"""The benchmarks at a tiny size, so their code cannot rot. No timing is asserted: only that
they run end to end, write their tables, and that what they compare is computed correctly."""

from __future__ import annotations

import json

import pytest

from bench.indicators.benchmark import IndicatorCase
from bench.indicators.benchmark import run_benchmark as run_indicators
from bench.indicators.parts import PartsCase
from bench.indicators.parts import run_benchmark as run_parts
from bench.indicators.synthetic import observation_plan, synthetic_observations
from bench.kde.benchmark import run_benchmark as run_kde
from bench.kde.case import KdeCase
from indicators.definitions import DiversityFormula, Framework, TermsFormula, load_frameworks

pytestmark = pytest.mark.slow


def test_kde_bench_runs_and_every_contender_matches_the_exact_kde(tmp_path):
    case = KdeCase("tiny", n_points=5_000, grid_cells=64, extent_m=20_000.0, bandwidth_m=800.0,
                   error_cells=40, scipy_cells=60, repeats=1)
    payload = run_kde(case, out_dir=tmp_path, name="kde-tiny")
    errors = {k: r["max_abs_error_over_peak"] for k, r in payload["results"].items()}
    # gaussian_kde is exact up to round-off, so it checks the exact reference and the
    # isotropic kernel; the grid methods bin on a coarse grid here (2.5 cells a bandwidth), so
    # they stay within a few per cent; a flipped or transposed grid would be off by ~100 %.
    assert errors["gaussian_kde"] < 1e-9
    assert errors["kde_grid"] < 0.03 and errors["FFTKDE"] < 0.1
    assert payload["results"]["gaussian_kde"]["extrapolation_factor"] == 64 * 64 / 60
    table = (tmp_path / "kde-tiny.md").read_text(encoding="utf-8")
    assert "`maps.heat.kde_grid`" in table and "extrapolated" in table
    assert json.loads((tmp_path / "kde-tiny.json").read_text())["case"]["label"] == "tiny"


def test_indicator_bench_runs_and_the_sql_peer_agrees_with_the_engine(tmp_path):
    case = IndicatorCase("tiny", (20, 40), periods=2, store_districts=30, best_of_up_to=40,
                         repeats=1, target_districts=40)
    payload = run_indicators(case, out_dir=tmp_path, name="indicators-tiny")
    assert [r["districts"] for r in payload["scaling"]] == [20, 40]
    assert all(r["indicator_rows"] > 0 for r in payload["scaling"])
    assert payload["store"]["indicator_rows_written"] > 0
    for agreement in payload["store"]["agreement"].values():
        assert agreement["rows_engine"] == 30 * 2 + 2  # districts and the city, per period
        assert agreement["unmatched_rows"] == 0 and agreement["suppressed_mismatches"] == 0
        assert agreement["max_abs_value_difference"] < 1e-12
    table = (tmp_path / "indicators-tiny.md").read_text(encoding="utf-8")
    assert "all frameworks for 40 districts × 2 periods" in table


def test_synthetic_observations_follow_the_definitions():
    framework = Framework.model_validate({
        "framework": "probe", "names": {"en": "Probe"},
        "indicators": [
            {"id": "water", "names": {"en": "w"}, "formula": {
                "terms": {"served": {"variable": "households", "where": {"water": "improved"}},
                          "all": {"variable": "households", "where": {"sanitation": {"not": []}}}},
                "expression": "served / all"}},
            {"id": "gap", "names": {"en": "g"}, "formula": {
                "terms": {"u": {"variable": "labour_force",
                                "where": {"status": "unemployed", "sex": ["female"]}},
                          "l": {"variable": "labour_force"}},
                "expression": "u / l"}},
            {"id": "lq", "names": {"en": "q"}, "formula": {
                "kind": "diversity", "measure": "location_quotient", "variable": "population",
                "dimension": "citizenship", "group": "syrian"}},
        ]})
    plan = observation_plan([framework])
    # Dimensions filtered together share a table; the others get tables of their own.
    assert plan["households"] == [{"sanitation": ["sanitation_1", "sanitation_2", "sanitation_3"]},
                                  {"water": ["improved", "water_1", "water_2"]}]
    assert plan["labour_force"] == [{"sex": ["female", "sex_1", "sex_2"],
                                     "status": ["unemployed", "status_1", "status_2"]}]
    assert "syrian" in plan["population"][0]["citizenship"]
    observations = synthetic_observations(plan, n_districts=4, n_periods=3)
    assert len(observations) == 4 * 3 * (3 + 3 + 9 + 3)
    assert not observations.duplicated(["district_code", "period", "variable", "dims"]).any()


def test_the_plan_covers_every_variable_of_the_shipped_frameworks():
    frameworks = load_frameworks().values()
    plan = observation_plan(frameworks)
    for framework in frameworks:
        for definition in framework.indicators:
            formula = definition.formula
            if isinstance(formula, TermsFormula):
                wanted = {(t.variable, dim) for t in formula.terms.values() for dim in t.where}
            elif isinstance(formula, DiversityFormula):
                wanted = {(formula.variable, formula.dimension)}
            else:
                continue  # needs more than observations: see synthetic.unmodelled
            for variable, dim in wanted:
                assert any(dim in table for table in plan[variable]), (definition.id, dim)


def test_ingest_bench_runs_and_every_path_gives_the_same_counts(tmp_path):
    from bench.ingest.benchmark import run_benchmark as run_ingest
    from bench.ingest.case import IngestCase

    # Enough points that most district-month cells pass redaction (> 15) even in the
    # geopandas half: empty results would agree vacuously.
    case = IngestCase("tiny", n_rows=100_000, geopandas_rows=50_000, postgis_rows=5_000,
                      repeats=1)
    payload = run_ingest(case, out_dir=tmp_path, name="ingest-tiny")
    assert payload["agree"] == {"project_vs_hand_sql": True,
                                "geopandas_vs_hand_sql_on_its_rows": True}
    assert payload["published_cells"] > 0
    postgis = payload["results"]["postgis"]  # the test command installs PostgreSQL
    assert postgis["rows_loaded"] == {"store": 5_000, "copy": 5_000, "keyed_copy": 5_000}
    table = (tmp_path / "ingest-tiny.md").read_text(encoding="utf-8")
    assert "PostGIS load ≥ 0.7× raw COPY" in table and "extrapolated ×2" in table


def test_indicator_parts_bench_runs_and_makes_every_row_of_the_whole_frame(tmp_path):
    case = PartsCase("tiny", (30, 60), periods=2, chunk=25, workers=2, whole_frame_up_to=60,
                     target_districts=60)
    payload = run_parts(case, out_dir=tmp_path, name="indicators-parts-tiny")
    for row in payload["rows"]:
        # the engine in parts writes as many values as the whole frame makes in one process
        assert row["indicator_rows"] == row["whole_frame"]["indicator_rows"] > 0
        assert len(row["worker_peaks_mb"]) <= 2 and row["workers_cpu_seconds"] > 0
    parts = [t for t in payload["rows"][1]["tasks"] if "cpi" in t["frameworks"]]
    assert sorted(t["districts"] for t in parts) == [10, 25, 25]
    table = (tmp_path / "indicators-parts-tiny.md").read_text(encoding="utf-8")
    assert "60 districts × 2 periods in ≤ 60 s" in table and "30 → 60 districts" in table
