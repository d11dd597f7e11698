"""The app factory both front doors are served by: settings injected, the store opened in the
lifespan, the map assets mounted, the services' errors answered. Which routers it serves is
its caller's choice (:mod:`observatory.app` gives it the API and the pages)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from maps.assets import STATIC_DIR
from observatory.http.api_docs import REDOC_URL, add_api_docs
from observatory.http.errors import add_error_handlers
from observatory.http.response_cache import ResponseCache
from observatory.http.security_headers import SecurityHeaders
from observatory.http.text_params import refuse_nul_bytes
from observatory.services.ingest_jobs import IngestJobs
from observatory.services.uploads import Uploads
from observatory.settings import (
    ApiSettings,
    BoundarySettings,
    DisclosureSettings,
    FieldSettings,
    StoreSettings,
    UploadSettings,
)
from observatory.store import open_store

FrontDoor = Callable[[FastAPI], None]  # adds its routes (and static files) to the app


def http_app(
    front_doors: Sequence[FrontDoor],
    store_settings: StoreSettings | None = None,
    api_settings: ApiSettings | None = None,
    field_settings: FieldSettings | None = None,
    *,
    disclosure: DisclosureSettings | None = None,
    boundary: BoundarySettings | None = None,
    ingest_token: str | None = None,
    upload_settings: UploadSettings | None = None,
) -> FastAPI:
    """An app serving ``front_doors`` in order (a route added earlier wins). ``ingest_token``:
    the app runs the ingests that CLIs on this machine submit with it (``observatory serve``
    on an embedded DuckDB file, whose one writer it is)."""
    store_settings = store_settings or StoreSettings()
    api_settings = api_settings or ApiSettings()
    field_settings = field_settings or FieldSettings()
    upload_settings = upload_settings or UploadSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One store per app; it reads per request, so a new ingest shows without a restart.
        app.state.store = open_store(store_settings.database_url,
                                     pool_size=store_settings.pool_size)
        # One queue of ingests per app (one writer per DuckDB file): the uploads' and, with a
        # token, those the CLIs on this machine submit (/internal/ingest).
        jobs = IngestJobs(app.state.store)
        app.state.ingest_jobs = jobs if ingest_token else None
        app.state.uploads = Uploads(upload_settings,
                                    upload_settings.folder_in(store_settings.data_dir), jobs,
                                    app.state.store)
        # What start-up built (the imported libraries, the app: ~370,000 objects) lives as long
        # as the process: frozen, the collector's full passes no longer walk it; they took
        # 200-400 ms each, every 10-30 s under load, stalling every request in flight.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()  # collectable again (a test process starts many apps)
            jobs.close()  # a running ingest ends before the store closes
            app.state.store.close()

    app = FastAPI(
        title="Municipal migration-data observatory",
        summary="Districts, indicators and maps of a city's migration data.",
        lifespan=lifespan,
        docs_url=None,  # add_api_docs serves them without a CDN
        redoc_url=None,
        dependencies=[Depends(refuse_nul_bytes)],  # before any route's own, on every route
    )
    app.state.api_settings = api_settings
    app.state.response_cache = ResponseCache(api_settings.response_cache_bytes)
    app.state.ingest_token = ingest_token
    app.state.field_settings = field_settings
    app.state.disclosure = disclosure or DisclosureSettings()
    app.state.boundary = boundary or BoundarySettings()
    app.state.photo_dir = field_settings.photos_in(store_settings.data_dir)
    app.state.upload_settings = upload_settings
    add_error_handlers(app)
    app.add_middleware(SecurityHeaders, basemap_url=api_settings.basemap_url,
                       redoc_paths=[REDOC_URL])
    add_api_docs(app)
    # Leaflet and the map scripts, for the API's map pages and the web pages alike.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for add_routes in front_doors:
        add_routes(app)
    return app
