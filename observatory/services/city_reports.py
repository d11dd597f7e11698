"""What the CLI's city commands read and write — the disclosure audit, the levels check,
segregation, a district layer or heat surface as a file, a benchmark bundle out and in, a
comparison, ICC scores, a proposed feed spec, an ingest's dry run — in the form both ways of
running them share: on the store the command opens, or in ``observatory serve`` when that owns
the DuckDB file (``/internal/store``). Each answer travels as JSON
(its ``TypeAdapter``), floats exactly, infinities and NaN as strings, files as base64."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

from observatory.models import City, Level
from observatory.services.bundles import ImportOutcome
from observatory.services.callers import Caller
from observatory.services.dry_run import DryRunReport, dry_run
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.ingest_jobs import IngestOrder
from observatory.services.spec_inference import InferredSpec, infer_spec
from observatory.settings import DisclosureSettings
from observatory.store.base import Store

# A float may be infinite or NaN (an unbounded interval, a sum of nothing); bytes are files.
_WIRE = ConfigDict(ser_json_inf_nan="strings", ser_json_bytes="base64",
                   val_json_bytes="base64")


def known_city(store: Store, slug: str) -> City:
    """The city ``slug``; ``NotFound`` naming the store's cities when it has none."""
    found = store.city(slug)
    if found is None:
        known = ", ".join(c.slug for c in store.cities()) or "no cities yet"
        raise NotFound(f"Unknown city {slug!r}; the store has: {known}. Fix: pass one of them "
                       "with --city.")
    return found


class CityOrder(BaseModel):
    """A command on one city with the CLI's disclosure settings (the server's may differ)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    city: str
    disclosure: dict[str, Any] = {}

    def settings(self) -> DisclosureSettings:
        return DisclosureSettings(**self.disclosure)


@dataclass(frozen=True)
class AuditCell:
    __pydantic_config__ = _WIRE

    period: str
    district_code: str | None  # None: the city
    indicators: str
    lower: float
    upper: float
    width: float
    primary: bool  # a small count; otherwise a complement, withheld to protect one
    required: float
    protected: bool
    # counts (of shares, rates of counts, service demand), or the rule-protected
    # ``indicators.disclosure.ruled``: rates of events, phone estimates
    family: str = "counts"


AUDIT = TypeAdapter(list[AuditCell])


def disclosure_audit(store: Store, city: str, disclosure: DisclosureSettings) -> list[AuditCell]:
    """Every suppressed cell of the city's stored release with the interval an attacker can
    derive for it (``indicators.disclosure.stored.audit_city``), by period, indicators and
    district, the city first."""
    from indicators.disclosure.stored import audit_city

    known_city(store, city)
    report = audit_city(store, city, disclosure)
    ordered = report.sort_values(["period", "indicators", "district_code"], na_position="first")
    return [AuditCell(str(row.period), None if _missing(row.district_code)
                      else str(row.district_code), str(row.indicators), float(row.lower),
                      float(row.upper), float(row.width), bool(row.primary),
                      float(row.required), bool(row.protected), str(row.family))
            for row in ordered.itertuples(index=False)]


@dataclass(frozen=True)
class BoundaryVersion:
    level: str
    valid_from: str  # YYYY-MM-DD
    valid_to: str | None  # None: current
    areas: int


@dataclass(frozen=True)
class RollUp:
    __pydantic_config__ = _WIRE

    level: str
    source_level: str
    period: str
    cells: int
    equal: int
    max_difference: float


@dataclass(frozen=True)
class CarriedTotals:
    __pydantic_config__ = _WIRE

    from_level: str
    from_version: str
    to_level: str
    to_version: str
    method: str
    sources: int
    targets: int
    split: list[str]
    totals: list[tuple[str, str, float, float]]  # (period, variable, before, after)


@dataclass(frozen=True)
class LevelSummary:
    levels: list[Level]
    versions: list[BoundaryVersion]
    nesting: list[str]
    carried: list[CarriedTotals]
    roll_up: list[RollUp]
    notes: list[str]


LEVELS = TypeAdapter(LevelSummary)


def level_summary(store: Store, city: str) -> LevelSummary:
    """The city's levels, boundary versions, crosswalks and roll-up checks
    (``level_checks.level_report``)."""
    from observatory.services.level_checks import level_report

    known_city(store, city)
    report = level_report(store, city)
    return LevelSummary(
        report.levels,
        [BoundaryVersion(str(row.level), str(row.valid_from)[:10],
                         None if _missing(row.valid_to) else str(row.valid_to)[:10],
                         int(row.areas))
         for row in report.versions.itertuples(index=False)],
        report.nesting,
        [CarriedTotals(c.from_level, c.from_version, c.to_level, c.to_version, c.method,
                       c.sources, c.targets, list(c.split), list(c.totals))
         for c in report.carried],
        [RollUp(str(row.level), str(row.source_level), str(row.period), int(row.cells),
                int(row.equal), float(row.max_difference))
         for row in report.roll_up.itertuples(index=False)],
        report.notes,
    )


class SegregationOrder(CityOrder):
    dimension: str | None = None
    group: str | None = None
    total: str | None = None
    level: str | None = None
    period: str | None = None


def officer_segregation(store: Store, order: SegregationOrder) -> dict[str, Any]:
    """``segregation.city_segregation`` with counts, as an officer sees it."""
    from observatory.services.segregation import city_segregation

    found = known_city(store, order.city)
    return city_segregation(store, found, order.group, dimension=order.dimension,
                            total=order.total, period=order.period, level=order.level,
                            caller=Caller("officer"), disclosure=order.settings())


class ExportOrder(CityOrder):
    format: Literal["gpkg", "parquet", "geojson", "csv", "xlsx", "cog"]
    role: Literal["public", "planner", "officer"] = "public"
    indicator: str | None = None
    level: str | None = None
    period: str | None = None
    heat: str | None = None  # with format cog: the event layer, "all" for every incident layer


@dataclass(frozen=True)
class ExportedFile:
    __pydantic_config__ = _WIRE

    data: bytes
    name: str  # the layer's name (city, level, indicator, period)
    areas: int  # 0 for a heat surface
    withheld: int  # suppressed values left out of the caller's view


EXPORTED = TypeAdapter(ExportedFile)


def exported_file(store: Store, order: ExportOrder) -> ExportedFile:
    """The district layer or the heat surface ``order`` asks for, as the bytes of its file."""
    from observatory.services.exports import district_layer, layer_bytes, write_heat_cog
    from observatory.services.heat_surface import HeatRequest

    found = known_city(store, order.city)
    if order.format == "cog":
        heat = None if order.heat in (None, "all") else order.heat
        with tempfile.TemporaryDirectory(prefix="observatory-export-") as folder:
            path = write_heat_cog(store, found, heat, HeatRequest(), Path(folder) / "heat.tif")
            return ExportedFile(path.read_bytes(), found.slug, 0, 0)
    layer = district_layer(store, found, Caller(order.role), indicator=order.indicator,
                           level=order.level, period=order.period)
    withheld = int(layer.frame["suppressed"].sum()) if "suppressed" in layer.frame else 0
    return ExportedFile(layer_bytes(layer, order.format), layer.name, len(layer.frame),
                        withheld)


class BundleOrder(CityOrder):
    origin: str | None = None  # how peers will name this observatory


@dataclass(frozen=True)
class BundleFile:
    __pydantic_config__ = _WIRE

    data: bytes


BUNDLE = TypeAdapter(BundleFile)


def city_bundle(store: Store, order: BundleOrder) -> BundleFile:
    """The benchmark bundle of the city's published city-level values
    (``bundles.export_bundle``)."""
    from observatory.services.bundles import export_bundle

    known_city(store, order.city)
    settings = order.settings()
    return BundleFile(export_bundle(store, order.city, settings.min_count,
                                    settings.published_digits, order.origin))


class BundleImport(BaseModel):
    """A bundle file's bytes, read by the CLI, to load as an external peer."""

    model_config = _WIRE | ConfigDict(extra="forbid", frozen=True)

    data: bytes
    source: str  # the file's name, for the messages
    as_slug: str | None = None
    disclosure: dict[str, Any] = {}


