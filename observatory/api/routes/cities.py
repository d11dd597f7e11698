"""``GET /cities``, ``GET /cities/{city}/levels`` and ``GET /cities/{city}/districts``
(GeoJSON, of one level)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response
from pydantic import BaseModel

from observatory.http.deps import BoundaryDep, CityDep, DisclosureDep, LevelDep, StoreDep
from observatory.http.openapi import refusals
from observatory.services.boundary_changes import boundary_changes
from observatory.services.bundles import bundle_file_name, export_bundle
from observatory.services.levels import level_listing
from observatory.services.peers import external_cities

router = APIRouter(tags=["cities"], responses=refusals(404, 422, 503))

GEOJSON = "application/geo+json"


class CityOut(BaseModel):
    slug: str
    name_en: str
    name_ar: str
    country: str
    local_crs: str
    population: int | None
    external: bool = False  # an external peer, imported from another observatory's bundle
    origin: str | None = None  # the observatory it came from; None: this store's own city


@router.get("/cities", response_model=list[CityOut])
def list_cities(store: StoreDep) -> list[CityOut]:
    """Every city; external peers (imported benchmark bundles) name their origin."""
    peers = external_cities(store)
    return [CityOut(**asdict(city), external=city.slug in peers, origin=peers.get(city.slug))
            for city in store.cities()]


ZIP = "application/zip"


@router.get(
    "/cities/{city}/bundle",
    response_class=Response,
    responses={200: {"content": {ZIP: {}}, "description": "A zipped Frictionless Data "
                     "Package: datapackage.json and CSV resources, sha256 per file"}},
)
def city_bundle(city: CityDep, store: StoreDep, disclosure: DisclosureDep) -> Response:
    """The city's benchmark bundle for peer observatories: its published city-level values
    only (suppressed values never leave), their definitions and hashes, periods, coverage and
    provenance; what `observatory bundle export --city` writes."""
    data = export_bundle(store, city.slug, disclosure.min_count, disclosure.published_digits)
    name = bundle_file_name(city.slug)
    return Response(data, media_type=ZIP,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class BoundaryVersionOut(BaseModel):
    valid_from: str
    valid_to: str | None  # None: the current version
    areas: int


class LevelOut(BaseModel):
    name: str
    parent: str | None  # None: the top level
    name_en: str
    name_ar: str
    versions: list[BoundaryVersionOut]


class LevelsOut(BaseModel):
    city: str
    levels: list[LevelOut]


@router.get("/cities/{city}/levels", response_model=LevelsOut)
def city_levels(city: CityDep, store: StoreDep) -> dict:
    """The city's geographic levels, top first, each with its parent, names (en, ar) and
    boundary versions (valid from, valid to, number of areas)."""
    return level_listing(store, city)


class CarriedTo(BaseModel):
    level: str
    version: str
    code: str
    weight: float
    method: str


class CarriedArea(BaseModel):
    from_code: str
    from_name: str
    to: list[CarriedTo]


class Recoded(BaseModel):
    old_code: str
    new_code: str


class Renamed(BaseModel):
    code: str
    old_name: str
    new_name: str


class VersionRef(BaseModel):
    level: str
    valid_from: str


class BoundaryChange(BaseModel):
    level: str
    valid_from: str
    valid_to: str | None
    successor: VersionRef | None  # the version that replaced it; None: none did
    areas_before: int
    areas_after: int
    kept: list[str]
    recoded: list[Recoded]
    renamed: list[Renamed]
    split: list[str]
    merged: list[str]
    gone: list[str]
    new: list[str]
    carried: list[CarriedArea]


class BoundaryChanges(BaseModel):
    city: str
    changes: list[BoundaryChange]


@router.get("/cities/{city}/boundary-changes", response_model=BoundaryChanges)
def city_boundary_changes(city: CityDep, store: StoreDep, boundary: BoundaryDep) -> dict:
    """Every ended boundary version: the version that replaced it, the areas that kept their
    identity (both overlaps at least OBSERVATORY_IDENTITY_OVERLAP, 90 %), were recoded, renamed, split or merged, and where
    the crosswalk carried each old area (areas, weights, method). Its outlines are drawn at
    /maps/{city}/boundaries/{level}/{valid_from}."""
    return boundary_changes(store, city, boundary.identity_overlap)


@router.get(
    "/cities/{city}/districts",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "GeoJSON FeatureCollection"}},
)
def city_districts(city: CityDep, store: StoreDep, level: LevelDep) -> Response:
    """The current areas of one level, EPSG:4326, with code, parent code, names (en, ar) and
    area in m²."""
    districts = store.districts(city.slug, level=level.name)
    features = districts.set_index(districts["code"].astype(str))
    return Response(features.to_json(ensure_ascii=False).encode("utf-8"), media_type=GEOJSON)
