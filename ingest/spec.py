"""Feed specs: YAML files that map a source file onto the schema without code.

One model per feed family that takes a spec (``census``, ``boundaries``, ``admin``, ``events``,
``cdr``, ``points``; see ``ingest.feeds``), validated by pydantic. Unknown keys are refused (a
typo must not silently fall back to a default), and every problem is reported as an
``IngestError`` naming the spec file, the key path and the fix.
"""

from __future__ import annotations

import difflib
import types
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ingest.errors import IngestError
from ingest.spec_yaml import read_spec_yaml
from observatory.models import City, Level


class _SpecModel(BaseModel):
    # YAML turns 1, 2025 or 01 into numbers; column names and codes are text here.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class _ReplacingSpec(_SpecModel):
    # Earlier runs whose rows this file retires whole, beyond what its own scope replaces:
    # source names or run ids (or their first characters), as `observatory runs` lists them.
    replaces: list[str] = Field(default_factory=list)


class CitySpec(_SpecModel):
    slug: str
    name_en: str
    name_ar: str = ""
    country: str = ""
    local_crs: str = ""
    population: int | None = None

    def to_city(self) -> City:
        return City(**self.model_dump())


LEVEL_NAME = r"^[a-z][a-z0-9_]{0,39}$"


class ParentCodeSpec(_SpecModel):
    """How a level's codes give their parent's code: its first ``prefix`` characters, or an
    ``expression`` over the number ``code`` (e.g. ``code // 100 * 100``)."""

    prefix: int | None = Field(default=None, ge=1)
    expression: str | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> ParentCodeSpec:
        if (self.prefix is None) == (self.expression is None):
            raise ValueError("give parent_code.prefix or parent_code.expression, not both")
        return self


class LevelSpec(_SpecModel):
    """A geographic level declared by the spec that loads it. Without ``parent_code`` its areas
    nest in the parent's by overlap (boundaries only: a table of codes needs a code rule)."""

    name: str = Field(pattern=LEVEL_NAME)
    parent: str | None = Field(default=None, pattern=LEVEL_NAME)
    name_en: str = ""
    name_ar: str = ""
    parent_code: ParentCodeSpec | None = None

    @model_validator(mode="after")
    def _rule_needs_parent(self) -> LevelSpec:
        if self.parent_code is not None and self.parent is None:
            raise ValueError("parent_code needs a parent level (parent: …)")
        if self.parent == self.name:
            raise ValueError(f"level {self.name} cannot be its own parent")
        return self

    def to_level(self) -> Level:
        rule = self.parent_code
        return Level(self.name, self.parent, self.name_en, self.name_ar,
                     rule.prefix if rule else None, rule.expression if rule else None)


# A spec names a level the city has (``level: planning_area``) or declares it in full.
LevelRef = Annotated[str, Field(pattern=LEVEL_NAME)] | LevelSpec


class CrosswalkSpec(_SpecModel):
    """How earlier boundary versions' counts are carried onto this one (docs/geography.md):
    ``auto`` weights by a finer level's population where one is loaded with boundaries
    contemporaneous with the old version, else by area; ``raster`` by a population raster."""

    method: Literal["auto", "area", "raster"] = "auto"
    raster: str | None = None  # path of a population GeoTIFF, relative to the spec file
    population_variable: str = "population_total"

    @model_validator(mode="after")
    def _raster_named(self) -> CrosswalkSpec:
        if (self.method == "raster") != (self.raster is not None):
            raise ValueError("method: raster and raster: <file> go together")
        return self


def _text_mapping(value: Any) -> Any:
    # YAML keys such as 1: male arrive as int; values are matched as text.
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return value


TextMapping = Annotated[dict[str, str], BeforeValidator(_text_mapping)]


class DistrictKeySpec(_SpecModel):
    column: str | None = None
    match: Literal["code", "name_en", "name_ar"] = "code"
    expression: str | None = None

    @model_validator(mode="after")
    def _column_or_expression(self) -> DistrictKeySpec:
        if not self.column and not self.expression:
            raise ValueError("give district.column or district.expression")
        if self.expression and self.match != "code":
            raise ValueError("district.expression computes a code: use it with match: code")
        return self


class PeriodSpec(_SpecModel):
    column: str | None = None
    value: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PeriodSpec:
        if bool(self.column) == bool(self.value):
            raise ValueError("give exactly one of period.column or period.value")
        return self


class DimensionSpec(_SpecModel):
    column: str
    values: TextMapping = Field(default_factory=dict)


class VariableSpec(_SpecModel):
    column: str
    variable: str
    unit: str = ""
    dims: TextMapping = Field(default_factory=dict)


