import re

import geopandas as gpd
import pandas as pd
import shapely

from observatory.settings import DisclosureSettings

ARABIC = re.compile("[\u0600-\u06ff]")
SERVICE_AREAS = {
    "regularisation", "nationality", "family_reunification", "housing", "work", "social_support",
    "voluntary_return", "health", "education", "vocational_training", "entrepreneurship", "other",
}


def test_towers_are_sites_by_months_by_metrics_by_groups_inside_the_city(demo, districts) -> None:
    towers = pd.read_csv(demo.towers, dtype={"site_id": str})
    assert list(towers.columns) == ["site_id", "lon", "lat", "date", "metric", "group", "count"]
    # monthly aggregates 2024-01 … 2026-06: two census years (2024, 2025) and months after
    assert towers["site_id"].nunique() == 120 and towers["date"].nunique() == 30
    assert (towers["date"].min(), towers["date"].max()) == ("2024-01-01", "2026-06-01")
    assert set(towers["metric"]) == {"home_subscribers", "daytime_presence"}
    assert set(towers["group"]) == {"national", "syrian", "iraqi", "afghan", "other_foreign"}
    assert len(towers) == 120 * 30 * 2 * 5
    sites = towers.drop_duplicates("site_id")
    points = gpd.GeoSeries(gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326)
    city = shapely.union_all(districts.geometry.values).buffer(1.0)
    assert points.to_crs(districts.crs).within(city).all()


def test_towers_give_redaction_work_but_mostly_publishable_counts(demo) -> None:
    counts = pd.read_csv(demo.towers)["count"]
    small = (counts <= DisclosureSettings().min_count).mean()
    assert 0.02 < small < 0.5


def test_tower_home_counts_add_up_to_the_operators_share_of_residents(demo) -> None:
    towers = pd.read_csv(demo.towers)
    for metric in ("home_subscribers", "daytime_presence"):  # each subscriber counted once
        monthly = towers[towers["metric"] == metric].groupby("date")["count"].sum()
        share = monthly / demo.city.population
        assert share.between(0.8, 0.9).all()  # the operators serve about 85 % of residents


def test_service_records_carry_fake_personal_data_consistently(demo, districts) -> None:
    records = pd.read_csv(demo.service_records, dtype=str, keep_default_na=False)
    assert 2_000 <= len(records) <= 6_000 and records["record_id"].is_unique
    assert records["date"].between("2024-01-01", "2025-12-31").all()
    assert set(records["service_area"]) == SERVICE_AREAS
    assert records["full_name_ar"].str.contains(ARABIC).all()
    assert not records["full_name_latin"].str.contains(ARABIC).any()
    # One person, one identity: name, document and birth year never vary across visits.
    identity = ["full_name_ar", "full_name_latin", "document_number", "birth_year", "nationality"]
    assert (records.groupby("person_id")[identity].nunique() == 1).all().all()
    assert records["person_id"].nunique() < len(records)
    # Some forms have only an address; it always names the district in Arabic.
    without_code = records["district_code"] == ""
    assert 0.02 < without_code.mean() < 0.2
    assert set(records.loc[~without_code, "district_code"]) <= set(districts["code"])
    names = list(districts["name_ar"]) + list(districts["name_en"])
    named = records["address"].map(lambda address: [name for name in names if name in address])
    assert named.map(len).eq(1).all()  # so the admin ingest can match the district by address
    coded = records[~without_code]
    assert (named[~without_code].str[0] == coded["district_code"].map(
        districts.set_index("code")["name_ar"])).all()


def test_service_records_follow_where_foreigners_live(demo, census) -> None:
    records = pd.read_csv(demo.service_records, dtype=str, keep_default_na=False)
    latest = census[census["YEAR"] == 2025].groupby("DISTRICT_CODE")["foreign"].sum()
    persons = records[records["district_code"] != ""].drop_duplicates("person_id")
    per_district = persons["district_code"].value_counts().reindex(latest.index, fill_value=0)
    assert per_district.corr(latest) > 0.9


def test_service_points_are_bilingual_and_inside_the_city(demo, districts) -> None:
    points = gpd.read_file(demo.service_points)
    assert points.crs.to_epsg() == 4326
    assert 20 <= len(points) <= 30 and points["id"].is_unique
    assert points["name_ar"].str.contains(ARABIC).all() and points["name_en"].str.len().gt(0).all()
    assert points["type"].nunique() >= 3
    city = shapely.union_all(districts.geometry.values).buffer(1.0)
    assert points.to_crs(districts.crs).within(city).all()
