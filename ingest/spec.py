"""Feed specs: YAML files that map a source file onto the schema without code.

Two formats, ``census`` and ``boundaries``, validated by pydantic. Unknown keys are refused
(a typo must not silently fall back to a default), and every problem is reported as an
``IngestError`` naming the spec file, the key path and the fix.
"""

from __future__ import annotations

import difflib
import types
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ingest.errors import IngestError
from observatory.models import City


class _SpecModel(BaseModel):
    # YAML turns 1, 2025 or 01 into numbers; column names and codes are text here.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class CitySpec(_SpecModel):
    slug: str
    name_en: str
    name_ar: str = ""
    country: str = ""
    local_crs: str = ""
    population: int | None = None

    def to_city(self) -> City:
        return City(**self.model_dump())


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


class CensusSpec(_SpecModel):
    feed: Literal["census"]
    city: CitySpec | None = None
    format: Literal["csv", "xlsx"] | None = None
    encoding: Literal["auto", "utf-8", "utf-8-sig", "cp1256", "latin-1"] = "auto"
    delimiter: str | None = None
    header_row: int = Field(default=1, ge=1)
    sheet: int | str | None = None
    district: DistrictKeySpec
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


class BoundariesSpec(_SpecModel):
    feed: Literal["boundaries"]
    city: CitySpec | None = None
    layer: str | None = None
    crs: str | None = None
    code: ColumnSpec
    name_en: ColumnSpec = ColumnSpec()
    name_ar: ColumnSpec = ColumnSpec()
    valid_from: date | None = None

    @field_validator("code")
    @classmethod
    def _code_given(cls, value: ColumnSpec) -> ColumnSpec:
        if not value.column and not value.expression:
            raise ValueError("give code.column or code.expression")
        return value


def load_census_spec(path: Path) -> CensusSpec:
    return _load(Path(path), CensusSpec)


def load_boundaries_spec(path: Path) -> BoundariesSpec:
    return _load(Path(path), BoundariesSpec)


def _load(path: Path, model: type[_SpecModel]) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IngestError(
            f"cannot read the spec ({exc.strerror})", file=str(path), fix="check the spec path"
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=str(path),
            row=mark.line + 1 if mark else None,
            fix="correct the YAML syntax at that line (indentation, quotes, colons)",
        ) from exc
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
