"""The shipped demo specs parse with ``ingest.spec`` and name columns the demo files really have."""

from dataclasses import asdict

import geopandas as gpd
import pandas as pd

from ingest.spec import (
    SERVICE_AREAS,
    load_admin_spec,
    load_boundaries_spec,
    load_census_spec,
    load_events_spec,
)


def test_census_spec_names_the_columns_of_the_census_file(demo) -> None:
    spec = load_census_spec(demo.census_spec)
    assert spec.format == "csv" and spec.header_row == 2 and spec.delimiter == ","
    header = pd.read_csv(demo.census, skiprows=spec.header_row - 1, nrows=0).columns
    named = [spec.district.column, spec.period.column]
    named += [dimension.column for dimension in spec.dimensions.values()]
    named += [variable.column for variable in spec.variables]
    assert sorted(named) == sorted(header)
    assert spec.district.match == "code"
    assert spec.dimensions["sex"].values == {"1": "male", "2": "female"}
    assert {variable.variable for variable in spec.variables} == {"population"}
    groups = [variable.dims["citizenship"] for variable in spec.variables]
    assert groups[0] == "national" and len(set(groups)) == 5


def test_boundaries_spec_names_the_columns_and_the_city(demo) -> None:
    spec = load_boundaries_spec(demo.boundaries_spec)
    city = asdict(demo.city)
    assert spec.city.to_city() == demo.city.__class__(**{**city, "population": None})
    columns = set(gpd.read_file(demo.boundaries).columns)
    assert {spec.code.column, spec.name_en.column, spec.name_ar.column} <= columns
    assert spec.valid_from.isoformat() == "2019-01-01"


def test_service_records_spec_covers_every_personal_column(demo) -> None:
    spec = load_admin_spec(demo.service_records_spec)
    records = pd.read_csv(demo.service_records, dtype=str, keep_default_na=False)
    assert set(spec.sensitive_columns()) == {
        "record_id", "person_id", "full_name_ar", "full_name_latin", "document_number", "address"
    }
    assert set(records["service_area"]) <= set(SERVICE_AREAS)
    mapped = records["nationality"].map(spec.nationality.values).fillna(spec.nationality.default)
    assert set(mapped) == {"syrian", "iraqi", "afghan", "other_foreign"}
    assert set(records["sex"].map(spec.sex.values)) == {"male", "female"}


def test_incidents_spec_names_the_columns_of_the_incidents_file(demo) -> None:
    spec = load_events_spec(demo.incidents_spec)
    columns = set(gpd.read_file(demo.incidents).columns)
    assert {spec.layer.column, spec.time.column, spec.id.column, *spec.attributes} <= columns
