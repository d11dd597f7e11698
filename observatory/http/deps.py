"""What routes receive: the store opened in the lifespan, the settings, a known city and one of
its geographic levels, and where a map page finds its basemap and Leaflet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam

from observatory.models import City, Level
from observatory.services.errors import NotFound
from observatory.services.levels import city_level
from observatory.services.map_pages import MapAssets
from observatory.settings import ApiSettings, BoundarySettings, DisclosureSettings, FieldSettings
from observatory.store import Store


# Dependencies that only read the app's state are async: FastAPI would run a plain function
# in its thread pool, a thread hop per dependency per request.
async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_api_settings(request: Request) -> ApiSettings:
    return request.app.state.api_settings


async def get_field_settings(request: Request) -> FieldSettings:
    return request.app.state.field_settings


async def get_photo_dir(request: Request) -> Path:
    return request.app.state.photo_dir


async def get_disclosure(request: Request) -> DisclosureSettings:
    return request.app.state.disclosure


async def get_boundary_settings(request: Request) -> BoundarySettings:
    return request.app.state.boundary


StoreDep = Annotated[Store, Depends(get_store)]
BoundaryDep = Annotated[BoundarySettings, Depends(get_boundary_settings)]
DisclosureDep = Annotated[DisclosureSettings, Depends(get_disclosure)]
ApiSettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]
FieldSettingsDep = Annotated[FieldSettings, Depends(get_field_settings)]
PhotoDirDep = Annotated[Path, Depends(get_photo_dir)]


def root_path(request: Request) -> str:
    """The prefix the app is mounted under behind a proxy ('' when at the root)."""
    return request.scope.get("root_path", "")


async def get_map_assets(request: Request, api_settings: ApiSettingsDep) -> MapAssets:
    """The configured basemap, and Leaflet's files as the observatory serves them."""
    return MapAssets.of(api_settings, asset_base=f"{root_path(request)}/static")


MapAssetsDep = Annotated[MapAssets, Depends(get_map_assets)]


def get_city(
    city: Annotated[str, PathParam(description="City slug, e.g. vienna")], store: StoreDep
) -> City:
    found = store.city(city)
    if found is None:
        known = ", ".join(c.slug for c in store.cities()) or "none yet"
        raise NotFound(
            f"No city {city!r} in the store (cities: {known}). Load one with: "
            f"observatory ingest boundaries FILE --city {city}"
        )
    return found


CityDep = Annotated[City, Depends(get_city)]


def get_level(
    city: CityDep,
    store: StoreDep,
    level: Annotated[str | None, Query(
        description="Geographic level, e.g. district or planning_area; default: the city's "
        "top level (see /cities/{city}/levels)")] = None,
) -> Level:
    return city_level(store, city, level)


# ?level= of the routes under /cities/{city}…: unknown, a 404 listing the city's levels.
LevelDep = Annotated[Level, Depends(get_level)]
