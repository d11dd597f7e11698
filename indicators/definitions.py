"""Indicator definitions are data: YAML files under ``indicators/definitions``, one framework
each and named after it, validated here with messages that name the file, the indicator and the
key.

A framework file:

    framework: cpi
    names: {en: City Prosperity Index, ar: مؤشر ازدهار المدن}
    aggregation: {subdimension: arithmetic, dimension: arithmetic, index: geometric}
    dimensions:
      - id: productivity
        names: {en: Productivity, ar: الإنتاجية}
        subdimensions:
          - {id: employment, names: {en: Employment, ar: التوظيف}}
    indicators:
      - id: unemployment_rate
        names: {en: Unemployment rate, ar: معدل البطالة}
        dimension: productivity
        subdimension: employment
        unit: percent
        direction: lower           # higher | lower | neutral (neutral: no score)
        benchmarks: {min: 1, max: 28.2, log: false, source: "CPI 2016"}
        formula:
          terms:                   # named sums of observations, filtered by dimension keys
            unemployed: {variable: labour_force, where: {status: unemployed}}
            labour_force: {variable: labour_force}
          expression: 100 * unemployed / labour_force
          counts: [unemployed, labour_force - unemployed]   # each must exceed min_count
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from indicators.formulas.access import AccessFormula
from indicators.formulas.base import StrictModel, Term, WhereValue
from indicators.formulas.diversity import DiversityFormula
from indicators.formulas.group_shares import GroupSharesFormula
from indicators.formulas.phones import PhoneResidentsFormula, PresenceRatioFormula
from indicators.formulas.rates import RateFormula
from indicators.formulas.service_demand import ServiceDemandFormula
from indicators.formulas.terms import TermsFormula
from indicators.framework_files import DEFINITIONS_DIR, framework_files

__all__ = [  # the formula kinds and the folder are part of the definitions' public surface
    "DEFINITIONS_DIR", "AccessFormula", "Aggregation", "Benchmarks", "Definition",
    "DefinitionError", "Dimension", "DiversityFormula", "Formula", "Framework",
    "GroupSharesFormula", "Names", "PhoneResidentsFormula", "PresenceRatioFormula",
    "RateFormula", "ServiceDemandFormula", "Subdimension", "Term", "TermsFormula", "WhereValue",
    "hashed_text", "load_definitions", "load_framework", "load_frameworks",
]

Names = dict[str, str]
Mean = Literal["arithmetic", "geometric"]

# The kinds a definition's ``formula:`` can be; without ``kind`` it is terms. A new kind is one
# class in indicators/formulas/ and its name here.
Formula = (TermsFormula | DiversityFormula | AccessFormula | GroupSharesFormula
           | RateFormula | ServiceDemandFormula | PhoneResidentsFormula | PresenceRatioFormula)


class Benchmarks(StrictModel):
    min: float
    max: float
    log: bool = False
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Benchmarks:
        if not self.max > self.min:
            raise ValueError(f"benchmarks.max ({self.max}) must be above min ({self.min})")
        if self.log and self.min <= 0:
            raise ValueError("log benchmarks need min > 0")
        return self


class Definition(StrictModel):
    id: str
    names: Names
    framework: str = ""
    dimension: str | None = None
    subdimension: str | None = None
    unit: str = ""
    direction: Literal["higher", "lower", "neutral"] = "neutral"
    benchmarks: Benchmarks | None = None
    weight: float = Field(default=1.0, gt=0)
    formula: Formula
    source: str = ""
    sdg: list[str] = Field(default_factory=list)
    holds_for: int | None = Field(
        default=None, gt=0, description="years an observation stands for: until the next one, "
        "a value is carried to the periods at most this many years later (an election's "
        "turnout until the next election), as a mature index uses the latest available value")

    @model_validator(mode="after")
    def _scored_needs_benchmarks(self) -> Definition:
        if self.direction != "neutral" and self.benchmarks is None:
            raise ValueError(f"direction {self.direction!r} needs benchmarks (min, max)")
        return self

    @property
    def hash(self) -> str:
        """Changes whenever the definition does, so stored values show which one made them."""
        return _content_hash(self)


class Subdimension(StrictModel):
    id: str
    names: Names
    weight: float = Field(default=1.0, gt=0)


class Dimension(StrictModel):
    id: str
    names: Names
    weight: float = Field(default=1.0, gt=0)
    subdimensions: list[Subdimension] = Field(default_factory=list)


class Aggregation(StrictModel):
    subdimension: Mean = "arithmetic"
    dimension: Mean = "arithmetic"
    index: Mean = "geometric"


class Framework(StrictModel):
    framework: str
    names: Names
    aggregation: Aggregation = Aggregation()
    dimensions: list[Dimension] = Field(default_factory=list)
    indicators: list[Definition]
    composite: bool = Field(default=False, description="compute sub-dimension, dimension and "
                            "index composites from the scores")

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        dims = {d.id: {s.id for s in d.subdimensions} for d in self.dimensions}
        seen: set[str] = set()
        for ind in self.indicators:
            ind.framework = self.framework
            if ind.id in seen:
                raise ValueError(f"indicator id {ind.id!r} is defined twice")
            seen.add(ind.id)
            if self.composite:
                if ind.dimension not in dims:
                    raise ValueError(f"indicator {ind.id!r}: dimension {ind.dimension!r} is not "
                                     f"one of {sorted(dims)}{_did_you_mean(ind.dimension, dims)}")
                if ind.subdimension not in dims[ind.dimension]:
                    raise ValueError(
                        f"indicator {ind.id!r}: subdimension {ind.subdimension!r} is not one of "
                        f"{sorted(dims[ind.dimension])}"
                        f"{_did_you_mean(ind.subdimension, dims[ind.dimension])}")
                if ind.direction == "neutral":
                    raise ValueError(f"indicator {ind.id!r} is part of a composite and needs a "
                                     "direction (higher or lower) and benchmarks")
        return self

    def variables(self) -> set[str]:
        """The observation variables its indicators read."""
        return set().union(*(ind.formula.variables() for ind in self.indicators))

    @property
    def hash(self) -> str:
        """The composites' definition hash: changes whenever any part of the framework does."""
        return _content_hash(self)