def peer_import(store: Store, order: BundleImport) -> ImportOutcome:
    """The bundle loaded as a read-only external peer (``bundles.import_bundle``)."""
    from observatory.services.bundles import import_bundle

    return import_bundle(store, order.data, order.source,
                         DisclosureSettings(**order.disclosure).min_count, order.as_slug)


IMPORTED = TypeAdapter(ImportOutcome)


class SpecOrder(BaseModel):
    """``observatory spec infer``: the paths absolute (the server's working directory is not
    the CLI's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    city: str
    file: Path
    feed: str | None = None
    period: str | None = None
    codes_from: Path | None = None


INFERRED = TypeAdapter(InferredSpec)


def proposed_spec(store: Store, order: SpecOrder) -> InferredSpec:
    """``spec_inference.infer_spec``; a file no reader knows is an ``InvalidRequest``."""
    from ingest.errors import IngestError

    try:
        return infer_spec(store, order.city, order.file, order.feed, period=order.period,
                          codes_from=order.codes_from)
    except IngestError as exc:
        raise InvalidRequest(str(exc)) from exc


class CompareOrder(BaseModel):
    """``observatory compare``: the options as typed (parsed by the service, both ways)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cities: str | None = None
    indicators: str | None = None
    period: str | None = None
    peer_group: str = "all"
    min_coverage: float = 0.8
    format: Literal["table", "csv", "xlsx", "html", "pdf"] = "table"
    lang: Literal["en", "ar"] = "en"
    disclosure: dict[str, Any] = {}


@dataclass(frozen=True)
class ComparisonAnswer:
    __pydantic_config__ = _WIRE

    result: dict[str, Any] | None  # None: the store holds no city
    payload: bytes | None  # the file of a csv, xlsx, html or pdf comparison