class TableSourceSpec(_SpecModel):
    """How to read a table: CSV, an XLSX sheet, or the attribute table of a vector file."""

    format: Literal["csv", "xlsx", "vector"] | None = None  # default: from the file extension
    encoding: Literal["auto", "utf-8", "utf-8-sig", "cp1256", "latin-1"] = "auto"
    delimiter: str | None = None
    header_row: int = Field(default=1, ge=1)
    sheet: int | str | None = None


class CensusSpec(TableSourceSpec, _ReplacingSpec):
    feed: Literal["census"]
    city: CitySpec | None = None
    layer: str | None = None  # GeoPackage layer, for format: vector
    district: DistrictKeySpec
    level: LevelRef | None = None  # default: the city's top level
    period: PeriodSpec
    dimensions: dict[str, DimensionSpec] = Field(default_factory=dict)
    variables: list[VariableSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _dimension_keys_distinct(self) -> CensusSpec:
        for variable in self.variables:
            clash = sorted(set(variable.dims) & set(self.dimensions))
            if clash:
                raise ValueError(
                    f"variable column {variable.column} sets dims {clash} that are also "
                    "row dimensions: keep each dimension key in one place"
                )
        return self


class ColumnSpec(_SpecModel):
    column: str | None = None
    expression: str | None = None
    values: TextMapping = Field(default_factory=dict)  # source value -> output text


class CodeCorrection(_SpecModel):
    """A publisher's error in one feature's code, corrected where it is known (the feature's
    1-based number in the file, the code it should have, and why, for the run's record)."""

    feature: int = Field(ge=1)
    code: str
    reason: str = Field(min_length=1)


class BoundariesSpec(_SpecModel):
    feed: Literal["boundaries"]
    city: CitySpec | None = None
    layer: str | None = None
    crs: str | None = None
    code: ColumnSpec
    name_en: ColumnSpec = ColumnSpec()
    name_ar: ColumnSpec = ColumnSpec()
    level: LevelRef | None = None  # default: the city's top level
    valid_from: date | None = None
    valid_to: date | None = None  # the scheme's end, when no later version of it is loaded
    crosswalk: CrosswalkSpec = CrosswalkSpec()
    corrections: list[CodeCorrection] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code_given(cls, value: ColumnSpec) -> ColumnSpec:
        if not value.column and not value.expression:
            raise ValueError("give code.column or code.expression")
        return value


SERVICE_AREAS = (
    "regularisation", "nationality", "family_reunification", "housing", "work",
    "social_support", "voluntary_return", "health", "education", "vocational_training",
    "entrepreneurship", "other",
)


class ColumnRef(_SpecModel):
    column: str


class MappedColumnSpec(_SpecModel):
    """A column whose source values are mapped onto output values."""

    column: str
    values: TextMapping = Field(default_factory=dict)  # source value -> output value
    default: str | None = None  # output for values not in ``values``; unset: reject the row


class AdminDistrictSpec(_SpecModel):
    column: str
    # address: the district whose name (en or ar) the address text contains, exactly one
    match: Literal["code", "name_en", "name_ar", "address"] = "code"


class DateSpec(_SpecModel):
    column: str
    format: str | None = None  # strftime pattern, e.g. "%d/%m/%Y"; unset: ISO 8601


class AdminSpec(TableSourceSpec, _ReplacingSpec):
    """Administrative records with personal data -> counts by district, month, service area
    and nationality group. Identifier, name, document and address columns are never stored."""

    feed: Literal["admin"]
    city: CitySpec | None = None
    person_id: ColumnRef
    names: list[str] = Field(default_factory=list)  # columns holding names: dropped
    document_numbers: list[str] = Field(default_factory=list)  # dropped
    record_id: ColumnRef | None = None  # a repeated record id rejects the later row
    nationality: MappedColumnSpec  # values -> nationality group; own citizens: national
    # the dimension the groups of that column are stored under (indicators/vocabulary): e.g.
    # birthplace where the register records countries of birth rather than nationality
    group_dimension: str = Field(default="citizenship", pattern=r"^[a-z][a-z0-9_]*$")
    sex: MappedColumnSpec | None = None  # given: a dimension of the counts
    birth_year: ColumnRef | None = None  # checked, then dropped (not needed for the counts)
    district: AdminDistrictSpec
    service_area: MappedColumnSpec = MappedColumnSpec(column="service_area")
    date: DateSpec

    @field_validator("service_area")
    @classmethod
    def _known_service_areas(cls, value: MappedColumnSpec) -> MappedColumnSpec:
        targets = {*value.values.values(), *([value.default] if value.default else [])}
        unknown = sorted(targets - set(SERVICE_AREAS))
        if unknown:
            raise ValueError(
                f"{unknown} are not service areas; map source values onto: "
                + ", ".join(SERVICE_AREAS)
            )
        return value

    @field_validator("nationality", "sex")
    @classmethod
    def _mapped_not_free_text(cls, value: MappedColumnSpec | None) -> MappedColumnSpec | None:
        # A free-text column of a personal-data file may hold anything typed into it, a name
        # included: only values the spec maps (or its default) become counts' labels.
        if value is not None and not value.values and not value.default:
            raise ValueError(
                "give values (each source value -> a group, e.g. {SYR: syrian, LOCAL: national}) "
                "and, for the rest, default; free text of a personal-data file is never stored")
        return value

    def sensitive_columns(self) -> list[str]:
        """Columns whose values must never reach the store, a message or a rejected row."""
        columns = [self.person_id.column, *self.names, *self.document_numbers]
        if self.record_id:
            columns.append(self.record_id.column)
        if self.district.match == "address":
            columns.append(self.district.column)
        return columns


class EventLayerSpec(_SpecModel):
    value: str | None = None  # one layer for the whole file
    column: str | None = None  # or a column giving each event's layer
    values: TextMapping = Field(default_factory=dict)  # source value -> layer name

    @model_validator(mode="after")
    def _exactly_one(self) -> EventLayerSpec:
        if bool(self.value) == bool(self.column):
            raise ValueError("give exactly one of layer.value or layer.column")
        return self


class EventTimeSpec(DateSpec):
    column: str | None = None  # type: ignore[assignment]
    value: str | None = None  # one time for the whole file, e.g. a dated list of places
    timezone: str = "UTC"  # for times written without an offset

    @model_validator(mode="after")
    def _column_or_value(self) -> EventTimeSpec:
        if bool(self.column) == bool(self.value):
            raise ValueError("give exactly one of time.column or time.value")
        if self.value:
            try:
                if self.format:
                    datetime.strptime(self.value, self.format)
                else:
                    datetime.fromisoformat(self.value)
            except ValueError as exc:
                expected = f"time.format {self.format}" if self.format else "ISO 8601"
                raise ValueError(f"time.value is not a time in {expected}, e.g. 2025-01-01") \
                    from exc
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone: use an IANA name such as Europe/Vienna") from exc
        return value


class PointSpec(_SpecModel):
    lon: str  # column of x (longitude, or easting in a projected crs)
    lat: str


class EventsSpec(TableSourceSpec, _ReplacingSpec):
    """Point events (fire, waste, carjacking…) -> the event table, one layer each."""

    feed: Literal["events"]
    city: CitySpec | None = None
    source_layer: str | None = None  # GeoPackage layer to read
    layer: EventLayerSpec
    time: EventTimeSpec
    point: PointSpec | None = None  # tables: required; vector files: default is the geometry
    crs: str | None = None  # of point columns (default EPSG:4326), or a vector file's override
    id: ColumnRef | None = None  # a repeated id rejects the later row
    # Columns kept as JSON attributes: a list, or a mapping attribute name -> column.
    # Unset: every column except time, point and geometry.
    attributes: list[str] | dict[str, str] | None = None

    def attribute_columns(self) -> dict[str, str] | None:
        if isinstance(self.attributes, list):
            return {column: column for column in self.attributes}
        return self.attributes


def load_census_spec(path: Path) -> CensusSpec:
    return load_spec(path, CensusSpec)


def load_boundaries_spec(path: Path) -> BoundariesSpec:
    return load_spec(path, BoundariesSpec)


def load_admin_spec(path: Path) -> AdminSpec:
    return load_spec(path, AdminSpec)


def load_events_spec(path: Path) -> EventsSpec:
    return load_spec(path, EventsSpec)


def load_spec(path: Path, model: type[_SpecModel]) -> Any:
    """The spec at ``path`` validated as ``model``, or an ``IngestError`` saying what to fix."""
    path = Path(path)
    data = read_spec_yaml(path)
    if not isinstance(data, dict):
        raise IngestError(
            "the spec is empty or not a mapping of keys",
            file=str(path),
            fix=f"start the spec with 'feed: {get_args(model.model_fields['feed'].annotation)[0]}'",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _spec_error(path, model, exc) from exc


def _spec_error(path: Path, model: type[BaseModel], exc: ValidationError) -> IngestError:
    """The first validation problem, phrased for a person editing the YAML."""
    # A wrong feed explains every other complaint; a misspelt key shows up as both "unknown"
    # and "missing", and the unknown one explains both.
    first = min(
        exc.errors(),
        key=lambda error: (tuple(error["loc"]) != ("feed",), error["type"] != "extra_forbidden"),
    )
    loc = tuple(first["loc"])
    key = ".".join(str(part) for part in loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return IngestError(
            f"unknown key '{loc[-1]}'",
            file=str(path),
            key=key,
            fix=f"{hint}allowed keys here: {', '.join(allowed)}",
        )
    if first["type"] == "missing":
        return IngestError("required key is missing", file=str(path), key=key, fix="add it")
    message = first["msg"].removeprefix("Value error, ")
    return IngestError(
        f"{message} (got {first.get('input')!r})",
        file=str(path),
        key=key,
        fix=f"change {key} in the spec as the message says",
    )


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at a key path, following nested models, lists and dicts."""
    current: Any = model
    for part in loc:
        current = _model_or_container(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        else:
            return []
    current = _model_or_container(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_or_container(annotation: Any) -> Any:
    # ``X | None`` -> X, so that optional blocks such as ``city`` can be followed.
    if get_origin(annotation) in (Union, types.UnionType):
        options = [arg for arg in get_args(annotation) if arg is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation


# Big-data feeds (ingest.bigdata): long rows streamed through DuckDB ------------------------------

class TowerColumnsSpec(_SpecModel):
    """Column names of a tower-aggregate file (one row: site, day, metric, group, count)."""

    site: str = "site_id"
    lon: str = "lon"
    lat: str = "lat"
    time: str = "date"
    metric: str = "metric"
    count: str = "count"


class TowerMetricSpec(_SpecModel):
    variable: str  # the observation variable the metric becomes
    unit: str = ""
    kind: Literal["extensive", "intensive"] = "extensive"  # counts are extensive, rates intensive
    # Unique-subscriber counts are not additive: one person is seen at several towers.
    additive: bool = True


def _renamed(old: str, new: str) -> BeforeValidator:
    # A spec written before a feed was renamed still loads, as the feed's current name.
    return BeforeValidator(lambda value: new if value == old else value)


class CdrSpec(_ReplacingSpec):
    """Mobile-phone aggregates per tower site and day -> observations per district and period."""

    feed: Annotated[Literal["cdr"], _renamed("towers", "cdr")]
    city: CitySpec | None = None
    format: Literal["csv", "parquet"] | None = None  # default: from the file extension
    delimiter: str | None = None  # default: sniffed
    columns: TowerColumnsSpec = TowerColumnsSpec()
    dimensions: dict[str, DimensionSpec] = Field(default_factory=dict)  # e.g. SIM nationality
    period: Literal["day", "month", "year"] = "month"  # daily rows are summed to this period
    # containment: each site's counts go to the district containing it; voronoi: to the
    # districts its Voronoi cell (clipped to the city) overlaps, in proportion to area.
    assign: Literal["containment", "voronoi"] = "voronoi"
    metrics: dict[str, TowerMetricSpec] = Field(min_length=1)  # metric value in the file -> …

    @field_validator("metrics")
    @classmethod
    def _additive_if_interpolated(
        cls, value: dict[str, TowerMetricSpec], info: ValidationInfo
    ) -> dict[str, TowerMetricSpec]:
        if info.data.get("assign") != "voronoi":
            return value
        refused = sorted(name for name, metric in value.items() if not metric.additive)
        if refused:
            raise ValueError(
                f"metrics {refused} are additive: false (e.g. unique subscribers, counted once "
                "at each tower they were seen at), so Voronoi interpolation would split and "
                "re-add the same people; set assign: containment, or ingest them from a "
                "separate spec with assign: containment"
            )
        return value


class PointColumnsSpec(_SpecModel):
    lon: str = "lon"
    lat: str = "lat"
    time: str = "time"


class PointCountsSpec(_ReplacingSpec):
    """Geotagged points (posts, sensor hits, service requests) -> counts per district, period
    and the values of the dimension columns (e.g. category)."""

    feed: Literal["points"]
    city: CitySpec | None = None
    format: Literal["csv", "parquet"] | None = None
    delimiter: str | None = None
    columns: PointColumnsSpec = PointColumnsSpec()
    dimensions: dict[str, DimensionSpec] = Field(default_factory=dict)
    period: Literal["day", "month", "year"] = "month"
    variable: str
    unit: str = "points"
    redact: bool = True  # counts of people's posts are personal: suppress small counts


def load_cdr_spec(path: Path) -> CdrSpec:
    return load_spec(path, CdrSpec)


def load_point_counts_spec(path: Path) -> PointCountsSpec:
    return load_spec(path, PointCountsSpec)