# Keys added after values were stored: left out of the hash while unset, so that the hashes
# of the definitions that do not use them stay those their stored values carry.
UNHASHED_WHEN_UNSET = frozenset({"holds_for"})


def hashed_text(model: StrictModel) -> str:
    """The text a definition's or framework's hash is taken over (benchmark bundles carry it)."""
    return json.dumps(_without_unset(model.model_dump()), sort_keys=True, ensure_ascii=False)


def _content_hash(model: StrictModel) -> str:
    return hashlib.sha256(hashed_text(model).encode("utf-8")).hexdigest()[:16]


def _without_unset(dumped: object) -> object:
    if isinstance(dumped, dict):
        return {k: _without_unset(v) for k, v in dumped.items()
                if not (k in UNHASHED_WHEN_UNSET and v is None)}
    if isinstance(dumped, list):
        return [_without_unset(v) for v in dumped]
    return dumped


class DefinitionError(ValueError):
    pass


def _did_you_mean(word: str | None, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _location(error: ErrorDetails, document: dict) -> str:
    loc: list[int | str] = list(error["loc"])
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        items = document.get("indicators") or []
        ident = items[loc[1]].get("id", f"#{loc[1] + 1}") if loc[1] < len(items) else loc[1]
        loc = [f"indicator {ident}", *loc[2:]]
    return ".".join(str(p) for p in loc)


def load_framework(file: Path) -> Framework:
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{file}: not valid YAML: {exc}") from exc
    try:
        return Framework.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(f"{_location(e, document)}: {e['msg']}" for e in exc.errors())
        raise DefinitionError(f"{file}: {problems}") from exc


def load_frameworks(directory: Path = DEFINITIONS_DIR) -> dict[str, Framework]:
    frameworks: dict[str, Framework] = {}
    for file in framework_files(directory):
        framework = load_framework(file)
        if framework.framework in frameworks:
            raise DefinitionError(f"{file}: framework {framework.framework!r} is defined twice")
        frameworks[framework.framework] = framework
    _one_bucket_per_layer(frameworks)
    return frameworks


def _one_bucket_per_layer(frameworks: dict[str, Framework]) -> None:
    """Events of one layer bucketed by year in one rate and by month in another would make a
    year the sum of its months, a relation the disclosure gate does not model for events (they
    are outside its count table): a withheld month would be the year minus the others."""
    buckets: dict[str, dict[str, str]] = {}
    for framework in frameworks.values():
        for definition in framework.indicators:
            formula = definition.formula
            if isinstance(formula, RateFormula) and formula.events is not None:
                buckets.setdefault(formula.events, {}).setdefault(formula.period, definition.id)
    for layer, found in buckets.items():
        if len(found) > 1:
            ids = " and ".join(f"{i} (by {p})" for p, i in sorted(found.items()))
            raise DefinitionError(
                f"events layer {layer!r} is bucketed two ways: {ids}. A year published with "
                "its months would give a withheld month away (the year minus the others). "
                "Fix: give every rate of the layer the same `period`.")


def load_definitions(directory: Path = DEFINITIONS_DIR) -> dict[str, Definition]:
    definitions: dict[str, Definition] = {}
    for framework in load_frameworks(directory).values():
        for definition in framework.indicators:
            if definition.id in definitions:
                raise DefinitionError(f"indicator id {definition.id!r} is defined in two "
                                      "frameworks")
            definitions[definition.id] = definition
    return definitions
