"""The dimensions that define population groups and their groups' names in English and Arabic
(``groups.yaml`` beside this module; a city adds its own there).

A group the file does not name is named visibly as missing, in both languages, never with an
empty name: ``syrian (no name in the vocabulary)``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from indicators.formulas.base import StrictModel

GROUPS_FILE = Path(__file__).with_name("groups.yaml")
# the categories that split counted points (not population groups: never segregation)
CATEGORIES_FILE = Path(__file__).with_name("categories.yaml")
LANGUAGES = ("en", "ar")
_MISSING = {"en": "{group} (no name in the vocabulary)", "ar": "{group} (لا اسم له في المفردات)"}


class Names(StrictModel):
    en: str = Field(min_length=1)
    ar: str = Field(min_length=1)


class GroupDimension(StrictModel):
    names: Names
    reference: str | None = Field(
        default=None, description="the majority the other groups are measured against")
    overlapping: bool = Field(
        default=False, description="groups nest or overlap: never sum over them")
    groups: dict[str, Names] = Field(default_factory=dict)


class VocabularyError(ValueError):
    pass


def vocabulary(file: Path = GROUPS_FILE) -> dict[str, GroupDimension]:
    """Every group dimension, in the file's order; read again when the file changes."""
    return _read(file, file.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _read(file: Path, _stamp: int) -> dict[str, GroupDimension]:
    document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    try:
        return {str(dim): GroupDimension.model_validate(block)
                for dim, block in document.items()}
    except ValidationError as exc:
        raise VocabularyError(f"{file}: {exc}") from exc


def group_dimensions(file: Path = GROUPS_FILE) -> list[str]:
    """The dimensions that define population groups, in the order they are chosen by default."""
    return list(vocabulary(file))


def dimension_info(dimension: str, file: Path = GROUPS_FILE) -> GroupDimension | None:
    return vocabulary(file).get(dimension)


def dimension_name(dimension: str, lang: str, file: Path = GROUPS_FILE) -> str:
    info = dimension_info(dimension, file)
    if info is None:
        return _MISSING[_lang(lang)].format(group=dimension)
    return getattr(info.names, _lang(lang))


def group_name(dimension: str, group: str, lang: str, file: Path = GROUPS_FILE) -> str:
    """The name of ``group`` of ``dimension`` in ``lang`` (en or ar), or a visible stand-in."""
    info = dimension_info(dimension, file)
    names = info.groups.get(group) if info else None
    if names is None:
        return _MISSING[_lang(lang)].format(group=group)
    return getattr(names, _lang(lang))


def group_names(dimension: str, group: str, file: Path = GROUPS_FILE) -> dict[str, str]:
    """``{"en": …, "ar": …}`` of one group."""
    return {lang: group_name(dimension, group, lang, file) for lang in LANGUAGES}


SERVICE_AREAS_FILE = Path(__file__).with_name("service_areas.yaml")
SERVICE_AREA = "service_area"  # the dimension of administrative records' service areas


def service_area_names(area: str, file: Path = SERVICE_AREAS_FILE) -> dict[str, str]:
    """``{"en": …, "ar": …}`` of one service area (``service_areas.yaml``), or visible
    stand-ins."""
    names = _areas(file, file.stat().st_mtime_ns).get(area)
    if names is None:
        return {lang: _MISSING[lang].format(group=area) for lang in LANGUAGES}
    return {lang: getattr(names, lang) for lang in LANGUAGES}


@lru_cache(maxsize=2)
def _areas(file: Path, _stamp: int) -> dict[str, Names]:
    document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    try:
        return {str(area): Names.model_validate(names) for area, names in document.items()}
    except ValidationError as exc:
        raise VocabularyError(f"{file}: {exc}") from exc


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"
