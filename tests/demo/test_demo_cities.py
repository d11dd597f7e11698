"""The demo's three cities: clearly different in size and diversity, each with every file,
none of them large (census counts are aggregates, whatever the population)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
import yaml

from observatory.demo import DEMO_CITIES, DemoCity, generate_demo_city

GROUPS = ["NATIONAL", "SYRIAN", "IRAQI", "AFGHAN", "OTHER_FOREIGN"]


@pytest.fixture(scope="module")
def cities(demo: DemoCity, tmp_path_factory: pytest.TempPathFactory) -> dict[str, DemoCity]:
    root = tmp_path_factory.mktemp("cities")
    others = [generate_demo_city(root / plan.identity().slug, plan=plan)
              for plan in DEMO_CITIES[1:]]
    return {city.city.slug: city for city in [demo, *others]}


def _latest(city: DemoCity) -> pd.Series:
    census = pd.read_csv(city.census, skiprows=1, dtype={"DISTRICT_CODE": str})
    return census[census["YEAR"] == census["YEAR"].max()][GROUPS].sum()


def test_three_cities_of_clearly_different_size_and_diversity(cities) -> None:
    assert list(cities) == ["demo", "demo_town", "demo_metro"]
    populations = {slug: int(_latest(c).sum()) for slug, c in cities.items()}
    assert populations == {slug: c.city.population for slug, c in cities.items()}
    assert 100_000 <= populations["demo_town"] <= 120_000
    assert 550_000 <= populations["demo"] <= 650_000
    assert populations["demo_metro"] > 2_000_000
    foreign = {slug: 1 - _latest(c)["NATIONAL"] / _latest(c).sum() for slug, c in cities.items()}
    assert foreign["demo_town"] < 0.06
    assert 0.10 < foreign["demo"] < 0.14
    assert foreign["demo_metro"] > 0.20
    districts = {slug: len(pd.read_csv(c.census, skiprows=1)["DISTRICT_CODE"].unique())
                 for slug, c in cities.items()}
    assert districts == {"demo": 30, "demo_town": 12, "demo_metro": 30}


def test_every_city_has_every_file_named_for_itself_and_small(cities) -> None:
    demo_files = {p.name for p in cities["demo"].boundaries.parent.iterdir()}
    for slug, city in cities.items():
        folder = city.boundaries.parent
        assert {p.name for p in folder.iterdir()} == demo_files, slug
        block = yaml.safe_load(city.boundaries_spec.read_text(encoding="utf-8"))["city"]
        assert (block["slug"], block["name_en"]) == (slug, city.city.name_en)
        # A 2-million city is not 2 million rows: every file stays small.
        assert sum(p.stat().st_size for p in folder.iterdir()) < 8_000_000, slug
    # Cities differ in every data file, specs apart (only the boundaries spec names the city).
    digests = {slug: {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in c.boundaries.parent.iterdir()} for slug, c in cities.items()}
    same = [name for name in demo_files if name.endswith(("csv", "geojson", "tif"))
            and digests["demo"][name] in (digests["demo_town"][name],
                                          digests["demo_metro"][name])]
    assert same == []


# sha256 of the demo city's files as the one-city generator wrote them (seed 2026), before the
# generator took a city plan: the first city keeps its bytes.
ONE_CITY_BYTES = {
    "boundaries.geojson": "7ab6da1c2125b0e5fc153085ec88d3048cd23eba4fd07c5a1a61bc68f13278d8",
    "census.csv": "6bd5ceb38039e7163be5bd9c8f346ab5294100aff7e7ba7b88ddfa22dd85420b",
    "socioeconomic.csv": "b7e5c438336ebb30991e67b59e3fcdabad502a3bb4f1d6630a9572820c071ae2",
}


def test_the_first_city_is_the_demo_city_as_before(demo: DemoCity) -> None:
    folder = demo.boundaries.parent
    assert {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in ONE_CITY_BYTES} == ONE_CITY_BYTES
