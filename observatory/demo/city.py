"""The fictional city itself: who it is (read from its boundaries spec) and where its files are."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from observatory.demo.geography import OUTLINE_RADIUS_M
from observatory.demo.names import DISTRICT_NAMES
from observatory.models import City

# Where the fictional city sits: inland Levant, inside UTM zone 37N (the spec's local CRS).
CENTRE_LON_LAT = (36.5, 37.0)
TARGET_POPULATION = 600_000

SPEC_FILES = (
    "boundaries_spec.yaml", "census_spec.yaml", "service_records_spec.yaml", "incidents_spec.yaml",
    "labour_force_spec.yaml", "households_spec.yaml", "socioeconomic_spec.yaml",
    "elections_spec.yaml", "towers_spec.yaml", "service_points_spec.yaml",
    "urban_services_spec.yaml",
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
    urban_services: Path
    urban_services_spec: Path

    @property
    def service_requests(self) -> Path:
        """Geotagged service requests (the points feed), beside the other files."""
        return self.boundaries.with_name("service_requests.csv")

    @property
    def service_requests_spec(self) -> Path:
        return self.boundaries.with_name("service_requests_spec.yaml")

    def icc_answers(self, year: int) -> Path:
        """The city's answers to the demo's ICC questionnaire for ``year``."""
        return self.boundaries.with_name(f"icc_answers_{year}.yaml")

    @property
    def icc_questionnaire(self) -> Path:
        return self.boundaries.with_name("icc_questionnaire.yaml")

    @property
    def census_tables(self) -> tuple[tuple[Path, Path], ...]:
        """(table, spec) of every file ingested with the census feed, population first."""
        return (
            (self.census, self.census_spec),
            (self.labour_force, self.labour_force_spec),
            (self.households, self.households_spec),
            (self.socioeconomic, self.socioeconomic_spec),
            (self.elections, self.elections_spec),
            (self.urban_services, self.urban_services_spec),
        )


def spec_text(name: str) -> str:
    """A demo feed spec as shipped in ``observatory.demo.specs``."""
    return resources.files("observatory.demo.specs").joinpath(name).read_text(encoding="utf-8")


def demo_city(population: int | None = None) -> City:
    """The city block of the boundaries spec, so the spec is the one place naming the city."""
    block = yaml.safe_load(spec_text("boundaries_spec.yaml"))["city"]
    return City(population=population, **block)


@dataclass(frozen=True)
class CityPlan:
    """What sets a fictional city apart: where it is, how large, how diverse. ``city`` None:
    the demo city of the boundaries spec; ``seed_key`` None: the seed itself (so the first
    city keeps its bytes), else mixed into the seed."""

    city: City | None
    centre_lon_lat: tuple[float, float]
    target_population: int
    radius_m: float = OUTLINE_RADIUS_M
    n_districts: int = len(DISTRICT_NAMES)
    foreign_scale: float = 1.0  # foreign shares outside the planted cluster, x the demo's
    cluster_scale: float = 1.0  # … and inside it
    seed_key: int | None = None

    def identity(self, population: int | None = None) -> City:
        if self.city is None:
            return demo_city(population)
        return City(**{**self.city.__dict__, "population": population})


# Three cities of clearly different size and diversity, all in the spec's UTM zone 37N: the
# demo city (about 600,000 residents, ~12 % foreign citizens), a small market town (about
# 110,000, ~5 % foreign citizens) and a metropolis (about 2.3 million, a quarter foreign).
DEMO_CITIES = (
    CityPlan(None, CENTRE_LON_LAT, TARGET_POPULATION),
    CityPlan(City("demo_town", "Tell al-Ward (demo)", "تل الورد", "XX", "EPSG:32637"),
             (38.2, 37.5), 110_000, radius_m=3_000.0, n_districts=12, foreign_scale=0.4,
             cluster_scale=0.2, seed_key=1),
    CityPlan(City("demo_metro", "Madinat al-Bahr (demo)", "مدينة البحر", "XX", "EPSG:32637"),
             (40.4, 36.6), 2_300_000, radius_m=16_000.0, foreign_scale=2.6,
             cluster_scale=1.35, seed_key=2),
)


def boundaries_spec_text(city: City) -> str:
    """The boundaries spec with ``city``'s block in place of the demo city's."""
    text = spec_text("boundaries_spec.yaml")
    block = yaml.safe_load(text)["city"]
    own = {"slug": city.slug, "name_en": city.name_en, "name_ar": city.name_ar,
           "country": city.country, "local_crs": city.local_crs}
    for key, value in block.items():
        text = text.replace(f"  {key}: {_yaml_scalar(value)}\n",
                            f"  {key}: {_yaml_scalar(own[key])}\n", 1)
    return text


def _yaml_scalar(value: str) -> str:
    return f'"{value}"' if ":" in value else value
