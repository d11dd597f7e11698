"""Benchmark bundles: a city's published city-level values leave one observatory as a file
(:func:`export_bundle`) and arrive in another as a read-only external peer
(:func:`import_bundle`). The file format is :mod:`observatory.services.bundle_format`; what it
may carry, :mod:`observatory.services.bundle_checks`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

import observatory
from indicators.definitions import Definition, Framework, hashed_text
from indicators.vocabulary import vocabulary
from observatory.models import DEFINITION_COLUMNS, City, ExternalPeer, utcnow
from observatory.services.bundle_checks import check_published, numeric
from observatory.services.bundle_format import Bundle, BundleRefused, read_bundle, write_bundle
from observatory.services.callers import PUBLIC
from observatory.services.definitions import current_frameworks
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.peers import external_peer
from observatory.services.visibility import shown_values
from observatory.store import Store

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
COMPOSITE_UNIT = "score 0–100"


@dataclass(frozen=True)
class ImportOutcome:
    city: str
    status: str  # imported, replaced (an older bundle of the city) or unchanged (the same)
    values: int
    bundle_id: str
    origin: str


def bundle_file_name(city: str) -> str:
    return f"{city}-benchmark-bundle.zip"


def export_bundle(store: Store, slug: str, min_count: int, published_digits: int,
                  origin: str | None = None) -> bytes:
    """The bundle of the city's published city-level values (top level, district NULL)."""
    city = store.city(slug)
    if city is None:
        raise NotFound(f"No city {slug!r} in the store: nothing to export.")
    if (peer := external_peer(store, slug)) is not None:
        raise InvalidRequest(f"{slug!r} is an external peer imported from {peer.origin}: only "
                             "its origin exports its bundle.")
    values = shown_values(store.indicator_values(slug), PUBLIC)
    published = values[values["district_code"].isna() & ~values["suppressed"].astype(bool)
                       & values["value"].notna()]
    definitions = [*definition_rows(current_frameworks()), *stored_definition_rows(store, slug)]
    found = _definitions_of(published, definitions)
    orphans = published[[d is None for d in found]]
    if len(orphans):
        icc = orphans["indicator_id"].astype(str).str.match(r"^icc(\.|$)").any()
        raise InvalidRequest(
            f"Values of {slug!r} were computed with definitions that neither the definition "
            f"files nor the store hold (hashes {', '.join(sorted(set(orphans['definition_hash'])))})"
            f". Fix: observatory compute --city {slug}"
            + (f", and score each year's ICC answers again (observatory icc score ANSWERS "
               f"--city {slug} --year YEAR --questionnaire FILE)" if icc else "")
            + ", then export again.")
    rows = [d for d in found if d is not None]
    used = {(d["definition_id"], d["definition_hash"]) for d in rows}
    value_rows = pd.DataFrame({
        "indicator_id": published["indicator_id"].astype(str),
        "definition_id": [d["definition_id"] for d in rows],
        "definition_hash": published["definition_hash"].astype(str),
        "period": published["period"].astype(str),
        "value": _texts(published["value"]), "score": _texts(published["score"]),
        "coverage": _texts(published["coverage"]),
        "unit": [d["unit"] for d in rows],
        "suppressed": "false",
        "estimate": published["estimate"].fillna("").astype(str),
        "source_runs": published["source_runs"].fillna("").astype(str),
    })
    origin = origin or f"{city.name_en} observatory"
    created = utcnow()
    data = write_bundle(
        name=f"{slug}-benchmark-bundle", title=f"{city.name_en}: published benchmark values",
        created=created,
        meta={"origin": origin, "city": slug, "observatory_version": observatory.__version__,
              "min_count": min_count, "published_digits": published_digits},
        tables={"city": _city_table(city, min_count), "indicator_values": value_rows,
                "indicator_definitions": pd.DataFrame(
                    [d for d in definitions if (d["definition_id"], d["definition_hash"]) in used],
                    columns=DEFINITION_COLUMNS),
                "ingest_runs": _runs_table(store, slug, value_rows["source_runs"])})
    # A bundle this observatory would refuse is never written.
    check_published(read_bundle(data, bundle_file_name(slug)), min_count)
    return data


def import_bundle(store: Store, data: bytes, source: str, min_count: int,
                  as_slug: str | None = None) -> ImportOutcome:
    """Load the bundle as the read-only external peer ``as_slug`` (default: its own slug).
    Refused (BundleRefused) with nothing loaded when a check fails; the same bundle again is
    ``unchanged``; a newer one of the city replaces the older in one transaction."""
    bundle = read_bundle(data, source)
    check_published(bundle, min_count)
    record = bundle.tables["city"].iloc[0]
    slug = as_slug or str(record["slug"])
    if not _SLUG.match(slug):
        raise BundleRefused(source, f"the city slug {slug!r} is not lowercase letters, digits, "
                            "- and _", "import it under another slug with --as SLUG")
    origin = str(bundle.meta.get("origin") or "unknown observatory")
    values = _stored_values(bundle)
    held = external_peer(store, slug)
    if held is not None and held.bundle_id == bundle.id:
        return ImportOutcome(slug, "unchanged", len(values), bundle.id, origin)
    if held is not None and held.exported_at > bundle.exported_at:
        raise BundleRefused(source, f"older than the bundle of {slug!r} already imported "
                            f"(exported {bundle.exported_at:%Y-%m-%d %H:%M} UTC, the store holds "
                            f"one of {held.exported_at:%Y-%m-%d %H:%M} UTC)",
                            "import the newest bundle of the city only")
    population = str(record["population"])
    city = City(slug=slug, name_en=str(record["name_en"]), name_ar=str(record["name_ar"]),
                country=str(record["country"]),
                population=int(float(population)) if population else None)
    peer = ExternalPeer(
        city=slug, bundle_id=bundle.id, origin=origin, origin_city=str(record["slug"]),
        observatory_version=str(bundle.meta.get("observatory_version", "")),
        format_version=int(bundle.meta["format_version"]), exported_at=bundle.exported_at,
        imported_at=utcnow(), checksums=bundle.checksums(),
        provenance={**{k: v for k, v in bundle.meta.items() if k not in ("format", "city")},
                    "ingest_runs": bundle.tables["ingest_runs"].to_dict("records")},
        definitions=bundle.tables["indicator_definitions"].to_dict("records"))
    store.put_external_peer(peer, city, values)
    return ImportOutcome(slug, "imported" if held is None else "replaced", len(values),
                         bundle.id, origin)


