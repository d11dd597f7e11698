"""``admin``: administrative records with personal data -> counts (``ingest.admin``).

Refuses to run without a hash key (``OBSERVATORY_HASH_KEY``). Observations keep their true
counts (the store is internal); the run message says how many cells publication will suppress
under ``disclosure.min_count``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.feeds.family import CliHelp, FeedFamily, Job, Normalised

if TYPE_CHECKING:
    from ingest.masking import Vocabulary


class Admin(FeedFamily):
    name = "admin"
    spec_model = "AdminSpec"
    settings = ("privacy", "disclosure")
    personal_data = True
    normalising = "hashing identifiers, dropping personal columns, counting"
    help = CliHelp(
        "Load administrative records with personal data (service records) as counts per "
        "district, month, service area and nationality group. Person identifiers are replaced "
        "by a keyed hash (OBSERVATORY_HASH_KEY must be set), names and document numbers are "
        "dropped.",
        "Administrative records: CSV or XLSX, one row per record, e.g. service_records.csv",
        "OBSERVATORY_HASH_KEY=… observatory ingest admin service_records.csv --city demo "
        "--spec service_records_spec.yaml",
        "Admin feed spec (YAML) naming the identifier, personal, district, nationality and date "
        "columns, e.g. --spec service_records_spec.yaml",
    )

    def prepare(self, job: Job) -> None:
        from ingest.admin_privacy import keyed_hasher
        from observatory.settings import DisclosureSettings, PrivacySettings

        # Before anything is read: without a key there is nothing this feed may do.
        privacy = job.options.get("privacy") or PrivacySettings()
        job.options["keyed_hash"] = keyed_hasher(privacy, source=job.path.name)
        job.options["min_count"] = (job.options.get("disclosure")
                                    or DisclosureSettings()).min_count

    def vocabulary(self, job: Job) -> Vocabulary:
        import pandas as pd

        from ingest.admin import vocabulary

        every = [job.districts, *(areas for _, areas in _version_areas(job))]
        return vocabulary(job.spec, pd.concat(every, ignore_index=True))

    def read(self, job: Job) -> Any:
        from ingest.readers import read_source

        return read_source(job.path, job.spec)

    def normalise(self, job: Job, source: Any) -> Normalised:
        from ingest.admin import normalise_admin
        from ingest.census import DistrictLookup

        result = normalise_admin(source, job.spec, DistrictLookup.from_districts(job.districts),
                                 job.options["keyed_hash"], city=job.city,
                                 versions=_dated_districts(job))
        from ingest.admin import ALL_AREAS

        observed = result.observations
        # astype: with every row rejected the columns are empty, of no string dtype.
        users = observed[(observed["variable"] == "service_users")
                         & observed["period"].astype(str).str.fullmatch(r"\d{4}-\d{2}")
                         & ~observed["dims"].astype(str).str.contains(
                             f'"service_area":"{ALL_AREAS}"', regex=False)]
        min_count = job.options["min_count"]
        small = int((users["value"] <= min_count).sum())
        split = (f"; not counted by {', '.join(result.split_periods)} (records on two "
                 "boundary versions in it; its months are counted)"
                 if result.split_periods else "")
        return Normalised(
            kept=len(result.observations), rows_read=result.rows_read, rejected=result.rejected,
            message=f"{result.rows_read} records -> {len(users)} cells (district x month "
            f"x service area x nationality group); {small} of them count "
            f"{min_count} or fewer persons and are rolled up (quarter, year, all service "
            f"areas, city) when published{split}",
            tables={"observations": result.observations},
        )


def _version_areas(job: Job) -> list[tuple[Any, Any]]:
    """The top level's boundary versions (``geography.levels.Version``), each with its areas,
    when it has several: the records name the district of their own date. Read once a job
    (the vocabulary and the normaliser both need them)."""
    if "version_areas" not in job.options:
        from observatory.geography.levels import versions_from

        levels = job.store.levels(job.city)
        mine = [v for v in versions_from(job.store.boundary_versions(job.city))
                if levels and v.level == levels[0].name]
        job.options["version_areas"] = [
            (v, job.store.version_districts(job.city, v.level, v.valid_from))
            for v in mine] if len(mine) > 1 else []
    return job.options["version_areas"]


def _dated_districts(job: Job) -> list[Any]:
    from ingest.admin import DatedDistricts
    from ingest.census import DistrictLookup

    return [DatedDistricts(v.valid_from, v.valid_to, DistrictLookup.from_districts(areas))
            for v, areas in _version_areas(job)]


FEED = Admin()
