"""The partitioned engine (indicators/partitioned.py) gives every framework's values of the
whole-city engine, row for row, with the districts in parts on two real worker processes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from bench.indicators.synthetic import (
    GRID_CRS,
    event_layers,
    observation_plan,
    place_centres,
    synthetic_city,
    synthetic_observation_parts,
    synthetic_observations,
)
from indicators.city_files import export_city, write_city_files
from indicators.compute import framework_values
from indicators.definitions import Framework, load_frameworks
from indicators.evaluate import PreparedObservations, SpatialContext
from indicators.partitioned import (
    REST_OF_CITY,
    Partitioning,
    _kept,
    partitioned_values,
    read_values,
)
from observatory.models import City, IngestRun
from observatory.store import Store

MIN_COUNT = 10
KEY = ["framework", "indicator_id", "period", "district_code"]
CITY = City(slug="parts", name_en="Parts", name_ar="أجزاء", local_crs=GRID_CRS)


def _city(n: int, periods: int) -> tuple[pd.DataFrame, gpd.GeoDataFrame,
                                         dict[str, gpd.GeoDataFrame]]:
    frameworks = load_frameworks().values()
    layers = event_layers(d.formula for f in frameworks for d in f.indicators)
    districts, events = synthetic_city(n, periods, layers, seed=11)
    observations = place_centres(
        synthetic_observations(observation_plan(frameworks), n, periods, 11), districts)
    return observations, districts, events


def _whole_city(frameworks: dict[str, Framework], observations: pd.DataFrame,
                districts: gpd.GeoDataFrame, events: dict[str, gpd.GeoDataFrame]
                ) -> pd.DataFrame:
    empty = next(iter(events.values())).iloc[:0]
    spatial = SpatialContext(districts=districts, local_crs=GRID_CRS,
                             events=lambda layer: events.get(layer, empty))
    prepared = PreparedObservations(observations)
    return pd.concat([framework_values(f, prepared, MIN_COUNT, spatial).assign(framework=name)
                      for name, f in frameworks.items()], ignore_index=True)


def _same_values(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Row for row by framework, indicator, period and district; counts' ratios exactly."""
    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype({"period": str})
        frame["district_code"] = frame["district_code"].astype(object).where(
            frame["district_code"].notna(), "(city)")
        return frame.sort_values(KEY).reset_index(drop=True)

    got, want = keyed(got), keyed(want)
    assert len(got) == len(want)
    assert got[KEY].equals(want[KEY])
    for column in ("value", "score", "coverage"):
        a, b = got[column].to_numpy(float), want[column].to_numpy(float)
        assert np.array_equal(a, b, equal_nan=True), column
    for column in ("suppressed", "source_runs", "estimate", "definition_hash"):
        a = got[column].astype(object).where(got[column].notna(), "").astype(str)
        b = want[column].astype(object).where(want[column].notna(), "").astype(str)
        assert a.equals(b), column


def test_parts_on_two_workers_give_the_whole_citys_values(tmp_path: Path) -> None:
    observations, districts, events = _city(60, 3)
    frameworks = load_frameworks()
    files = write_city_files(tmp_path / "city", observations, districts, events, GRID_CRS)
    run = partitioned_values(list(frameworks.values()), files, tmp_path / "out", MIN_COUNT,
                             Partitioning(chunk=17, workers=2))
    got = read_values(run)
    _same_values(got, _whole_city(frameworks, observations, districts, events))
    assert REST_OF_CITY not in set(got["district_code"].dropna())
    assert len(run.worker_peaks_mb()) == 2  # both workers took tasks
    # Every framework in four parts of 17, 17, 17 and 9 districts (phone estimates and
    # service roll-ups under their city stages' decisions); the city rows of rates and
    # phone estimates combined over the parts, then written once; nothing on every district
    # at once.
    assert sorted(t.districts for t in run.tasks if not t.in_parent) == [9, 17, 17, 17]
    assert all(set(t.frameworks) == set(frameworks) - {"phone_population"} or
               set(t.frameworks) == set(frameworks) for t in run.tasks if not t.in_parent)
    combined = [t for t in run.tasks if t.in_parent]
    assert [t.frameworks for t in combined] == [("incidents", "phone_population")]
    for name in ("incidents", "phone_population"):
        city_rows = got[(got["framework"] == name) & got["district_code"].isna()]
        combined_ids = {i for i in city_rows["indicator_id"] if "calibration" not in i}
        assert combined[0].rows[name] == (city_rows["indicator_id"].isin(combined_ids)).sum()
    assert sum(run.rows.values()) == len(got)


def test_city_stages_see_what_a_part_lacks(tmp_path: Path) -> None:
    """The decisions a part's values rest on are the whole city's: a service area that no
    district of the first part has, and a month whose phone cells the second part lacks,
    still give that part the rows of the whole city (withheld ones included)."""
    observations, districts, events = _city(60, 3)
    first, second = set(districts["code"][:17]), set(districts["code"][17:34])
    area = observations["dims"].str.extract(r'"service_area": ?"([^"]+)"')[0]
    some_area = min(a for a in area.dropna().unique() if a != "all")
    month = observations.loc[observations["variable"] == "mobile_home_subscribers",
                             "period"].astype(str).min()
    dropped = ((area == some_area) & observations["district_code"].isin(first)) | (
        (observations["variable"] == "mobile_home_subscribers")
        & (observations["period"].astype(str) == month)
        & observations["district_code"].isin(second))
    assert dropped.any()
    observations = observations[~dropped].reset_index(drop=True)
    frameworks = {k: v for k, v in load_frameworks().items()
                  if k in ("phone_population", "service_demand")}
    files = write_city_files(tmp_path / "city", observations, districts, events, GRID_CRS)
    run = partitioned_values(list(frameworks.values()), files, tmp_path / "out", MIN_COUNT,
                             Partitioning(chunk=17, workers=2))
    got = read_values(run)
    _same_values(got, _whole_city(frameworks, observations, districts, events))
    lacking = got[got["district_code"].isin(second) & (got["period"].astype(str) == month)
                  & (got["indicator_id"] == "phone_estimated_residents")]
    assert len(lacking) == 17 and lacking["suppressed"].all()
    areas = got[got["district_code"].isin(first)
                & (got["indicator_id"] == f"service_users_per_1000_foreign.{some_area}")]
    assert len(areas) and areas["suppressed"].all()


