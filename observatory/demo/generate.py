"""Generate every file of the demo city, deterministically: same seed, same bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from observatory.demo import elections, households, icc, labour_force, socioeconomic, urban_services
from observatory.demo.census import YEARS, build_census, write_census_csv
from observatory.demo.city import (
    DEMO_CITIES,
    SPEC_FILES,
    CityPlan,
    DemoCity,
    boundaries_spec_text,
    spec_text,
)
from observatory.demo.district_profile import build_district_profile
from observatory.demo.geography import build_geography
from observatory.demo.incidents import build_incidents
from observatory.demo.raster import build_population_grid, write_population_tif
from observatory.demo.records import build_service_records, write_service_records_csv
from observatory.demo.service_points import build_service_points
from observatory.demo.service_requests import build_service_requests, write_service_requests_csv
from observatory.demo.tables import write_titled_csv
from observatory.demo.towers import build_towers, write_towers_csv
from observatory.demo.writers import write_geojson

COMPONENTS = (
    "geography", "census", "raster", "towers", "records", "incidents", "services",
    # Appended: a spawned stream depends only on its position, so earlier files keep their bytes.
    "profile", "labour_force", "households", "socioeconomic", "elections", "urban_services",
    "requests", "icc",
)


def generate_demo_city(out_dir: Path, seed: int = 2026,
                       plan: CityPlan = DEMO_CITIES[0]) -> DemoCity:
    """Write the city's boundaries, census, records, feeds, raster and specs to ``out_dir``
    (default: the demo city)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # One independent stream per component, so changing one generator leaves the others' output alone.
    entropy = seed if plan.seed_key is None else [seed, plan.seed_key]
    rng = {
        name: np.random.default_rng(child)
        for name, child in zip(COMPONENTS, np.random.SeedSequence(entropy).spawn(len(COMPONENTS)))
    }
    city = plan.identity()
    geography = build_geography(plan.centre_lon_lat, city.local_crs, rng["geography"],
                                plan.radius_m, plan.n_districts)
    census = build_census(geography, plan.target_population, rng["census"],
                          plan.foreign_scale, plan.cluster_scale)
    grid = build_population_grid(geography, census, rng["raster"])

    demo = DemoCity(
        city=plan.identity(population=int(census.population(YEARS[-1]).sum())),
        boundaries=out_dir / "boundaries.geojson",
        boundaries_spec=out_dir / "boundaries_spec.yaml",
        census=out_dir / "census.csv",
        census_spec=out_dir / "census_spec.yaml",
        service_records=out_dir / "service_records.csv",
        towers=out_dir / "towers.csv",
        incidents=out_dir / "incidents.geojson",
        service_points=out_dir / "service_points.geojson",
        population_raster=out_dir / "population.tif",
        service_records_spec=out_dir / "service_records_spec.yaml",
        incidents_spec=out_dir / "incidents_spec.yaml",
        labour_force=out_dir / "labour_force.csv",
        labour_force_spec=out_dir / "labour_force_spec.yaml",
        households=out_dir / "households.csv",
        households_spec=out_dir / "households_spec.yaml",
        socioeconomic=out_dir / "socioeconomic.csv",
        socioeconomic_spec=out_dir / "socioeconomic_spec.yaml",
        elections=out_dir / "elections.csv",
        elections_spec=out_dir / "elections_spec.yaml",
        towers_spec=out_dir / "towers_spec.yaml",
        service_points_spec=out_dir / "service_points_spec.yaml",
        urban_services=out_dir / "urban_services.csv",
        urban_services_spec=out_dir / "urban_services_spec.yaml",
    )
    write_geojson(geography.districts, demo.boundaries)
    write_census_csv(
        census,
        demo.census,
        title=f"{city.name_en}: resident population by district × year × sex × age band × "
        f"citizenship / {city.name_ar}: السكان حسب الحي والسنة والجنس والعمر والجنسية",
    )
    write_population_tif(grid, demo.population_raster)
    write_towers_csv(build_towers(grid, census, rng["towers"]), demo.towers)
    write_service_records_csv(
        build_service_records(geography, census, rng["records"]), demo.service_records
    )
    write_geojson(build_incidents(geography, rng["incidents"]), demo.incidents)
    write_geojson(build_service_points(geography, census, rng["services"]), demo.service_points)
    profile = build_district_profile(geography, census, rng["profile"])
    for build, subject, path in (
        (labour_force.build_labour_force, labour_force.SUBJECT, demo.labour_force),
        (households.build_households, households.SUBJECT, demo.households),
        (socioeconomic.build_socioeconomic, socioeconomic.SUBJECT, demo.socioeconomic),
        (elections.build_elections, elections.SUBJECT, demo.elections),
        (urban_services.build_urban_services, urban_services.SUBJECT, demo.urban_services),
    ):
        write_titled_csv(build(census, profile, rng[path.stem]), path, city, subject)
    write_service_requests_csv(build_service_requests(geography, census, rng["requests"]),
                               demo.service_requests)
    demo.icc_questionnaire.write_text(icc.questionnaire_text(), encoding="utf-8")
    for year, answers in icc.build_icc_answers(rng["icc"]).items():
        icc.write_icc_answers(answers, demo.icc_answers(year))
    for name in SPEC_FILES:
        text = (boundaries_spec_text(city) if name == "boundaries_spec.yaml" and plan.city
                else spec_text(name))
        (out_dir / name).write_text(text, encoding="utf-8")
    return demo
