"""Ingest jobs: hash -> re-run check -> read -> validate -> normalise -> one-transaction load.

These are the entry points the CLI, the API and the demo call. Each returns the ``IngestRun``;
a file already loaded with the same spec comes back as its earlier run, status ``unchanged``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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
from ingest.readers import read_table, read_vector, table_format
from ingest.spec import (
    BoundariesSpec,
    CitySpec,
    ColumnSpec,
    load_admin_spec,
    load_boundaries_spec,
    load_census_spec,
    load_events_spec,
    load_point_counts_spec,
    load_towers_spec,
)
from observatory.models import City, IngestRun, RejectedRow, today
from observatory.settings import DisclosureSettings, PrivacySettings
from observatory.store.base import Store

Progress = Callable[[int, int, str], None]
SHIPPED_SPECS = Path(__file__).parent / "specs"
_STEPS = 4  # hash, read, normalise, load


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
    report = _reporter(progress)
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
    _check_city_block(spec.city, city_slug, spec_path)
    content_hash = _content_hash(path, spec_text)
    report(1, "checking for an earlier identical run")
    earlier = _unchanged(store, city_slug, "boundaries", path.name, content_hash)
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
    _refuse_if_nothing_left(len(result.districts), len(features), result.rejected, path.name)

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
    report = _reporter(progress)
    spec = load_census_spec(spec_path)
    _check_city_block(spec.city, city_slug, spec_path)
    content_hash = _content_hash(path, Path(spec_path).read_text("utf-8"))
    report(1, "checking for an earlier identical run")
    earlier = _unchanged(store, city_slug, "census", path.name, content_hash)
    if earlier:
        return earlier

    districts = _districts_or_refuse(store, city_slug, path.name)
    report(2, f"reading {path.name}")
    table = read_table(path, format=spec.format, encoding=spec.encoding,
                       delimiter=spec.delimiter, header_row=spec.header_row, sheet=spec.sheet,
                       layer=spec.layer)
    report(3, "validating and reshaping")
    result = normalise_census(table, spec, DistrictLookup.from_districts(districts), city=city_slug)
    _refuse_if_nothing_left(len(result.observations), result.rows_read, result.rejected, path.name)

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
    report = _reporter(progress)
    spec = load_admin_spec(spec_path)
    _check_city_block(spec.city, city_slug, spec_path)
    keyed_hash = keyed_hasher(privacy or PrivacySettings(), source=path.name)
    min_count = (disclosure or DisclosureSettings()).min_count
    content_hash = _content_hash(path, Path(spec_path).read_text("utf-8"))
    report(1, "checking for an earlier identical run")
    earlier = _unchanged(store, city_slug, "admin", path.name, content_hash)
    if earlier:
        return earlier

    districts = _districts_or_refuse(store, city_slug, path.name)
    report(2, f"reading {path.name}")
    table = read_table(path, format=spec.format, encoding=spec.encoding,
                       delimiter=spec.delimiter, header_row=spec.header_row, sheet=spec.sheet)
    report(3, "hashing identifiers, dropping personal columns, counting")
    result = normalise_admin(table, spec, DistrictLookup.from_districts(districts), keyed_hash,
                             city=city_slug)
    _refuse_if_nothing_left(len(result.observations), result.rows_read, result.rejected,
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
    report = _reporter(progress)
    spec = load_events_spec(spec_path)
    _check_city_block(spec.city, city_slug, spec_path)
    content_hash = _content_hash(path, Path(spec_path).read_text("utf-8"))
    report(1, "checking for an earlier identical run")
    earlier = _unchanged(store, city_slug, "events", path.name, content_hash)
    if earlier:
        return earlier

    districts = _districts_or_refuse(store, city_slug, path.name)
    report(2, f"reading {path.name}")
    if (spec.format or table_format(path)) == "vector":
        records = read_vector(path, layer=spec.source_layer)
    else:
        records = read_table(path, format=spec.format, encoding=spec.encoding,
                             delimiter=spec.delimiter, header_row=spec.header_row,
                             sheet=spec.sheet).frame
    report(3, "validating times and points")
    result = normalise_events(records, spec, districts, source=path.name)
    _refuse_if_nothing_left(len(result.events), result.rows_read, result.rejected, path.name)

    report(4, "loading")
    counts = result.events["layer"].value_counts().sort_index()
    layers = ", ".join(f"{layer}: {count}" for layer, count in counts.items())
    run = IngestRun(city=city_slug, feed="events", source_name=path.name,
                    content_hash=content_hash, rows_read=result.rows_read,
                    message=f"{result.rows_read} records -> {len(result.events)} events "
                    f"({layers}); {result.outside} fall outside every district (kept)")
    return store.load(run, events=result.events, rejected=result.rejected)


def _districts_or_refuse(store: Store, city_slug: str, source: str) -> gpd.GeoDataFrame:
    districts = store.districts(city_slug) if store.city(city_slug) else None
    if districts is None or districts.empty:
        raise IngestError(
            f"the city '{city_slug}' has no districts in the store yet",
            file=source,
            fix=f"ingest boundaries first: observatory ingest boundaries FILE --city {city_slug}",
        )
    return districts


def _reporter(progress: Progress | None) -> Callable[[int, str], None]:
    def report(done: int, label: str) -> None:
        if progress:
            progress(done, _STEPS, label)

    return report


def _shipped_spec(city_slug: str, feed: str) -> Path | None:
    # Spec folders are packages, so a slug's hyphens become underscores.
    path = SHIPPED_SPECS / city_slug.replace("-", "_") / f"{feed}.yaml"
    return path if path.is_file() else None


def _content_hash(path: Path, spec_text: str) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise IngestError(
            f"cannot read the file ({exc.strerror})", file=str(path), fix="check the path"
        ) from exc
    digest.update(spec_text.encode("utf-8"))
    return digest.hexdigest()


def _unchanged(
    store: Store, city: str, feed: str, source_name: str, content_hash: str
) -> IngestRun | None:
    """The earlier run of this content, if its rows are still the ones in the store.

    A file A, then a corrected A', then A again must load A again: only the latest successful
    run of the same source counts as "already loaded".
    """
    found = store.find_run(city, feed, content_hash)
    if found is None:
        return None
    latest = next(
        (run for run in store.runs(city)
         if run.feed == feed and run.source_name == source_name and run.status == "succeeded"),
        None,
    )
    if latest is not None and latest.id != found.id:
        return None
    return replace(found, status="unchanged")


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


def _refuse_if_nothing_left(
    kept: int, read: int, rejected: list[RejectedRow], source: str
) -> None:
    if kept:
        return
    first = rejected[0] if rejected else None
    raise IngestError(
        f"all {read} records were rejected, nothing to load"
        + (f"; the first: {first.reason}" if first else ""),
        file=source,
        row=first.row_number if first else None,
        column=first.column if first else None,
        fix="correct the spec (column names, district match, header_row) or the file; "
        "nothing was loaded",
    )


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
    report = _reporter(progress)
    min_count = (disclosure or DisclosureSettings()).min_count
    _check_city_block(city_block, city_slug, spec_path)
    # The threshold is part of the content: a new threshold must recompute, not be a no-op.
    content_hash = _content_hash(
        path, Path(spec_path).read_text("utf-8") + f"\nmin_count={min_count}")
    report(1, "checking for an earlier identical run")
    earlier = _unchanged(store, city_slug, feed, path.name, content_hash)
    if earlier:
        return earlier
    districts = _districts_or_refuse(store, city_slug, path.name)
    report(2, f"streaming {path.name} through DuckDB")
    result = compute(districts, store.city(city_slug), min_count)
    report(3, "checked, assigned to districts and redacted")
    if not result.rows_used:
        _refuse_if_nothing_left(0, result.rows_read, result.rejected, path.name)
    report(4, "loading")
    run = IngestRun(city=city_slug, feed=feed, source_name=path.name, content_hash=content_hash,
                    rows_read=result.rows_read, message=result.message)
    return store.load(run, observations=result.observations, rejected=result.rejected)


def _local_crs(city: City | None, districts: gpd.GeoDataFrame) -> str:
    if city is not None and city.local_crs:
        return city.local_crs
    return districts.estimate_utm_crs().to_string()
