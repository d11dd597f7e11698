"""The vendored front-end assets are present, the version the README names, and licensed."""

from __future__ import annotations

from maps.assets import LEAFLET_DIR, STATIC_DIR


def test_leaflet_is_the_documented_version_with_its_licence():
    readme = (STATIC_DIR / "vendor" / "README.md").read_text(encoding="utf-8")
    header = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")[:200]

    assert "Leaflet 1.9.4" in header
    assert "| 1.9.4 " in readme and "BSD-2-Clause" in readme
    assert "BSD 2-Clause License" in (LEAFLET_DIR / "LICENSE").read_text(encoding="utf-8")


def test_every_image_the_stylesheet_uses_is_vendored():
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
        assert f"url(images/{image})" in css
        assert (LEAFLET_DIR / "images" / image).stat().st_size > 0