def stored_definition_rows(store: Store, slug: str) -> list[dict[str, str]]:
    """The definitions the store keeps beside the city's values (its ICC questionnaires), one
    row per definition id and hash: the same questionnaire scored several years is one."""
    stored = store.stored_definitions(slug)
    rows = stored[DEFINITION_COLUMNS].drop_duplicates(["definition_id", "definition_hash"])
    return rows.astype(str).to_dict("records")


def _definitions_of(values: pd.DataFrame,
                    definitions: list[dict[str, str]]) -> list[dict[str, str] | None]:
    """Each value's definition (None: none has its hash): the one of its indicator id and
    hash (an ICC score: its questionnaire scored every score), else the one of its hash (a
    group share ``<id>.<group>``, a composite of the framework's)."""
    exact = {(d["definition_id"], d["definition_hash"]): d for d in definitions}
    by_hash: dict[str, dict[str, str]] = {}
    for d in definitions:
        by_hash.setdefault(d["definition_hash"], d)
    return [exact.get((str(i), str(h))) or by_hash.get(str(h))
            for i, h in zip(values["indicator_id"], values["definition_hash"], strict=True)]


def definition_rows(frameworks: Mapping[str, Framework]) -> list[dict[str, str]]:
    """One row per indicator definition and per composite framework, with its hash and the
    canonical JSON the hash is taken over."""
    groups = set(vocabulary())
    rows = []
    for framework in frameworks.values():
        for definition in framework.indicators:
            rows.append(_definition_row(definition.id, "indicator", framework.framework,
                                        definition, definition.names["en"], definition.names["ar"],
                                        definition.unit, definition.direction,
                                        group_dimension(definition, groups)))
        if framework.composite:
            rows.append(_definition_row(framework.framework, "framework", framework.framework,
                                        framework, framework.names["en"], framework.names["ar"],
                                        COMPOSITE_UNIT, "higher", ""))
    return rows


def _definition_row(definition_id: str, kind: str, framework: str,
                    model: Definition | Framework, name_en: str, name_ar: str, unit: str,
                    direction: str, group: str) -> dict[str, str]:
    dimension = getattr(model, "dimension", None) if kind == "indicator" else None
    subdimension = getattr(model, "subdimension", None) if kind == "indicator" else None
    text = hashed_text(model)  # what Definition.hash and Framework.hash are taken over
    return {"definition_id": definition_id, "kind": kind, "framework": framework,
            "dimension": dimension or "", "subdimension": subdimension or "",
            "name_en": name_en, "name_ar": name_ar, "unit": unit, "direction": direction,
            "group_dimension": group, "definition_hash": model.hash, "definition": text}


def group_dimension(definition: Definition, groups: Iterable[str]) -> str:
    """The population-group dimension (of ``groups``, the vocabulary's) a definition splits or
    compares by: its formula's ``dimension`` or ``by``, else the group dimensions its terms
    filter on (comma-joined); '' for none."""
    formula, groups = definition.formula, set(groups)
    for attribute in ("dimension", "by"):
        if (value := getattr(formula, attribute, None)) in groups:
            return str(value)
    named: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("where"), dict):
                named.update(node["where"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(formula.model_dump())
    return ",".join(sorted(named & groups))


def _texts(column: pd.Series) -> list[str]:
    """Numbers as the shortest text that reads back as the same float; '' for missing."""
    return ["" if pd.isna(v) else repr(float(v)) for v in column]


def _city_table(city: City, min_count: int) -> pd.DataFrame:
    # A population at or below the threshold is a small count: it does not leave.
    population = city.population if (city.population or 0) > min_count else None
    return pd.DataFrame([{"slug": city.slug, "name_en": city.name_en, "name_ar": city.name_ar,
                          "country": city.country,
                          "population": "" if population is None else str(population)}])


def _runs_table(store: Store, slug: str, source_runs: pd.Series) -> pd.DataFrame:
    used = {run for runs in source_runs for run in runs.split(",") if run}
    rows = [{"run_id": run.id, "feed": run.feed, "spec_name": run.spec_name or "",
             "content_hash": run.content_hash,
             "finished_at": run.finished_at.isoformat() if run.finished_at else "",
             "rows_loaded": str(run.rows_loaded)}
            for run in sorted(store.runs(slug), key=lambda r: r.started_at) if run.id in used]
    return pd.DataFrame(rows, columns=["run_id", "feed", "spec_name", "content_hash",
                                       "finished_at", "rows_loaded"])


def _stored_values(bundle: Bundle) -> pd.DataFrame:
    values = numeric(bundle.tables["indicator_values"], ("value", "score", "coverage"))
    return pd.DataFrame({
        "district_code": pd.Series([None] * len(values), dtype=object),
        "period": values["period"], "indicator_id": values["indicator_id"],
        "value": values["value"], "score": values["score"], "coverage": values["coverage"],
        "suppressed": False, "definition_hash": values["definition_hash"],
        "source_runs": values["source_runs"], "estimate": values["estimate"],
    })
