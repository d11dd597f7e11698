"""Segregation indices: hand-computed cases, and Sacramento golden values from PySAL."""

import math

import numpy as np
import pytest

from indicators.measures import segregation as seg

GROUPS = ["WHITE_", "BLACK_", "ASIAN_", "HISP_"]


# Two equal districts, group 2 of 10 in one and 6 of 10 in the other: P = 0.4, T = 20.
X, T = np.array([2.0, 6.0]), np.array([10.0, 10.0])


def _h(p: float) -> float:
    return -(p * math.log(p) + (1 - p) * math.log(1 - p))


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (seg.dissimilarity, 0.5 * (abs(2 / 8 - 8 / 12) + abs(6 / 8 - 4 / 12))),  # 5/12
        (seg.gini, 2 * 10 * 10 * 0.4 / (2 * 20**2 * 0.4 * 0.6)),  # 5/12
        (seg.isolation, 2 / 8 * 0.2 + 6 / 8 * 0.6),  # 0.5
        (seg.interaction, 2 / 8 * 0.8 + 6 / 8 * 0.4),  # 0.5
        (seg.theil_entropy, (10 * (_h(0.4) - _h(0.2)) + 10 * (_h(0.4) - _h(0.6))) / (_h(0.4) * 20)),
        (
            seg.atkinson,
            1 - 0.4 / 0.6 * ((10 * math.sqrt(0.8 * 0.2) + 10 * math.sqrt(0.4 * 0.6)) / 8) ** 2,
        ),
    ],
)
def test_single_group_measures_on_a_hand_computed_pair(measure, expected):
    assert measure(X, T) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (seg.dissimilarity, 1.0),
        (seg.gini, 1.0),
        (seg.isolation, 1.0),
        (seg.interaction, 0.0),
        (seg.theil_entropy, 1.0),
        (seg.atkinson, 1.0),
    ],
)
def test_single_group_measures_at_complete_segregation(measure, expected):
    assert measure([10, 0, 0], [10, 10, 0]) == pytest.approx(expected, abs=1e-12)


def test_gini_equals_the_pairwise_definition_on_unequal_districts():
    rng = np.random.default_rng(7)
    t = rng.integers(50, 500, 40).astype(float)
    x = np.floor(t * rng.uniform(0, 1, 40))
    p, total, share = x / t, t.sum(), x.sum() / t.sum()
    pairwise = (np.outer(t, t) * np.abs(p[:, None] - p[None, :])).sum()
    assert seg.gini(x, t) == pytest.approx(
        pairwise / (2 * total**2 * share * (1 - share)), abs=1e-12
    )


def test_bad_counts_name_the_row():
    with pytest.raises(ValueError, match="row 1: group count 12 exceeds total 10"):
        seg.dissimilarity([1, 12], [10, 10])
    with pytest.raises(ValueError, match="row 0 holds nan"):
        seg.isolation([np.nan, 1], [10, 10])
    with pytest.raises(ValueError, match="0 ≤ b < 1"):
        seg.atkinson(X, T, b=1.0)
    with pytest.raises(ValueError, match="row 1, column 0 holds -1"):
        seg.multigroup_dissimilarity([[1, 2], [-1, 3]])


# Three groups; city shares P = (0.25, 0.5, 0.25).
COUNTS = np.array([[5.0, 5.0, 0.0], [0.0, 5.0, 5.0]])


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (seg.multigroup_dissimilarity, (10 * 0.5 + 10 * 0.5) / (2 * 20 * 0.625)),  # 0.4
        (seg.multigroup_theil, (10 * 0.5 * math.log(2) * 2) / (20 * 1.5 * math.log(2))),  # 1/3
        (seg.multigroup_diversity, 1.5 * math.log(2)),
        (lambda c: seg.multigroup_diversity(c, normalised=True), 1.5 * math.log(2) / math.log(3)),
        (seg.simpsons_concentration, 0.375),
        (seg.simpsons_interaction, 0.625),
    ],
)
def test_multigroup_measures_on_a_hand_computed_table(measure, expected):
    assert measure(COUNTS) == pytest.approx(expected, abs=1e-12)


def test_multigroup_segregation_is_one_when_groups_never_share_a_district():
    apart = [[10, 0], [0, 30]]
    assert seg.multigroup_dissimilarity(apart) == pytest.approx(1.0, abs=1e-12)
    assert seg.multigroup_theil(apart) == pytest.approx(1.0, abs=1e-12)


@pytest.fixture(scope="module")
def sacramento(pysal_data):
    import geopandas as gpd

    return gpd.read_file(pysal_data / "sacramento1.geojson")


# Published values with 17 significant digits (PySAL's own test suite), compared to 1e-9.
SINGLE_GROUP_GOLDEN = {
    "dissimilarity": 0.32184656076566864,
    "gini": 0.43506510676886234,
    "isolation": 0.2319615486459151,
    "interaction": 0.7680384513540848,
    "theil_entropy": 0.09626774479970557,
    "atkinson": 0.15079259382667654,
}


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(SINGLE_GROUP_GOLDEN))
def test_sacramento_single_group_golden(sacramento, name):
    value = getattr(seg, name)(sacramento["HISP_"], sacramento["TOT_POP"])
    assert value == pytest.approx(SINGLE_GROUP_GOLDEN[name], abs=1e-9)


@pytest.mark.realdata
def test_sacramento_multigroup_dissimilarity_golden(sacramento):
    value = seg.multigroup_dissimilarity(sacramento[GROUPS])
    assert value == pytest.approx(0.41340872573177806, abs=1e-9)


# Published with 8 digits only: compare to PySAL computed here to 1e-9, to the README to 1e-7.
@pytest.mark.realdata
@pytest.mark.parametrize(
    ("name", "oracle_class", "kwargs", "published"),
    [
        ("multigroup_theil", "MultiInfoTheory", {}, 0.17101603),
        ("multigroup_diversity", "MultiDiversity", {}, 0.97331122),
        ("multigroup_diversity", "MultiDiversity", {"normalized": True}, 0.70209564),
        ("simpsons_concentration", "SimpsonsConcentration", {}, 0.49182413),
        ("simpsons_interaction", "SimpsonsInteraction", {}, 0.50817587),
    ],
)
def test_sacramento_multigroup_against_pysal(sacramento, name, oracle_class, kwargs, published):
    multigroup = pytest.importorskip("segregation.multigroup")
    oracle = getattr(multigroup, oracle_class)(sacramento, GROUPS, **kwargs).statistic
    ours = getattr(seg, name)(sacramento[GROUPS], **({"normalised": True} if kwargs else {}))
    assert ours == pytest.approx(oracle, abs=1e-9)
    assert ours == pytest.approx(published, abs=1e-7)
