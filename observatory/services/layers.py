"""Layer (collection) ids shared by OGC API Features and vector tiles:
``{city}.districts``, ``{city}.indicator.{indicator_id}`` and ``{city}.events.{layer}``; the
areas of a level below the top one are ``{city}.{level}`` and their indicator values
``{city}.{level}.indicator.{indicator_id}`` (a collection per level, as a GIS client lists
them; the top level keeps the ids it had before cities had levels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from observatory.models import City
from observatory.services.callers import Caller
from observatory.services.errors import NotFound
from observatory.services.indicator_catalog import IndicatorInfo, info_of
from observatory.services.levels import city_level
from observatory.services.visibility import event_statuses
from observatory.store import Store

Kind = Literal["districts", "indicator", "events"]


KINDS = ("districts", "indicator", "events")


@dataclass(frozen=True)
class LayerId:
    """A layer id taken apart, before the store is asked whether it exists."""

    slug: str
    kind: Kind
    name: str | None = None  # indicator id or event layer
    level: str | None = None  # None: the city's top level


@dataclass(frozen=True)
class LayerRef:
    city: City
    kind: Kind
    name: str | None = None  # indicator id or event layer
    level: str | None = None  # None: the city's top level (districts and indicators only)

    @property
    def id(self) -> str:
        if self.level is None:
            return f"{self.city.slug}.{self.kind}" + (f".{self.name}" if self.name else "")
        return f"{self.city.slug}.{self.level}" + (
            f".indicator.{self.name}" if self.kind == "indicator" else "")


def city_layers(store: Store, city: City, caller: Caller) -> list[LayerRef]:
    """Every layer of ``city`` as the store holds it now (and ``caller`` may see): areas and
    indicators of each level (the top level first), then events."""
    slug = city.slug
    top, *lower = [level.name for level in store.levels(slug)]
    return (
        [LayerRef(city, "districts")]
        + [LayerRef(city, "indicator", i) for i in _indicator_ids(store, slug, top)]
        + [
            layer
            for level in lower
            for layer in [LayerRef(city, "districts", level=level)] + [
                LayerRef(city, "indicator", i, level) for i in _indicator_ids(store, slug, level)
            ]
        ]
        + [
            LayerRef(city, "events", layer)
            for layer in store.event_layers(slug, event_statuses(caller))
        ]
    )


def _indicator_ids(store: Store, slug: str, level: str) -> list[str]:
    found = store.indicator_periods(slug, level=level)["indicator_id"].unique()
    return sorted(str(i) for i in found)


def layer_title(layer: LayerRef, catalog: Mapping[str, IndicatorInfo]) -> tuple[str, str]:
    """(title, description) of a layer; ``catalog`` names its indicator."""
    city = layer.city.name_en
    at = f" ({layer.level})" if layer.level else ""
    if layer.kind == "districts":
        if layer.level:
            description = (f"Current {layer.level} boundaries with names in English and "
                           "Arabic and the code of the area each lies in.")
            return f"{city}: {layer.level}", description
        return f"{city}: districts", "Current district boundaries with names in English and Arabic."
    if layer.kind == "events":
        return f"{city}: {layer.name} events", f"Published point events of the {layer.name} layer."
    name = layer.name or ""
    info = info_of(catalog, name)
    description = (
        f"{'Areas' + at if layer.level else 'Districts'} with the values of {name} "
        f"({info.unit}); ?period= picks one period, default the latest. Suppressed values "
        "carry no value; estimate names the method of a value carried from other boundaries."
    )
    return f"{city}: {info.name_en}{at}", description


def parse_layer_id(layer_id: str) -> LayerId:
    """A well-formed layer id taken apart, without asking the store; :class:`NotFound`
    naming the accepted forms otherwise."""
    slug, _, rest = layer_id.partition(".")
    first, _, tail = rest.partition(".")
    level = None
    if first and first not in KINDS:  # CITY.LEVEL or CITY.LEVEL.indicator.ID
        level, rest = first, tail or "districts"
        first, _, tail = rest.partition(".")
    well_formed = (first == "districts" and not tail) or (
        first in ("indicator", "events") and bool(tail) and not (level and first == "events"))
    if not slug or not well_formed:
        raise NotFound(
            f"No layer {layer_id!r}: layers are named CITY.districts, "
            "CITY.indicator.INDICATOR_ID, CITY.events.LAYER, and for a level below the top "
            "CITY.LEVEL and CITY.LEVEL.indicator.INDICATOR_ID; see /collections.",
        )
    return LayerId(slug, first, tail or None, level)  # type: ignore[arg-type]


def resolve_layer(store: Store, layer_id: str) -> LayerRef:
    """The layer named ``layer_id``; :class:`NotFound` naming the accepted forms when it is
    malformed or the city or level is unknown. Whether the indicator or event layer holds
    data is the caller's check."""
    parsed = parse_layer_id(layer_id)
    city = store.city(parsed.slug)
    if city is None:
        known = ", ".join(c.slug for c in store.cities()) or "none yet"
        raise NotFound(f"No city {parsed.slug!r} in the store (cities: {known}).")
    if parsed.level is not None:
        city_level(store, city, parsed.level)
    return LayerRef(city, parsed.kind, parsed.name, parsed.level)


def existing_layer(store: Store, layer_id: str, caller: Caller) -> LayerRef:
    """The layer named ``layer_id`` if it holds data ``caller`` may see; :class:`NotFound`
    otherwise."""
    layer = resolve_layer(store, layer_id)
    slug = layer.city.slug
    if layer.kind == "indicator":
        found = not store.indicator_periods(slug, layer.name, level=layer.level).empty
    elif layer.kind == "events":
        found = layer.name in store.event_layers(slug, event_statuses(caller))
    else:
        found = True
    if not found:
        raise NotFound(
            f"No layer {layer_id!r}: it holds no data yet (or none you may see); see /collections."
        )
    return layer
