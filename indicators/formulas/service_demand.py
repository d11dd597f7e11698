"""``service_demand``: distinct service users and records of administrative feeds (migrant
support centres, residence permits) per 1,000 foreign residents, by service area, and the mix
of service areas — each value at the finest grain that is safe (``indicators.disclosure.
rollup``): month, quarter or year of one service area, all service areas of the year, or the
city.

Reads the admin feed's cells at every grain (``ingest.admin``: periods ``2025-03``,
``2025-Q1``, ``2025``; service area ``all``), summed over the other dimensions (nationality
group, sex) per district. The denominator is the census's foreign residents (``residents``) of
the most recent year at or before the period's, on the same level. The city's users and
records are the sums of its districts'.

One indicator per service area and one for all of them: ``<id>.<area>``, ``<id>.all``. A
value's grain is its period (month, quarter or year), its indicator (one area or ``all``) and
its level (a district or the city). Rows: every published value, and the withheld values of a
year (suppressed); a withheld quarter or month has no row, its value is rolled up into its
year (where exactly: ``plan_nodes``' ``rolled_to``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from indicators.disclosure.rollup import (
    ALL,
    CITY_NODE,
    CityDecisions,
    ServiceCounts,
    TopInputs,
    decided_top,
    latest_census,
    plan_nodes,
    text_of,
    top_inputs,
)
from indicators.evaluate import VALUE_COLUMNS, PreparedObservations, SpatialContext, stage_of
from indicators.formulas.base import FormulaKind, Term

SERVICE_COLUMNS = VALUE_COLUMNS + ["estimate", "indicator_id"]
MEASURES = {"users_per_1000": "users", "records_per_1000": "records"}


class ServiceDemandFormula(FormulaKind):
    kind: Literal["service_demand"]
    measure: Literal["users_per_1000", "records_per_1000", "area_mix"] = Field(
        description="users or records per 1,000 foreign residents, or the service-area mix "
        "(each area's share of the year's records)")
    users: str = Field(default="service_users", description="distinct persons per cell")
    records: str = Field(default="service_records", description="records per cell")
    area: str = Field(default="service_area", description="the service-area dimension")
    residents: Term = Field(description="the denominator, e.g. foreign residents: "
                            "{variable: population, where: {citizenship: {not: [national]}}}")

    def variables(self) -> set[str]:
        return {self.users, self.records, self.residents.variable}

    def city_stage(self) -> str:
        return "service roll-up " + self.model_dump_json(
            include={"users", "records", "area", "residents"})

    def _counts(self, prepared: PreparedObservations) -> tuple[pd.DataFrame, pd.Series] | None:
        """Users and records per (district_code, period, area) and the foreign residents per
        (district_code, census year); None without service observations. Made once per run
        for every measure of the same inputs."""
        def made() -> tuple[pd.DataFrame, pd.Series] | None:
            area_codes, areas = prepared.codes(self.area)
            sums = []
            for variable in (self.users, self.records):
                rows = prepared.rows(Term(variable=variable, where={self.area: {"not": []}}))
                if not len(rows):
                    return None
                # Per (district-period, area) by codes: grouping the text columns of every
                # row took most of a part's roll-up.
                key = prepared.unit_codes[rows] * len(areas) + area_codes[rows]
                size = len(prepared.units) * len(areas)
                sums.append(np.bincount(key, weights=prepared.values[rows], minlength=size))
                sums.append(np.bincount(key, minlength=size))
            users, user_rows, records, record_rows = sums
            cell = np.flatnonzero((user_rows > 0) | (record_rows > 0))
            unit, area = np.divmod(cell, len(areas))
            counts = pd.DataFrame({
                "district_code": prepared.unit_districts[unit].astype(str),
                "period": prepared.unit_periods[unit],
                "area": areas.to_numpy(dtype=object)[area],
                "users": users[cell], "records": records[cell]})
            # The order grouping the text columns gave: the roll-up is planned in it.
            counts = counts.sort_values(["district_code", "period", "area"], kind="stable")
            return counts.reset_index(drop=True), self._census(prepared)

        return prepared.memo.get(("service counts", self.city_stage()), made)

    def _census(self, prepared: PreparedObservations) -> pd.Series:
        """Foreign residents per (district_code, census year as int)."""
        rows = prepared.keyed(prepared.mask(self.residents)).dropna(subset=["district_code"])
        if rows.empty:
            return pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], []]))
        return (rows.assign(year=rows["period"].astype(str).str[:4].astype(int),
                            district_code=rows["district_code"].astype(str))
                .groupby(["district_code", "year"])["value"].sum())

    def stage_summary(self, prepared: PreparedObservations, min_count: int) -> object:
        found = self._counts(prepared)
        return None if found is None else top_inputs(*found)

    def stage_decisions(self, summaries: list[object], min_count: int) -> object:
        found = [s for s in summaries if isinstance(s, TopInputs)]
        return decided_top(found, min_count) if found else None

    def service_counts(self, prepared: PreparedObservations,
                       decided: CityDecisions | None = None) -> ServiceCounts | None:
        """The roll-up's inputs on this level (with ``decided``: of the city's districts
        with service counts, and their foreign residents in the city's years); None without
        service observations."""
        found = self._counts(prepared)
        if found is None:
            return None
        counts, census = found
        if decided is not None:  # a part of a city: its own districts, not the rest of it
            counts = counts[counts["district_code"].isin(decided.districts)]
        years = (decided.years if decided is not None
                 else sorted(counts["period"].str[:4].unique()))
        return ServiceCounts(counts, latest_census(census, years))

    def nodes(self, prepared: PreparedObservations, min_count: int,
              spatial: SpatialContext | None = None) -> pd.DataFrame | None:
        """The roll-up's nodes (``plan_nodes``) on this level, under the city's decisions
        (``stage_of``); None without service observations. Every measure of the same
        users, records, areas and residents rolls up the same tree: it is planned once per
        run (the observations' memo)."""
        decided = stage_of(self, prepared, min_count, spatial)
        if not isinstance(decided, CityDecisions):
            return None

        def plan() -> pd.DataFrame | None:
            service = self.service_counts(prepared, decided)
            return None if service is None else plan_nodes(service, min_count, decided)

        return prepared.memo.get(("service roll-up", self.city_stage(), min_count), plan)

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        nodes = self.nodes(prepared, min_count, spatial)
        if nodes is None:
            return pd.DataFrame(columns=SERVICE_COLUMNS)
        if self.measure == "area_mix":
            return _mix(nodes, indicator_id)
        nodes = nodes[nodes["published"] | ~nodes["grain"].isin(["quarter", "month"])]
        count = nodes[MEASURES[self.measure]].to_numpy(float)
        whole = nodes["whole"].to_numpy(float)
        published = nodes["published"].to_numpy(bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(published, 1000.0 * count / whole, np.nan)
        return _rows(nodes, value, ~published, indicator_id)


def _mix(nodes: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Each area's share of its district's (or the city's) records in the year, published
    where the area's and the year's all-areas values both are (then it says nothing they do
    not)."""
    yearly = nodes[nodes["grain"] == "district_area"]
    parent = nodes.loc[yearly["parent"].to_numpy()]
    shown = yearly["published"].to_numpy(bool) & parent["published"].to_numpy(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(shown, yearly["records"].to_numpy(float)
                         / parent["records"].to_numpy(float), np.nan)
    return _rows(yearly, value, ~shown, indicator_id)


def _rows(nodes: pd.DataFrame, value: np.ndarray, hidden: np.ndarray,
          indicator_id: str) -> pd.DataFrame:
    areas = {str(area): f"{indicator_id}.{area}" for area in nodes["area"].cat.categories}
    return pd.DataFrame({
        "period": text_of(nodes["period"]),
        "district_code": text_of(nodes["district_code"], {CITY_NODE: None}),
        "value": value, "suppressed": hidden, "runs": "",
        "estimate": "",
        "indicator_id": text_of(nodes["area"], areas),
    })[SERVICE_COLUMNS]


__all__ = ["ALL", "ServiceDemandFormula"]
