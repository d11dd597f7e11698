"""The Store protocol's three vector-tile methods, the same on both backends: each names its
SQL query (sql/<backend>/queries.sql) and its parameters; the backend's ``_tile`` runs it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


class VectorTiles:
    def _tile(self, query: str, params: dict) -> bytes:
        raise NotImplementedError

    def district_tile(self, city: str, z: int, x: int, y: int, *, layer: str,
                      as_of: date | None = None) -> bytes:
        return self._tile("district_tile", {"city": city, "z": z, "x": x, "y": y,
                                            "layer": layer, "as_of": as_of or date.today()})

    def indicator_tile(self, city: str, indicator_id: str, z: int, x: int, y: int, *,
                       layer: str, period: str | None = None,
                       as_of: date | None = None) -> bytes:
        return self._tile("indicator_tile", {
            "city": city, "indicator_id": indicator_id, "period": period, "z": z, "x": x,
            "y": y, "layer": layer, "as_of": as_of or date.today()})

    def event_tile(self, city: str, event_layer: str, z: int, x: int, y: int, *, layer: str,
                   statuses: Sequence[str] = ("published",)) -> bytes:
        return self._tile("event_tile", {"city": city, "event_layer": event_layer, "z": z,
                                         "x": x, "y": y, "layer": layer,
                                         "statuses": list(statuses)})
