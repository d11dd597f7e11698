"""Does an inferred spec load what the shipped spec loads? Both are loaded into stores that
hold the same boundaries, and the rows each run added are compared exactly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.feeds import family
from ingest.runner import run_feed
from observatory.services.spec_inference import infer_spec
from observatory.store import Store, open_store

BOUNDARY_FIELDS = ("level", "code", "name_en", "name_ar", "geometry")


@dataclass
class Stores:
    """``shipped`` and ``inferred`` load the same files with the two specs."""

    shipped: Store
    inferred: Store
    folder: Path

    def close(self) -> None:
        self.shipped.close()
        self.inferred.close()


@dataclass(frozen=True)
class Agreement:
    """``equal``: the two runs added the same rows (and some); ``equal_unflagged``: they did
    once the ``flagged`` fields (those the inference says it cannot know) are left out."""

    equal: bool
    equal_unflagged: bool
    yaml: str
    notes: tuple[str, ...]
    why: str


def open_stores(folder: Path) -> Stores:
    folder.mkdir(parents=True, exist_ok=True)
    stores = [open_store(f"duckdb:///{(folder / name).as_posix()}.duckdb")
              for name in ("shipped", "inferred")]
    for store in stores:
        store.init_schema()
    return Stores(*stores, folder)


def rows(store: Store, city: str, feed: str) -> set[tuple[Any, ...]]:
    """What a feed's runs put in the store, as comparable tuples (boundaries: in the order
    of ``BOUNDARY_FIELDS``)."""
    if feed == "boundaries":
        found: set[tuple[Any, ...]] = set()
        if store.city(city) is None:
            return found
        for version in store.boundary_versions(city).itertuples():
            areas = store.version_districts(city, version.level, version.valid_from)
            found |= {(version.level, str(a.code), a.name_en or "", a.name_ar or "",
                       a.geometry.normalize().wkt) for a in areas.itertuples()}
        return found
    if feed == "events":
        events = store.events(city)
        return {(e.layer, str(e.occurred_at), e.attributes, e.geometry.wkt)
                for e in events.itertuples()}
    observations = store.observations(city, every_level=True)
    kept = observations.drop(columns=[c for c in observations.columns if "run" in c])
    return set(kept.astype(str).itertuples(index=False, name=None))


def _without(found: set[tuple[Any, ...]], flagged: tuple[str, ...]) -> set[tuple[Any, ...]]:
    blank = [BOUNDARY_FIELDS.index(name) for name in flagged]
    return {tuple("" if i in blank else v for i, v in enumerate(row)) for row in found}


def agree(stores: Stores, city: str, feed: str, data: Path, shipped_spec: Path, *,
          period: str | None = None, codes_from: Path | None = None,
          flagged: tuple[str, ...] = (), **options: Any) -> Agreement:
    """``data`` loaded with the shipped spec into ``stores.shipped`` and with the spec
    inferred from it (on ``stores.inferred``) into ``stores.inferred``; the rows each run
    added are compared. ``codes_from``: the table whose district codes a boundary layer must
    carry, as the officer names it; ``flagged``: boundary fields left out of the second
    comparison."""
    inferred = infer_spec(stores.inferred, city, data, feed, period=period,
                          codes_from=codes_from)
    spec_path = stores.folder / f"inferred-{data.stem}.yaml"
    spec_path.write_text(inferred.yaml, encoding="utf-8")
    added = []
    for store, spec in ((stores.shipped, shipped_spec), (stores.inferred, spec_path)):
        before = rows(store, city, feed)
        run_feed(family(feed), store, data, city, spec_path=spec, **options)
        added.append(rows(store, city, feed) - before)
    shipped, mine = added
    missing, extra = sorted(shipped - mine)[:3], sorted(mine - shipped)[:3]
    why = "" if shipped == mine else (
        f"{len(shipped)} rows shipped, {len(mine)} inferred; only shipped: {missing}; "
        f"only inferred: {extra}")
    return Agreement(shipped == mine and bool(shipped),
                     _without(shipped, flagged) == _without(mine, flagged) and bool(shipped),
                     inferred.yaml, inferred.notes, why)
