"""Ingest jobs: hash -> re-run check -> read -> validate -> normalise -> one-transaction load.

These are the entry points the CLI, the API and the demo call. Each returns the ``IngestRun``;
a file already loaded with the same spec comes back as its earlier run, status ``unchanged``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd

from ingest.admin import normalise_admin
from ingest.admin_privacy import keyed_hasher
from ingest.bigdata.points import point_counts
from ingest.bigdata.towers import tower_observations
from ingest.boundaries import normalise_boundaries
from ingest.census import DistrictLookup, normalise_census
from ingest.errors import IngestError
from ingest.events import normalise_events
from ingest.job_steps import (
    Progress,
    begin_run,
    districts_or_refuse,
    refuse_if_nothing_left,
)
from ingest.readers import Table, read_table, read_vector, table_format
from ingest.spec import (
    BoundariesSpec,
    CitySpec,
    ColumnSpec,
    TableSourceSpec,
    load_admin_spec,
    load_boundaries_spec,
    load_census_spec,
    load_events_spec,
    load_point_counts_spec,
    load_towers_spec,
)
from observatory.models import City, IngestRun, today
from observatory.settings import DisclosureSettings, PrivacySettings
from observatory.store.base import Store

SHIPPED_SPECS = Path(__file__).parent / "specs"


def ingest_boundaries(
    store: Store,
    path: Path,
    city_slug: str,
    spec_path: Path | None = None,
    *,
    progress: Progress | None = None,
) -> IngestRun:
    """Load district boundaries as a new boundary version and create or update the city.

    Without ``spec_path`` the spec shipped for the city is used (``ingest/specs/<city>/``), or
    else the columns ``code``, ``name_en`` and ``name_ar``.
    """
    path = Path(path)
    spec_path = spec_path or _shipped_spec(city_slug, "boundaries")
    if spec_path:
        spec, spec_text = load_boundaries_spec(spec_path), Path(spec_path).read_text("utf-8")
    else:
        spec = BoundariesSpec(
            feed="boundaries",
            code=ColumnSpec(column="code"),
            name_en=ColumnSpec(column="name_en"),
            name_ar=ColumnSpec(column="name_ar"),
        )
        spec_text = spec.model_dump_json()
    report, content_hash, earlier = _begin(store, path, city_slug, "boundaries", spec.city,
                                           spec_path, progress, spec_text=spec_text)
    if earlier:
        return earlier

    report(2, f"reading {path.name}")
    features = read_vector(path, layer=spec.layer)
    if spec_path is None:
        if "code" not in features.columns:
            columns = ", ".join(str(c) for c in features.columns if c != "geometry")
            raise IngestError(
                "no boundaries spec was given and the file has no 'code' column",
                file=path.name,
                fix="write a boundaries spec naming the code column (code: {column: …}; "
                f"the file has: {columns}) and pass it with --spec",
            )
        # The default spec names columns the file may not have: keep those it has.
        spec = spec.model_copy(update={
            key: ColumnSpec() for key in ("name_en", "name_ar") if key not in features.columns
        })
    city = _city_for_boundaries(store, spec.city, city_slug)
    report(3, "validating and reprojecting")
    result = normalise_boundaries(features, spec, source=path.name, local_crs=city.local_crs)
    refuse_if_nothing_left(len(result.districts), len(features), result.rejected, path.name)

    report(4, "loading")
    store.upsert_city(replace(city, local_crs=result.local_crs))
    run = IngestRun(city=city_slug, feed="boundaries", source_name=path.name,
                    content_hash=content_hash, rows_read=len(features),
                    message="\n".join(result.notes))
    return store.load(run, districts=result.districts, valid_from=spec.valid_from or today(),
                      rejected=result.rejected)


def ingest_census(
    store: Store,
    path: Path,
    city_slug: str,
    spec_path: Path,
    *,
    progress: Progress | None = None,
) -> IngestRun:
    """Load a census table as observations; the city and its districts must already exist."""
    path = Path(path)
    spec = load_census_spec(spec_path)
    report, content_hash, earlier = _begin(store, path, city_slug, "census", spec.city,
                                           spec_path, progress)
    if earlier:
        return earlier

    districts = districts_or_refuse(store, city_slug, path.name)
    report(2, f"reading {path.name}")
    table = _read_source(path, spec, layer=spec.layer)
    report(3, "validating and reshaping")
    result = normalise_census(table, spec, DistrictLookup.from_districts(districts), city=city_slug)
    refuse_if_nothing_left(len(result.observations), result.rows_read, result.rejected, path.name)

    report(4, "loading")
    run = IngestRun(city=city_slug, feed="census", source_name=path.name,
                    content_hash=content_hash, rows_read=result.rows_read,
                    message=f"{result.rows_read} table rows -> "
                    f"{len(result.observations)} observations")
    return store.load(run, observations=result.observations, rejected=result.rejected)


def ingest_admin(
    store: Store,
    path: Path,
    city_slug: str,
    spec_path: Path,
    *,
    privacy: PrivacySettings | None = None,
    disclosure: DisclosureSettings | None = None,
    progress: Progress | None = None,
) -> IngestRun:
    """Load administrative records with personal data as counts (``ingest.admin``).

    Refuses to run without a hash key (``OBSERVATORY_HASH_KEY``). Observations keep their true
    counts (the store is internal); the run message says how many cells publication will
    suppress under ``disclosure.min_count``.
    """
    path = Path(path)
    spec = load_admin_spec(spec_path)
    keyed_hash = keyed_hasher(privacy or PrivacySettings(), source=path.name)
    min_count = (disclosure or DisclosureSettings()).min_count
    report, content_hash, earlier = _begin(store, path, city_slug, "admin", spec.city,
                                           spec_path, progress)
    if earlier:
        return earlier

    districts = districts_or_refuse(store, city_slug, path.name)
    report(2, f"reading {path.name}")
    table = _read_source(path, spec)
    report(3, "hashing identifiers, dropping personal columns, counting")
    result = normalise_admin(table, spec, DistrictLookup.from_districts(districts), keyed_hash,
                             city=city_slug)
    refuse_if_nothing_left(len(result.observations), result.rows_read, result.rejected,
                            path.name)

    report(4, "loading")
    users = result.observations[result.observations["variable"] == "service_users"]
    small = int((users["value"] <= min_count).sum())
    run = IngestRun(city=city_slug, feed="admin", source_name=path.name,
                    content_hash=content_hash, rows_read=result.rows_read,
                    message=f"{result.rows_read} records -> {len(users)} cells (district x month "
                    f"x service area x nationality group); {small} of them count "
                    f"{min_count} or fewer persons and are suppressed when published")
    return store.load(run, observations=result.observations, rejected=result.rejected)


def ingest_events(
    store: Store,
    path: Path,
    city_slug: str,
    spec_path: Path,
    *,
    progress: Progress | None = None,
) -> IngestRun:
    """Load point events (``ingest.events``); the city and its districts must already exist."""
    path = Path(path)
    spec = load_events_spec(spec_path)
    report, content_hash, earlier = _begin(store, path, city_slug, "events", spec.city,
                                           spec_path, progress)
    if earlier:
        return earlier

    districts = districts_or_refuse(store, city_slug, path.name)
    report(2, f"reading {path.name}")
    if (spec.format or table_format(path)) == "vector":
        records = read_vector(path, layer=spec.source_layer)
    else:
        records = _read_source(path, spec).frame
    report(3, "validating times and points")
    result = normalise_events(records, spec, districts, source=path.name)
    refuse_if_nothing_left(len(result.events), result.rows_read, result.rejected, path.name)

    report(4, "loading")
    counts = result.events["layer"].value_counts().sort_index()
    layers = ", ".join(f"{layer}: {count}" for layer, count in counts.items())
    run = IngestRun(city=city_slug, feed="events", source_name=path.name,
                    content_hash=content_hash, rows_read=result.rows_read,
                    message=f"{result.rows_read} records -> {len(result.events)} events "
                    f"({layers}); {result.outside} fall outside every district (kept)")
    return store.load(run, events=result.events, rejected=result.rejected)


def _read_source(path: Path, source: TableSourceSpec, *, layer: str | None = None) -> Table:
    """``path`` read as the spec's source options say."""
    return read_table(path, format=source.format, encoding=source.encoding,
                      delimiter=source.delimiter, header_row=source.header_row,
                      sheet=source.sheet, layer=layer)


