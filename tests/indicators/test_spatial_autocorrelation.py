"""Moran's I, local Moran, Gi* and map categories: hand-computed cases and St. Louis vs esda."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from shapely.geometry import box

from indicators.measures.autocorrelation import (
    getis_ord_gi_star,
    hotspot_categories,
    local_moran,
    morans_i,
)
from indicators.measures.weights import queen_contiguity, read_gal

# Four districts in a row, binary contiguity: 0 – 1 – 2 – 3, y rising along the row.
LINE = sparse.csr_array(
    np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=float)
)
RISING = np.array([1.0, 2.0, 3.0, 4.0])


def test_global_moran_by_hand():
    # z = (−1.5, −0.5, 0.5, 1.5), row-standardised lag = (−0.5, −0.5, 0.5, 0.5), Σz² = 5, S0 = 4.
    result = morans_i(RISING, LINE, permutations=0)
    assert result.I == pytest.approx(2 / 5, abs=1e-12)
    assert result.expected_I == pytest.approx(-1 / 3, abs=1e-12)
    assert math.isnan(result.p_sim)


def test_local_moran_by_hand():
    # z/σ with σ² = 5/4; I_i = (n − 1) z_i lag_i / Σz² with Σ(z/σ)² = n = 4.
    result = local_moran(RISING, LINE, permutations=0)
    np.testing.assert_allclose(result.Is, [0.45, 0.15, 0.15, 0.45], atol=1e-12)
    np.testing.assert_array_equal(result.quadrants, [3, 3, 1, 1])


def test_gi_star_by_hand():
    # w* rows (½,½,0,0), (⅓,⅓,⅓,0), …; G = (1.5, 2, 3, 3.5)/10, E = ¼, V = 3/3/16 · 1.25/6.25.
    result = getis_ord_gi_star(RISING, LINE, permutations=0)
    np.testing.assert_allclose(result.Gs, [0.15, 0.2, 0.3, 0.35], atol=1e-12)
    np.testing.assert_allclose(
        result.z, (np.array([0.15, 0.2, 0.3, 0.35]) - 0.25) / math.sqrt(0.0125), atol=1e-12
    )


def halves_on_a_grid(size: int = 8):
    """A size × size grid of squares; the left half low, the right half high."""
    cells = [box(c, r, c + 1, r + 1) for r in range(size) for c in range(size)]
    y = np.array([float(c >= size // 2) + 0.01 * r for r in range(size) for c in range(size)])
    return queen_contiguity(cells).matrix, y


def test_a_clustered_pattern_is_significant_and_seeded_runs_repeat():
    w, y = halves_on_a_grid()
    first = morans_i(y, w, permutations=199, seed=3)
    assert first.I > 0.5
    assert first.p_sim == pytest.approx(1 / 200)
    assert first.p_norm < 1e-6
    again = local_moran(y, w, permutations=199, seed=3)
    np.testing.assert_array_equal(again.p_sim, local_moran(y, w, permutations=199, seed=3).p_sim)
    gi = getis_ord_gi_star(y, w, permutations=199, seed=3)
    labels = hotspot_categories(gi, alpha=0.05)
    right_half_inner = [r * 8 + c for r in range(1, 7) for c in range(5, 7)]
    left_half_inner = [r * 8 + c for r in range(1, 7) for c in range(1, 3)]
    assert set(labels[right_half_inner]) == {"hot spot"}
    assert set(labels[left_half_inner]) == {"cold spot"}


def test_lisa_categories():
    w, y = halves_on_a_grid()
    labels = hotspot_categories(local_moran(y, w, permutations=199, seed=5), alpha=0.05)
    assert labels[1 * 8 + 6] == "HH"
    assert labels[1 * 8 + 1] == "LL"
    assert set(labels) <= {"HH", "LL", "LH", "HL", "ns"}


def grid_and_island():
    cells = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)] + [box(9, 9, 10, 10)]
    return cells, np.array([1.0, 2.0, 4.0, 2.0, 3.0, 5.0, 4.0, 6.0, 9.0, 7.0])


def test_islands_get_no_local_statistic_and_do_not_break_the_global_one():
    libpysal = pytest.importorskip("libpysal")
    esda = pytest.importorskip("esda")
    import geopandas as gpd

    cells, y = grid_and_island()
    w = queen_contiguity(cells).matrix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about the island, as it should
        oracle_w = libpysal.weights.Queen.from_dataframe(
            gpd.GeoDataFrame(geometry=cells), use_index=False
        )
        oracle = esda.Moran(y, oracle_w, permutations=0)
        oracle_local = esda.Moran_Local(y, oracle_w, permutations=0)
    result = morans_i(y, w, permutations=99, seed=1)
    assert result.I == pytest.approx(oracle.I, abs=1e-12)
    assert result.z_norm == pytest.approx(oracle.z_norm, abs=1e-12)
    local = local_moran(y, w, permutations=99, seed=1)
    gi = getis_ord_gi_star(y, w, permutations=99, seed=1)
    assert np.isnan(local.Is[9]) and np.isnan(local.p_sim[9]) and local.quadrants[9] == 0
    assert np.isnan(gi.z[9]) and np.isnan(gi.p_sim[9])
    np.testing.assert_allclose(local.Is[:9], oracle_local.Is[:9], atol=1e-12)
    assert np.isfinite(gi.z[:9]).all() and np.isfinite(local.p_sim[:9]).all()
    assert hotspot_categories(local)[9] == "no neighbours"
    assert hotspot_categories(gi)[9] == "no neighbours"


def _exact_folded_p(observed: float, outcomes: list[float]) -> float:
    """The pseudo p-value that infinitely many permutations converge to."""
    at_least = np.mean(np.array(outcomes) >= observed - 1e-12)
    return min(at_least, 1 - at_least)


def test_conditional_permutation_p_values_converge_to_exact_enumeration():
    # Five districts in a row; every set of neighbour values drawn from the other four districts
    # is equally likely under conditional randomisation, so the null is enumerable.
    from itertools import combinations

    y = np.array([1.0, 5.0, 2.0, 8.0, 3.0])
    n = y.size
    w = sparse.csr_array(np.eye(n, k=1) + np.eye(n, k=-1))
    lisa = local_moran(y, w, permutations=20_000, seed=11)
    gi = getis_ord_gi_star(y, w, permutations=20_000, seed=11)
    z = (y - y.mean()) / y.std()
    for i in range(n):
        k = 1 if i in (0, n - 1) else 2
        others = np.delete(np.arange(n), i)
        draws = [list(c) for c in combinations(others, k)]
        local_null = [(n - 1) * z[i] * z[c].mean() / (z * z).sum() for c in draws]
        gi_null = [(y[i] + y[c].sum()) / (k + 1) / y.sum() for c in draws]
        assert lisa.p_sim[i] == pytest.approx(_exact_folded_p(lisa.Is[i], local_null), abs=0.01)
        assert gi.p_sim[i] == pytest.approx(_exact_folded_p(gi.Gs[i], gi_null), abs=0.01)


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="y has 3 districts but the weights are 4 × 4"):
        morans_i([1, 2, 3], LINE)
    with pytest.raises(ValueError, match="y: row 2 is nan"):
        local_moran([1, 2, np.nan, 4], LINE)
    with pytest.raises(ValueError, match="constant"):
        morans_i([2, 2, 2, 2], LINE)
    with pytest.raises(ValueError, match="row 1 is negative"):
        getis_ord_gi_star([1, -2, 3, 4], LINE)


@pytest.fixture(scope="module")
def st_louis(pysal_data):
    """HR8893 homicide rates and the stl.gal weights, in the file's district order."""
    rates = pd.read_csv(pysal_data / "stl" / "stl_hom.txt", skiprows=1)["HR8893"].to_numpy()
    return rates, read_gal(pysal_data / "stl" / "stl.gal").matrix