def test_an_event_on_a_border_between_parts_counts_once(tmp_path: Path) -> None:
    """A service and a fire on the corner that districts of two parts share count for the
    first of them in the districts' order, as in the whole city, not once in each part."""
    observations, districts, events = _city(60, 3)
    # D000008 (part 1 of 17) and D000017 (part 2) share a corner: the same point in both.
    corner = (set(districts.geometry.iloc[8].exterior.coords)
              & set(districts.geometry.iloc[17].exterior.coords)).pop()
    for layer in ("service", "fire"):
        extra = events[layer].iloc[:3].copy()
        extra["id"] = [f"{layer}-corner-{i}" for i in range(3)]
        extra = extra.set_geometry(gpd.points_from_xy([corner[0]] * 3, [corner[1]] * 3,
                                                      crs=4326))
        events[layer] = pd.concat([events[layer], extra], ignore_index=True)
    frameworks = load_frameworks()
    files = write_city_files(tmp_path / "city", observations, districts, events, GRID_CRS)
    run = partitioned_values(list(frameworks.values()), files, tmp_path / "out", MIN_COUNT,
                             Partitioning(chunk=17, workers=2))
    want = _whole_city(frameworks, observations, districts, events)
    _same_values(read_values(run), want)


def test_a_city_written_in_parts_reads_as_one(tmp_path: Path) -> None:
    frameworks = load_frameworks().values()
    layers = event_layers(d.formula for f in frameworks for d in f.indicators)
    districts, events = synthetic_city(40, 2, layers, seed=3)
    parts = list(synthetic_observation_parts(observation_plan(frameworks), districts, 2,
                                             seed=3, part=15))
    files = write_city_files(tmp_path / "city", iter(parts), districts, events, GRID_CRS)
    run = partitioned_values(list(frameworks), files, tmp_path / "out", MIN_COUNT,
                             Partitioning(chunk=25, workers=2))
    every = load_frameworks()
    _same_values(read_values(run),
                 _whole_city(every, pd.concat(parts, ignore_index=True), districts, events))


def test_parts_out_of_order_are_refused_with_the_fix(tmp_path: Path) -> None:
    observations, districts, events = _city(6, 1)
    late = observations[observations["district_code"] > "D000002"]
    early = observations[observations["district_code"] <= "D000002"]
    with pytest.raises(ValueError, match=r"observations\.parquet: a part of the observations "
                       r"starts at district 'D000000'.*Fix: give the parts in the order"):
        write_city_files(tmp_path / "city", iter([late, early]), districts, events, GRID_CRS)


def test_a_store_city_exported_and_partitioned(store: Store, tmp_path: Path) -> None:
    """Both stores: a city loaded through ``store.load`` and exported gives, in parts, what
    the whole-city engine gives on the store's own observations, districts and events."""
    observations, districts, events = _city(24, 2)
    store.upsert_city(CITY)
    store.load(IngestRun(city=CITY.slug, feed="boundaries", source_name="grid.geojson",
                         content_hash="grid"), districts=districts)
    for layer, frame in events.items():
        store.load(IngestRun(city=CITY.slug, feed="events", source_name=f"{layer}.csv",
                             content_hash=layer), events=frame)
    store.load(IngestRun(city=CITY.slug, feed="census", source_name="synthetic.csv",
                         content_hash="census"), observations=observations)
    files = export_city(store, CITY.slug, tmp_path / "city")
    frameworks = load_frameworks()
    run = partitioned_values(list(frameworks.values()), files, tmp_path / "out", MIN_COUNT,
                             Partitioning(chunk=7, workers=2))
    stored_events = store.events(CITY.slug)
    by_layer = {str(k): g.reset_index(drop=True) for k, g in stored_events.groupby("layer")}
    _same_values(read_values(run),
                 _whole_city(frameworks, store.observations(CITY.slug),
                             store.districts(CITY.slug), by_layer))


@pytest.mark.parametrize("pattern", ["none", "all", "head", "tail", "middle", "runs", "alternate"])
def test_kept_rows_are_those_of_an_arrow_filter(pattern: str) -> None:
    """The zero-copy cut of a part's rows equals ``Table.filter``, row for row, whether the
    rows kept come in one run, several, or interleaved (past 64 runs it filters)."""
    n = 1_000
    table = pa.table({"district_code": [f"D{i:04d}" for i in range(n)],
                      "value": np.arange(n, dtype=float)})
    keep = np.zeros(n, dtype=bool)
    if pattern == "all":
        keep[:] = True
    elif pattern == "head":
        keep[:300] = True
    elif pattern == "tail":
        keep[700:] = True
    elif pattern == "middle":
        keep[100:900] = True
    elif pattern == "runs":
        keep[10:20] = keep[500:650] = keep[990:] = True
    elif pattern == "alternate":
        keep[::2] = True
    kept = _kept(table, keep)
    assert kept.combine_chunks().equals(table.filter(pa.array(keep)))
    assert kept.num_rows == int(keep.sum())
