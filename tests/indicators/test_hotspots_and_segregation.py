"""The per-city wrappers around the measures: hot spots with missing values and islands, and
the segregation summary, checked against the measure functions (golden-tested on PySAL)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from indicators.measures.segregation import dissimilarity, multigroup_theil
from indicators.segregation_report import group_counts, segregation_summary
from indicators.spatial import hotspots
from observatory.models import canonical_dims


def _grid(n=6, island=True):
    cells = [shapely.box(i, j, i + 1, j + 1) for i in range(n) for j in range(n)]
    codes = [f"D{k:02d}" for k in range(len(cells))]
    if island:
        cells.append(shapely.box(20, 20, 21, 21))
        codes.append("ISL")
    return gpd.GeoDataFrame({"code": codes, "name_en": codes, "name_ar": codes},
                            geometry=cells, crs="EPSG:4326")


def test_hotspots_find_a_planted_cluster_and_handle_gaps_and_islands():
    districts = _grid()
    values = pd.DataFrame({"district_code": districts["code"], "value": 1.0})
    values.loc[values["district_code"].isin(["D00", "D01", "D06", "D07"]), "value"] = 10.0
    values.loc[values["district_code"] == "D35", "value"] = np.nan  # suppressed
    rng = np.random.default_rng(1)
    values["value"] += rng.normal(0, 0.1, len(values))
    table, summary = hotspots(districts, values, permutations=499, seed=3)
    by = table.set_index("code")
    assert set(by.loc[["D00", "D01", "D06", "D07"], "gi_category"]) == {"hot spot"}
    assert set(by.loc[["D00", "D01", "D06", "D07"], "lisa_category"]) <= {"HH", "ns"}
    assert (by.loc[["D00", "D01", "D06", "D07"], "lisa_category"] == "HH").sum() >= 2
    assert by.loc["D35", "gi_category"] == "no data"
    assert by.loc["ISL", "gi_category"] == "no neighbours"
    assert summary["islands"] == ["ISL"] and summary["moran_I"] > 0.3


def test_hotspots_with_too_few_values_do_not_crash():
    districts = _grid(2, island=False)
    values = pd.DataFrame({"district_code": ["D00", "D01"], "value": [1.0, 2.0]})
    table, summary = hotspots(districts, values)
    assert set(table["gi_category"]) == {"no data"} and summary["n"] == 2


def test_segregation_summary_uses_the_measures_on_group_counts():
    rows = []
    for code, nat, syr, irq in [("A", 900, 50, 50), ("B", 500, 300, 200), ("C", 800, 150, 50)]:
        for group, value in [("national", nat), ("syrian", syr), ("iraqi", irq)]:
            rows.append({"district_code": code, "period": "2025", "variable": "population",
                         "dims": canonical_dims({"citizenship": group, "sex": "female"}),
                         "value": value, "unit": "persons", "ingest_run": "r"})
    counts = group_counts(pd.DataFrame(rows), period="2025")
    summary = segregation_summary(counts)
    foreign = np.array([100.0, 500.0, 200.0])
    total = np.array([1000.0, 1000.0, 1000.0])
    assert summary["dissimilarity"] == pytest.approx(dissimilarity(foreign, total))
    assert summary["multigroup_theil"] == pytest.approx(multigroup_theil(counts.to_numpy()))
    assert segregation_summary(counts, "syrian")["group_total"] == 500
    with pytest.raises(ValueError, match="unknown group"):
        segregation_summary(counts, "martian")
