"""``events``: point events (fire, waste, carjacking, service points…) -> the event table."""

from __future__ import annotations

from typing import Any

from ingest.feeds.family import CliHelp, FeedFamily, Job, Normalised


class Events(FeedFamily):
    name = "events"
    spec_model = "EventsSpec"
    normalising = "validating times and points"
    help = CliHelp(
        "Load point events (fire, waste, carjacking, service points…) into the event layers "
        "the heat maps and the layered city map show.",
        "Events: GeoJSON, GeoPackage, Shapefile, CSV or XLSX, e.g. incidents.geojson",
        "observatory ingest events incidents.geojson --city demo --spec incidents_spec.yaml",
        "Events feed spec (YAML) naming the layer, time, point and attribute columns, e.g. "
        "--spec incidents_spec.yaml",
    )

    def read(self, job: Job) -> Any:
        from ingest.readers import read_source, read_vector, table_format

        if (job.spec.format or table_format(job.path)) == "vector":
            return read_vector(job.path, layer=job.spec.source_layer)
        return read_source(job.path, job.spec).frame

    def normalise(self, job: Job, source: Any) -> Normalised:
        from ingest.events import normalise_events

        result = normalise_events(source, job.spec, job.districts, source=job.path.name)
        counts = result.events["layer"].value_counts().sort_index()
        layers = ", ".join(f"{layer}: {count}" for layer, count in counts.items())
        return Normalised(
            kept=len(result.events), rows_read=result.rows_read, rejected=result.rejected,
            message=f"{result.rows_read} records -> {len(result.events)} events "
            f"({layers}); {result.outside} fall outside every district (kept)",
            tables={"events": result.events, "event_layers": _declared_layers(job.spec)},
        )


def _declared_layers(spec: Any) -> list[str]:
    """The layers the spec can give, so that a corrected file whose events all changed layer
    still replaces the layer they left."""
    return [spec.layer.value] if spec.layer.value else sorted(set(spec.layer.values.values()))


FEED = Events()
