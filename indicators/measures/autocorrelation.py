"""Spatial autocorrelation: global Moran's I, local Moran (LISA), Getis-Ord Gi* (methodology §4).

`w` is an n × n sparse weights matrix (see `indicators.measures.weights`), row i the neighbours
of the district in position i of `y`. Inference is by permutation with a seeded
`numpy.random.default_rng`; pseudo p-values are folded like esda's: with L the number of
permuted statistics ≥ the observed one, p = (min(L, P − L) + 1) / (P + 1).

Islands (districts with no neighbour) follow esda for the global statistic: they stay in n, in the
mean and in Σz², with a zero row in the weights, so S0 = Σ w_ij counts only linked districts.
Their local statistics are NaN and their category is "no neighbours", where esda would report a
spatial lag of 0 and so a spurious local value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse, stats

from indicators.measures.weights import neighbour_counts, row_standardise, without_self_weights

NO_NEIGHBOURS = "no neighbours"
QUADRANT_LABELS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


@dataclass(frozen=True)
class GlobalMoran:
    I: float  # the statistic's own name
    expected_I: float
    variance_norm: float
    z_norm: float
    p_norm: float  # two-sided, under normality
    p_sim: float  # folded permutation pseudo p-value; NaN without permutations


@dataclass(frozen=True)
class LocalMoran:
    Is: np.ndarray
    quadrants: np.ndarray  # 1 HH, 2 LH, 3 LL, 4 HL; 0 for islands
    p_sim: np.ndarray


@dataclass(frozen=True)
class LocalGetisOrd:
    Gs: np.ndarray
    z: np.ndarray
    p_norm: np.ndarray  # one-sided, of |z|, as esda
    p_sim: np.ndarray


def _values_and_weights(
    y: ArrayLike, w: sparse.sparray | sparse.spmatrix, standardise: bool
) -> tuple[np.ndarray, sparse.csr_array]:
    values = np.asarray(y, dtype=float).ravel()
    matrix = sparse.csr_array(w, dtype=float)
    if matrix.shape != (values.size, values.size):
        raise ValueError(
            f"y has {values.size} districts but the weights are {matrix.shape[0]} × "
            f"{matrix.shape[1]}; build the weights from the same districts, in the same order"
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(
            f"y: row {bad[0]} is {values[bad[0]]:g}; fill or drop missing values before "
            "computing spatial statistics, and build the weights on the same districts"
        )
    if np.ptp(values) == 0:
        raise ValueError("y is constant; spatial autocorrelation is undefined")
    return values, row_standardise(matrix) if standardise else matrix


def _folded_p(observed: np.ndarray, simulated: np.ndarray) -> np.ndarray:
    """Pseudo p-values; `simulated` has the permutations on its last axis."""
    permutations = simulated.shape[-1]
    larger = (simulated >= observed[..., None]).sum(axis=-1)
    return (np.minimum(larger, permutations - larger) + 1.0) / (permutations + 1.0)


def morans_i(
    y: ArrayLike,
    w: sparse.sparray | sparse.spmatrix,
    *,
    permutations: int = 999,
    seed: int | None = None,
    standardise: bool = True,
) -> GlobalMoran:
    """Global Moran's I = (n / S0) Σ_ij w_ij z_i z_j / Σ_i z_i², z = y − ȳ, S0 = Σ_ij w_ij,
    with E[I] = −1/(n − 1), the variance under normality
    V = (n² S1 − n S2 + 3 S0²) / ((n − 1)(n + 1) S0²) − E[I]², z = (I − E[I]) / √V, and a
    pseudo p-value from `permutations` random relabellings of y  (`esda.Moran`).

    `standardise` row-standardises w first (esda's default transformation "r").
    """
    values, matrix = _values_and_weights(y, w, standardise)
    n = values.size
    z = values - values.mean()
    s0 = matrix.sum()
    symmetric = matrix + matrix.T
    s1 = 0.5 * (symmetric.multiply(symmetric)).sum()
    s2 = ((matrix.sum(axis=0) + matrix.sum(axis=1)) ** 2).sum()

    def statistic(z_columns: np.ndarray) -> np.ndarray:
        return n / s0 * (z_columns * (matrix @ z_columns)).sum(axis=0) / (z * z).sum()

    moran = float(statistic(z[:, None])[0])
    expected = -1.0 / (n - 1)
    variance = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - expected**2
    z_norm = (moran - expected) / np.sqrt(variance)
    p_sim = np.nan
    if permutations:
        rng = np.random.default_rng(seed)
        shuffled = rng.permuted(np.tile(z[:, None], (1, permutations)), axis=0)
        p_sim = float(_folded_p(np.array(moran), statistic(shuffled)))
    return GlobalMoran(
        I=moran,
        expected_I=expected,
        variance_norm=float(variance),
        z_norm=float(z_norm),
        p_norm=float(2 * stats.norm.sf(abs(z_norm))),
        p_sim=p_sim,
    )


def _conditional_permutations(
    values: np.ndarray,
    matrix: sparse.csr_array,
    permutations: int,
    seed: int | None,
) -> np.ndarray:
    """Spatial lags Σ_j w_ij v_j of each district under conditional randomisation: v_i stays,
    the others are drawn without replacement from the remaining n − 1 values. Returns an
    n × permutations array (NaN rows for islands)."""
    n = values.size
    off_diagonal = without_self_weights(matrix)
    cardinalities = np.diff(off_diagonal.indptr)
    rng = np.random.default_rng(seed)
    # One set of draws from positions 0..n−2 serves every district, as in esda: district i maps
    # position j ≥ i to j + 1, which skips i itself.
    draws = rng.permuted(np.tile(np.arange(n - 1), (permutations, 1)), axis=1)[
        :, : max(int(cardinalities.max()), 1)
    ]
    lags = np.full((n, permutations), np.nan)
    for i in np.flatnonzero(cardinalities):
        start, end = off_diagonal.indptr[i], off_diagonal.indptr[i + 1]
        picks = draws[:, : end - start]
        lags[i] = values[picks + (picks >= i)] @ off_diagonal.data[start:end]
    return lags


def local_moran(
    y: ArrayLike,
    w: sparse.sparray | sparse.spmatrix,
    *,
    permutations: int = 999,
    seed: int | None = None,
    standardise: bool = True,
) -> LocalMoran:
    """Local Moran I_i = (n − 1) z_i Σ_j w_ij z_j / Σ_k z_k², z = (y − ȳ)/σ_y, with the Moran
    scatterplot quadrant of each district (1 HH: z > 0 and lag > 0, 2 LH, 3 LL, 4 HL; 0 is
    counted as low) and conditional-permutation pseudo p-values  (`esda.Moran_Local`)."""
    values, matrix = _values_and_weights(y, w, standardise)
    n = values.size
    z = (values - values.mean()) / values.std()
    scale = (n - 1) / (z * z).sum()
    lag = matrix @ z
    islands = neighbour_counts(matrix) == 0
    local = scale * z * lag
    high, high_lag = z > 0, lag > 0
    quadrants = np.select(
        [high & high_lag, ~high & high_lag, ~high & ~high_lag], [1, 2, 3], default=4
    )
    p_sim = np.full(n, np.nan)
    if permutations:
        simulated = scale * z[:, None] * _conditional_permutations(z, matrix, permutations, seed)
        p_sim = _folded_p(local, simulated)
    local[islands] = np.nan
    quadrants[islands] = 0
    p_sim[islands] = np.nan
    return LocalMoran(Is=local, quadrants=quadrants, p_sim=p_sim)


def getis_ord_gi_star(
    y: ArrayLike,
    w: sparse.sparray | sparse.spmatrix,
    *,
    permutations: int = 999,
    seed: int | None = None,
) -> LocalGetisOrd:
    """Getis-Ord Gi* = Σ_j w*_ij y_j / Σ_j y_j, where w* is w with each district made its own
    neighbour (self-weight = the row's largest link weight, 1 for binary contiguity, replacing
    any self-weight in w) and then row-standardised, so k_i = Σ_j w*_ij = 1. Under normality E[Gi*] = k_i / n and
    V[Gi*] = k_i (n − k_i) / (n − 1) / n² · s² / ȳ² (s² the population variance of y), giving
    z = (Gi* − E) / √V; pseudo p-values by conditional permutation
    (`esda.G_Local(star=True)`, transform "R"). Positive z marks a hot spot.

    y must be non-negative (counts or rates): the statistic is a share of the city's total.
    """
    values, matrix = _values_and_weights(y, w, standardise=False)
    if (values < 0).any():
        raise ValueError(
            f"y: row {int(np.argmax(values < 0))} is negative; Gi* needs non-negative values "
            "such as counts or rates"
        )
    n = values.size
    links = without_self_weights(matrix)
    islands = np.diff(links.indptr) == 0
    row_max = links.max(axis=1).toarray().ravel()
    star = row_standardise(links + sparse.diags_array(row_max))
    total = values.sum()
    gs = (star @ values) / total
    cardinality = star.sum(axis=1)
    mean = values.mean()
    variance = ((values**2).mean() - mean**2) / mean**2
    expected_variance = cardinality * (n - cardinality) / (n - 1) / n**2 * variance
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (gs - cardinality / n) / np.sqrt(expected_variance)
    p_sim = np.full(n, np.nan)
    if permutations:
        lags = _conditional_permutations(values, star, permutations, seed)
        simulated = (lags + (star.diagonal() * values)[:, None]) / total
        p_sim = _folded_p(gs, simulated)
    for statistic in (gs, z, p_sim):
        statistic[islands] = np.nan
    return LocalGetisOrd(Gs=gs, z=z, p_norm=stats.norm.sf(np.abs(z)), p_sim=p_sim)


def hotspot_categories(result: LocalMoran | LocalGetisOrd, alpha: float = 0.05) -> np.ndarray:
    """Map categories at significance level alpha (pseudo p < alpha, as esda's cluster labels).

    Gi*: "hot spot" (z > 0), "cold spot" (z < 0) or "not significant". LISA: "HH", "LH", "LL",
    "HL" or "ns". Islands: "no neighbours".
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha = {alpha!r}; choose a significance level such as 0.05")
    with np.errstate(invalid="ignore"):
        significant = result.p_sim < alpha
    if isinstance(result, LocalMoran):
        labels = np.array([QUADRANT_LABELS.get(q, NO_NEIGHBOURS) for q in result.quadrants])
        labels = labels.astype(object)
        labels[~significant & (result.quadrants != 0)] = "ns"
        return labels
    labels = np.where(result.z > 0, "hot spot", "cold spot").astype(object)
    labels[~significant] = "not significant"
    labels[np.isnan(result.z)] = NO_NEIGHBOURS
    return labels