def _esda_weights(pysal_data):
    import libpysal

    return libpysal.io.open(str(pysal_data / "stl" / "stl.gal")).read()


@pytest.mark.realdata
def test_st_louis_global_moran_golden(st_louis, pysal_data):
    esda = pytest.importorskip("esda")
    y, w = st_louis
    result = morans_i(y, w, permutations=999, seed=2026)
    assert result.I == pytest.approx(0.24365582621771659, abs=1e-9)
    assert result.expected_I == pytest.approx(-1 / 77, abs=1e-12)
    assert result.expected_I == pytest.approx(-0.012987, abs=1e-6)
    oracle = esda.Moran(y, _esda_weights(pysal_data), permutations=999)
    assert result.z_norm == pytest.approx(oracle.z_norm, abs=1e-9)
    assert result.p_norm == pytest.approx(oracle.p_norm, abs=1e-9)
    assert result.p_sim < 0.01 and oracle.p_sim < 0.01


@pytest.mark.realdata
def test_st_louis_local_moran_equals_esda(st_louis, pysal_data):
    esda = pytest.importorskip("esda")
    y, w = st_louis
    ours = local_moran(y, w, permutations=99, seed=2026)
    oracle = esda.Moran_Local(y, _esda_weights(pysal_data), permutations=0)
    np.testing.assert_allclose(ours.Is, oracle.Is, atol=1e-9)
    np.testing.assert_array_equal(ours.quadrants, oracle.q)


@pytest.mark.realdata
def test_st_louis_gi_star_equals_esda(st_louis, pysal_data):
    esda = pytest.importorskip("esda")
    y, w = st_louis
    ours = getis_ord_gi_star(y, w, permutations=99, seed=2026)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda notes it assumes a self-weight of 1
        oracle = esda.G_Local(y, _esda_weights(pysal_data), star=True, permutations=0)
    np.testing.assert_allclose(ours.Gs, oracle.Gs, atol=1e-12)
    np.testing.assert_allclose(ours.z, oracle.Zs, atol=1e-9)
    np.testing.assert_allclose(ours.p_norm, oracle.p_norm, atol=1e-9)
