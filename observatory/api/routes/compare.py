"""Cities side by side among their peers: the comparison as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from observatory.http.deps import DisclosureDep, StoreDep
from observatory.http.openapi import refusals
from observatory.services.city_spread import district_spread, segregation_by_city
from observatory.services.comparison import (
    MIN_COVERAGE,
    ComparisonRequest,
    comparison,
    load_input,
    parse_ids,
)
from observatory.services.comparison_export import to_csv, to_xlsx
from observatory.services.peer_groups import PEER_GROUP_HELP, parse_peer_group

router = APIRouter(tags=["comparison"], responses=refusals(404, 422, 503))

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_PATTERN = r"^[A-Za-z0-9_.,\- ]*$"


class PeerGroupOut(BaseModel):
    id: str
    name_en: str
    name_ar: str
    members: list[str]
    size: int


class CityOut(BaseModel):
    slug: str
    name_en: str
    name_ar: str
    country: str
    population: float | None
    foreign_share: float | None
    foreign_share_dimension: str | None  # birthplace (the ICC's), migration_background…
    external: bool  # imported from another observatory's benchmark bundle
    in_peer_group: bool
    foreign_share_flag: str  # 'dimension': the share counts another dimension than birthplace


class ValueOut(BaseModel):
    city: str
    shown: bool
    external: bool
    in_peer_group: bool
    value: float | None
    period: str | None
    coverage: float | None
    definition_hash: str | None
    source_id: str | None  # for a family: the member indicator the city holds
    carried_from: str | None  # the latest available value, of this earlier period (holds_for)
    dimension: str | None  # for a family: the group dimension it counts
    comparable: bool
    ranked: bool
    flags: list[str]  # why not ranked: definition, period, coverage, dimension, outside_group
    rank: int | None
    percentile: float | None
    from_average: float | None
    from_best: float | None


class IndicatorOut(BaseModel):
    indicator_id: str
    name_en: str
    name_ar: str
    framework: str
    unit: str
    direction: str  # higher, lower (is better) or neutral (not ranked)
    period: str | None
    definition_hash: str | None
    dimension: str | None
    sample_size: int
    average: float | None
    best: float | None
    values: list[ValueOut]


class PointOut(BaseModel):
    period: str
    value: float
    definition_hash: str
    # the definition differs from the point before's: the line is not drawn through
    break_: bool

    model_config = {"populate_by_name": True,
                    "alias_generator": lambda name: "break" if name == "break_" else name}


class SeriesOut(BaseModel):
    city: str
    external: bool
    points: list[PointOut]


class TrendOut(BaseModel):
    indicator_id: str
    series: list[SeriesOut]


class FlagWords(BaseModel):
    en: str
    ar: str


class CitySpread(BaseModel):
    city: str
    period: str
    districts: int  # published district values used (suppressed ones are left out)
    city_value: float | None
    min: float
    q1: float
    median: float
    q3: float
    max: float


class IndicatorSpread(BaseModel):
    indicator_id: str
    name_en: str
    name_ar: str
    unit: str
    cities: list[CitySpread]


class CitySegregation(BaseModel):
    """One shown city's segregation of its foreign residents across its districts, as the
    public may see it: rounded, a measure withheld (null) for a small group."""

    city: str
    available: bool  # false: the city has no census counts by a group dimension (see reason)
    reason: str | None = None
    period: str | None = None
    dimension: str | None = None  # the group dimension counted: citizenship, birthplace…
    dimension_name_en: str | None = None
    dimension_name_ar: str | None = None
    suppressed: bool | None = None  # the group is too small: its measures are withheld
    dissimilarity: float | None = None
    isolation: float | None = None
    theil_entropy: float | None = None
    multigroup_dissimilarity: float | None = None


class ComparisonOut(BaseModel):
    peer_group: PeerGroupOut
    period: str | None
    min_coverage: float
    cities: list[CityOut]
    flags: dict[str, FlagWords]
    indicators: list[IndicatorOut]
    trends: list[TrendOut]
    spread: list[IndicatorSpread]  # within each shown city: its districts' distribution
    segregation: list[CitySegregation]  # each shown city's, beside its spread


@router.get("/compare", response_model=ComparisonOut, response_model_by_alias=True,
            responses={200: {"content": {"application/json": {}, CSV: {}, XLSX: {}}}})
def compare(
    store: StoreDep,
    disclosure: DisclosureDep,
    cities: str | None = Query(None, max_length=2000, pattern=LIST_PATTERN,
                               description="city slugs, comma-separated, e.g. vienna,berlin; "
                               "default: every member of the peer group"),
    indicators: str | None = Query(None, max_length=4000, pattern=LIST_PATTERN,
                                   description="indicator ids, comma-separated, e.g. "
                                   "cpi,icc,foreign_residents_share; default: every one a "
                                   "peer holds"),
    period: str | None = Query(None, max_length=20, pattern=r"^[A-Za-z0-9_.\-]+$",
                               description="e.g. 2024; default: per indicator, the latest "
                               "period most peers hold"),
    peer_group: str = Query("all", max_length=300, description=PEER_GROUP_HELP),
    min_coverage: float = Query(MIN_COVERAGE, ge=0, le=1,
                                description="values of lower coverage are flagged, not ranked"),
    f: Literal["json", "csv", "xlsx"] = Query("json", description="csv (UTF-8 with BOM) or "
                                              "xlsx: the table of the shown cities"),
):
    """Published city-level values of the cities side by side: rank (1 = best by the
    indicator's direction), percentile, distance from the peer group's average and best, and
    each city's trend. A value on another definition hash, another period, low coverage or
    another group dimension is flagged and never ranked with the others; ``external`` marks
    peers imported from benchmark bundles. Peer groups: the ICC's (all, over-200k,
    foreign-born-15) or custom criteria. ``spread``: the minimum, quartiles and maximum of
    each shown city's published district values beside its city value; ``segregation``:
    each shown city's dissimilarity, isolation and entropy of its foreign residents across
    its districts (rounded, withheld for a small group), or why it has none."""
    request = ComparisonRequest(cities=parse_ids(cities, "cities"),
                                indicators=parse_ids(indicators, "indicators"), period=period,
                                peer_group=parse_peer_group(peer_group),
                                min_coverage=min_coverage)
    data = load_input(store)
    result = comparison(data, request)
    shown = [c["slug"] for c in result["cities"]]
    spread = district_spread(data, [r["indicator_id"] for r in result["indicators"]], shown,
                             request.period)
    if f == "csv":
        return Response(to_csv(result), media_type=CSV,
                        headers={"Content-Disposition": 'attachment; filename="comparison.csv"'})
    if f == "xlsx":
        return Response(to_xlsx(result, spread), media_type=XLSX, headers={
            "Content-Disposition": 'attachment; filename="comparison.xlsx"'})
    return {**result, "spread": spread,
            "segregation": segregation_by_city(store, shown, disclosure)}
