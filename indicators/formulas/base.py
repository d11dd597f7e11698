"""What every formula kind shares: strict models, the term (a filtered sum of one variable) and
the interface a kind implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # the engine imports the kinds' base for Term; annotations only here
    import pandas as pd

    from indicators.evaluate import PreparedObservations, SpatialContext

WhereValue = str | list[str] | dict[Literal["not"], list[str]]


class StrictModel(BaseModel):
    """A definition block that rejects unknown keys, so a typo is an error, not a default."""

    model_config = ConfigDict(extra="forbid")


class Term(StrictModel):
    """The sum of one variable's observations whose dimension keys match ``where``."""

    variable: str
    where: dict[str, WhereValue] = {}
    scope: Literal["district", "city"] = Field(
        default="district", description="city: the city-wide sum, the same on every row "
        "(for ratios against the city, such as location quotients)")


class FormulaKind(StrictModel, ABC):
    """One kind of formula. A new kind is a subclass with a ``kind`` literal, added to
    ``indicators.definitions.Formula``; the engine calls only these two methods."""

    # True when a district's value rests only on its own rows, its own geometry and sums of
    # rows over the city (a city value being such sums too): the partitioned engine then
    # evaluates the kind on a part of the districts with the rest of the city summed into one
    # row per key (``indicators.partitioned``). False, the safe default for a new kind: it is
    # evaluated on every district at once.
    district_local: ClassVar[bool] = False

    @abstractmethod
    def variables(self) -> set[str]:
        """The observation variables the formula reads (the store is asked for these only)."""

    @abstractmethod
    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        """Raw values: columns period, district_code, value, suppressed, runs (and
        indicator_id when one formula yields several indicators). ``prepared`` is not empty.
        Counts at or below ``min_count`` are suppressed."""
