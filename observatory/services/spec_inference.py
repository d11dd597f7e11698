"""A feed spec proposed for an uploaded file (``ingest.inference``), for the command line
(``observatory spec infer``) and the upload page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observatory.store.base import Store


@dataclass(frozen=True)
class InferredSpec:
    """``spec``: what the YAML holds; ``yaml``: the text with a comment per choice;
    ``notes``: what the officer must check or complete before ingesting."""

    feed: str
    spec: dict[str, Any]
    yaml: str
    notes: tuple[str, ...]


def infer_spec(store: Store, city: str, path: Path, feed: str | None = None, *,
               period: str | None = None, codes_from: Path | None = None) -> InferredSpec:
    """The spec proposed for ``path`` of ``city`` as ``feed`` (default: the feed it looks
    like); ``period`` for a file that states none; ``codes_from``: a table of the city whose
    district codes a boundary layer's areas must carry. The store is only read (the city's
    districts, to match the district column). Raises ``IngestError`` for a file no reader
    knows."""
    from ingest.inference import infer_feed_spec

    found = infer_feed_spec(store, city, Path(path), feed, period, codes_from)
    return InferredSpec(found.feed, found.spec, found.yaml, found.notes)
