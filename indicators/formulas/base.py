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

    # True when the district values are as ``district_local`` says but the city value is a
    # combination of the districts' (a rate's city value hides when any district's is
    # hidden): in a part of a city the kind then gives the part's sums as its city rows
    # (columns PARTIAL_COLUMNS), and the engine combines them over the parts.
    city_combined: ClassVar[bool] = False

    def city_stage(self) -> str | None:
        """The key of a first stage that the kind's district values rest on and that needs
        every district of the city (the phone calibration's ratios, the service roll-up's
        choice among the districts as siblings), shared by the formulas of the same key; None
        without one. A kind with a stage gives ``stage_summary`` and ``stage_decisions``;
        in a part of a city (``SpatialContext.city``) it reads the decisions from there
        (``CityWide.decided``), on the whole city it makes them itself (``stage_of``)."""
        return None

    def stage_summary(self, prepared: PreparedObservations, min_count: int) -> object:
        """What the districts of ``prepared`` give the city stage (picklable, far smaller
        than the observations): the city's decisions are made from the summaries of its
        parts, in the order of their districts."""
        raise NotImplementedError(f"{type(self).__name__} has no city stage")

    def stage_decisions(self, summaries: list[object], min_count: int) -> object:
        """The city stage's decisions (picklable) from the summaries of every part."""
        raise NotImplementedError(f"{type(self).__name__} has no city stage")

    def placed_layers(self) -> set[str]:
        """The events layers whose events the formula counts per district (placed in the
        districts), as opposed to reading them whole (a nearest service)."""
        return set()

    def searched_layers(self) -> set[str]:
        """The events layers the formula searches whole (for the nearest service)."""
        return set()

    def counted_events(self) -> set[tuple[str, str, float | None]]:
        """The (layer, period, UTC offset) of the events the formula counts per local period
        and district (``CityWide.event_counts``)."""
        return set()

    @abstractmethod
    def evaluate(self, prepared: PreparedObservations, *, min_count: int,
                 spatial: SpatialContext | None = None, indicator_id: str) -> pd.DataFrame:
        """Raw values: columns period, district_code, value, suppressed, runs (and
        indicator_id when one formula yields several indicators). ``prepared`` is not empty.
        Counts at or below ``min_count`` are suppressed."""
