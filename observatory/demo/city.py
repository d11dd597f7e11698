"""The fictional city itself: who it is (read from its boundaries spec) and where its files are."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from observatory.models import City

# Where the fictional city sits: inland Levant, inside UTM zone 37N (the spec's local CRS).
CENTRE_LON_LAT = (36.5, 37.0)
TARGET_POPULATION = 600_000

SPEC_FILES = (
    "boundaries_spec.yaml", "census_spec.yaml", "service_records_spec.yaml", "incidents_spec.yaml",
    "labour_force_spec.yaml", "households_spec.yaml", "socioeconomic_spec.yaml",
    "elections_spec.yaml", "towers_spec.yaml", "service_points_spec.yaml",
    "service_requests_spec.yaml",
)


@dataclass(frozen=True)
class DemoCity:
    """The demo city and the paths of everything generated for it."""

    city: City
    boundaries: Path
    boundaries_spec: Path
    census: Path
    census_spec: Path
    service_records: Path
    towers: Path
    incidents: Path
    service_points: Path
    population_raster: Path
    service_records_spec: Path
    incidents_spec: Path
    labour_force: Path
    labour_force_spec: Path
    households: Path
    households_spec: Path
    socioeconomic: Path
    socioeconomic_spec: Path
    elections: Path
    elections_spec: Path
    towers_spec: Path
    service_points_spec: Path

    @property
    def service_requests(self) -> Path:
        """Geotagged service requests (the points feed), beside the other files."""
        return self.boundaries.with_name("service_requests.csv")

    @property
    def service_requests_spec(self) -> Path:
        return self.boundaries.with_name("service_requests_spec.yaml")

    @property
    def census_tables(self) -> tuple[tuple[Path, Path], ...]:
        """(table, spec) of every file ingested with the census feed, population first."""
        return (
            (self.census, self.census_spec),
            (self.labour_force, self.labour_force_spec),
            (self.households, self.households_spec),
            (self.socioeconomic, self.socioeconomic_spec),
            (self.elections, self.elections_spec),
        )


def spec_text(name: str) -> str:
    """A demo feed spec as shipped in ``observatory.demo.specs``."""
    return resources.files("observatory.demo.specs").joinpath(name).read_text(encoding="utf-8")


def demo_city(population: int | None = None) -> City:
    """The city block of the boundaries spec, so the spec is the one place naming the city."""
    block = yaml.safe_load(spec_text("boundaries_spec.yaml"))["city"]
    return City(population=population, **block)
