"""Migrant-support-centre service records with fake personal data (for the pseudonymising ingest).

Every name, document number and person is invented. Clients live where the census puts their
group, so the published aggregates show the same geography as the census.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from observatory.demo.census import GROUPS, YEARS, Census
from observatory.demo.geography import Geography
from observatory.demo.names import FAMILY_NAMES, GIVEN_NAMES, STREETS

T = TypeVar("T")

N_PERSONS = 1_800
FIRST_DAY = date(2024, 1, 1)
N_DAYS = (date(2025, 12, 31) - FIRST_DAY).days + 1
SHARE_WITHOUT_DISTRICT_CODE = 0.08  # older forms carry only the address
NATIONALITIES = {
    "syrian": ("SYR",),
    "iraqi": ("IRQ",),
    "afghan": ("AFG",),
    "other_foreign": ("IRN", "PAK", "SOM", "SDN", "YEM", "ERI"),
}
SERVICE_AREAS = {
    "regularisation": 0.16,
    "nationality": 0.04,
    "family_reunification": 0.07,
    "housing": 0.12,
    "work": 0.12,
    "social_support": 0.13,
    "voluntary_return": 0.02,
    "health": 0.09,
    "education": 0.08,
    "vocational_training": 0.07,
    "entrepreneurship": 0.03,
    "other": 0.07,
}


def build_service_records(
    geography: Geography, census: Census, rng: np.random.Generator
) -> pd.DataFrame:
    foreign = census.by_group(YEARS[-1])[:, 1:].astype(float)  # (district, foreign group)
    group = rng.choice(len(GROUPS) - 1, N_PERSONS, p=foreign.sum(axis=0) / foreign.sum())
    district = np.array(
        [rng.choice(len(foreign), p=foreign[:, g] / foreign[:, g].sum()) for g in group]
    )
    male = rng.random(N_PERSONS) < 0.55
    persons = pd.DataFrame(
        {
            "person_id": [f"P{i:05d}" for i in range(1, N_PERSONS + 1)],
            "nationality": [_pick(rng, NATIONALITIES[GROUPS[g + 1]]) for g in group],
            "sex": np.where(male, "M", "F"),
            "birth_year": rng.integers(1950, 2008, N_PERSONS),
            "document_number": [f"P{n:08d}" for n in rng.integers(10**7, 10**8, N_PERSONS)],
            "district": district,
        }
    )
    names = [_full_name(rng, GROUPS[g + 1], "male" if m else "female") for g, m in zip(group, male)]
    persons["full_name_ar"] = [ar for ar, _ in names]
    persons["full_name_latin"] = [latin for _, latin in names]
    persons["address"] = [
        f"{_pick(rng, STREETS)} {rng.integers(1, 120)}، {geography.districts['name_ar'].iloc[d]}"
        for d in district
    ]

    visits = 1 + rng.poisson(1.2, N_PERSONS)
    records = persons.iloc[np.repeat(np.arange(N_PERSONS), visits)].reset_index(drop=True)
    records["date"] = [
        (FIRST_DAY + timedelta(days=int(d))).isoformat() for d in rng.integers(0, N_DAYS, len(records))
    ]
    areas = list(SERVICE_AREAS)
    weights = np.array(list(SERVICE_AREAS.values()))
    records["service_area"] = np.array(areas)[rng.choice(len(areas), len(records), p=weights / weights.sum())]
    codes = geography.districts["code"].to_numpy()[records["district"]]
    records["district_code"] = np.where(
        rng.random(len(records)) < SHARE_WITHOUT_DISTRICT_CODE, "", codes
    )
    records = records.sort_values(["date", "person_id"], kind="stable", ignore_index=True)
    records.insert(0, "record_id", [f"R{i:05d}" for i in range(1, len(records) + 1)])
    return records[
        [
            "record_id", "date", "person_id", "full_name_ar", "full_name_latin", "document_number",
            "nationality", "sex", "birth_year", "district_code", "address", "service_area",
        ]
    ]


def _pick(rng: np.random.Generator, options: tuple[T, ...]) -> T:
    return options[rng.integers(len(options))]


def _full_name(rng: np.random.Generator, group: str, sex: str) -> tuple[str, str]:
    """Given name, father's name and family name, as on Arabic-script forms."""
    given = _pick(rng, GIVEN_NAMES[sex])
    father = _pick(rng, GIVEN_NAMES["male"])
    family = _pick(rng, FAMILY_NAMES[group])
    return f"{given[0]} {father[0]} {family[0]}", f"{given[1]} {father[1]} {family[1]}"


def write_service_records_csv(records: pd.DataFrame, path: Path) -> None:
    records.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
