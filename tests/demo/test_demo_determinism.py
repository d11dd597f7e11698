import hashlib
from pathlib import Path

from observatory.demo import DemoCity, generate_demo_city

DATA_FILES = [
    "boundaries.geojson", "census.csv", "service_records.csv", "towers.csv",
    "incidents.geojson", "service_points.geojson", "population.tif",
]


def _hashes(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
    }


def test_same_seed_gives_identical_bytes(demo: DemoCity, tmp_path: Path) -> None:
    again = generate_demo_city(tmp_path / "again")
    assert _hashes(again.boundaries.parent) == _hashes(demo.boundaries.parent)


def test_other_seed_changes_every_data_file(demo: DemoCity, tmp_path: Path) -> None:
    other = _hashes(generate_demo_city(tmp_path / "other", seed=7).boundaries.parent)
    default = _hashes(demo.boundaries.parent)
    assert [name for name in DATA_FILES if other[name] == default[name]] == []


def test_every_path_exists_and_all_is_small_utf8(demo: DemoCity) -> None:
    paths = [demo.boundaries, demo.boundaries_spec, demo.census, demo.census_spec,
             demo.service_records, demo.towers, demo.incidents, demo.service_points,
             demo.population_raster]
    assert all(path.is_file() for path in paths)
    assert sum(path.stat().st_size for path in paths) < 5_000_000
    for path in paths:
        if path.suffix != ".tif":
            path.read_text(encoding="utf-8")  # raises on anything that is not UTF-8


def test_city_is_fictional_and_bilingual(demo: DemoCity) -> None:
    city = demo.city
    assert (city.slug, city.country, city.local_crs) == ("demo", "XX", "EPSG:32637")
    assert "demo" in city.name_en and city.name_ar == "مدينة النور"
    assert 570_000 < city.population < 630_000
