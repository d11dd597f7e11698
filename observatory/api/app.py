"""The FastAPI app factory. Nothing is built at import time: ``uvicorn … --factory`` (or
``observatory serve``) calls :func:`create_app` with the settings it was given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from maps.assets import STATIC_DIR
from observatory.api.routes import (
    cities,
    city_maps,
    collections,
    field,
    health,
    heatmaps,
    indicators,
    maps,
    runs,
    tiles,
)
from observatory.settings import ApiSettings, FieldSettings, StoreSettings
from observatory.store import open_store
from observatory.web import routes as web_pages


def create_app(
    store_settings: StoreSettings | None = None,
    api_settings: ApiSettings | None = None,
    field_settings: FieldSettings | None = None,
) -> FastAPI:
    store_settings = store_settings or StoreSettings()
    api_settings = api_settings or ApiSettings()
    field_settings = field_settings or FieldSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One store per app; it reads per request, so a new ingest shows without a restart.
        app.state.store = open_store(store_settings.database_url,
                                     pool_size=store_settings.pool_size)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="Municipal migration-data observatory",
        summary="Districts, indicators and maps of a city's migration data.",
        lifespan=lifespan,
    )
    app.state.api_settings = api_settings
    app.state.field_settings = field_settings
    app.state.photo_dir = field_settings.photos_in(store_settings.data_dir)
    app.include_router(health.router)
    app.include_router(cities.router)
    # Before maps: its /maps/{city}/{indicator} would otherwise take /maps/{city}/layers.
    app.include_router(city_maps.router)
    app.include_router(maps.router)
    app.include_router(indicators.router)
    app.include_router(collections.router)
    app.include_router(tiles.router)
    app.include_router(heatmaps.router)
    app.include_router(field.router)
    app.include_router(runs.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Last: the pages' /{lang}/… paths must not shadow any API route.
    app.include_router(web_pages.router)
    app.mount(web_pages.STATIC_URL, StaticFiles(directory=web_pages.STATIC_DIR), name="web_static")
    return app
