"""How segregated one group is across a city's districts, from its stored census counts, for
any dimension that defines population groups."""

from __future__ import annotations

import json

import pandas as pd

from indicators.definitions import load_definitions
from indicators.disclosure.summaries import PERSONAL_DATA_FEEDS, release_summary
from indicators.disclosure.tables import RATIO
from indicators.formulas.group_shares import GroupSharesFormula
from indicators.formulas.terms import TermsFormula
from indicators.segregation_report import (
    FOREIGN,
    group_counts,
    group_members,
    segregation_summary,
)
from indicators.spatial import hotspots
from indicators.vocabulary import dimension_info, dimension_name, group_dimensions, group_names
from observatory.models import City
from observatory.services.callers import PUBLIC, Caller
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.jsonable import plain
from observatory.services.visibility import sees_suppressed
from observatory.settings import DisclosureSettings
from observatory.store import Store


def city_segregation(
    store: Store, city: City, group: str | None = None, *, dimension: str | None = None,
    total: str | None = None, period: str | None = None, caller: Caller = PUBLIC,
    disclosure: DisclosureSettings | None = None, level: str | None = None,
    moran: bool = True,
) -> dict:
    """Dissimilarity, isolation, entropy and the other measures of ``group`` of ``dimension``
    counted in ``total`` in ``period`` (default: the latest), the multigroup measures, and the
    global Moran's I of the group's share, across the areas of ``level`` (None: the top level).

    Any dimension that defines population groups works (indicators/vocabulary/groups.yaml):
    citizenship, birthplace, migration background, or one a city names in its feed spec.
    Without ``dimension``, the first of the vocabulary's dimensions the data carries; without
    ``total``, the variable that carries the dimension (``population`` where several do);
    without ``group``, ``foreign``: every group but the dimension's reference group (own
    nationals, the native-born, residents without a migration background).

    Below officer the answer passes the disclosure gate: no counts, measures rounded and
    withheld for a small group, and nothing at all from personal-data feeds (admin records).
    ``moran=False`` leaves out Moran's I, which reads the areas' geometry (a comparison of
    many cities does not show it)."""
    disclosure = disclosure or DisclosureSettings()
    observations = store.observations(city.slug, variables=None if total is None else [total],
                                      level=level)
    if observations.empty:
        raise NotFound(
            f"{city.slug} has no observations of {total or 'any variable'!r}. Ingest a "
            f"census: observatory ingest census FILE --city {city.slug}"
        )
    carried = _dimensions_by_variable(observations)
    dimension = dimension or _default_dimension(carried, total)
    total = total or _default_total(carried, dimension)
    observations = observations[observations["variable"] == total]
    if not sees_suppressed(caller) and not observations.empty:
        feeds = {run.id: run.feed for run in store.runs(city.slug)}
        if observations["ingest_run"].map(feeds).isin(PERSONAL_DATA_FEEDS).any():
            raise NotFound(
                f"{total!r} counts persons in personal-data records and is not published. "
                "Fix: ask for a census variable such as total=population, or use an officer "
                "key.")
    periods = sorted(observations["period"].astype(str).unique())
    period = period or periods[-1]
    if period not in periods:
        raise NotFound(
            f"No {total!r} observations in period {period!r}; periods: {', '.join(periods)}."
        )
    counts = group_counts(observations, period=period, variable=total, dimension=dimension)
    if counts.empty:
        found = sorted(carried.get(total, set()))
        raise InvalidRequest(
            f"The {total!r} observations of {period} have no {dimension!r} dimension"
            + (f"; they carry {', '.join(found)}" if found else "")
            + ". Fix: choose dimension= one of those, or map one in the census feed spec."
        )
    info = dimension_info(dimension)
    reference = info.reference if info else None
    group = group or (FOREIGN if reference is not None else None)
    if group is None:
        raise InvalidRequest(
            f"{dimension!r} has no reference group to set 'foreign' against: choose group= "
            f"one of {', '.join(sorted(map(str, counts.columns)))}.")
    try:
        summary = segregation_summary(counts, group, reference=reference,
                                      overlapping=bool(info and info.overlapping))
    except ValueError as exc:
        raise InvalidRequest(f"{dimension}: {exc}") from exc
    if moran:
        summary["moran"] = _share_moran(store, city, counts, group, reference, level)
    if not sees_suppressed(caller):
        withheld = _withheld_shares(store, city, total, dimension, reference, period, level)
        summary = release_summary(summary, min_count=disclosure.min_count,
                                  digits=disclosure.published_digits, counts=counts,
                                  reference=reference, withheld=withheld)
    names = _group_names(dimension, group, reference)
    return plain({"city": city.slug, "period": period, "total": total, "dimension": dimension,
                  **names, **summary})


def _withheld_shares(store: Store, city: City, total: str, dimension: str,
                     reference: str | None, period: str, level: str | None) -> frozenset[str]:
    """The groups (``foreign`` included) whose share of ``total`` the stored release
    withholds in some area of ``level`` in ``period``: a complement of a small cell is not
    small itself, but the measures must not give it either."""
    prefixes, exact = _share_indicators(total, dimension, reference)
    if not prefixes and not exact:
        return frozenset()
    values = store.indicator_values(city.slug, period=period, level=level)
    hidden = values.loc[values["suppressed"].astype(bool) & values["district_code"].notna(),
                        "indicator_id"].astype(str).unique()
    found = {exact[i] for i in hidden if i in exact}
    found |= {i[len(p):] for i in hidden for p in prefixes if i.startswith(p)}
    return frozenset(found)


