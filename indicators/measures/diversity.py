"""Per-district diversity and location quotients (methodology §4).

Input is a district × group count table n_ik (K ≥ 2 groups); t_i = Σ_k n_ik, p_ik = n_ik / t_i,
T = Σ_i t_i, X_k = Σ_i n_ik. A district with no population has no shares, so its values are NaN
rather than a misleading 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from indicators.measures._inputs import count_matrix, x_log_x_over


def _district_shares(counts: np.ndarray) -> np.ndarray:
    t = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return counts / t  # NaN rows for empty districts


def shannon_diversity(counts: ArrayLike, *, normalised: bool = False) -> np.ndarray:
    """Shannon diversity per district H_i = −Σ_k p_ik ln p_ik; divided by ln K when normalised,
    so that 1 means all K groups are equally present
    (`segregation.local.MultiLocalDiversity`; normalised: `MultiLocalEntropy`)."""
    n = count_matrix(counts)
    p = _district_shares(n)
    entropy = -x_log_x_over(np.nan_to_num(p), 1.0).sum(axis=1)
    entropy[np.isnan(p).any(axis=1)] = np.nan
    return entropy / np.log(n.shape[1]) if normalised else entropy


def simpson_diversity(counts: ArrayLike) -> np.ndarray:
    """Simpson diversity per district D_i = 1 − Σ_k p_ik² = Σ_k p_ik (1 − p_ik): the chance that
    two residents of the district drawn at random belong to different groups
    (`segregation.local.MultiLocalSimpsonInteraction`)."""
    p = _district_shares(count_matrix(counts))
    return (p * (1 - p)).sum(axis=1)


def location_quotients(counts: ArrayLike) -> np.ndarray:
    """Location quotients LQ_ik = (n_ik / t_i) / (X_k / T), a district × group matrix: above 1
    where group k is over-represented in district i  (`segregation.local.MultiLocationQuotient`).
    A group absent from the whole city has NaN quotients."""
    n = count_matrix(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _district_shares(n) / (n.sum(axis=0) / n.sum())
