"""The demo's two map files: the foreign-citizens choropleth and the layered city map, made by
the same services as ``GET /maps/{city}/{indicator}`` and ``GET /maps/{city}/layers``, each one
HTML file with its scripts inlined, so it opens from disk with no network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from observatory.cli.context import CliContext, fail
from observatory.models import City
from observatory.services.map_pages import DEFAULT_INDICATOR, MapAssets
from observatory.store.base import Store

INDICATOR = DEFAULT_INDICATOR


def write_choropleth(cli: CliContext, store: Store, city: str, path: Path) -> Path:
    from observatory.services.map_pages import indicator_map

    return _write(path, _drawn(store, city, lambda record: indicator_map(
        store, record, INDICATOR, MapAssets.of(cli.api_settings, inline=True))))


def write_city_map(cli: CliContext, store: Store, city: str, path: Path) -> Path:
    """Choropleth, incident heat map, clustered incidents per layer and service points, with
    the heat map fixed to the whole period (no server to ask for another window)."""
    from observatory.services.heat_surface import HeatRequest
    from observatory.services.map_pages import layered_map

    return _write(path, _drawn(store, city, lambda record: layered_map(
        store, record, MapAssets.of(cli.api_settings, inline=True), heat=HeatRequest(),
        indicator=INDICATOR)))


def _drawn(store: Store, city: str, draw: Callable[[City], str]) -> str:
    from observatory.services.errors import ServiceError

    record = store.city(city)
    if record is None:
        raise fail(f"No city {city!r} in the store: no map.", 1)
    try:
        return draw(record)
    except ServiceError as exc:
        raise fail(f"No map of {city}: {exc}", 1) from exc


def _write(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
