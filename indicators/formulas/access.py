"""``access``: access to welcome services from each district (the geometry is in
``indicators.access``)."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from indicators.access import (
    ServiceIndex,
    centres_from_observations,
    nearest_service_distance,
    per_1000_residents,
    services_in_districts,
    services_tree,
)
from indicators.disclosure.primary import small_counts
from indicators.evaluate import VALUE_COLUMNS, PreparedObservations, SpatialContext
from indicators.formulas.base import FormulaKind, Term
from indicators.vocabulary import dimension_info


class AccessFormula(FormulaKind):
    """Access to welcome services from a district: metres from its population-weighted centre
    (stored by the population-raster ingest as ``<population_variable>_centre_lon/_lat``) to the
    nearest point of ``services_layer``, or service points per 1,000 foreign residents."""

    district_local: ClassVar[bool] = True
    kind: Literal["access"]
    measure: Literal["nearest_service_m", "services_per_1000_foreign"]
    services_layer: str = "service"
    population_variable: str = "population"
    residents_variable: str = "population"
    dimension: str = Field(default="citizenship", description="the dimension whose groups "
                           "but the reference one (indicators/vocabulary) are the foreign "
                           "residents of services_per_1000_foreign, e.g. birthplace")

    def variables(self) -> set[str]:
        return {self.residents_variable, *self._centre_variables()}

    def placed_layers(self) -> set[str]:
        return {self.services_layer} if self.measure == "services_per_1000_foreign" else set()

    def searched_layers(self) -> set[str]:
        return {self.services_layer} if self.measure == "nearest_service_m" else set()

    @model_serializer(mode="wrap")
    def _without_default_dimension(self, handler: SerializerFunctionWrapHandler) -> dict:
        # the definition hash is of the dump: definitions written before `dimension` existed
        # keep theirs (their stored values stay current)
        dumped = handler(self)
        if self.dimension == "citizenship":
            dumped.pop("dimension", None)
        return dumped

    def foreign_residents(self) -> Term:
        """Every group of ``dimension`` but its reference group (own nationals, the
        native-born…)."""
        return Term(variable=self.residents_variable,
                    where={self.dimension: {"not": [self._reference()]}})

    def _reference(self) -> str:
        info = dimension_info(self.dimension)
        if info is None or info.reference is None:
            raise ValueError(
                f"access: dimension {self.dimension!r} has no reference group in "
                "indicators/vocabulary/groups.yaml, so there are no 'foreign' residents to "
                "count. Fix: name its reference group there, or choose another dimension.")
        return info.reference

    def _services_index(self, spatial: SpatialContext) -> ServiceIndex:
        layer = self.services_layer
        made = spatial.city.searched(layer) if spatial.city is not None else None
        return made if made is not None else services_tree(spatial.events(layer),
                                                           spatial.local_crs)

    def _centre_variables(self) -> tuple[str, str]:
        return (f"{self.population_variable}_centre_lon",
                f"{self.population_variable}_centre_lat")

    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        """Without ``spatial`` (districts and the services layer) there are no values, never
        zeros."""
        if spatial is None or spatial.districts.empty:
            return pd.DataFrame(columns=VALUE_COLUMNS)
        layer, local_crs = self.services_layer, spatial.local_crs
        obs, results = prepared.obs, []
        if self.measure == "nearest_service_m":
            centres = obs.iloc[prepared.rows_of_variables(self._centre_variables())]
            for period, rows in centres.groupby("period"):
                points = centres_from_observations(rows, variable=self.population_variable)
                # Services have no period: every period reads them once per run, all of
                # them (the nearest may lie outside a part of the city).
                tree = spatial.memo.get(("services tree", layer, local_crs),
                                        lambda: self._services_index(spatial))
                metres = nearest_service_distance(points, None, local_crs, tree=tree)
                results.append(pd.DataFrame({
                    "period": period, "district_code": metres.index,
                    "value": metres.to_numpy(), "suppressed": False,
                    "runs": ",".join(sorted(set(rows["ingest_run"].unique())))}))
        else:
            rows = obs[prepared.mask(self.foreign_residents())]
            counts = spatial.memo.get(("services per district", layer),
                                      lambda: services_in_districts(
                                          spatial.districts, spatial.events_inside(layer)))
            for period, block in rows.groupby("period"):
                residents = block.groupby("district_code")["value"].sum()
                rate = per_1000_residents(counts, residents)
                small = small_counts(residents.reindex(rate.index).fillna(0).to_numpy(), min_count)
                results.append(pd.DataFrame({
                    "period": period, "district_code": rate.index,
                    "value": np.where(small, np.nan, rate.to_numpy()), "suppressed": small,
                    "runs": ",".join(sorted(set(block["ingest_run"].unique())))}))
        if not results:
            return pd.DataFrame(columns=VALUE_COLUMNS)
        return pd.concat(results, ignore_index=True)[VALUE_COLUMNS]
