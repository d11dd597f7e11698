"""The definition hashes of every shipped definition, pinned: stored values carry them, so a
refactor that changed one would make every stored result look stale (they were computed on
67b54e8, before the formula kinds became classes)."""

from indicators.definitions import load_frameworks

DEFINITION_HASHES = {
    "birthplace_share": "3951dd664787ea0f",
    "citizenship_diversity_shannon": "a621beb41a939813",
    "citizenship_diversity_shannon_normalised": "07e80c81850aa972",
    "citizenship_diversity_simpson": "43bc159a13c36936",
    "citizenship_share": "0c2c752b8992124b",
    "cpi_city_product_per_capita": "0bdd0cc19a803576",
    "cpi_green_area_per_capita": "3f86a3113948fe6b",
    "cpi_improved_sanitation": "b5719fcc92959297",
    "cpi_improved_shelter": "1662238df42f4fd3",
    "cpi_improved_water": "16289fed418aad96",
    "cpi_internet_access": "116961f19ab5917a",
    "cpi_land_allocated_to_streets": "bd073b48940b8dc3",
    "cpi_literacy_rate": "f85c356e5d52f76a",
    "cpi_poverty_rate": "60292e0bfe7beb78",
    "cpi_theft_rate": "73dfb9585e2fec17",
    "cpi_traffic_fatalities": "58b27aa4429de024",
    "cpi_unemployment_rate": "1a2c89d1c926fea0",
    "cpi_voter_turnout": "3f414e8939adc28a",  # issue 13: holds_for 4 (was 7bb9c91ff287e6d2)
    "cpi_waste_collection": "003b206e84035462",
    "cpi_women_in_workforce": "9051663b0ed75f43",
    # cpi.yaml: the Basic CPI's other sub-dimensions (issue 13)
    "cpi_economic_density": "134e8be4590cf90c",
    "cpi_physician_density": "b11202038a335959",
    "cpi_life_expectancy": "6eca481a2a63a26e",
    "cpi_youth_unemployment": "9e98ed884840a6f4",
    "cpi_land_use_mix": "867725a404df1607",
    "cpi_pm25_concentration": "554c2cdc2df188ac",
    "cpi_renewable_electricity_share": "e150e916c1caa821",
    "cpi_own_revenue_share": "bf16824aa238f17c",
    "cpi_built_up_area_per_capita": "16735da7d1e63db9",
    "foreign_born_share": "1e3aebf4f12aac0d",
    "foreign_citizens_share": "32e1cc95a2bf5721",
    "gap_unemployment_foreign_vs_nationals": "74554c9487757248",
    "gap_women_employment_foreign_vs_nationals": "abef032c33fb6e45",
    "location_quotient_foreign": "f6129bdb5dc62d93",
    "location_quotient_foreign_born": "5ae62f155be70197",
    "location_quotient_migration_background": "b02b927951722713",
    "migration_background_group_share": "56dcc81185242c11",
    "migration_background_share": "8030fbd7e88d649f",
    "welcome_service_distance": "3d4401abfcb5e4fe",
    "welcome_services_per_1000_foreign": "9a860e11bff24dbe",
    # incidents.yaml (rates from events and points, issue 11)
    "carjacking_per_1000_residents": "e05dd18546cf04c6",
    "carjacking_per_km2": "0acba4412f98dbb8",
    "fire_per_1000_residents": "596f9985df0de03c",
    "fire_per_km2": "b5707a56fe86226e",
    "service_requests_by_category_per_1000_residents": "90d61d9271a9c61b",
    "service_requests_per_1000_residents": "caf01bf5001ad6b0",
    "waste_per_1000_residents": "e199b5543de92ea1",
    "waste_per_km2": "356b4329cef47768",
    # service_demand.yaml (service demand rolled up until safe, issue 11 point 2)
    "service_area_mix": "e7fb855f65137edd",
    "service_records_per_1000_foreign": "40d6324283c0cde9",
    "service_users_per_1000_foreign": "cc018e8ac9c3f410",
    # phone_population.yaml (population between censuses from phone data, issue 11)
    "phone_estimated_residents": "6321e45502214697",
    "phone_estimated_residents_by_group": "84a1693a10c61344",
    "phone_calibration_mape": "b28bbd9c3f03ab9e",
    "phone_calibration_mape_by_group": "ee2f658ad8420dc7",
    "phone_calibration_mdape": "755736c1b0f86bcd",
    "phone_calibration_bias": "21c99e109b930b2c",
    "phone_calibration_wape": "a2d299256b433bec",
    "phone_calibration_cells": "4e4c05fbf1400ca8",
    "phone_calibration_coverage": "3931f285ca40093d",
    "phone_day_night_ratio": "32cb0a51a3dcb250",
}

FRAMEWORK_HASHES = {
    "cpi": "d6700f07ad170145",  # issue 13: nine indicators added; turnout holds_for 4
    "demography": "9ee093071abf27af",
    "integration_gaps": "a0563479d77ca223",
    "intercultural": "95a81aad37a35b90",
    "incidents": "1e7cc18f2cf3856d",
    "service_demand": "41c835fa645c8014",
    "phone_population": "364ea650484a3745",
}


def test_every_shipped_definition_keeps_its_hash():
    frameworks = load_frameworks()
    got = {d.id: d.hash for f in frameworks.values() for d in f.indicators}
    assert got == DEFINITION_HASHES


def test_every_shipped_framework_keeps_its_composite_hash():
    assert {fid: f.hash for fid, f in load_frameworks().items()} == FRAMEWORK_HASHES