def _shipped_spec(city_slug: str, feed: str) -> Path | None:
    # Spec folders are packages, so a slug's hyphens become underscores.
    path = SHIPPED_SPECS / city_slug.replace("-", "_") / f"{feed}.yaml"
    return path if path.is_file() else None


def _begin(store: Store, path: Path, city_slug: str, feed: str, city_block: CitySpec | None,
           spec_path: Path | None, progress: Progress | None, *, spec_text: str | None = None):
    """``begin_run`` once the spec's city block (if any) names this city; the content hash
    takes ``spec_text``, by default the spec file's text."""
    _check_city_block(city_block, city_slug, spec_path)
    if spec_text is None:
        spec_text = Path(spec_path).read_text("utf-8")
    return begin_run(store, path, city_slug, feed, spec_text, progress)


def _check_city_block(city: CitySpec | None, city_slug: str, spec_path: Path | None) -> None:
    if city is not None and city.slug != city_slug:
        raise IngestError(
            f"the spec is for the city '{city.slug}', not '{city_slug}'",
            file=str(spec_path),
            key="city.slug",
            fix=f"use --city {city.slug}, or the spec written for {city_slug}",
        )


def _city_for_boundaries(store: Store, block: CitySpec | None, city_slug: str) -> City:
    if block is not None:
        return block.to_city()
    title = city_slug.replace("-", " ").title()
    return store.city(city_slug) or City(slug=city_slug, name_en=title)