COMPARED = TypeAdapter(ComparisonAnswer)


def compared_cities(store: Store, order: CompareOrder) -> ComparisonAnswer:
    """The comparison ``order`` asks for (``comparison.comparison``) and, but for a table,
    the bytes of its file: CSV, XLSX with the districts' spread, or the first city's
    benchmark report as HTML or PDF."""
    from observatory.services.benchmark_report import report_html, report_pdf
    from observatory.services.city_spread import district_spread, segregation_by_city
    from observatory.services.comparison import (
        ComparisonRequest,
        comparison,
        load_input,
        parse_ids,
    )
    from observatory.services.comparison_export import to_csv, to_xlsx
    from observatory.services.peer_groups import parse_peer_group

    shown = parse_ids(order.cities, "cities")
    request = ComparisonRequest(cities=shown, indicators=parse_ids(order.indicators,
                                                                   "indicators"),
                                period=order.period, peer_group=parse_peer_group(
                                    order.peer_group), min_coverage=order.min_coverage)
    data = load_input(store)
    if not data.cities:
        return ComparisonAnswer(None, None)
    html = ""
    if order.format in ("html", "pdf"):
        if not shown:
            raise InvalidRequest("The report is one city's. Fix: name it first in --cities, "
                                 f"e.g. --cities {data.cities[0].slug}")
        segregation = segregation_by_city(store, shown, DisclosureSettings(**order.disclosure))
        html = report_html(data, shown[0], request, order.lang, segregation)
    result = comparison(data, request)
    payload = None
    if order.format == "csv":
        payload = to_csv(result)
    elif order.format == "xlsx":
        spread = district_spread(data, [r["indicator_id"] for r in result["indicators"]],
                                 [c["slug"] for c in result["cities"]], request.period)
        payload = to_xlsx(result, spread, lang=order.lang)
    elif order.format == "html":
        payload = html.encode("utf-8")
    elif order.format == "pdf":
        payload = report_pdf(html)
    return ComparisonAnswer(result, payload)


class IccOrder(CityOrder):
    """``observatory icc score``: the files' paths absolute (the server reads them)."""

    year: int
    answers: Path
    questionnaire: Path
    areas: Path


@dataclass(frozen=True)
class IccScore:
    __pydantic_config__ = _WIRE

    id: str
    score: float
    coverage: float


@dataclass(frozen=True)
class IccScored:
    scores: list[IccScore] | None  # None: the store has no such city
    unscored: int  # areas with no questions, hence no score
    written: int


ICC_SCORED = TypeAdapter(IccScored)


def icc_scored(store: Store, order: IccOrder) -> IccScored:
    """``icc_scores.score_icc`` for a city of the store; a bad file is an
    ``InvalidRequest`` saying to correct it."""
    from indicators.icc import IccError
    from observatory.services.icc_scores import score_icc

    store.init_schema()
    if store.city(order.city) is None:
        return IccScored(None, 0, 0)
    try:
        scored, written = score_icc(store, order.city, order.year, order.answers,
                                    order.questionnaire, order.areas,
                                    order.settings().published_digits)
    except IccError as exc:
        raise InvalidRequest(f"{exc}. Fix: correct the file named, then run the command "
                             "again.") from exc
    kept = scored[scored["score"].notna()]
    return IccScored([IccScore(str(row.id), float(row.score), float(row.coverage))
                      for row in kept.itertuples()], len(scored) - len(kept), written)


@dataclass(frozen=True)
class StoredIcc:
    __pydantic_config__ = _WIRE

    population: int | None
    scores: dict[str, float]  # the latest period's city-level icc and icc.<area> values


STORED_ICC = TypeAdapter(StoredIcc | None)


def stored_icc(store: Store, city: str) -> StoredIcc | None:
    """The city's latest stored ICC scores and its population; None when it has none."""
    record = store.city(city)
    if record is None:
        return None
    values = store.indicator_values(city)
    values = values[values["indicator_id"].str.match(r"^icc(\.|$)")
                    & values["district_code"].isna()]
    if values.empty:
        return None
    latest = values[values["period"] == values["period"].max()]
    return StoredIcc(record.population,
                     {str(k): float(v) for k, v in zip(latest["indicator_id"],
                                                       latest["value"], strict=True)})


DRY_RUN = TypeAdapter(DryRunReport)


def ordered_dry_run(store: Store, order: IngestOrder,
                    progress: Callable[[int, int, str], None] | None = None) -> DryRunReport:
    """``dry_run.dry_run`` of what ``order`` would ingest, with its settings; input the
    ingest would refuse is an ``InvalidRequest``."""
    from ingest.errors import IngestError

    options = order.job_options()
    spec = options.pop("spec_path", None)
    try:
        return dry_run(store, order.city, order.feed, spec, order.file,
                       settings=order.job_settings(), progress=progress, **options)
    except IngestError as exc:
        raise InvalidRequest(str(exc)) from exc


def _missing(value: object) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))
