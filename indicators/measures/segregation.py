"""City-wide segregation indices, single-group and multigroup (methodology §4).

Notation: district i, group count x_i, total t_i, y_i = t_i − x_i, T = Σt_i, X = Σx_i, Y = T − X,
P = X/T, p_i = x_i/t_i (0 for an empty district). Multigroup: counts n_ik of group k in district i,
t_i = Σ_k n_ik, p_ik = n_ik/t_i, P_k = Σ_i n_ik / T, K groups.

Each function mirrors the PySAL `segregation` class named in its docstring, which is the oracle
of the golden tests.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from indicators.measures._inputs import count_matrix, group_and_total, shares, x_log_x_over


def dissimilarity(group: ArrayLike, total: ArrayLike) -> float:
    """Dissimilarity D = ½ Σ_i |x_i/X − y_i/Y|  (`segregation.singlegroup.Dissim`).

    Share of the group that would have to move for every district to have the city's mix.
    """
    x, t = group_and_total(group, total)
    y = t - x
    return float(0.5 * np.abs(x / x.sum() - y / y.sum()).sum())


def gini(group: ArrayLike, total: ArrayLike) -> float:
    """Gini G = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1 − P))  (`segregation.singlegroup.Gini`).

    The double sum is taken over the districts sorted by p, in O(n log n).
    """
    x, t = group_and_total(group, total)
    p = shares(x, t)
    total_pop = t.sum()
    city_share = x.sum() / total_pop
    order = np.argsort(p, kind="stable")
    p, t = p[order], t[order]
    # For sorted p, Σ_{j<i} t_i t_j (p_i − p_j) = t_i (p_i Σ_{j<i} t_j − Σ_{j<i} t_j p_j).
    t_before = np.cumsum(t) - t
    tp_before = np.cumsum(t * p) - t * p
    pair_sum = (t * (p * t_before - tp_before)).sum()
    return float(2 * pair_sum / (2 * total_pop**2 * city_share * (1 - city_share)))


def isolation(group: ArrayLike, total: ArrayLike) -> float:
    """Isolation xPx = Σ_i (x_i/X)(x_i/t_i)  (`segregation.singlegroup.Isolation`).

    Share of the group among the neighbours of the average group member.
    """
    x, t = group_and_total(group, total)
    return float((x / x.sum() * shares(x, t)).sum())


def interaction(group: ArrayLike, total: ArrayLike) -> float:
    """Interaction (exposure) xPy = Σ_i (x_i/X)(y_i/t_i)  (`segregation.singlegroup.Interaction`).

    Share of the rest of the population among the neighbours of the average group member.
    """
    x, t = group_and_total(group, total)
    return float((x / x.sum() * shares(t - x, t)).sum())


def _binary_entropy(p: np.ndarray | float) -> np.ndarray:
    return -(x_log_x_over(np.asarray(p), 1.0) + x_log_x_over(1 - np.asarray(p), 1.0))


def theil_entropy(group: ArrayLike, total: ArrayLike) -> float:
    """Theil entropy H = Σ_i t_i (E − E_i) / (E T)  (`segregation.singlegroup.Entropy`).

    E = P ln(1/P) + (1−P) ln(1/(1−P)) and E_i the same on p_i, with 0·ln(1/0) = 0.
    """
    x, t = group_and_total(group, total)
    city_entropy = _binary_entropy(x.sum() / t.sum())
    district_entropy = _binary_entropy(shares(x, t))
    return float((t * (city_entropy - district_entropy)).sum() / (city_entropy * t.sum()))


def atkinson(group: ArrayLike, total: ArrayLike, b: float = 0.5) -> float:
    """Atkinson A = 1 − P/(1−P) · |Σ_i (1−p_i)^(1−b) p_i^b t_i / (P T)|^(1/(1−b))
    (`segregation.singlegroup.Atkinson`).

    b ∈ [0, 1) weights the under-representation (b < 0.5) or over-representation (b > 0.5) of
    the group; b = 0.5 weights both equally.
    """
    if not 0 <= b < 1:
        raise ValueError(f"Atkinson b = {b!r}; choose b with 0 ≤ b < 1 (0.5 is the usual)")
    x, t = group_and_total(group, total)
    p = shares(x, t)
    city_share = x.sum() / t.sum()
    inner = ((1 - p) ** (1 - b) * p**b * t).sum() / (city_share * t.sum())
    return float(1 - city_share / (1 - city_share) * abs(inner) ** (1 / (1 - b)))


def _city_shares(counts: np.ndarray) -> np.ndarray:
    return counts.sum(axis=0) / counts.sum()


def multigroup_dissimilarity(counts: ArrayLike) -> float:
    """Multigroup D = Σ_i Σ_k t_i |p_ik − P_k| / (2 T I), I = Σ_k P_k (1 − P_k)
    (`segregation.multigroup.MultiDissim`)."""
    n = count_matrix(counts)
    t = n.sum(axis=1)
    city = _city_shares(n)
    p = shares(n, t[:, None])
    simpson = (city * (1 - city)).sum()
    return float((t[:, None] * np.abs(p - city)).sum() / (2 * n.sum() * simpson))


def multigroup_theil(counts: ArrayLike) -> float:
    """Multigroup Theil information H = Σ_i Σ_k t_i p_ik ln(p_ik/P_k) / (T E),
    E = Σ_k P_k ln(1/P_k)  (`segregation.multigroup.MultiInfoTheory`)."""
    n = count_matrix(counts)
    t = n.sum(axis=1)
    city = _city_shares(n)
    p = shares(n, t[:, None])
    entropy = -x_log_x_over(city, 1.0).sum()
    return float((t[:, None] * x_log_x_over(p, city)).sum() / (n.sum() * entropy))


def multigroup_diversity(counts: ArrayLike, *, normalised: bool = False) -> float:
    """City diversity E = −Σ_k P_k ln P_k, or E / ln K when normalised
    (`segregation.multigroup.MultiDiversity`)."""
    n = count_matrix(counts)
    entropy = -x_log_x_over(_city_shares(n), 1.0).sum()
    return float(entropy / np.log(n.shape[1]) if normalised else entropy)


def simpsons_concentration(counts: ArrayLike) -> float:
    """Simpson's concentration λ = Σ_k P_k²: the chance that two residents drawn at random
    belong to the same group  (`segregation.multigroup.SimpsonsConcentration`)."""
    city = _city_shares(count_matrix(counts))
    return float((city * city).sum())


def simpsons_interaction(counts: ArrayLike) -> float:
    """Simpson's interaction I = Σ_k P_k (1 − P_k) = 1 − λ: the chance that two residents drawn
    at random belong to different groups  (`segregation.multigroup.SimpsonsInteraction`)."""
    city = _city_shares(count_matrix(counts))
    return float((city * (1 - city)).sum())
