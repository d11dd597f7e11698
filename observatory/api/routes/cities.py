"""``GET /cities`` and ``GET /cities/{city}/districts`` (GeoJSON)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response
from pydantic import BaseModel

from observatory.http.deps import CityDep, StoreDep
from observatory.http.openapi import refusals

router = APIRouter(tags=["cities"], responses=refusals(404, 422, 503))

GEOJSON = "application/geo+json"


class CityOut(BaseModel):
    slug: str
    name_en: str
    name_ar: str
    country: str
    local_crs: str
    population: int | None


@router.get("/cities", response_model=list[CityOut])
def list_cities(store: StoreDep) -> list[CityOut]:
    return [CityOut(**asdict(city)) for city in store.cities()]


@router.get(
    "/cities/{city}/districts",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "GeoJSON FeatureCollection"}},
)
def city_districts(city: CityDep, store: StoreDep) -> Response:
    """The current districts, EPSG:4326, with code, names (en, ar) and area in m²."""
    districts = store.districts(city.slug)
    features = districts.set_index(districts["code"].astype(str))
    return Response(features.to_json(ensure_ascii=False).encode("utf-8"), media_type=GEOJSON)
