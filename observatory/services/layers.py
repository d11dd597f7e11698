"""Layer (collection) ids shared by OGC API Features and vector tiles:
``{city}.districts``, ``{city}.indicator.{indicator_id}`` and ``{city}.events.{layer}``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from observatory.models import City
from observatory.services.callers import Caller
from observatory.services.errors import NotFound
from observatory.services.indicator_catalog import IndicatorInfo, info_of
from observatory.services.visibility import event_statuses
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


def city_layers(store: Store, city: City, caller: Caller) -> list[LayerRef]:
    """Every layer of ``city`` as the store holds it now (and ``caller`` may see)."""
    indicators = store.indicator_periods(city.slug)["indicator_id"].unique()
    return (
        [LayerRef(city, "districts")]
        + [LayerRef(city, "indicator", str(i)) for i in sorted(indicators)]
        + [
            LayerRef(city, "events", layer)
            for layer in store.event_layers(city.slug, event_statuses(caller))
        ]
    )


def layer_title(layer: LayerRef, catalog: Mapping[str, IndicatorInfo]) -> tuple[str, str]:
    """(title, description) of a layer; ``catalog`` names its indicator."""
    city = layer.city.name_en
    if layer.kind == "districts":
        return f"{city}: districts", "Current district boundaries with names in English and Arabic."
    if layer.kind == "events":
        return f"{city}: {layer.name} events", f"Published point events of the {layer.name} layer."
    name = layer.name or ""
    info = info_of(catalog, name)
    description = (
        f"Districts with the values of {name} ({info.unit}); ?period= picks "
        "one period, default the latest. Suppressed values carry no value."
    )
    return f"{city}: {info.name_en}", description


def parse_layer_id(layer_id: str) -> tuple[str, str, str]:
    """(city slug, kind, name) of a well-formed layer id, without asking the store;
    :class:`NotFound` naming the accepted forms otherwise."""
    slug, _, rest = layer_id.partition(".")
    kind, _, name = rest.partition(".")
    well_formed = (kind == "districts" and not name) or (kind in ("indicator", "events") and name)
    if not well_formed:
        raise NotFound(
            f"No layer {layer_id!r}: layers are named CITY.districts, "
            "CITY.indicator.INDICATOR_ID or CITY.events.LAYER; see "
            "/collections.",
        )
    return slug, kind, name


def resolve_layer(store: Store, layer_id: str) -> LayerRef:
    """The layer named ``layer_id``; :class:`NotFound` naming the accepted forms when it is
    malformed or the city is unknown. Whether the indicator or event layer holds data is the caller's check."""
    slug, kind, name = parse_layer_id(layer_id)
    city = store.city(slug)
    if city is None:
        known = ", ".join(c.slug for c in store.cities()) or "none yet"
        raise NotFound(f"No city {slug!r} in the store (cities: {known}).")
    return LayerRef(city, kind, name or None)  # type: ignore[arg-type]


def existing_layer(store: Store, layer_id: str, caller: Caller) -> LayerRef:
    """The layer named ``layer_id`` if it holds data ``caller`` may see; :class:`NotFound`
    otherwise."""
    layer = resolve_layer(store, layer_id)
    slug = layer.city.slug
    if layer.kind == "indicator":
        found = not store.indicator_periods(slug, layer.name).empty
    elif layer.kind == "events":
        found = layer.name in store.event_layers(slug, event_statuses(caller))
    else:
        found = True
    if not found:
        raise NotFound(
            f"No layer {layer_id!r}: it holds no data yet (or none you may see); see /collections."
        )
    return layer
