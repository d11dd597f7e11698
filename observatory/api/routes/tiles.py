"""``GET /tiles/{layer}/{z}/{x}/{y}.mvt``: Mapbox vector tiles (web-mercator XYZ) of
``{city}.districts``, ``{city}.indicator.{id}`` and ``{city}.events.{layer}``, and per level
below the top one of ``{city}.{level}`` and ``{city}.{level}.indicator.{id}``.

Both stores build the tile in SQL: PostGIS with ST_AsMVT/ST_AsMVTGeom/ST_TileEnvelope, DuckDB
with the same functions of its spatial extension. A tile with nothing in it is 204.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response

from observatory.api.security import CallerDep
from observatory.http.deps import StoreDep
from observatory.http.openapi import refusals
from observatory.http.response_cache import ResponseCacheDep, cached
from observatory.services.callers import Caller
from observatory.services.layers import existing_layer, parse_layer_id
from observatory.services.visibility import event_statuses
from observatory.store import Store

router = APIRouter(tags=["tiles"], responses=refusals(401, 404, 422, 503))

MVT = "application/vnd.mapbox-vector-tile"
MAX_ZOOM = 24


@router.get(
    "/tiles/{layer}/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses={
        200: {
            "content": {MVT: {}},
            "description": "a vector tile; its one layer is named like the path's layer",
        },
        204: {"description": "nothing in this tile"},
    },
)
def tile(
    request: Request,
    layer: str,
    store: StoreDep,
    caller: CallerDep,
    cache: ResponseCacheDep,
    z: int = Path(..., ge=0, le=MAX_ZOOM),
    x: int = Path(..., ge=0),
    y: int = Path(..., ge=0),
    period: str | None = Query(None, description="indicator layers: default the latest"),
) -> Response:
    """Indicator tiles never carry a suppressed value, whatever the caller's role."""
    if x >= 2**z or y >= 2**z:
        raise HTTPException(
            404, f"No tile {z}/{x}/{y}: at zoom {z}, x and y run from 0 to {2**z - 1}."
        )
    return cached(request, store, cache, caller,
                  lambda: _tile(store, caller, layer, z, x, y, period))


def _tile(store: Store, caller: Caller, layer: str, z: int, x: int, y: int,
          period: str | None) -> Response:
    # The tile first: its query already keeps to the caller's visibility, so a tile with data
    # needs no other lookup; only an empty one asks whether the layer exists (404) or not (204).
    parsed = parse_layer_id(layer)
    slug, name, level = parsed.slug, parsed.name or "", parsed.level
    if parsed.kind == "districts":
        data = store.district_tile(slug, z, x, y, layer=layer, level=level)
    elif parsed.kind == "indicator":
        data = store.indicator_tile(slug, name, z, x, y, layer=layer, period=period, level=level)
    else:
        data = store.event_tile(slug, name, z, x, y, layer=layer,
                                statuses=event_statuses(caller))
    if data:
        return Response(data, media_type=MVT)
    existing_layer(store, layer, caller)
    return Response(status_code=204)
