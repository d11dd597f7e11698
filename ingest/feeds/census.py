"""``census``: a table of counts by district -> observations."""

from __future__ import annotations

from typing import Any

from ingest.errors import IngestError
from ingest.feeds.family import CliHelp, CliOption, FeedFamily, Job, Normalised


class Census(FeedFamily):
    name = "census"
    spec_model = "CensusSpec"
    normalising = "validating and reshaping"
    cli_options = (
        CliOption("level", "--level", "Geographic level the table's areas belong to, when the "
                  "spec names none, e.g. --level forecast_area. Default: the city's top level."),
    )
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

    def content(self, job: Job) -> str:
        # The level places the rows, so it is part of what "the same content" is.
        level = job.options.get("level")
        return super().content(job) + (f"\nlevel: {level}" if level else "")

    def districts(self, job: Job) -> Any:
        """The areas of the spec's level (the top one without) valid at its period; for a level
        loaded as codes only (no boundaries then), the lookup that accepts the codes nesting in
        its parent level."""
        from ingest.census import DistrictLookup
        from ingest.job_steps import districts_or_refuse
        from ingest.levels import parent_rule, resolve_level
        from observatory.geography.levels import period_start

        given = job.options.get("level")
        if given and job.spec.level is not None and given != _name(job.spec.level):
            raise IngestError(
                f"--level {given} contradicts the spec's level {_name(job.spec.level)}",
                file=job.path.name, fix="drop --level, or use a spec without level")
        level = resolve_level(job.store, job.city, job.spec.level or given or None,
                              source=job.path.name)
        job.options["level_loaded"] = level
        value = job.spec.period.value
        as_of = period_start(value) if value else None
        if level is None:
            # A census of a period before the districts were redrawn names the areas of then:
            # they are carried onto today's at compute (docs/geography.md).
            then = (job.store.districts(job.city, as_of=as_of)
                    if as_of is not None and job.store.city(job.city) else None)
            if then is not None and len(then):
                return DistrictLookup.from_districts(then)
            return DistrictLookup.from_districts(super().districts(job))
        areas = job.store.districts(job.city, as_of=as_of, level=level.name)
        if len(areas):
            return DistrictLookup.from_districts(areas)
        rule = parent_rule(level, source=job.path.name)
        if rule is None or level.parent is None:
            return DistrictLookup.from_districts(districts_or_refuse(job.store, job.city,
                                                                     job.path.name))
        parents = job.store.districts(job.city, as_of=as_of, level=level.parent)
        if parents.empty:
            raise IngestError(
                f"level '{level.name}' has no boundaries and its parent level "
                f"'{level.parent}' none either" + (f" valid in {value}" if value else ""),
                file=job.path.name,
                fix=f"ingest the boundaries of '{level.parent}' (or of '{level.name}') first",
            )
        return DistrictLookup.nesting_in(rule, frozenset(parents["code"].astype(str)),
                                         level.name, level.parent)

    def normalise(self, job: Job, source: Any) -> Normalised:
        from ingest.census import normalise_census

        result = normalise_census(source, job.spec, job.districts, city=job.city)
        return Normalised(
            kept=len(result.observations), rows_read=result.rows_read, rejected=result.rejected,
            message=f"{result.rows_read} table rows -> {len(result.observations)} observations",
            tables={"observations": result.observations,
                    "level": job.options.get("level_loaded")},
        )


def _name(level: Any) -> str:
    return level if isinstance(level, str) else level.name


FEED = Census()
