"""Ingest jobs against a real store (both backends): load, re-run, replace, refuse."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from ingest.errors import IngestError
from ingest.jobs import ingest_boundaries, ingest_census

CITY = "testville"


@pytest.fixture
def census_spec(tmp_path: Path) -> Path:
    path = tmp_path / "census.yaml"
    path.write_text(
        "feed: census\nencoding: cp1256\nheader_row: 2\n"
        "district: {column: الحي, match: name_ar}\n"
        "period: {column: year}\n"
        "variables:\n"
        "  - {column: nationals, variable: population, unit: persons,\n"
        "     dims: {citizenship: national}}\n"
        "  - {column: foreigners, variable: population, unit: persons,\n"
        "     dims: {citizenship: foreign}}\n",
        encoding="utf-8",
    )
    return path


def _census(tmp_path: Path, rows: str, name: str = "census.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("السكان حسب الحي\nالحي;year;nationals;foreigners\n" + rows).encode("cp1256"))
    return path


def test_boundaries_create_the_city_with_an_estimated_utm_crs(store, boundaries):
    steps = []
    run = ingest_boundaries(store, boundaries, CITY, progress=lambda *step: steps.append(step))
    assert run.status == "succeeded" and run.rows_loaded == 2
    city = store.city(CITY)
    assert city.name_en == "Testville" and city.local_crs == "EPSG:32636"
    districts = store.districts(CITY).sort_values("code")
    assert districts["code"].tolist() == ["01", "02"]
    assert districts["name_ar"].tolist() == ["حي الزيتون", "حي النخيل"]
    assert districts["area_m2"].iloc[0] == pytest.approx(1.05e6, rel=0.05)  # ~1.05 km x 1.11 km
    assert [done for done, _, _ in steps] == [1, 2, 3, 4]
    assert {total for _, total, _ in steps} == {4}


def test_census_loads_reruns_as_a_no_op_and_a_corrected_file_replaces(
    store, boundaries, census_spec, tmp_path
):
    ingest_boundaries(store, boundaries, CITY)
    original = "حي الزيتون;2025;100;40\nحي الياسمين;2025;1;1\nحي النخيل;2025;80;20\n"
    first = _census(tmp_path, original)
    run = ingest_census(store, first, CITY, census_spec)
    assert (run.status, run.rows_loaded, run.rows_rejected) == ("succeeded", 4, 1)
    (rejected,) = store.rejected_rows(run.id)
    assert (rejected.row_number, rejected.column) == (4, "الحي")

    again = ingest_census(store, first, CITY, census_spec)
    assert again.status == "unchanged" and again.id == run.id
    assert len(store.observations(CITY)) == 4

    # A corrected file keeps its name: it supersedes the earlier run's rows.
    corrected = _census(tmp_path, "حي الزيتون;2025;101;41\nحي النخيل;2025;80;20\n")
    assert corrected == first
    replaced = ingest_census(store, corrected, CITY, census_spec)
    assert replaced.status == "succeeded" and replaced.id != run.id
    observations = store.observations(CITY)
    assert len(observations) == 4 and observations["value"].sum() == 242

    # Loading the first version again is not a no-op: the corrected rows are what is stored now.
    back = ingest_census(store, _census(tmp_path, original), CITY, census_spec)
    assert back.status == "succeeded"
    assert store.observations(CITY)["value"].sum() == 240


def test_census_before_boundaries_says_to_ingest_boundaries_first(store, census_spec, tmp_path):
    path = _census(tmp_path, "حي الزيتون;2025;100;40\n")
    with pytest.raises(IngestError, match=r"fix: ingest boundaries first: observatory ingest "
                                          r"boundaries FILE --city testville"):
        ingest_census(store, path, CITY, census_spec)


def test_all_rows_rejected_loads_nothing(store, boundaries, census_spec, tmp_path):
    ingest_boundaries(store, boundaries, CITY)
    path = _census(tmp_path, "Zaytoun;2025;100;40\nNakheel;2025;80;20\n")
    with pytest.raises(IngestError) as caught:
        ingest_census(store, path, CITY, census_spec)
    assert caught.value.row == 3 and caught.value.column == "الحي"
    assert "all 2 records were rejected" in str(caught.value)
    assert store.observations(CITY).empty
    assert [run.feed for run in store.runs(CITY)] == ["boundaries"]


def test_spec_for_another_city_is_refused(store, boundaries, tmp_path):
    spec = tmp_path / "boundaries.yaml"
    spec.write_text("feed: boundaries\ncity: {slug: vienna, name_en: Vienna}\n"
                    "code: {column: code}\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"key city.slug: the spec is for the city 'vienna'"):
        ingest_boundaries(store, boundaries, CITY, spec)


def test_without_a_spec_a_file_lacking_a_code_column_asks_for_one(store, tmp_path):
    path = tmp_path / "areas.geojson"
    gpd.GeoDataFrame({"AREA_ID": ["A"]}, geometry=[box(0, 0, 0.01, 0.01)],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(IngestError, match=r"has no 'code' column — fix: .*the file has: AREA_ID"):
        ingest_boundaries(store, path, CITY)
    assert store.city(CITY) is None


def test_a_file_of_another_year_with_the_same_name_replaces_nothing_of_the_first(
    store, boundaries, census_spec, tmp_path
):
    ingest_boundaries(store, boundaries, CITY)
    (tmp_path / "2024").mkdir()
    (tmp_path / "2025").mkdir()
    y2024 = _census(tmp_path / "2024", "حي الزيتون;2024;90;30\nحي النخيل;2024;70;10\n",
                    "census_x.csv")
    y2025 = _census(tmp_path / "2025", "حي الزيتون;2025;100;40\nحي النخيل;2025;80;20\n",
                    "census_x.csv")
    first = ingest_census(store, y2024, CITY, census_spec)
    second = ingest_census(store, y2025, CITY, census_spec)
    assert (first.spec_name, second.spec_name) == ("census.yaml", "census.yaml")
    by_year = store.observations(CITY).groupby("period")["value"].agg(["size", "sum"])
    assert by_year.to_dict("index") == {"2024": {"size": 4, "sum": 200.0},
                                        "2025": {"size": 4, "sum": 240.0}}
    # Each file is still loaded: re-running either is a no-op.
    assert ingest_census(store, y2024, CITY, census_spec).status == "unchanged"
    assert ingest_census(store, y2025, CITY, census_spec).status == "unchanged"


def test_replaces_in_the_spec_retires_an_earlier_file_and_a_typo_is_refused(
    store, boundaries, census_spec, tmp_path
):
    ingest_boundaries(store, boundaries, CITY)
    old = ingest_census(store, _census(tmp_path, "حي الزيتون;2024;90;30\n", "old.csv"), CITY,
                        census_spec)
    new_spec = tmp_path / "census_v2.yaml"
    new_spec.write_text(census_spec.read_text("utf-8") + "replaces: [old.csv]\n", "utf-8")
    new = _census(tmp_path, "حي الزيتون;2025;100;40\n", "new.csv")
    run = ingest_census(store, new, CITY, new_spec)
    assert run.status == "succeeded" and store.rows_held(old.id) == 0
    assert store.observations(CITY)["period"].unique().tolist() == ["2025"]
    assert ingest_census(store, new, CITY, new_spec).status == "unchanged"

    typo = tmp_path / "census_typo.yaml"
    typo.write_text(census_spec.read_text("utf-8") + "replaces: [olld.csv]\n", "utf-8")
    with pytest.raises(IngestError, match=r"census_typo.yaml, key replaces.0: replaces: "
                                          r"'olld.csv' names no earlier census run"):
        ingest_census(store, new, CITY, typo)
    assert len(store.observations(CITY)) == 2
