"""Layer (collection) ids shared by OGC API Features and vector tiles:
``{city}.districts``, ``{city}.indicator.{indicator_id}`` and ``{city}.events.{layer}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException

from observatory.api.security import Caller
from observatory.api.visibility import event_statuses
from observatory.models import City
from observatory.store import Store

Kind = Literal["districts", "indicator", "events"]


@dataclass(frozen=True)
class LayerRef:
    city: City
    kind: Kind
    name: str | None = None  # indicator id or event layer

    @property
    def id(self) -> str:
        return f"{self.city.slug}.{self.kind}" + (f".{self.name}" if self.name else "")


def layer_ids(store: Store, city: City, caller: Caller) -> list[str]:
    """Every layer of ``city`` as the store holds it now (and ``caller`` may see)."""
    indicators = store.indicator_periods(city.slug)["indicator_id"].unique()
    return (
        [f"{city.slug}.districts"]
        + [f"{city.slug}.indicator.{i}" for i in sorted(indicators)]
        + [
            f"{city.slug}.events.{layer}"
            for layer in store.event_layers(city.slug, event_statuses(caller))
        ]
    )


def parse_layer_id(layer_id: str) -> tuple[str, str, str]:
    """(city slug, kind, name) of a well-formed layer id, without asking the store; 404
    naming the accepted forms otherwise."""
    slug, _, rest = layer_id.partition(".")
    kind, _, name = rest.partition(".")
    well_formed = (kind == "districts" and not name) or (kind in ("indicator", "events") and name)
    if not well_formed:
        raise HTTPException(
            404,
            f"No layer {layer_id!r}: layers are named CITY.districts, "
            "CITY.indicator.INDICATOR_ID or CITY.events.LAYER; see "
            "/collections.",
        )
    return slug, kind, name


def resolve_layer(store: Store, layer_id: str) -> LayerRef:
    """The layer named ``layer_id``; 404 naming the accepted forms when it is malformed or the
    city is unknown. Whether the indicator or event layer holds data is the caller's check."""
    slug, kind, name = parse_layer_id(layer_id)
    city = store.city(slug)
    if city is None:
        known = ", ".join(c.slug for c in store.cities()) or "none yet"
        raise HTTPException(404, f"No city {slug!r} in the store (cities: {known}).")
    return LayerRef(city, kind, name or None)  # type: ignore[arg-type]


def existing_layer(store: Store, layer_id: str, caller: Caller) -> LayerRef:
    """The layer named ``layer_id`` if it holds data ``caller`` may see; 404 otherwise."""
    layer = resolve_layer(store, layer_id)
    slug = layer.city.slug
    if layer.kind == "indicator":
        found = not store.indicator_periods(slug, layer.name).empty
    elif layer.kind == "events":
        found = layer.name in store.event_layers(slug, event_statuses(caller))
    else:
        found = True
    if not found:
        raise HTTPException(
            404,
            f"No layer {layer_id!r}: it holds no data yet (or none you may see); see /collections.",
        )
    return layer
