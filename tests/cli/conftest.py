"""Run the real ``observatory`` command in-process against a temporary data directory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from demo_run import DEMO_SLUGS, DemoRun
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
    base = _environment(data_dir)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env=base | (env or {}))

    return run


def _environment(data_dir: Path) -> dict[str, str | None]:
    # Wide enough that Typer's usage-error box does not wrap the long temporary paths.
    return {"OBSERVATORY_DATA_DIR": str(data_dir), "OBSERVATORY_DATABASE_URL": None,
            "OBSERVATORY_HASH_KEY": None, "COLUMNS": "400"}


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``observatory demo --no-serve`` of two cities, run once: the tests that read its store or
    its output share it, and those that change it work on a copy (``demo_data_dir``)."""
    data_dir = tmp_path_factory.mktemp("demo_run") / "data"
    result = CliRunner().invoke(app, ["demo", "--no-serve", *(f"--city={s}" for s in DEMO_SLUGS)],
                                env=_environment(data_dir))
    assert result.exit_code == 0, result.output
    return DemoRun(data_dir, result.output)


@pytest.fixture
def demo_data_dir(demo_run: DemoRun, data_dir: Path) -> Path:
    """The test's data directory holding a copy of the shared demo run's store and files."""
    shutil.copytree(demo_run.data_dir, data_dir)
    return data_dir


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
