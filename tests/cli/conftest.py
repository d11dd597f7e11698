"""Run the real ``observatory`` command in-process against a temporary data directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner, Result

from observatory.cli import app

Invoke = Callable[..., Result]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def invoke(data_dir: Path) -> Invoke:
    """``invoke("init", ...)``: the command with OBSERVATORY_DATA_DIR set to a temporary folder
    and no database URL or hash key from the environment, so each test starts from an empty
    store; ``invoke(..., env={...})`` sets more variables."""
    runner = CliRunner()
    # Wide enough that Typer's usage-error box does not wrap the long temporary paths.
    base = {"OBSERVATORY_DATA_DIR": str(data_dir), "OBSERVATORY_DATABASE_URL": None,
            "OBSERVATORY_HASH_KEY": None, "COLUMNS": "400"}

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env=base | (env or {}))

    return run


CITY_BLOCK = (
    'city: {slug: testville, name_en: Testville, name_ar: "مدينة الاختبار", '
    'country: XX, local_crs: "EPSG:32637"}\n'
)


@pytest.fixture
def boundaries(tmp_path: Path) -> tuple[Path, Path]:
    """Two square districts of "testville" with Arabic names, and their boundaries spec."""
    frame = gpd.GeoDataFrame(
        {"code": ["T01", "T02"], "name_en": ["Al-Zaytoun", "Al-Nakheel"],
         "name_ar": ["حي الزيتون", "حي النخيل"]},
        geometry=[box(36.50, 37.00, 36.51, 37.01), box(36.51, 37.00, 36.52, 37.01)],
        crs="EPSG:4326",
    )
    path = tmp_path / "districts.geojson"
    frame.to_file(path, driver="GeoJSON")
    spec = tmp_path / "boundaries.yaml"
    spec.write_text(
        "feed: boundaries\n" + CITY_BLOCK
        + "code: {column: code}\nname_en: {column: name_en}\nname_ar: {column: name_ar}\n",
        encoding="utf-8",
    )
    return path, spec


@pytest.fixture
def census_spec(tmp_path: Path) -> Path:
    """Spec of a CSV ``code,nationals,foreigners`` for 2025."""
    spec = tmp_path / "census.yaml"
    spec.write_text(
        "feed: census\ndelimiter: ','\nheader_row: 1\n"
        "district: {column: code, match: code}\n"
        'period: {value: "2025"}\n'
        "variables:\n"
        "  - {column: nationals, variable: population, unit: persons,\n"
        "     dims: {citizenship: national}}\n"
        "  - {column: foreigners, variable: population, unit: persons,\n"
        "     dims: {citizenship: foreign}}\n",
        encoding="utf-8",
    )
    return spec


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory):
    """The demo city's files (default seed), generated once for the session."""
    from observatory.demo import generate_demo_city

    return generate_demo_city(tmp_path_factory.mktemp("demo_files"))
