from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from observatory.demo import DemoCity, generate_demo_city

CENSUS_GROUPS = ["NATIONAL", "SYRIAN", "IRAQI", "AFGHAN", "OTHER_FOREIGN"]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoCity:
    """The demo city with the default seed, generated once for the whole session."""
    return generate_demo_city(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def districts(demo: DemoCity) -> gpd.GeoDataFrame:
    """The boundaries as written, in the city's local CRS for metric checks."""
    return gpd.read_file(demo.boundaries).to_crs(demo.city.local_crs)


@pytest.fixture(scope="session")
def census(demo: DemoCity) -> pd.DataFrame:
    """The census file as a data officer would read it: title line skipped, codes as text."""
    frame = pd.read_csv(demo.census, skiprows=1, dtype={"DISTRICT_CODE": str, "SEX": str})
    frame["total"] = frame[CENSUS_GROUPS].sum(axis=1)
    frame["foreign"] = frame["total"] - frame["NATIONAL"]
    return frame
