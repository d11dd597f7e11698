"""``census``: a table of counts by district -> observations."""

from __future__ import annotations

from typing import Any

from ingest.feeds.family import CliHelp, FeedFamily, Job, Normalised


class Census(FeedFamily):
    name = "census"
    spec_model = "CensusSpec"
    normalising = "validating and reshaping"
    help = CliHelp(
        "Load a census table as observations per district, period, variable and dimensions.",
        "Census table: CSV (any delimiter, UTF-8, Windows-1256 or Latin-1) or XLSX, "
        "e.g. population_2025.csv",
        "observatory ingest census population.csv --city vienna --spec census.yaml",
        "Census feed spec (YAML) mapping the district key, period, dimensions and value "
        "columns, e.g. --spec specs/vienna/census.yaml",
    )

    def read(self, job: Job) -> Any:
        from ingest.readers import read_source

        return read_source(job.path, job.spec, layer=job.spec.layer)

    def normalise(self, job: Job, source: Any) -> Normalised:
        from ingest.census import DistrictLookup, normalise_census

        result = normalise_census(source, job.spec, DistrictLookup.from_districts(job.districts),
                                  city=job.city)
        return Normalised(
            kept=len(result.observations), rows_read=result.rows_read, rejected=result.rejected,
            message=f"{result.rows_read} table rows -> {len(result.observations)} observations",
            tables={"observations": result.observations},
        )


FEED = Census()
