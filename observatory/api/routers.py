"""The API's routers, one per resource, in the order they must be matched."""

from __future__ import annotations

from fastapi import FastAPI

from observatory.api.routes import (
    cities,
    city_maps,
    collections,
    compare,
    field,
    health,
    heatmaps,
    indicators,
    ingest,
    maps,
    runs,
    store_admin,
    tiles,
    uploads,
)


def add_api_routes(app: FastAPI) -> None:
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
    app.include_router(uploads.receiving)
    app.include_router(uploads.router)
    app.include_router(runs.router)
    app.include_router(ingest.router)
    app.include_router(ingest.compute_router)
    app.include_router(store_admin.router)
    app.include_router(compare.router)
