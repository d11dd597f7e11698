"""Shares of a population group per district and for the whole city (pure, on frames)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from indicators.definitions import ShareFormula


def share_values(observations: pd.DataFrame, formula: ShareFormula, *,
                 min_count: int) -> pd.DataFrame:
    """Per (period, district) and per period for the city (district_code None): the share of
    ``formula.variable`` whose ``formula.dimension`` matches, with the numerator count.

    Only observations that carry the dimension count (a file's totals rows would double count).
    A share whose numerator or whose complement is ``min_count`` or fewer is suppressed
    (value None): the publication rule is ``count > min_count``.
    """
    rows = observations[observations["variable"] == formula.variable]
    groups = rows["dims"].map(lambda text: json.loads(text).get(formula.dimension))
    rows = rows.assign(group=groups)[groups.notna()]
    if formula.include is not None:
        in_numerator = rows["group"].isin(formula.include)
    else:
        in_numerator = ~rows["group"].isin(formula.exclude or [])
    rows = rows.assign(part=np.where(in_numerator, rows["value"], 0.0))

    def summarise(keys: list[str]) -> pd.DataFrame:
        summed = rows.groupby(keys, sort=True).agg(
            total=("value", "sum"), part=("part", "sum"),
            runs=("ingest_run", lambda r: ",".join(sorted(set(r)))))
        return summed.reset_index()

    districts = summarise(["period", "district_code"])
    city = summarise(["period"]).assign(district_code=None)
    out = pd.concat([districts, city], ignore_index=True)
    small = (out["part"] <= min_count) | ((out["total"] - out["part"]) <= min_count)
    out["value"] = np.where((out["total"] > 0) & ~small, out["part"] / out["total"].where(
        out["total"] > 0), np.nan)
    out["suppressed"] = small.to_numpy()
    return out[["period", "district_code", "value", "part", "total", "suppressed", "runs"]]
