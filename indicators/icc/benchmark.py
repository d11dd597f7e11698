"""Benchmark a city's ICC scores against peer groups: rank, sample average, best result."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

# The ICC reports' three comparisons (methodology §2).
PEER_GROUPS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "all cities": lambda peers: pd.Series(True, index=peers.index),
    "over 200,000 inhabitants": lambda peers: peers["population"] > 200_000,
    "over 15 % foreign-born": lambda peers: peers["foreign_born_share"] > 0.15,
}


def benchmark(city: str, scores: pd.DataFrame) -> pd.DataFrame:
    """``scores``: one row per city with ``city, population, foreign_born_share`` and one
    column per score id (``icc``, ``icc.education``…), the city itself included.

    Returns one row per (peer group, score id) in which the city belongs: the city's score,
    its rank (1 = best, ties share the better rank), the sample size, average and best.
    """
    if city not in set(scores["city"]):
        raise ValueError(f"{city!r} is not among the benchmarked cities")
    score_ids = [c for c in scores.columns if c.startswith("icc")]
    rows = []
    for group, member in PEER_GROUPS.items():
        sample = scores[member(scores).fillna(False)]
        if city not in set(sample["city"]):
            continue
        own = sample.set_index("city").loc[city]
        for score_id in score_ids:
            column = sample[score_id].dropna()
            if pd.isna(own[score_id]) or column.empty:
                continue
            rows.append({"group": group, "score_id": score_id, "score": float(own[score_id]),
                         "rank": int((column > own[score_id]).sum() + 1),
                         "sample_size": len(column), "sample_average": float(column.mean()),
                         "best": float(column.max())})
    return pd.DataFrame(rows)
