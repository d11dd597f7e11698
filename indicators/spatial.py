"""Hot spots of an indicator across a city's districts: LISA clusters and Getis-Ord Gi*,
plus the global Moran's I, from stored districts and values (methodology §4)."""

from __future__ import annotations

from dataclasses import asdict

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.measures.autocorrelation import (
    getis_ord_gi_star,
    hotspot_categories,
    local_moran,
    morans_i,
)
from indicators.measures.weights import queen_contiguity

NO_DATA = "no data"


def hotspots(districts: gpd.GeoDataFrame, values: pd.DataFrame, *, permutations: int = 999,
             seed: int = 12345, alpha: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """Per district: value, LISA statistic, quadrant, pseudo p and category; Gi* z, pseudo p and
    category; and the global Moran's I as a dict.

    Districts without a value (no data or suppressed) are left out of the weights and labelled
    "no data"; districts left with no neighbour are labelled "no neighbours" (never a crash).
    """
    table = districts[["code", "name_en", "name_ar", "geometry"]].merge(
        values[["district_code", "value"]], left_on="code", right_on="district_code", how="left")
    present = table["value"].notna().to_numpy()
    out = table[["code", "name_en", "name_ar", "value"]].copy()
    for column, fill in [("lisa_I", np.nan), ("lisa_quadrant", 0), ("lisa_p", np.nan),
                         ("lisa_category", NO_DATA), ("gi_z", np.nan), ("gi_p", np.nan),
                         ("gi_category", NO_DATA), ("neighbours", 0)]:
        out[column] = fill
    if present.sum() < 3:
        return out, {"n": int(present.sum()), "message": "fewer than 3 districts with values"}
    used = table[present]
    weights = queen_contiguity(used.geometry.values, ids=used["code"])
    y = used["value"].to_numpy(dtype=float)
    if weights.matrix.sum() == 0:
        out.loc[present, ["lisa_category", "gi_category"]] = "no neighbours"
        return out, {"n": int(present.sum()), "message": "no district has a neighbour"}
    lisa = local_moran(y, weights.matrix, permutations=permutations, seed=seed)
    gi = getis_ord_gi_star(y, weights.matrix, permutations=permutations, seed=seed)
    moran = morans_i(y, weights.matrix, permutations=permutations, seed=seed)
    out.loc[present, "lisa_I"] = lisa.Is
    out.loc[present, "lisa_quadrant"] = lisa.quadrants
    out.loc[present, "lisa_p"] = lisa.p_sim
    out.loc[present, "lisa_category"] = hotspot_categories(lisa, alpha)
    out.loc[present, "gi_z"] = gi.z
    out.loc[present, "gi_p"] = gi.p_sim
    out.loc[present, "gi_category"] = hotspot_categories(gi, alpha)
    out.loc[present, "neighbours"] = weights.cardinalities
    summary = {"n": int(present.sum()), "islands": list(weights.islands),
               "permutations": permutations, "alpha": alpha,
               **{f"moran_{k}": float(v) for k, v in asdict(moran).items()}}
    return out, summary
