"""The steps every ingest job shares: progress, content hash and the re-run check, the city's
districts, and refusing a file of which nothing is left."""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd

from ingest.errors import IngestError
from observatory.models import IngestRun, RejectedRow
from observatory.store.base import Store

Progress = Callable[[int, int, str], None]
STEPS = 4  # hash, read, normalise, load


def begin_run(store: Store, path: Path, city_slug: str, feed: str, content: str,
           progress: Progress | None) -> tuple[Callable[[int, str], None], str, IngestRun | None]:
    """What every job does first: a progress reporter, the content hash of the file plus
    ``content`` (the spec and any parameter that shapes the result), and the earlier run of the
    same content when its rows are still the current ones (then the job is a no-op)."""
    report = reporter(progress)
    content_hash = content_hash_of(path, content)
    report(1, "checking for an earlier identical run")
    return report, content_hash, unchanged_run(store, city_slug, feed, content_hash)


def districts_or_refuse(store: Store, city_slug: str, source: str) -> gpd.GeoDataFrame:
    districts = store.districts(city_slug) if store.city(city_slug) else None
    if districts is None or districts.empty:
        raise IngestError(
            f"the city '{city_slug}' has no districts in the store yet",
            file=source,
            fix=f"ingest boundaries first: observatory ingest boundaries FILE --city {city_slug}",
        )
    return districts


def reporter(progress: Progress | None) -> Callable[[int, str], None]:
    def report(done: int, label: str) -> None:
        if progress:
            progress(done, STEPS, label)

    return report


def content_hash_of(path: Path, spec_text: str) -> str:
    """The file's bytes and ``spec_text``; for a partitioned input (a folder, a glob) each
    file's name and bytes in name order, so a re-run of the same files is unchanged."""
    digest = hashlib.sha256()
    files = [path]
    if path.is_dir() or glob.has_magic(str(path)):
        from ingest.bigdata.cluster import partition_files

        files = partition_files(path)
    try:
        for file in files:
            if len(files) > 1 or file != path:
                digest.update(file.name.encode("utf-8") + b"\0")
            with file.open("rb") as source:
                for block in iter(lambda: source.read(1 << 20), b""):
                    digest.update(block)
    except OSError as exc:
        raise IngestError(
            f"cannot read the file ({exc.strerror})", file=str(path), fix="check the path"
        ) from exc
    digest.update(spec_text.encode("utf-8"))
    return digest.hexdigest()


def unchanged_run(store: Store, city: str, feed: str, content_hash: str) -> IngestRun | None:
    """The earlier run of this content, if the store still holds every row it loaded.

    A file A, then a corrected A', then A again must load A again: A' replaced A's rows, so
    A's run no longer holds them. Whatever replaced them (a run of the same scope, a spec's
    ``replaces:``, a new boundary file of the same vintage), the count tells.
    """
    found = store.find_run(city, feed, content_hash)
    if found is None or store.rows_held(found.id) != found.rows_loaded:
        return None
    return replace(found, status="unchanged")


def replaced_runs(store: Store, city: str, feed: str, entries: list[str],
                  spec_path: Path | None) -> list[str]:
    """The ids of the earlier runs a spec's ``replaces:`` names (a source name, a run id or
    its first characters); an entry naming no run is refused, so a typo cannot pass unseen."""
    if not entries:
        return []
    earlier = [run for run in store.runs(city) if run.feed == feed and run.status == "succeeded"]
    ids: list[str] = []
    for number, entry in enumerate(entries):
        named = [run.id for run in earlier
                 if run.source_name == entry or run.id.startswith(entry.lower())]
        if not named:
            raise IngestError(
                f"replaces: '{entry}' names no earlier {feed} run of '{city}'",
                file=str(spec_path),
                key=f"replaces.{number}",
                fix=f"give a source name or run id listed by `observatory runs --city {city}`",
            )
        ids += named
    return sorted(set(ids))


def refuse_if_nothing_left(
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
