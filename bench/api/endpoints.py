"""The requests compared: each endpoint as the observatory and tipg spell it, with the same page
size, bbox and tile."""

from __future__ import annotations

from dataclasses import dataclass

from bench.api.case import CITY, INDICATOR, PAGE_SIZE, ApiCase, centre_tile, items_bbox

TIPG_VIEW = f"indicator_{INDICATOR}"  # bench/api/tipg_view.sql
OURS, TIPG = "observatory", "tipg"


@dataclass(frozen=True)
class Endpoint:
    key: str
    title: str
    kind: str  # "items" or "tile"
    ours: str  # path on the observatory
    tipg: str  # path on tipg

    def path(self, server: str) -> str:
        return self.tipg if server == TIPG else self.ours


def _bbox_text(bbox: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.6f}" for v in bbox)


def items_endpoints(bbox: tuple[float, float, float, float]) -> list[Endpoint]:
    query = f"limit={PAGE_SIZE}&bbox={_bbox_text(bbox)}"
    return [
        Endpoint("district_items", "districts collection items", "items",
                 f"/collections/{CITY.slug}.districts/items?{query}",
                 f"/collections/public.district/items?{query}"),
        Endpoint("indicator_items", f"indicator table items ({INDICATOR}, latest period)",
                 "items",
                 f"/collections/{CITY.slug}.indicator.{INDICATOR}/items?{query}",
                 f"/collections/public.{TIPG_VIEW}/items?{query}"),
    ]


def tile_endpoints(z: int, x: int, y: int) -> list[Endpoint]:
    return [
        Endpoint("district_tile", f"districts MVT tile {z}/{x}/{y}", "tile",
                 f"/tiles/{CITY.slug}.districts/{z}/{x}/{y}.mvt",
                 f"/collections/public.district/tiles/WebMercatorQuad/{z}/{x}/{y}"),
        Endpoint("indicator_tile", f"indicator MVT tile {z}/{x}/{y}", "tile",
                 f"/tiles/{CITY.slug}.indicator.{INDICATOR}/{z}/{x}/{y}.mvt",
                 f"/collections/public.{TIPG_VIEW}/tiles/WebMercatorQuad/{z}/{x}/{y}"),
    ]


def endpoints(case: ApiCase) -> list[Endpoint]:
    """The timed requests."""
    return items_endpoints(items_bbox(case)) + tile_endpoints(*centre_tile())


def sample_endpoints(case: ApiCase) -> list[Endpoint]:
    """More requests of the same kinds, for the agreement check: the bbox moved by half its
    width in each direction, and the tile's four neighbours."""
    minx, miny, maxx, maxy = items_bbox(case)
    dx, dy = (maxx - minx) / 2, (maxy - miny) / 2
    moves = [(0, 0), (dx, 0), (-dx, 0), (0, dy), (0, -dy)]
    z, x, y = centre_tile()
    tiles = [(x, y), (x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
    sample = []
    for mx, my in moves:
        sample += items_endpoints((minx + mx, miny + my, maxx + mx, maxy + my))
    for tx, ty in tiles:
        sample += tile_endpoints(z, tx, ty)
    return sample
