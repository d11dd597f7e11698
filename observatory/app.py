"""The observatory's one web app: the API and the pages on one FastAPI app. Nothing is built at
import time: ``uvicorn observatory.app:create_app --factory`` (or ``observatory serve``) calls
:func:`create_app` with the settings it was given.

The only module that knows both HTTP front doors; they know only the shared plumbing
(:mod:`observatory.http`) and the services."""

from __future__ import annotations

from fastapi import FastAPI

from observatory.api.routers import add_api_routes
from observatory.http.app import http_app
from observatory.settings import (
    ApiSettings,
    BoundarySettings,
    DisclosureSettings,
    FieldSettings,
    StoreSettings,
    UploadSettings,
)
from observatory.web.routes import add_pages
from observatory.web.segregation_page import add_segregation_page
from observatory.web.upload_pages import add_upload_pages


def create_app(
    store_settings: StoreSettings | None = None,
    api_settings: ApiSettings | None = None,
    field_settings: FieldSettings | None = None,
    *,
    disclosure: DisclosureSettings | None = None,
    boundary: BoundarySettings | None = None,
    ingest_token: str | None = None,
    upload_settings: UploadSettings | None = None,
) -> FastAPI:
    # The pages last: their /{lang}/… paths must not shadow any API route.
    return http_app((add_api_routes, add_upload_pages, add_pages, add_segregation_page),
                    store_settings, api_settings, field_settings,
                    disclosure=disclosure, boundary=boundary, ingest_token=ingest_token,
                    upload_settings=upload_settings)
