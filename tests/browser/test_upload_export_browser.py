"""A planner downloads a district layer as a GeoPackage from the dashboard and opens it with
pyogrio; an officer uploads a census CSV, fixes its district column in the spec editor, sees
the rejected row in the dry run, ingests, follows the progress, reads the run report and finds
the new indicator on the dashboard.

On a small city of its own (four districts, one indicator), so that the ingest leaves the demo
site the other browser tests count runs on as it was."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import httpx
import pandas as pd
import pyogrio
import pytest
from live_server import served
from playwright.sync_api import expect
from shapely.geometry import box

from observatory.app import create_app
from observatory.keys import create_api_key
from observatory.models import City, IngestRun
from observatory.settings import ApiSettings, StoreSettings, UploadSettings
from observatory.store import open_store

pytestmark = pytest.mark.browser

CITY = City(slug="qalqilya", name_en="Qalqilya", name_ar="قلقيلية", country="PS",
            local_crs="EPSG:28191", population=55000)
DISTRICTS = {"101": ("Old City", "البلدة القديمة"), "102": ("North", "الحي الشمالي"),
             "103": ("East", "الحي الشرقي"), "104": ("South", "الحي الجنوبي")}
SHARES = [0.05, 0.10, 0.20, 0.40]
SPEC = """\
feed: census
format: csv
encoding: utf-8
delimiter: ","
header_row: 1
district: {column: DISTRICT, match: code}
period: {column: YEAR}
variables:
  - {column: NATIONAL, variable: population, unit: persons, dims: {citizenship: national}}
  - {column: SYRIAN, variable: population, unit: persons, dims: {citizenship: syrian}}
"""
# The last row names a district the city does not have: the run rejects it.
CENSUS = "DISTRICT_CODE,YEAR,NATIONAL,SYRIAN\n" + "".join(
    f"{code},2026,{900 + i},{100 + i}\n" for i, code in enumerate(DISTRICTS)) + "999,2026,1,2\n"


@dataclass(frozen=True)
class SmallSite:
    url: str
    planner_key: str
    officer_key: str


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmallSite]:
    folder = tmp_path_factory.mktemp("upload-site")
    database_url = f"duckdb:///{(folder / 'observatory.duckdb').as_posix()}"
    store = open_store(database_url)
    try:
        store.init_schema()
        store.upsert_city(CITY)
        districts = gpd.GeoDataFrame(
            {"code": list(DISTRICTS), "name_en": [en for en, _ in DISTRICTS.values()],
             "name_ar": [ar for _, ar in DISTRICTS.values()], "area_m2": 1.0e6},
            geometry=[box(34.97 + i * 0.01, 32.18, 34.98 + i * 0.01, 32.19) for i in range(4)],
            crs="EPSG:4326")
        store.load(IngestRun(CITY.slug, "boundaries", "districts.geojson", "hash-1"),
                   districts=districts)
        store.put_indicator_values(CITY.slug, pd.DataFrame({
            "district_code": [*DISTRICTS, None], "period": "2025",
            "indicator_id": "foreign_citizens_share", "value": [*SHARES, 0.2], "score": None,
            "coverage": 1.0, "suppressed": [False] * 5, "definition_hash": "test"}))
        keys = (create_api_key(store, "planner", "browser: planner"),
                create_api_key(store, "officer", "browser: officer"))
    finally:
        store.close()
    app = create_app(StoreSettings(data_dir=folder, database_url=database_url), ApiSettings(),
                     upload_settings=UploadSettings(upload_dir=folder / "uploads"))
    with served(app) as url:
        yield SmallSite(url, *keys)


def _sign_in(page, site: SmallSite, key: str, then: str) -> None:
    page.goto(f"{site.url}/en/sign-in?next={then}")
    page.fill("#key", key)
    with page.expect_navigation():
        page.click("#sign-in button")


def test_a_planner_downloads_a_geopackage_from_the_dashboard(page, small_site, screenshot,
                                                             tmp_path):
    _sign_in(page, small_site, small_site.planner_key, f"/en/cities/{CITY.slug}")
    expect(page.locator("#downloads")).to_contain_text("GeoPackage")
    screenshot(page)
    with page.expect_download() as fetched:
        page.click("#download-gpkg")
    download = fetched.value
    assert download.suggested_filename == f"{CITY.slug}-foreign_citizens_share-2025.gpkg"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    layer = pyogrio.read_dataframe(path).set_index("code")
    api = httpx.get(f"{small_site.url}/collections/{CITY.slug}.indicator.foreign_citizens_share"
                    "/items", params={"limit": 100}).json()["features"]
    assert {f["id"]: f["properties"]["value"] for f in api} == layer["value"].to_dict()
    assert layer["name_ar"].to_dict() == {code: ar for code, (_, ar) in DISTRICTS.items()}


def test_an_officer_uploads_a_csv_fixes_its_spec_and_ingests(page, small_site, screenshot,
                                                             tmp_path):
    census = tmp_path / "census_2026.csv"
    census.write_text(CENSUS, encoding="utf-8")
    _sign_in(page, small_site, small_site.officer_key, f"/ar/cities/{CITY.slug}/upload")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    expect(page.locator("h1")).to_have_text("رفع ملف")
    page.goto(f"{small_site.url}/en/cities/{CITY.slug}/upload")
    page.select_option("#upload-feed", "census")
    page.set_input_files("#upload-file", str(census))
    page.fill("#upload-spec", SPEC)  # names the district column DISTRICT: the file's is another
    with page.expect_navigation():
        page.click("#upload-submit")
    expect(page.locator("#dry-run-refused")).to_contain_text("DISTRICT")  # nothing to load
    editor = page.locator("#spec-editor")
    expect(editor).to_have_value(SPEC)
    editor.fill(SPEC.replace("{column: DISTRICT,", "{column: DISTRICT_CODE,"))
    with page.expect_navigation():
        page.click("#dry-run-button")
    expect(page.locator("#dry-run-rejected tbody tr")).to_have_count(1)
    expect(page.locator("#dry-run-rejected tbody tr").first).to_contain_text("999")
    expect(page.locator("#dry-run-counts")).to_contain_text("2026")
    screenshot(page, "review")
    with page.expect_navigation():
        page.click("#ingest-button")
    # The poller reloads once finished: the ingest, then the city's indicators computed.
    expect(page.locator("#run-report")).to_be_visible(timeout=120_000)
    expect(page.locator("#run-status")).to_have_text("succeeded")
    screenshot(page, "finished")
    with page.expect_navigation():
        page.click("#run-report")
    rejected = page.locator("#rejected-table tbody tr")
    expect(rejected).to_have_count(1)
    expect(rejected.first).to_contain_text("999")
    with page.expect_download() as fetched:
        page.click("#rejected-csv")
    saved = Path(tmp_path / "rejected.csv")
    fetched.value.save_as(saved)
    assert saved.read_bytes().startswith("\ufeff".encode())
    assert pd.read_csv(saved, encoding="utf-8-sig")["row"].tolist() == [6]
    screenshot(page, "report")
    # The upload computed the city's indicators: the census year is on the dashboard, with the
    # Syrian residents' share the file brought.
    page.goto(f"{small_site.url}/en/cities/{CITY.slug}?indicator=citizenship_share.syrian")
    expect(page.locator("#indicator-heading")).to_contain_text("2026")
    expect(page.locator("#district-table tbody tr")).to_have_count(len(DISTRICTS))
    screenshot(page, "dashboard")
