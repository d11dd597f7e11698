"""OGC API Features (Part 1, core + GeoJSON): ``/conformance``, ``/collections``,
``/collections/{id}``, ``/collections/{id}/items`` and ``/collections/{id}/items/{featureId}``.

Collections are read from the store on every request, so a new city, indicator or event
layer is listed as soon as its ingest lands. Filtering by ``bbox`` and paging happen in the
store's SQL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated

import geopandas as gpd
import orjson
import pandas as pd
import shapely
from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import Response
from shapely.geometry import box

from observatory.api.export_params import Encoding, download_format, download_media_types
from observatory.api.ogc_params import parse_bbox, parse_datetime
from observatory.api.security import CallerDep
from observatory.http.deps import StoreDep
from observatory.http.openapi import refusals
from observatory.http.response_cache import ResponseCacheDep, cached
from observatory.models import DistrictFeatures, utcnow
from observatory.services.callers import Caller
from observatory.services.errors import NotFound
from observatory.services.exports import FILE_FORMATS, LayerFormat, district_layer, layer_bytes
from observatory.services.indicator_catalog import IndicatorInfo, indicator_catalog
from observatory.services.jsonable import plain
from observatory.services.layers import (
    LayerRef,
    city_layers,
    existing_layer,
    layer_title,
    parse_layer_id,
    resolve_layer,
)
from observatory.services.visibility import event_statuses, sees_suppressed
from observatory.store import Store
from observatory.store.base import Bounds

# 400: a malformed bbox or datetime; 401: a key that is not known.
router = APIRouter(tags=["OGC API Features"], responses=refusals(400, 401, 404, 422, 503))

GEOJSON = "application/geo+json"
MAX_LIMIT = 10_000
# Past any store's row count, yet within the 64-bit integers the stores' OFFSET takes.
MAX_OFFSET = 1_000_000_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def _geojson(document: dict) -> Response:
    # Geometries arrive as GeoJSON text (orjson.Fragment): the encoder never walks their
    # coordinates in Python. orjson writes NaN and infinities as null.
    return Response(orjson.dumps(document), media_type=GEOJSON)


def _geometries(page: gpd.GeoDataFrame) -> list:
    return [orjson.Fragment(text) for text in shapely.to_geojson(page.geometry.values)]


@router.get("/conformance")
def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def _collection(
    request: Request, layer: LayerRef, catalog: Mapping[str, IndicatorInfo]
) -> dict:
    title, description = layer_title(layer, catalog)
    base = str(request.url_for("collection", collection_id=layer.id))
    return {
        "id": layer.id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            {"href": base, "rel": "self", "type": "application/json"},
            {"href": f"{base}/items", "rel": "items", "type": GEOJSON},
            {
                "href": f"{request.base_url}tiles/{layer.id}/{{z}}/{{x}}/{{y}}.mvt",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                "type": "application/vnd.mapbox-vector-tile",
            },
        ],
    }


@router.get("/collections")
def collections(request: Request, store: StoreDep, caller: CallerDep) -> dict:
    catalog = indicator_catalog()  # once per request, not once per layer
    listed = [
        _collection(request, layer, catalog)
        for city in store.cities()
        for layer in city_layers(store, city, caller)
    ]
    return {
        "collections": listed,
        "links": [{"href": str(request.url), "rel": "self", "type": "application/json"}],
    }


@router.get("/collections/{collection_id}", name="collection")
def collection(collection_id: str, request: Request, store: StoreDep, caller: CallerDep) -> dict:
    layer = existing_layer(store, collection_id, caller)
    described = _collection(request, layer, indicator_catalog())
    districts = store.districts(layer.city.slug, level=layer.level)
    if not districts.empty:
        described["extent"] = {"spatial": {"bbox": [list(districts.total_bounds)], "crs": CRS84}}
    return described


def _page_links(request: Request, offset: int, limit: int, returned: int, matched: int) -> list:
    def at(position: int) -> str:
        return str(request.url.include_query_params(offset=position, limit=limit))

    links = [{"href": str(request.url), "rel": "self", "type": GEOJSON}]
    if offset + returned < matched:
        links.append({"href": at(offset + limit), "rel": "next", "type": GEOJSON})
    if offset > 0:
        links.append({"href": at(max(0, offset - limit)), "rel": "prev", "type": GEOJSON})
    return links


def _district_features(page: DistrictFeatures, caller: Caller,
                       estimates: Mapping[str, str] | None = None) -> list[dict]:
    """Feature dicts of a page; with ``estimates`` (indicator pages) each carries the method
    of a value carried from other boundaries ('' for loaded counts, None without a value)."""
    hide = "suppressed" in page.columns and not sees_suppressed(caller)
    features = []
    for row, geometry in zip(page.rows, page.geometries):
        properties = dict(zip(page.columns, row))
        if hide and properties["suppressed"]:
            properties["value"] = properties["score"] = None
        if estimates is not None:
            properties["estimate"] = estimates.get(str(properties["code"]))
        features.append({"type": "Feature", "id": str(properties["code"]),
                         "geometry": orjson.Fragment(geometry), "properties": properties})
    return features


def _event_features(page: gpd.GeoDataFrame) -> list[dict]:
    return [
        {
            "type": "Feature",
            "id": str(row["id"]),
            "geometry": geometry,
            "properties": plain({
                "layer": row["layer"],
                "status": row["status"],
                "occurred_at": (
                    row["occurred_at"].isoformat() if pd.notna(row["occurred_at"]) else None
                ),
                "attributes": json.loads(row["attributes"] or "{}"),
            }),
        }
        for (_, row), geometry in zip(page.iterrows(), _geometries(page))
    ]


def _no_period(store: Store, layer: LayerRef, period: str | None) -> NotFound:
    periods = list(store.indicator_periods(layer.city.slug, layer.name, level=layer.level)[
        "period"].astype(str))
    return NotFound(
        f"No values of {layer.name!r} in period {period!r}; periods: {', '.join(periods)}."
    )


def _features(
    store: Store,
    collection_id: str,
    caller: Caller,
    *,
    bbox,
    limit,
    offset,
    datetime_,
    period,
    feature_id=None,
) -> tuple[list[dict], int]:
    """A page of features. District and indicator layers take one store call; only an empty
    answer asks whether the layer exists (404) or the page is empty."""
    parsed = parse_layer_id(collection_id)
    if parsed.kind == "events":
        existing_layer(store, collection_id, caller)
        start, end = parse_datetime(datetime_)
        page, matched = store.event_page(
            parsed.slug,
            parsed.name or "",
            bbox=bbox,
            start=start,
            end=end,
            statuses=event_statuses(caller),
            limit=limit,
            offset=offset,
            event_id=feature_id,
        )
        return _event_features(page), matched
    if parsed.level is not None:  # an unknown level is a 404 naming the city's levels
        resolve_layer(store, collection_id)
    page = store.district_features(
        parsed.slug, indicator_id=parsed.name, period=period, bbox=bbox, limit=limit,
        offset=offset, code=feature_id, level=parsed.level,
    )
    if parsed.kind == "indicator" and page.period is None:
        raise _no_period(store, existing_layer(store, collection_id, caller), period)
    if page.matched == 0:
        existing_layer(store, collection_id, caller)
    estimates = None
    if parsed.kind == "indicator" and page.rows:
        codes = [str(row[0]) for row in page.rows]
        shown = store.indicator_values(parsed.slug, parsed.name, page.period,
                                       district_codes=codes, level=parsed.level)
        estimates = dict(zip(shown["district_code"].astype(str), shown["estimate"]))
    return _district_features(page, caller, estimates), page.matched


def _download(store: Store, collection_id: str, caller: Caller, fmt: LayerFormat,
              bbox: Bounds | None, period: str | None) -> Response:
    """The whole district or indicator layer as one file (``bbox``: the areas it touches)."""
    parsed = parse_layer_id(collection_id)
    if parsed.kind == "events":
        raise HTTPException(400, f"f={fmt}: downloads are of district and indicator layers; "
                                 "ask for events as GeoJSON pages (f=json).")
    layer = existing_layer(store, collection_id, caller)
    found = district_layer(store, layer.city, caller, indicator=layer.name, level=layer.level,
                           period=period)
    if bbox is not None:
        frame = found.frame
        found = replace(found, frame=frame[frame.intersects(box(*bbox))].reset_index(drop=True))
    return Response(layer_bytes(found, fmt), media_type=FILE_FORMATS[fmt].media_type,
                    headers={"Content-Disposition":
                             f'attachment; filename="{found.filename(fmt)}"'})


@router.get(
    "/collections/{collection_id}/items",
    responses={200: {"content": {GEOJSON: {}, **download_media_types()},
                     "description": "FeatureCollection, or the layer as a file (f=)"}},
)
def items(
    collection_id: str,
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    cache: ResponseCacheDep,
    bbox: str | None = Query(None, description="minx,miny,maxx,maxy in lon/lat (EPSG:4326)"),
    limit: int = Query(10, ge=1, description=f"page size; at most {MAX_LIMIT}"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    datetime: str | None = Query(
        None,
        description="event layers: an instant or start/end, "
        "'..' open, e.g. 2025-01-01T00:00:00Z/..",
    ),
    period: str | None = Query(None, description="indicator layers: the period, default latest"),
    f: Annotated[Encoding | None, Query(
        description="json: a page of GeoJSON features (the default); geojson, gpkg "
        "(GeoPackage), parquet (GeoParquet), csv or xlsx (tables, UTF-8 with names in English "
        "and Arabic): the whole district or indicator layer as one file, limit and offset "
        "aside. Without f, the Accept header chooses (e.g. application/geopackage+sqlite3).")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """A page is kept (response cache) until the store's data change; its timeStamp is when
    it was built. A file (``f=`` or Accept) is built afresh."""
    fmt = download_format(f, accept)
    if fmt is not None:
        return _download(store, collection_id, caller, fmt, parse_bbox(bbox), period)
    limit = min(limit, MAX_LIMIT)  # OGC: a larger limit is clamped, not refused
    return cached(request, store, cache, caller, lambda: _items_page(
        request, store, collection_id, caller, bbox, limit, offset, datetime, period))


def _items_page(request: Request, store: Store, collection_id: str, caller: Caller,
                bbox: str | None, limit: int, offset: int, datetime: str | None,
                period: str | None) -> Response:
    features, matched = _features(
        store,
        collection_id,
        caller,
        bbox=parse_bbox(bbox),
        limit=limit,
        offset=offset,
        datetime_=datetime,
        period=period,
    )
    return _geojson(
        {
            "type": "FeatureCollection",
            "features": features,
            "numberMatched": matched,
            "numberReturned": len(features),
            "timeStamp": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "links": _page_links(request, offset, limit, len(features), matched),
        }
    )


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    responses={200: {"content": {GEOJSON: {}}, "description": "Feature"}},
)
def item(
    collection_id: str,
    feature_id: str,
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    cache: ResponseCacheDep,
    period: str | None = None,
) -> Response:
    return cached(request, store, cache, caller,
                  lambda: _item(request, store, collection_id, feature_id, caller, period))


def _item(request: Request, store: Store, collection_id: str, feature_id: str, caller: Caller,
          period: str | None) -> Response:
    features, _ = _features(
        store,
        collection_id,
        caller,
        bbox=None,
        limit=1,
        offset=0,
        datetime_=None,
        period=period,
        feature_id=feature_id,
    )
    if not features:
        raise NotFound(f"No feature {feature_id!r} in {collection_id!r}.")
    base = str(request.url_for("collection", collection_id=collection_id))
    return _geojson(
        {
            **features[0],
            "links": [
                {"href": str(request.url), "rel": "self", "type": GEOJSON},
                {"href": base, "rel": "collection", "type": "application/json"},
            ],
        }
    )
