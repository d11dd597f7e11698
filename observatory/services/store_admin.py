"""The store's administration as the CLI does it: the schema, the ingest runs, API keys. One
place for both ways a command runs: on the store it opens, or in ``observatory serve`` when that
owns the DuckDB file (``/internal/store``)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from observatory.keys import create_api_key
from observatory.models import IngestRun, RejectedRow
from observatory.services.errors import InvalidRequest, NotFound
from observatory.store.base import Store


@dataclass(frozen=True)
class Initialised:
    backend: str
    applied: list[str]  # the schema files this call applied; empty when up to date


@dataclass(frozen=True)
class RunRecord:
    run: IngestRun
    rejects: list[RejectedRow]


# How the answers travel between the server and the CLI (JSON both ways).
INITIALISED = TypeAdapter(Initialised)
RUNS = TypeAdapter(list[IngestRun])
RUN_RECORD = TypeAdapter(RunRecord)


def initialise(store: Store) -> Initialised:
    return Initialised(store.backend, store.init_schema())


def ingest_runs(store: Store, city: str | None = None) -> list[IngestRun]:
    """Every ingest run, newest first; only ``city``'s when given."""
    store.init_schema()
    return store.runs(city)


def run_record(store: Store, run_id: str) -> RunRecord:
    """The run ``run_id`` names, or the one run whose id starts with it, with its rejected
    rows; ``NotFound`` when none does, ``InvalidRequest`` when several do."""
    store.init_schema()
    run = store.run(run_id)
    if run is None:
        matches = [found for found in store.runs() if found.id.startswith(run_id.lower())]
        if len(matches) > 1:
            raise InvalidRequest(f"{len(matches)} runs start with {run_id!r}. Fix: give more "
                                 "characters of the id (observatory runs lists them).")
        if not matches:
            raise NotFound(f"No ingest run {run_id!r}. Fix: take an id from "
                           "`observatory runs`.")
        run = matches[0]
    return RunRecord(run, store.rejected_rows(run.id))


def new_api_key(store: Store, role: str, label: str) -> str:
    """A new key for ``role`` in clear, the only time it is shown; the store keeps its hash."""
    store.init_schema()
    return create_api_key(store, role, label)
