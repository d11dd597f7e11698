"""Names, framework and unit of every indicator id a city can hold, composites included."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indicators.definitions import (
    DEFINITIONS_DIR,
    GroupSharesFormula,
    PhoneResidentsFormula,
    RateFormula,
    ServiceDemandFormula,
)
from indicators.vocabulary import (
    CATEGORIES_FILE,
    SERVICE_AREA,
    group_dimensions,
    group_names,
    service_area_names,
)
from observatory.services.definitions import Stamp, current_frameworks, stamp


@dataclass(frozen=True)
class IndicatorInfo:
    id: str
    framework: str
    name_en: str
    name_ar: str
    unit: str
    direction: str = "neutral"


class IndicatorCatalog(Mapping[str, IndicatorInfo]):
    """The defined ids, and the ids a ``group_shares`` definition generates, one per group
    (``citizenship_share.syrian``): named "<definition's name>: <group's name>" in each
    language, the group's name from the vocabulary (``indicators/vocabulary/groups.yaml``);
    likewise the ids a rate split ``by`` a category generates (``….waste``, names from
    ``indicators/vocabulary/categories.yaml``).
    Iterating lists the defined ids only: the generated ones depend on the data."""

    def __init__(self, defined: dict[str, IndicatorInfo], per_group: dict[str, str],
                 per_category: dict[str, str] | None = None) -> None:
        self._defined = defined
        self._per_group = per_group  # group_shares definition id -> its dimension
        self._per_category = per_category or {}  # rate definition id -> its `by` dimension

    def __getitem__(self, indicator_id: str) -> IndicatorInfo:
        if indicator_id in self._defined:
            return self._defined[indicator_id]
        prefix, dot, group = indicator_id.partition(".")
        if not dot or not group or (prefix not in self._per_group
                                    and prefix not in self._per_category):
            raise KeyError(indicator_id)
        parent = self._defined[prefix]
        if prefix in self._per_category:
            names = group_names(self._per_category[prefix], group, CATEGORIES_FILE)
        elif self._per_group[prefix] == SERVICE_AREA:
            names = service_area_names(group)
        else:
            names = group_names(self._per_group[prefix], group)
        return IndicatorInfo(indicator_id, parent.framework, f"{parent.name_en}: {names['en']}",
                             f"{parent.name_ar or parent.name_en}: {names['ar']}", parent.unit,
                             parent.direction)

    def group_of(self, indicator_id: str) -> tuple[str, str] | None:
        """(dimension, group) of an id a ``group_shares`` definition generates, else None."""
        prefix, dot, group = indicator_id.partition(".")
        if (not dot or not group or prefix not in self._per_group
                or self._per_group[prefix] == SERVICE_AREA):
            return None
        return self._per_group[prefix], group

    def service_area(self, indicator_id: str) -> str | None:
        """The service area of a service-demand id (``<id>.housing`` -> housing), else None."""
        prefix, dot, area = indicator_id.partition(".")
        return area if dot and self._per_group.get(prefix) == SERVICE_AREA else None

    def __iter__(self) -> Iterator[str]:
        return iter(self._defined)

    def __len__(self) -> int:
        return len(self._defined)


def indicator_catalog(directory: Path = DEFINITIONS_DIR) -> IndicatorCatalog:
    """Built again only when a definition file changes, so an edited definition shows without
    a restart. Composite ids (``cpi``, ``cpi.productivity``, ``cpi.productivity.employment``)
    are 0–100 scores; a group_shares id answers for each of its groups (``<id>.<group>``)."""
    return _catalog_as_of(directory, stamp(directory))


def framework_names(lang: str, directory: Path = DEFINITIONS_DIR) -> dict[str, str]:
    """Each framework's name in ``lang`` (else English, else its id)."""
    return {fid: (f.names.get(lang) or f.names.get("en") or fid)
            for fid, f in current_frameworks(directory).items()}


@lru_cache(maxsize=4)
def _catalog_as_of(directory: Path, stamp: Stamp) -> IndicatorCatalog:
    catalog: dict[str, IndicatorInfo] = {}
    per_group: dict[str, str] = {}
    per_category: dict[str, str] = {}
    for framework in current_frameworks(directory).values():
        fid = framework.framework
        for d in framework.indicators:
            catalog[d.id] = IndicatorInfo(
                d.id, fid, d.names.get("en", d.id), d.names.get("ar", ""), d.unit, d.direction
            )
            if isinstance(d.formula, GroupSharesFormula) or (
                    isinstance(d.formula, PhoneResidentsFormula) and d.formula.per_group):
                per_group[d.id] = d.formula.dimension
            elif isinstance(d.formula, RateFormula) and d.formula.by is not None:
                per_category[d.id] = d.formula.by
            elif isinstance(d.formula, ServiceDemandFormula):  # one id per service area
                per_group[d.id] = SERVICE_AREA
        if not framework.composite:
            continue
        catalog[fid] = _composite(fid, fid, framework.names)
        for dim in framework.dimensions:
            catalog[f"{fid}.{dim.id}"] = _composite(f"{fid}.{dim.id}", fid, dim.names)
            for sub in dim.subdimensions:
                sid = f"{fid}.{dim.id}.{sub.id}"
                catalog[sid] = _composite(sid, fid, sub.names)
    return IndicatorCatalog(catalog, per_group, per_category)


def _composite(ident: str, framework: str, names: dict[str, str]) -> IndicatorInfo:
    return IndicatorInfo(
        ident, framework, names.get("en", ident), names.get("ar", ""), "score", "higher"
    )


def group_share_choices(ids: Iterable[str], catalog: IndicatorCatalog
                        ) -> dict[str, dict[str, str]]:
    """Among ``ids``, the group shares by dimension: dimension → {group: indicator id}, in
    the vocabulary's order of dimensions (then any other), groups sorted."""
    found: dict[str, dict[str, str]] = {}
    for ident in sorted(ids):
        of = catalog.group_of(ident)
        if of is not None:
            found.setdefault(of[0], {})[of[1]] = ident
    order = {d: i for i, d in enumerate(group_dimensions())}
    return dict(sorted(found.items(), key=lambda item: (order.get(item[0], len(order)),
                                                        item[0])))


def info_of(catalog: Mapping[str, IndicatorInfo], indicator_id: str) -> IndicatorInfo:
    """The catalogue's entry for ``indicator_id``, or :func:`unknown`'s."""
    return catalog.get(indicator_id) or unknown(indicator_id)


def unknown(indicator_id: str) -> IndicatorInfo:
    """A stored id no definition names any more (a removed or renamed definition)."""
    return IndicatorInfo(indicator_id, "", indicator_id.replace("_", " "), "", "")
