"""An ingest as one job, run the same way by the command line and by a serving process.

``run_ingest`` is the job itself: the schema, ``ingest.runner.run_feed`` and the run's rejected
rows. The CLI calls it on the store it opened; a server that owns an embedded DuckDB file runs
the orders a CLI submits (``IngestOrder``, and ``ComputeOrder`` for ``observatory compute``)
through ``IngestJobs``, one at a time in a worker thread, so that requests keep being answered
while the write transaction runs.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, TypeAdapter, field_validator
from pydantic_settings import BaseSettings

from observatory.models import IngestRun, RejectedRow
from observatory.services.compute_runs import (
    Computed,
    ComputeOrder,
    ComputeProblem,
    compute_cities,
)
from observatory.settings import BoundarySettings, DisclosureSettings, PrivacySettings
from observatory.store.base import Store, StoreError

Progress = Callable[[int, int, str], None]

# The settings a feed family may ask for (``FeedFamily.settings``), by the name it uses.
JOB_SETTINGS: dict[str, type[BaseSettings]] = {
    "privacy": PrivacySettings,
    "disclosure": DisclosureSettings,
    "boundary": BoundarySettings,
}
TOKEN_HEADER = "X-Observatory-Ingest-Token"  # what a CLI proves it read the server's link with
KEPT_JOBS = 64  # finished jobs a server remembers for the CLIs polling them

log = logging.getLogger(__name__)


@dataclass
class IngestOutcome:
    """What an ingest printed report needs: the run, its rejected rows, the schema it created."""

    run: IngestRun
    rejected: list[RejectedRow] = field(default_factory=list)
    schema_applied: list[str] = field(default_factory=list)


def run_ingest(store: Store, feed: str, path: Path, city: str, *,
               settings: Mapping[str, BaseSettings], progress: Progress | None = None,
               **options: Any) -> IngestOutcome:
    """Ingest ``path`` as ``feed`` (a name in ``ingest.feeds``); raises ``IngestError`` for bad
    input. ``settings``: the family's settings by name; ``options``: the job's keywords
    (``spec_path``, the raster's ``variable`` and ``period``)."""
    from ingest.feeds import family
    from ingest.runner import run_feed

    found = family(feed)
    # A first ingest into a new store must not fail for want of `observatory init`.
    applied = store.init_schema()
    keywords: dict[str, Any] = {name: settings[name] for name in found.settings} | options
    run = run_feed(found, store, path, city, progress=progress, **keywords)
    rejected = (store.rejected_rows(run.id)
                if run.rows_rejected and run.status != "unchanged" else [])
    return IngestOutcome(run, rejected, applied)


def settings_values(settings: BaseSettings) -> dict[str, Any]:
    """``settings`` as JSON values with their secrets revealed, for an order to a server on
    this machine (``IngestOrder.job_settings`` rebuilds them)."""
    values = settings.model_dump(mode="json")
    for name, value in settings:
        if isinstance(value, SecretStr):
            values[name] = value.get_secret_value()
    return values


class IngestOrder(BaseModel):
    """An ingest a CLI asks the serving process to run: the same file, spec, options and
    settings as the command line was given (paths absolute: the server's working directory
    is not the CLI's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feed: str
    file: Path
    city: str
    spec: Path | None = None
    options: dict[str, str | bool | None] = {}  # the feed family's CLI options (a switch: bool)
    settings: dict[str, dict[str, Any]] = {}
    # After a run that loaded something, compute the city's indicators (the upload page: the
    # officer expects the new data on the dashboard; a CLI computes with `observatory compute`).
    compute: bool = False

    @field_validator("feed")
    @classmethod
    def _known_feed(cls, value: str) -> str:
        from ingest.feeds import names

        if value not in names():
            raise ValueError(f"unknown feed {value!r}; the feeds are {', '.join(names())}")
        return value

    @field_validator("file", "spec")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_absolute():
            raise ValueError(f"{value} is not an absolute path")
        return value

    @field_validator("settings")
    @classmethod
    def _known_settings(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        unknown = sorted(set(value) - set(JOB_SETTINGS))
        if unknown:
            raise ValueError(f"unknown settings {unknown}: this server is older than the CLI; "
                             "restart `observatory serve`")
        return value

    def job_settings(self) -> dict[str, BaseSettings]:
        # Keywords win over the server's environment: the CLI's settings govern its ingest.
        return {name: JOB_SETTINGS[name](**values) for name, values in self.settings.items()}

    def job_options(self) -> dict[str, Any]:
        from ingest.feeds import family

        allowed = {option.name for option in family(self.feed).cli_options}
        unknown = sorted(set(self.options) - allowed)
        if unknown:
            raise ValueError(f"the feed {self.feed} takes no options {unknown}")
        spec = {} if family(self.feed).takes_spec == "none" else {"spec_path": self.spec}
        return {**spec, **self.options}


@dataclass
class JobStatus:
    """Where a submitted ingest is. ``exit_code`` and ``message`` are the command's, once
    ``state`` is ``finished``: 0 or 1 with the ``outcome`` (1: the run failed), 2 for bad input,
    1 for a store problem, each with its message."""

    id: str
    state: Literal["waiting", "running", "finished"] = "waiting"
    done: int = 0
    total: int = 0
    label: str = ""
    exit_code: int | None = None
    message: str = ""
    outcome: IngestOutcome | None = None
    computed: Computed | None = None  # a compute job's values written, city → framework


JOB_STATUS = TypeAdapter(JobStatus)  # to and from JSON, on both ends of the link


class IngestJobs:
    """The ingests and computes submitted to one serving process, run one at a time (one writer
    per DuckDB file) in a worker thread on the app's store."""

    def __init__(self, store: Store, kept: int = KEPT_JOBS) -> None:
        self._store = store
        self._kept = kept
        self._jobs: dict[str, JobStatus] = {}
        self._guard = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")

    def submit(self, order: IngestOrder,
               on_finished: Callable[[JobStatus], None] | None = None) -> JobStatus:
        """Queue ``order``; raises ValueError when its options or settings do not fit.
        ``on_finished`` is called with the final status in the worker, once it ends."""
        settings, options = order.job_settings(), order.job_options()
        status = self._queued()
        self._worker.submit(self._finish, status.id, order, settings, options, on_finished)
        return replace(status)

    def _queued(self) -> JobStatus:
        status = JobStatus(id=uuid.uuid4().hex)
        with self._guard:
            self._forget_oldest_finished()
            self._jobs[status.id] = status
        return status

    def submit_compute(self, order: ComputeOrder) -> JobStatus:
        """Queue ``observatory compute``; raises ValidationError when its settings do not
        fit."""
        # Keywords win over the server's environment: the CLI's settings govern its compute.
        disclosure = DisclosureSettings(**order.disclosure)
        status = self._queued()
        self._worker.submit(self._run_compute, status.id, order, disclosure)
        return replace(status)

    def status(self, job_id: str) -> JobStatus | None:
        with self._guard:
            found = self._jobs.get(job_id)
            return None if found is None else replace(found)

    def close(self) -> None:
        """Let the running ingest finish (its transaction must not be cut), drop the queued."""
        self._worker.shutdown(wait=True, cancel_futures=True)

    def _finish(self, job_id: str, order: IngestOrder, settings: dict[str, BaseSettings],
                options: dict[str, Any], on_finished: Callable[[JobStatus], None] | None
                ) -> None:
        self._run(job_id, order, settings, options)
        final = self.status(job_id)
        if on_finished is not None and final is not None:
            try:
                on_finished(final)
            except Exception:  # recording the end must not take the worker down
                log.exception("recording the end of ingest job %s failed", job_id)

    def _run(self, job_id: str, order: IngestOrder, settings: dict[str, BaseSettings],
             options: dict[str, Any]) -> None:
        self._update(job_id, state="running")

        def progress(done: int, total: int, label: str) -> None:
            self._update(job_id, done=done, total=total, label=label)

        with self._finished_on_error(job_id, "The ingest"):
            outcome = run_ingest(self._store, order.feed, order.file, order.city,
                                 settings=settings, progress=progress, **options)
            failed = outcome.run.status == "failed"
            if order.compute and outcome.run.status == "succeeded":
                failed = not self._compute(job_id, order, settings)
            self._update(job_id, state="finished", outcome=outcome, exit_code=int(failed))

    def _run_compute(self, job_id: str, order: ComputeOrder,
                     disclosure: DisclosureSettings) -> None:
        self._update(job_id, state="running")

        def starting(city: str) -> None:
            self._update(job_id, label=f"computing {', '.join(order.frameworks)} for {city}")

        with self._finished_on_error(job_id, "Computing"):
            computed = compute_cities(self._store, order.city, order.frameworks, disclosure,
                                      starting)
            self._update(job_id, state="finished", exit_code=0, computed=computed)

    @contextmanager
    def _finished_on_error(self, job_id: str, doing: str) -> Iterator[None]:
        """Finish the job with the command's exit code and message for what the block raises:
        2 for bad input, 1 otherwise; the server keeps serving."""
        from ingest.errors import IngestError

        try:
            yield
        except IngestError as exc:
            self._update(job_id, state="finished", exit_code=2, message=str(exc))
        except ComputeProblem as exc:
            self._update(job_id, state="finished", exit_code=1, message=str(exc),
                         computed=exc.computed)
        except StoreError as exc:
            self._update(job_id, state="finished", exit_code=1, message=str(exc))
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self._update(job_id, state="finished", exit_code=1,
                         message=f"{doing} failed in the server: {type(exc).__name__}: {exc}")

    def _compute(self, job_id: str, order: IngestOrder, settings: dict[str, BaseSettings]) -> bool:
        """Compute the city's indicators after its ingest; False (with the message) if that
        fails: the ingest itself stays committed."""
        from indicators.compute import compute_city

        self._update(job_id, label="computing indicators", done=0, total=0)
        disclosure = settings.get("disclosure")
        if not isinstance(disclosure, DisclosureSettings):
            disclosure = DisclosureSettings()
        try:
            written = compute_city(self._store, order.city, disclosure)
        except Exception as exc:
            log.exception("computing %s after ingest job %s failed", order.city, job_id)
            self._update(job_id, message=f"The data loaded, but computing the indicators failed:"
                                         f" {type(exc).__name__}: {exc}")
            return False
        self._update(job_id, message=f"{written:,} indicator values computed")
        return True

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._guard:
            if job_id in self._jobs:
                self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def _forget_oldest_finished(self) -> None:
        finished = [job_id for job_id, job in self._jobs.items() if job.state == "finished"]
        for job_id in itertools.islice(finished, max(0, len(self._jobs) - self._kept + 1)):
            del self._jobs[job_id]
