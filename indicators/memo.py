"""Results that several indicators of one compute run derive from the same inputs — events
placed in the districts, a phone calibration, a service roll-up — made once and reused.

A memo lives on the inputs it derives from (``PreparedObservations`` for what comes from
observations, ``SpatialContext`` for what comes from districts and events), so it lasts one
level of one compute run and never outlives them: no module-level state. What it holds is
shared between callers, who must not modify it."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")


class Memo:
    def __init__(self) -> None:
        self._made: dict[Hashable, object] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value made for ``key``, made by ``make`` the first time it is asked for."""
        if key not in self._made:
            self._made[key] = make()
        return cast(T, self._made[key])
