"""The FastAPI app factory. Nothing is built at import time: ``uvicorn … --factory`` (or
``observatory serve``) calls :func:`create_app` with the settings it was given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from maps.assets import STATIC_DIR
from observatory.api.routes import cities, health, maps
from observatory.settings import ApiSettings, StoreSettings
from observatory.store import open_store


def create_app(
    store_settings: StoreSettings | None = None, api_settings: ApiSettings | None = None
) -> FastAPI:
    store_settings = store_settings or StoreSettings()
    api_settings = api_settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One store per app; it reads per request, so a new ingest shows without a restart.
        app.state.store = open_store(store_settings.database_url)
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
    app.include_router(health.router)
    app.include_router(cities.router)
    app.include_router(maps.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