def ingest_towers(
    store: Store,
    path: Path,
    city_slug: str,
    spec_path: Path,
    *,
    disclosure: DisclosureSettings | None = None,
    progress: Progress | None = None,
) -> IngestRun:
    """Load mobile-phone tower aggregates as district observations, redacted for publication
    (counts ≤ ``disclosure.min_count`` are withheld with their whole district breakdown)."""
    spec = load_towers_spec(spec_path)
    return _ingest_big_feed(
        store, Path(path), city_slug, spec_path, spec.city, "towers", disclosure, progress,
        lambda districts, city, min_count: tower_observations(
            path, spec, districts, local_crs=_local_crs(city, districts), min_count=min_count))


def ingest_points(
    store: Store,
    path: Path,
    city_slug: str,
    spec_path: Path,
    *,
    disclosure: DisclosureSettings | None = None,
    progress: Progress | None = None,
) -> IngestRun:
    """Load geotagged points as counts per district, period and group (redacted unless the
    spec says ``redact: false``); points outside every district are counted in the message."""
    spec = load_point_counts_spec(spec_path)
    return _ingest_big_feed(
        store, Path(path), city_slug, spec_path, spec.city, "points", disclosure, progress,
        lambda districts, city, min_count: point_counts(path, spec, districts,
                                                        min_count=min_count))


def _ingest_big_feed(store, path, city_slug, spec_path, city_block, feed, disclosure, progress,
                     compute) -> IngestRun:
    min_count = (disclosure or DisclosureSettings()).min_count
    # The threshold is part of the content: a new threshold must recompute, not be a no-op.
    report, content_hash, earlier = _begin(
        store, path, city_slug, feed, city_block, spec_path, progress,
        spec_text=Path(spec_path).read_text("utf-8") + f"\nmin_count={min_count}")
    if earlier:
        return earlier
    districts = districts_or_refuse(store, city_slug, path.name)
    report(2, f"streaming {path.name} through DuckDB")
    result = compute(districts, store.city(city_slug), min_count)
    report(3, "checked, assigned to districts and redacted")
    if not result.rows_used:
        refuse_if_nothing_left(0, result.rows_read, result.rejected, path.name)
    report(4, "loading")
    run = IngestRun(city=city_slug, feed=feed, source_name=path.name, content_hash=content_hash,
                    rows_read=result.rows_read, message=result.message)
    return store.load(run, observations=result.observations, rejected=result.rejected)


def _local_crs(city: City | None, districts: gpd.GeoDataFrame) -> str:
    if city is not None and city.local_crs:
        return city.local_crs
    return districts.estimate_utm_crs().to_string()
