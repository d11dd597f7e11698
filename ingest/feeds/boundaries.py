"""``boundaries``: district polygons -> a new boundary version of the city (created if new)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.feeds.family import CliHelp, FeedFamily, Job, Normalised
from observatory.models import City, today

SHIPPED_SPECS = Path(__file__).parents[1] / "specs"


class Boundaries(FeedFamily):
    name = "boundaries"
    spec_model = "BoundariesSpec"
    takes_spec = "optional"
    needs_districts = False
    normalising = "validating and reprojecting"
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

        spec = job.spec if job.spec_path else _default_spec_for(source, job)
        block = spec.city
        if block is not None:
            city = block.to_city()
        else:
            city = job.store.city(job.city) or City(
                slug=job.city, name_en=job.city.replace("-", " ").title())
        result = normalise_boundaries(source, spec, source=job.path.name,
                                      local_crs=city.local_crs)
        return Normalised(
            kept=len(result.districts), rows_read=len(source), rejected=result.rejected,
            message="\n".join(result.notes),
            tables={"districts": result.districts, "valid_from": spec.valid_from or today()},
            city=replace(city, local_crs=result.local_crs),
        )


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
