"""An ingest or a compute handed to the server that owns the DuckDB file (``server_link``):
submitted over loopback, followed with the same progress bar, answered with the same outcome as
a local run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from observatory.cli.context import CliContext, fail
from observatory.cli.progress import ProgressCallback
from observatory.cli.server_link import LinkError, ServerLink
from observatory.services.compute_runs import ComputeOrder
from observatory.services.ingest_jobs import (
    JOB_STATUS,
    IngestOrder,
    IngestOutcome,
    JobStatus,
    settings_values,
)

POLL_SECONDS = 0.25


def order_for(cli: CliContext, feed: str, path: Path, city: str, **options: Any) -> IngestOrder:
    """The order for ``observatory ingest feed path --city city`` with this CLI's settings."""
    from ingest.feeds import family

    spec = options.pop("spec_path", None)
    return IngestOrder(
        feed=feed, file=Path(path).resolve(), city=city,
        spec=None if spec is None else Path(spec).resolve(), options=options,
        settings={name: settings_values(getattr(cli, name)) for name in family(feed).settings},
    )


def ingest_through(link: ServerLink, order: IngestOrder,
                   progress: ProgressCallback) -> IngestOutcome:
    """Submit ``order`` and wait for its outcome; the command's exit (code 2 for bad input,
    1 for a store problem or a lost server) when there is none."""
    status = _follow(link, "ingest", order.model_dump(mode="json"), progress,
                     f"Its run shows in `observatory runs --city {order.city}`; run the ingest "
                     "again: a file already loaded is left unchanged.")
    if status.outcome is None:
        raise fail(status.message, status.exit_code or 1)
    return status.outcome


def compute_through(link: ServerLink, order: ComputeOrder,
                    progress: ProgressCallback) -> JobStatus:
    """Submit ``observatory compute`` and wait for it to finish; its status holds the values
    written per city and framework, and the exit code and message of a refusal."""
    return _follow(link, "compute", order.model_dump(mode="json"), progress,
                   "Run the compute again: it writes the same values.")


def _follow(link: ServerLink, kind: str, order: dict[str, Any], progress: ProgressCallback,
            what_next: str) -> JobStatus:
    try:
        status = _status(link.call("POST", f"/internal/{kind}", order))
        while status.state != "finished":
            progress(status.done, status.total, status.label)
            time.sleep(POLL_SECONDS)
            status = _status(link.call("GET", f"/internal/{kind}/{status.id}"))
    except KeyboardInterrupt:
        raise fail(f"Stopped waiting; the server goes on with the {kind}. {what_next}",
                   130) from None
    except LinkError as exc:
        raise fail(f"The server of {link.database} refused the {kind}: {exc}", 1) from exc
    except OSError as exc:
        raise fail(
            f"The server of {link.database} (pid {link.pid}) stopped answering during the "
            f"{kind} ({exc}). {what_next}", 1) from exc
    return status


def _status(answer: Any) -> JobStatus:
    try:
        return JOB_STATUS.validate_python(answer)
    except ValueError:
        raise LinkError("its answer is not an ingest status: is it another version of the "
                        "observatory? Restart `observatory serve`.") from None
