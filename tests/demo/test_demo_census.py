from itertools import pairwise

CENSUS_GROUPS = ["NATIONAL", "SYRIAN", "IRAQI", "AFGHAN", "OTHER_FOREIGN"]

YEARS = list(range(2019, 2026))


def test_layout_is_the_full_cross_of_districts_years_sexes_and_age_bands(census, districts) -> None:
    assert list(census.columns[:4]) == ["DISTRICT_CODE", "YEAR", "SEX", "AGE_BAND"]
    assert len(census) == 30 * 7 * 2 * 5
    assert not census.duplicated(["DISTRICT_CODE", "YEAR", "SEX", "AGE_BAND"]).any()
    assert set(census["DISTRICT_CODE"]) == set(districts["code"])
    assert sorted(census["YEAR"].unique()) == YEARS
    assert set(census["SEX"]) == {"1", "2"}
    assert set(census["AGE_BAND"]) == {"0-14", "15-24", "25-44", "45-64", "65+"}
    assert (census[CENSUS_GROUPS] >= 0).all().all()


def test_title_line_precedes_the_header(demo) -> None:
    title, header = demo.census.read_text(encoding="utf-8").splitlines()[:2]
    assert "مدينة النور" in title and "," not in title
    assert header.startswith("DISTRICT_CODE,YEAR,SEX,AGE_BAND,NATIONAL")


def test_totals_match_the_city_population(census, demo) -> None:
    latest = census.loc[census["YEAR"] == 2025, "total"].sum()
    assert latest == demo.city.population
    assert abs(latest - 600_000) < 30_000


def test_foreign_share_grows_every_year(census) -> None:
    by_year = census.groupby("YEAR")[["foreign", "total"]].sum()
    share = (by_year["foreign"] / by_year["total"]).tolist()
    assert all(later > earlier for earlier, later in pairwise(share))
    assert share[-1] > 1.5 * share[0]


def test_planted_high_share_cluster_is_contiguous(census, districts) -> None:
    latest = census[census["YEAR"] == 2025].groupby("DISTRICT_CODE")[["foreign", "total"]].sum()
    share = latest["foreign"] / latest["total"]
    city_share = latest["foreign"].sum() / latest["total"].sum()
    high = set(share[share > 2 * city_share].index)
    assert 3 <= len(high) <= 8
    assert share[list(high)].min() > 3 * share.drop(list(high)).median()

    geometry = districts.set_index("code").geometry
    start = min(high)
    reached, frontier = {start}, [start]
    while frontier:  # walk across shared edges, staying inside the high-share set
        code = frontier.pop()
        touching = geometry[list(high - reached)].intersection(geometry[code]).length
        for neighbour in touching[touching > 1.0].index:
            reached.add(neighbour)
            frontier.append(neighbour)
    assert reached == high


def test_foreigners_are_younger_than_nationals(census) -> None:
    latest = census[census["YEAR"] == 2025]
    old = latest[latest["AGE_BAND"] == "65+"]
    assert old["foreign"].sum() / latest["foreign"].sum() < old["NATIONAL"].sum() / latest["NATIONAL"].sum()
