"""Per-district diversity and location quotients: hand-computed cases and Sacramento vs PySAL."""

import math

import numpy as np
import pytest

from indicators.measures import diversity

# District 0 mixes two groups, district 1 has one group, district 2 is empty.
COUNTS = np.array([[5.0, 5.0, 0.0], [0.0, 0.0, 10.0], [0.0, 0.0, 0.0]])


def test_shannon_diversity_by_hand():
    raw = diversity.shannon_diversity(COUNTS)
    np.testing.assert_allclose(raw, [math.log(2), 0.0, np.nan], atol=1e-12)
    normalised = diversity.shannon_diversity(COUNTS, normalised=True)
    np.testing.assert_allclose(normalised, [math.log(2) / math.log(3), 0.0, np.nan], atol=1e-12)


def test_shannon_diversity_reaches_one_when_groups_are_equal():
    assert diversity.shannon_diversity([[7, 7, 7, 7]], normalised=True)[0] == pytest.approx(1.0)


def test_simpson_diversity_by_hand():
    np.testing.assert_allclose(diversity.simpson_diversity(COUNTS), [0.5, 0.0, np.nan], atol=1e-12)


def test_location_quotients_by_hand():
    # City shares (0.25, 0.25, 0.5): district 0 holds groups 0 and 1 at twice their city share.
    expected = [[2.0, 2.0, 0.0], [0.0, 0.0, 2.0], [np.nan, np.nan, np.nan]]
    np.testing.assert_allclose(diversity.location_quotients(COUNTS), expected, atol=1e-12)


def test_a_single_group_is_refused():
    with pytest.raises(ValueError, match="at least two group columns"):
        diversity.shannon_diversity([[1], [2]])


GROUPS = ["WHITE_", "BLACK_", "ASIAN_", "HISP_"]


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("ours", "oracle_class"),
    [
        (diversity.shannon_diversity, "MultiLocalDiversity"),
        (lambda c: diversity.shannon_diversity(c, normalised=True), "MultiLocalEntropy"),
        (diversity.simpson_diversity, "MultiLocalSimpsonInteraction"),
        (diversity.location_quotients, "MultiLocationQuotient"),
    ],
)
def test_sacramento_district_measures_equal_pysal(pysal_data, ours, oracle_class):
    import geopandas as gpd

    local = pytest.importorskip("segregation.local")
    tracts = gpd.read_file(pysal_data / "sacramento1.geojson")
    oracle = np.asarray(getattr(local, oracle_class)(tracts, GROUPS).statistics, dtype=float)
    np.testing.assert_allclose(ours(tracts[GROUPS]).reshape(oracle.shape), oracle, atol=1e-9)
