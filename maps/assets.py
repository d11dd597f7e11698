"""Front-end assets come from ``maps/static``, never from a CDN: maps work with no internet.

Two modes: linked from ``asset_base`` (the API serves ``maps/static`` at ``/static``), or
inlined into the page, for HTML files opened from disk (``file://``).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import cast

import folium
from branca.element import Figure

from maps.page import RawElement

STATIC_DIR = Path(__file__).resolve().parent / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
MARKERCLUSTER_DIR = STATIC_DIR / "vendor" / "leaflet.markercluster"
# Leaflet plugins a page may ask for: name -> (scripts, stylesheets) under ``vendor/``.
PLUGINS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "markercluster": (
        ("leaflet.markercluster/leaflet.markercluster.js",),
        (
            "leaflet.markercluster/MarkerCluster.css",
            "leaflet.markercluster/MarkerCluster.Default.css",
        ),
    ),
}

_CSS_IMAGE = re.compile(r"url\((images/[\w.-]+\.png)\)")


def use_local_assets(
    m: folium.Map,
    *,
    asset_base: str = "/static",
    inline: bool = False,
    plugins: tuple[str, ...] = (),
) -> None:
    """Replace folium's CDN links (Leaflet, jQuery, Bootstrap, fonts) with the vendored Leaflet
    and the vendored ``plugins`` (names from ``PLUGINS``), loaded after it."""
    unknown = [p for p in plugins if p not in PLUGINS]
    if unknown:
        raise ValueError(f"unknown Leaflet plugins {unknown}; vendored: {', '.join(PLUGINS)}")
    scripts = [f for p in plugins for f in PLUGINS[p][0]]
    styles = [f for p in plugins for f in PLUGINS[p][1]]
    if inline:
        m.default_js = []
        m.default_css = []
        header = cast(Figure, m.get_root()).header
        header.add_child(RawElement(f"<style>{leaflet_css_inlined()}</style>"), name="leaflet_css")
        header.add_child(RawElement(f"<script>{leaflet_js()}</script>"), name="leaflet")
        for name in styles:
            header.add_child(RawElement(f"<style>{_vendor_text(name)}</style>"), name=name)
        for name in scripts:
            header.add_child(RawElement(f"<script>{_vendor_text(name)}</script>"), name=name)
        return
    base = asset_base.rstrip("/")
    m.default_js = [("leaflet", f"{base}/vendor/leaflet/leaflet.js")] + [
        (name, f"{base}/vendor/{name}") for name in scripts
    ]
    m.default_css = [("leaflet_css", f"{base}/vendor/leaflet/leaflet.css")] + [
        (name, f"{base}/vendor/{name}") for name in styles
    ]


def leaflet_js() -> str:
    return (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")


def _vendor_text(name: str) -> str:
    return (STATIC_DIR / "vendor" / name).read_text(encoding="utf-8")


def leaflet_css_inlined() -> str:
    """Leaflet's stylesheet with its images as data URIs (relative URLs break once inlined)."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        png = base64.b64encode((LEAFLET_DIR / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{png})"

    return _CSS_IMAGE.sub(data_uri, css)
