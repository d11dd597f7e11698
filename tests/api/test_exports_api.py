"""Downloads of an indicator layer in the OGC convention (``f=`` or ``Accept``): each format read
back with pyogrio, geopandas, pandas and openpyxl holds exactly the values, names and flags the
API's GeoJSON features give the same caller, on both stores; the public role never gets a
suppressed value."""

from __future__ import annotations

import io
import math

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from api_access import auth
from api_seed import CITY, DISTRICTS, indicator_values

LAYER = f"{CITY.slug}.indicator.foreign_citizens_share"
ITEMS = f"/collections/{LAYER}/items"


def _api_values(client, headers=None, period="2025") -> dict[str, tuple]:
    answer = client.get(ITEMS, params={"period": period, "limit": 100}, headers=headers)
    assert answer.status_code == 200, answer.text
    return {feature["id"]: (feature["properties"]["name_en"], feature["properties"]["name_ar"],
                            feature["properties"]["value"], feature["properties"]["suppressed"])
            for feature in answer.json()["features"]}


def _values(frame: pd.DataFrame) -> dict[str, tuple]:
    def number(value):
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else (
            float(value))

    return {str(row.code): (row.name_en, row.name_ar, number(row.value), bool(row.suppressed))
            for row in frame.itertuples()}


def _read(fmt: str, content: bytes, tmp_path) -> pd.DataFrame:
    path = tmp_path / f"layer.{fmt}"
    path.write_bytes(content)
    if fmt in ("gpkg", "geojson"):
        return pyogrio.read_dataframe(path)
    if fmt == "parquet":
        frame = gpd.read_parquet(path)
        assert frame.crs.to_epsg() == 4326
        return frame
    if fmt == "csv":
        assert content.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
        return pd.read_csv(path, encoding="utf-8-sig", dtype={"code": str})
    return pd.read_excel(path, sheet_name="foreign_citizens_share", dtype={"code": str})


def test_every_format_holds_the_values_the_api_gives(client, keys, seeded, tmp_path):
    """District 103 of 2025 is suppressed, with a value: the officer's files hold it, the
    public's hold the flag and no value or score."""
    seeded.put_indicator_values(CITY.slug, indicator_values(
        "2025", [0.06, 0.12, 0.18, 0.42], suppressed={"103"}))
    for headers in (None, auth(keys["officer"])):
        expected = _api_values(client, headers)
        assert set(expected) == set(DISTRICTS)
        assert expected["103"][2:] == ((None, True) if headers is None else (0.18, True))
        for fmt in ("gpkg", "parquet", "geojson", "csv", "xlsx"):
            answer = client.get(ITEMS, params={"f": fmt, "period": "2025"}, headers=headers)
            assert answer.status_code == 200, (fmt, answer.text)
            assert answer.headers["content-disposition"] == (
                f'attachment; filename="{CITY.slug}-foreign_citizens_share-2025.{fmt}"')
            frame = _read(fmt, answer.content, tmp_path)
            assert _values(frame) == expected, fmt
            assert set(frame["period"].astype(str)) == {"2025"}, fmt
            assert {"score", "coverage", "estimate", "indicator_id"} <= set(frame.columns), fmt
            if headers is None:
                assert pd.isna(frame.set_index("code").loc["103", "score"]), fmt


DUCKDB_ONLY = pytest.mark.parametrize("store_url", ["duckdb"], indirect=True)


@DUCKDB_ONLY
def test_accept_chooses_the_format_f_wins_bbox_and_levels_hold(client, tmp_path):
    gpkg = "application/geopackage+sqlite3"
    answer = client.get(ITEMS, headers={"Accept": f"text/html;q=0.5, {gpkg}"})
    assert answer.headers["content-type"] == gpkg
    assert len(pyogrio.read_dataframe(io.BytesIO(answer.content))) == len(DISTRICTS)
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert client.get(ITEMS, headers={"Accept": sheet}).headers["content-type"] == sheet
    page = client.get(ITEMS, params={"f": "json"}, headers={"Accept": gpkg})
    assert page.headers["content-type"] == "application/geo+json"
    assert page.json()["numberMatched"] == len(DISTRICTS)
    # The seeded districts are 0.01° boxes side by side from 34.97° E: this box holds 101, 102.
    answer = client.get(ITEMS, params={"f": "parquet", "bbox": "34.971,32.181,34.985,32.189"})
    assert sorted(gpd.read_parquet(io.BytesIO(answer.content))["code"]) == ["101", "102"]
    areas = client.get(f"/collections/{CITY.slug}.districts/items", params={"f": "xlsx"})
    table = pd.read_excel(io.BytesIO(areas.content), sheet_name="districts", dtype={"code": str})
    assert list(table.columns) == ["code", "name_en", "name_ar", "area_m2"]
    assert dict(zip(table["code"], table["name_ar"])) == {c: n[1] for c, n in DISTRICTS.items()}
    events = client.get(f"/collections/{CITY.slug}.events.fire/items", params={"f": "gpkg"})
    assert events.status_code == 400
    assert "district and indicator layers" in events.json()["detail"]
    missing = client.get(ITEMS, params={"f": "csv", "period": "1999"})
    assert missing.status_code == 404
    assert "2024, 2025" in missing.json()["detail"]
