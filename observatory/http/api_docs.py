"""The API's documentation pages (Swagger UI at /docs, ReDoc at /redoc), served with their
scripts and styles from this site: the machines that run the observatory have no network, so
FastAPI's default pages, which load them from a CDN, would stay blank. The assets are the ones
the ``fastapi-offline`` package ships. Swagger UI starts from an inline script, which the page's
policy allows by its hash (the page holds no data, only the app's title and URLs)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from maps.page import HtmlPage, script_sources
from observatory.http.security_headers import page_response

ASSETS = Path(fastapi_offline.__file__).with_name("static")
ASSETS_URL = "/static/api-docs"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"


def add_api_docs(app: FastAPI) -> None:
    """Add /docs and /redoc to ``app`` (made with ``docs_url=None, redoc_url=None``)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="api-docs")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        html = bytes(get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png").body).decode("utf-8")
        return page_response(HtmlPage(html, script_sources(html)))

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url, title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False)
