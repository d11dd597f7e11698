"""Indicator definitions are data: YAML files under ``indicators/definitions``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


class ShareFormula(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["share"]
    variable: str
    dimension: str
    include: list[str] | None = None
    exclude: list[str] | None = None

    @model_validator(mode="after")
    def _one_of_include_exclude(self) -> "ShareFormula":
        if (self.include is None) == (self.exclude is None):
            raise ValueError("give exactly one of `include` or `exclude`")
        return self


class Definition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    names: dict[str, str] = Field(description="names by language: en, ar")
    framework: str = ""
    unit: str = ""
    formula: ShareFormula
    source: str = ""
    sdg: list[str] = []

    @property
    def hash(self) -> str:
        """Changes whenever the definition does, so stored values show which one made them."""
        text = json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class DefinitionError(ValueError):
    pass


def load_definitions(directory: Path = DEFINITIONS_DIR) -> dict[str, Definition]:
    definitions: dict[str, Definition] = {}
    for file in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        framework = document.get("framework", file.stem)
        for number, raw in enumerate(document.get("indicators", []), start=1):
            try:
                definition = Definition(framework=framework, **raw)
            except (TypeError, ValidationError) as exc:
                raise DefinitionError(f"{file}, indicator #{number}: {exc}") from exc
            if definition.id in definitions:
                raise DefinitionError(f"{file}: indicator id {definition.id!r} is defined twice")
            definitions[definition.id] = definition
    return definitions
