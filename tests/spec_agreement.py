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


@dataclass
class Stores:
    """``shipped`` and ``inferred`` load the same files with the two specs."""

    shipped: Store
    inferred: Store
    folder: Path

    def close(self) -> None:
        self.shipped.close()
        self.inferred.close()


def open_stores(folder: Path) -> Stores:
    folder.mkdir(parents=True, exist_ok=True)
    stores = [open_store(f"duckdb:///{(folder / name).as_posix()}.duckdb")
              for name in ("shipped", "inferred")]
    for store in stores:
        store.init_schema()
    return Stores(*stores, folder)


def rows(store: Store, city: str, feed: str) -> set[tuple[Any, ...]]:
    """What a feed's runs put in the store, as comparable tuples."""
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


def agree(stores: Stores, city: str, feed: str, data: Path, shipped_spec: Path, *,
          period: str | None = None, **options: Any) -> tuple[bool, str, str]:
    """(equal, the inferred YAML, what differs): ``data`` loaded with the shipped spec into
    ``stores.shipped`` and with the spec inferred from it (on ``stores.inferred``) into
    ``stores.inferred``; the rows each run added are compared."""
    inferred = infer_spec(stores.inferred, city, data, feed, period=period)
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
    return shipped == mine and bool(shipped), inferred.yaml, why