def _share_indicators(total: str, dimension: str, reference: str | None
                      ) -> tuple[list[str], dict[str, str]]:
    """The definitions publishing a group's district share of ``total``: group shares of
    ``dimension`` (ids ``<id>.<group>``: their prefixes) and single ratios (id -> group;
    ``foreign`` for every group but ``reference``)."""
    prefixes: list[str] = []
    exact: dict[str, str] = {}
    everyone: dict[str, object] = {dimension: {"not": []}}
    for definition in load_definitions().values():
        formula = definition.formula
        if (isinstance(formula, GroupSharesFormula) and formula.variable == total
                and formula.dimension == dimension):
            prefixes.append(f"{definition.id}.")
        elif isinstance(formula, TermsFormula) and (match := RATIO.match(formula.expression)):
            part, whole = formula.terms.get(match[2]), formula.terms.get(match[3])
            if (part is None or whole is None or part.variable != total
                    or whole.variable != total or whole.where != everyone
                    or part.scope != "district" or set(part.where) != {dimension}):
                continue
            wanted = part.where[dimension]
            if isinstance(wanted, str):
                exact[definition.id] = wanted
            elif wanted == {"not": [reference]} and reference is not None:
                exact[definition.id] = FOREIGN
    return prefixes, exact


def _dimensions_by_variable(observations: pd.DataFrame) -> dict[str, set[str]]:
    """The dimension keys each variable's observations carry (parsed once per distinct set)."""
    pairs = observations[["variable", "dims"]].drop_duplicates()
    carried: dict[str, set[str]] = {}
    for variable, text in pairs.itertuples(index=False):
        carried.setdefault(str(variable), set()).update(json.loads(text or "{}"))
    return carried


def _default_dimension(carried: dict[str, set[str]], total: str | None) -> str:
    present = set().union(*carried.values()) if carried else set()
    if total is not None:
        present = carried.get(total, set())
    for dimension in group_dimensions():
        if dimension in present:
            return dimension
    raise InvalidRequest(
        f"The {total or 'stored'!r} observations carry no dimension that defines population "
        f"groups ({', '.join(group_dimensions())}; found: {', '.join(sorted(present)) or 'none'})."
        " Fix: name one with dimension=, or map one in the census feed spec.")


def _default_total(carried: dict[str, set[str]], dimension: str) -> str:
    variables = sorted(v for v, dims in carried.items() if dimension in dims)
    if not variables:
        found = sorted(set().union(*carried.values())) if carried else []
        raise InvalidRequest(
            f"No observations carry the dimension {dimension!r}; dimensions found: "
            f"{', '.join(found) or 'none'}. Fix: choose dimension= one of those.")
    return "population" if "population" in variables else variables[0]


def _group_names(dimension: str, group: str, reference: str | None) -> dict[str, str]:
    if group == FOREIGN and reference is not None and not _named(dimension, FOREIGN):
        ref = group_names(dimension, reference)
        group_label = {"en": f"All but: {ref['en']}", "ar": f"الجميع عدا: {ref['ar']}"}
    else:
        group_label = group_names(dimension, group)
    return {"dimension_name_en": dimension_name(dimension, "en"),
            "dimension_name_ar": dimension_name(dimension, "ar"),
            "group_name_en": group_label["en"], "group_name_ar": group_label["ar"]}


def _named(dimension: str, group: str) -> bool:
    info = dimension_info(dimension)
    return bool(info and group in info.groups)


def _share_moran(store: Store, city: City, counts: pd.DataFrame, group: str,
                 reference: str | None, level: str | None) -> dict:
    totals = counts.sum(axis=1)
    members = group_members(counts, group, reference=reference)
    share = (members / totals.where(totals > 0)).rename("value")
    values = share.rename_axis("district_code").reset_index()
    _, summary = hotspots(store.districts(city.slug, level=level), values)
    return {
        k.removeprefix("moran_"): v
        for k, v in summary.items()
        if k.startswith("moran_") or k in ("n", "message")
    }


def segregation_choices(store: Store, city: City, level: str | None = None
                        ) -> dict[str, list[str]]:
    """What a page may offer to choose: each dimension of the vocabulary that the city's
    observations at ``level`` carry and whose groups partition the residents (overlapping
    ones have no segregation), in the vocabulary's order, with the groups found for it
    (``foreign`` first where the dimension has a reference group)."""
    observations = store.observations(city.slug, level=level)
    if observations.empty:
        return {}
    found: dict[str, set[str]] = {}
    for text in observations["dims"].drop_duplicates():
        for key, value in json.loads(text or "{}").items():
            found.setdefault(str(key), set()).add(str(value))
    choices = {}
    for dimension in group_dimensions():
        info = dimension_info(dimension)
        if dimension not in found or (info is not None and info.overlapping):
            continue
        groups = sorted(found[dimension])
        choices[dimension] = ([FOREIGN] if info and info.reference else []) + groups
    return choices


def group_label(dimension: str, group: str) -> dict[str, str]:
    """``{"en": …, "ar": …}`` of a group as the segregation answer names it (``foreign``:
    "All but: <reference group>")."""
    info = dimension_info(dimension)
    names = _group_names(dimension, group, info.reference if info else None)
    return {"en": names["group_name_en"], "ar": names["group_name_ar"]}
