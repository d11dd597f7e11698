"""``boundaries``: district polygons -> a new boundary version of the city (created if new)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.feeds.family import CliHelp, CliOption, FeedFamily, Job, Normalised
from observatory.models import City, today

SHIPPED_SPECS = Path(__file__).parents[1] / "specs"


class Boundaries(FeedFamily):
    name = "boundaries"
    spec_model = "BoundariesSpec"
    takes_spec = "optional"
    needs_districts = False
    settings = ("boundary",)
    cli_options = (
        CliOption("replace_boundaries", "--replace-boundaries",
                  "Load the file even though it lies elsewhere than the city's data or removes "
                  "more than OBSERVATORY_MAX_BOUNDARY_LOSS of its districts (the districts "
                  "really were redrawn), e.g. --replace-boundaries", switch=True),
    )
    normalising = "validating, reprojecting and comparing with the city's districts"
    help = CliHelp(
        "Load district boundaries as a new boundary version of the city (created if new).",
        "District boundaries: GeoJSON, GeoPackage, Shapefile or zipped Shapefile, "
        "e.g. districts.geojson",
        "observatory ingest boundaries districts.geojson --city vienna --spec boundaries.yaml",
        "Boundaries feed spec (YAML) naming the code and name columns, e.g. "
        "--spec specs/vienna/boundaries.yaml. Default: the spec shipped for the city, else "
        "columns code, name_en, name_ar.",
    )

    def spec_file(self, given: Path | None, city: str) -> Path | None:
        if given:
            return given
        # Spec folders are packages, so a slug's hyphens become underscores.
        shipped = SHIPPED_SPECS / city.replace("-", "_") / "boundaries.yaml"
        return shipped if shipped.is_file() else None

    def load_spec(self, spec_path: Path | None) -> Any:
        if spec_path:
            return super().load_spec(spec_path)
        from ingest.spec import BoundariesSpec, ColumnSpec

        return BoundariesSpec(feed="boundaries", code=ColumnSpec(column="code"),
                              name_en=ColumnSpec(column="name_en"),
                              name_ar=ColumnSpec(column="name_ar"))

    def content(self, job: Job) -> str:
        return super().content(job) if job.spec_path else job.spec.model_dump_json()

    def read(self, job: Job) -> Any:
        from ingest.readers import read_vector

        return read_vector(job.path, layer=job.spec.layer)

    def normalise(self, job: Job, source: Any) -> Normalised:
        from ingest.boundaries import normalise_boundaries
        from ingest.boundary_versions import crosswalk_after_load, matched_to_previous
        from ingest.levels import nest_new_version, resolve_level
        from observatory.settings import BoundarySettings

        spec = job.spec if job.spec_path else _default_spec_for(source, job)
        block = spec.city
        if block is not None:
            city = block.to_city()
        else:
            city = job.store.city(job.city) or City(
                slug=job.city, name_en=job.city.replace("-", " ").title())
        result = normalise_boundaries(source, spec, source=job.path.name,
                                      local_crs=city.local_crs)
        valid_from = spec.valid_from or today()
        level = resolve_level(job.store, job.city, spec.level, source=job.path.name)
        if spec.valid_to is not None and spec.valid_to <= valid_from:
            raise IngestError(f"valid_to {spec.valid_to} is not after valid_from {valid_from}",
                              file=str(job.spec_path), key="valid_to",
                              fix="give the first day the boundaries no longer held")
        if len(result.districts) and not job.options.get("replace_boundaries"):
            _refuse_unlike_the_city(job, result, valid_from, city.local_crs, level)
        notes = list(result.notes)
        districts = result.districts
        if level is not None and len(districts):
            nesting, said = nest_new_version(job.store, job.city, level, districts, valid_from,
                                             result.local_crs, source=job.path.name)
            if nesting is not None:
                districts = districts.assign(
                    parent_code=districts["code"].astype(str).map(nesting.parent_of))
            notes += [said] if said else []
        settings = job.options.get("boundary") or BoundarySettings()
        if len(districts):
            notes += matched_to_previous(job.store, job.city, level, districts, valid_from,
                                         result.local_crs, settings.identity_overlap)
        crosswalk = crosswalk_after_load(job.store, job.city, level, districts, valid_from,
                                         spec, result.local_crs, job.spec_path)
        return Normalised(
            kept=len(districts), rows_read=len(source), rejected=result.rejected,
            message="\n".join(notes),
            tables={"districts": districts, "valid_from": valid_from, "level": level,
                    "valid_to": spec.valid_to, "crosswalk": crosswalk},
            city=replace(city, local_crs=result.local_crs),
        )


def _refuse_unlike_the_city(job: Job, result: Any, valid_from: date, local_crs: str,
                            level: Any) -> None:
    """Compare the file with the districts it would take over from (those valid on its
    valid_from), else with the lon/lat box of whatever else the city has."""
    from ingest.boundary_checks import CityReference, refuse_unlike_the_city
    from observatory.settings import BoundarySettings

    settings = job.options.get("boundary") or BoundarySettings()
    current = (job.store.districts(job.city, as_of=valid_from,
                                   level=level.name if level is not None else None)
               if job.store.city(job.city) else None)
    if current is not None and len(current):
        minx, miny, maxx, maxy = (float(b) for b in current.total_bounds)
        reference = CityReference(job.city, list(current["code"]), (minx, miny, maxx, maxy),
                                  "current districts", local_crs)
    else:
        reference = CityReference(job.city, [], job.store.extent(job.city),
                                  "earlier boundaries and events", local_crs)
    refuse_unlike_the_city(result.districts, source_bounds=result.source_bounds,
                           source_crs=result.source_crs, reference=reference,
                           max_loss=settings.max_boundary_loss, source=job.path.name)


def _default_spec_for(features: Any, job: Job) -> Any:
    """The default spec narrowed to the name columns the file has; a file without ``code``
    needs a spec."""
    from ingest.errors import IngestError
    from ingest.spec import ColumnSpec

    if "code" not in features.columns:
        columns = ", ".join(str(c) for c in features.columns if c != "geometry")
        raise IngestError(
            "no boundaries spec was given and the file has no 'code' column",
            file=job.path.name,
            fix="write a boundaries spec naming the code column (code: {column: …}; "
            f"the file has: {columns}) and pass it with --spec",
        )
    return job.spec.model_copy(update={
        key: ColumnSpec() for key in ("name_en", "name_ar") if key not in features.columns
    })


FEED = Boundaries()
