"""What a feed family declares: its name, its spec, how it reads and normalises a file, and what
the command line says about it. ``ingest.runner.run_feed`` does the rest, the same for all.

``observatory --help`` imports every family module, so a family names its spec model (in
``ingest.spec``) by name and imports its readers and normalisers inside its methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from ingest.masking import Vocabulary
    from observatory.models import City, RejectedRow
    from observatory.store.base import Store


@dataclass(frozen=True)
class CliOption:
    """A command-line option of a feed, handed to its job as ``name``: a value (the raster's
    ``--period``) or, with ``switch``, a yes/no flag (``--replace-boundaries``)."""

    name: str  # job keyword, e.g. "period"
    flag: str  # e.g. "--period"
    help: str
    default: str | None = None
    switch: bool = False


@dataclass(frozen=True)
class CliHelp:
    """What ``observatory ingest <feed> --help`` says."""

    summary: str
    file_help: str
    example: str
    spec_help: str = ""


@dataclass
class Job:
    """One run of a feed on one file, as the family's steps see it."""

    store: Store
    path: Path
    city: str
    spec_path: Path | None
    options: dict[str, Any]  # the job's keywords: privacy, disclosure, variable, period…
    spec: Any = None  # the loaded spec model (None for a feed without spec)
    districts: Any = None  # the city's GeoDataFrame, when the family needs_districts


@dataclass
class Normalised:
    """What a family's normaliser hands the runner to load in one transaction."""

    kept: int  # records that survived; none left refuses the file
    rows_read: int
    rejected: list[RejectedRow]
    message: str
    tables: dict[str, Any] = field(default_factory=dict)  # ``Store.load`` keywords
    city: City | None = None  # created or updated before loading (boundaries)


class FeedFamily:
    """One ``observatory ingest <name>`` feed. Subclasses set the class attributes and implement
    ``read`` and ``normalise``; the hooks in between have defaults that fit most feeds."""

    name: ClassVar[str]  # the one word: CLI sub-command, spec ``feed:`` value, run records
    help: ClassVar[CliHelp]
    spec_model: ClassVar[str | None] = None  # class name in ``ingest.spec``; None: no spec
    takes_spec: ClassVar[Literal["required", "optional", "none"]] = "required"  # --spec
    cli_options: ClassVar[tuple[CliOption, ...]] = ()  # the feed's own command-line options
    settings: ClassVar[tuple[str, ...]] = ()  # CLI settings handed to the job (privacy…)
    needs_districts: ClassVar[bool] = True  # the city's boundaries must be loaded first
    # FILE may be a folder or a glob of files read as one run (``ingest.bigdata.cluster``).
    partitioned_input: ClassVar[bool] = False
    # Records about persons: rejected rows show only ``vocabulary`` labels in clear.
    personal_data: ClassVar[bool] = False
    reading: ClassVar[str] = "reading {file}"  # progress labels
    normalising: ClassVar[str] = "validating"

    def spec_file(self, given: Path | None, city: str) -> Path | None:
        """The spec file to use; boundaries fall back to the one shipped for the city."""
        return given

    def load_spec(self, spec_path: Path | None) -> Any:
        if self.spec_model is None or spec_path is None:
            return None
        from ingest import spec

        return spec.load_spec(spec_path, getattr(spec, self.spec_model))

    def prepare(self, job: Job) -> None:
        """Checks and derived options that come before the content hash (e.g. a hash key)."""

    def districts(self, job: Job) -> Any:
        """What the rows are matched against (``job.districts``): the city's current areas of
        its top level, refusing a city without boundaries."""
        from ingest.job_steps import districts_or_refuse

        return districts_or_refuse(job.store, job.city, job.path.name)

    def content(self, job: Job) -> str:
        """What besides the file makes "the same content": by default the spec file's text."""
        return Path(job.spec_path).read_text("utf-8") if job.spec_path else ""

    def vocabulary(self, job: Job) -> Vocabulary:
        """The labels a rejected row of a personal-data feed may show in clear; none by
        default, so a new personal-data feed masks everything until it names its labels."""
        from ingest.masking import Vocabulary

        return Vocabulary()

    def read(self, job: Job) -> Any:
        raise NotImplementedError

    def normalise(self, job: Job, source: Any) -> Normalised:
        raise NotImplementedError


class StreamedFeed(FeedFamily):
    """A big CSV/Parquet feed streamed through DuckDB (``ingest.bigdata``): reading already
    checks, assigns to districts and redacts counts ≤ ``disclosure.min_count``."""

    settings = ("disclosure",)
    reading = "streaming {file} through DuckDB"
    normalising = "checked, assigned to districts and redacted"

    def prepare(self, job: Job) -> None:
        from ingest.bigdata.cluster import partition_files
        from ingest.parquet_limits import PARQUET_SUFFIXES, refuse_big_parquet
        from observatory.settings import DisclosureSettings

        job.options["min_count"] = (job.options.get("disclosure")
                                    or DisclosureSettings()).min_count
        files = partition_files(job.path) if self.partitioned_input else [Path(job.path)]
        for file in files:  # before DuckDB reads a row of any of them
            if file.suffix.lower() in PARQUET_SUFFIXES and file.is_file():
                refuse_big_parquet(file)

    def content(self, job: Job) -> str:
        # The threshold is part of the content: a new threshold must recompute, not be a no-op.
        return super().content(job) + f"\nmin_count={job.options['min_count']}"

    def normalise(self, job: Job, source: Any) -> Normalised:
        return Normalised(kept=source.rows_used, rows_read=source.rows_read,
                          rejected=source.rejected, message=source.message,
                          tables={"observations": source.observations})


ENGINES = ("duckdb", "dask")


class PartitionedFeed(StreamedFeed):
    """A streamed feed whose FILE may be a partitioned input (a folder, a glob): each file is
    counted by ``partition`` (in this process, or on a Dask worker with ``--engine dask``), and
    ``publish`` combines the partial counts and applies the publication rules once, to the
    totals, so both engines publish the same cells."""

    partitioned_input = True
    cli_options = (CliOption(
        "engine", "--engine",
        "duckdb: count in this process; dask: count each file of a partitioned input (a folder "
        "or a quoted glob) on the Dask cluster at OBSERVATORY_DASK_SCHEDULER, or on a local "
        "cluster when it is unset. Both publish the same cells. Example: --engine dask",
        default="duckdb"),)

    def prepare(self, job: Job) -> None:
        from ingest.errors import IngestError

        super().prepare(job)
        engine = job.options.get("engine") or "duckdb"
        if engine not in ENGINES:
            raise IngestError(f"unknown engine {engine!r}", file=job.path.name,
                              key="--engine", fix="use --engine duckdb or --engine dask")
        job.options["engine"] = engine

    def partition(self, path: Path, spec: Any, districts: Any) -> Any:
        """One file's partial counts; runs on a worker, so it must not touch the store."""
        raise NotImplementedError

    def publish(self, parts: list[Any], job: Job) -> Any:
        """The partitions' counts combined, assigned and redacted: a ``FeedResult``."""
        raise NotImplementedError

    def read(self, job: Job) -> Any:
        from ingest.bigdata.cluster import count_on_cluster, dask_client, partition_files
        from observatory.settings import ClusterSettings

        files = partition_files(job.path)
        if job.options["engine"] == "dask":
            with dask_client(ClusterSettings().dask_scheduler) as client:
                parts = count_on_cluster(client, self.partition, files, job.spec,
                                         job.districts)
        else:
            parts = [self.partition(file, job.spec, job.districts) for file in files]
        return self.publish(parts, job)
