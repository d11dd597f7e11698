"""Synthetic peer cities for the comparison bench: seeded, with real indicator ids (so names,
units and directions are the catalogue's) and the irregularities a comparison must flag —
another definition hash, low coverage, a missing latest period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.models import City
from observatory.services.comparison import describe
from observatory.services.definitions import current_frameworks


def indicator_ids(count: int) -> list[str]:
    """``count`` ids: the CPI index and its dimensions, the ICC index and areas, then the CPI's
    sub-dimensions and definitions (scores 0–100 and rates, higher- and lower-is-better)."""
    from indicators.icc import load_areas

    cpi = current_frameworks()["cpi"]
    ids = ["cpi", *(f"cpi.{d.id}" for d in cpi.dimensions), "icc",
           *(f"icc.{a.id}" for a in load_areas())]
    ids += [f"cpi.{d.id}.{s.id}" for d in cpi.dimensions for s in d.subdimensions]
    ids += [d.id for d in cpi.indicators]
    if count > len(ids):
        raise ValueError(f"{count} indicators asked; the catalogue gives {len(ids)}")
    return ids[:count]


def synthetic_cities(n_cities: int, n_indicators: int, n_periods: int,
                     seed: int = 13) -> tuple[list[City], dict[str, pd.DataFrame]]:
    """Cities (population 80,000 to 4 million) and their city-level values per slug, the
    foreign-born share among them; 2 % of values on another hash, 3 % of low coverage, and
    one city in ten without the latest period."""
    rng = np.random.default_rng(seed)
    ids = indicator_ids(n_indicators)
    periods = [str(2015 + k) for k in range(n_periods)]
    cities, values = [], {}
    for n in range(n_cities):
        slug = f"city{n:03d}"
        population = int(np.exp(rng.uniform(np.log(80_000), np.log(4_000_000))))
        cities.append(City(slug, f"City {n}", f"مدينة {n}", ["AT", "DE", "IT", "TN", "JO"][n % 5],
                           "EPSG:3857", population))
        kept = periods if n % 10 else periods[:-1]
        grid = pd.MultiIndex.from_product([ids, kept], names=["indicator_id", "period"])
        frame = grid.to_frame(index=False)
        base = rng.uniform(20, 90, len(ids))
        drift = rng.normal(0, 1.5, len(frame))
        frame["value"] = np.repeat(base, len(kept)) + drift.cumsum() * 0.1
        unit = {i: describe(i).unit for i in ids}
        share = frame["indicator_id"].map(unit) == "share"
        frame.loc[share, "value"] = frame.loc[share, "value"] / 100
        frame["coverage"] = np.where(rng.random(len(frame)) < 0.03, 0.5, 1.0)
        frame["definition_hash"] = np.where(rng.random(len(frame)) < 0.02, "h-other", "h-1")
        foreign = pd.DataFrame({"indicator_id": "foreign_born_share", "period": kept,
                                "value": rng.uniform(0.02, 0.45), "coverage": 1.0,
                                "definition_hash": "h-1"})
        frame = pd.concat([frame, foreign], ignore_index=True)
        values[slug] = frame.assign(district_code=None, score=frame["value"], suppressed=False)
    return cities, values
