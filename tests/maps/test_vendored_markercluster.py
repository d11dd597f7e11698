"""Leaflet.markercluster is vendored byte for byte as the README records, with its licence."""

from __future__ import annotations

import hashlib

from maps.assets import MARKERCLUSTER_DIR, PLUGINS, STATIC_DIR


def test_markercluster_is_the_documented_release_with_its_licence():
    readme = (STATIC_DIR / "vendor" / "README.md").read_text(encoding="utf-8")
    script = (MARKERCLUSTER_DIR / "leaflet.markercluster.js").read_bytes()

    assert "| 1.5.3 " in readme
    assert f"`leaflet.markercluster.js` sha256 `{hashlib.sha256(script).hexdigest()}`" in readme
    assert b"L.MarkerClusterGroup=L.FeatureGroup.extend" in script
    assert "Copyright 2012 David Leaver" in (MARKERCLUSTER_DIR / "LICENSE").read_text()


def test_every_plugin_file_the_pages_link_is_vendored():
    for scripts, styles in PLUGINS.values():
        for name in (*scripts, *styles):
            assert (STATIC_DIR / "vendor" / name).stat().st_size > 0, name
