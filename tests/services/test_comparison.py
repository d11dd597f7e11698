"""The comparison of cities on a real store of each backend: ranks, percentiles and distances
checked against hand-derived values, the peer groups, the flags that keep incomparable values
out of the ranks, the external mark, the trends, the within-city spread and the exports."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterator

import openpyxl
import pytest
from peer_cities import ALPHA_DISTRICTS, CITY_VALUES, SUPPRESSED, seed_peer_cities

from observatory.services.city_spread import district_spread
from observatory.services.comparison import (
    ComparisonInput,
    ComparisonRequest,
    comparison,
    load_input,
)
from observatory.services.comparison_export import to_csv, to_xlsx
from observatory.services.errors import InvalidRequest, NotFound
from observatory.services.peer_groups import parse_peer_group
from observatory.store import Store, open_store


@pytest.fixture(scope="module")
def peers(tmp_path_factory) -> Iterator[ComparisonInput]:
    """The four cities as read from one DuckDB store (the reading is tested on both backends
    below; the comparison itself is computed from what was read)."""
    folder = tmp_path_factory.mktemp("peers")
    store = open_store(f"duckdb:///{(folder / 'peers.duckdb').as_posix()}")
    seed_peer_cities(store)
    yield load_input(store, external={"delta"})
    store.close()


def test_the_input_is_every_city_and_its_published_values_only(store: Store):
    seed_peer_cities(store)
    data = load_input(store, external={"delta"})

    facts = {c.slug: c for c in data.cities}
    assert sorted(facts) == ["alpha", "beta", "delta", "gamma"]
    assert (facts["alpha"].population, facts["alpha"].foreign_share,
            facts["alpha"].foreign_dimension) == (2_100_000, 0.30, "birthplace")
    assert (facts["beta"].foreign_share, facts["beta"].foreign_dimension) == \
        (0.35, "migration_background")
    assert [c.slug for c in data.cities if c.external] == ["delta"]
    expected = sum(len(v) for v in CITY_VALUES.values())  # the suppressed rows left out
    assert len(data.values) == expected
    assert "cpi.environment" not in set(data.values["indicator_id"])
    assert sorted(data.districts["district_code"]) == sorted(ALPHA_DISTRICTS)
    row = data.values[(data.values["city"] == "delta")
                      & (data.values["indicator_id"] == "cpi")].iloc[0]
    assert (row["period"], row["value"], row["coverage"], row["definition_hash"]) == \
        ("2024", 65.0, 0.5, "h-current")


def _run(data: ComparisonInput, group: str = "all", **request) -> dict:
    return comparison(data, ComparisonRequest(peer_group=parse_peer_group(group), **request))


def _row(result: dict, indicator: str) -> dict:
    return next(r for r in result["indicators"] if r["indicator_id"] == indicator)


def _by_city(row: dict) -> dict[str, dict]:
    return {e["city"]: e for e in row["values"]}


def test_ranks_percentiles_and_distances_among_all_cities(peers):
    row = _row(_run(peers), "cpi")
    cities = _by_city(row)

    # 2024, comparable: gamma 80, beta 70, alpha 60 (delta's coverage 0.5 keeps it out)
    assert (row["period"], row["sample_size"], row["average"], row["best"]) == \
        ("2024", 3, 70.0, 80.0)
    assert [(c, cities[c]["rank"], cities[c]["percentile"]) for c in ("gamma", "beta", "alpha")] \
        == [("gamma", 1, 100.0), ("beta", 2, 50.0), ("alpha", 3, 0.0)]
    assert (cities["alpha"]["from_average"], cities["alpha"]["from_best"]) == (-10.0, 20.0)
    assert (cities["gamma"]["from_average"], cities["gamma"]["from_best"]) == (10.0, 0.0)
    delta = cities["delta"]
    assert (delta["value"], delta["flags"], delta["rank"], delta["from_average"]) == \
        (65.0, ["coverage"], None, None)
    assert delta["external"] is True and cities["alpha"]["external"] is False


def test_switching_to_cities_over_200000_changes_the_ranks(peers):
    row = _row(_run(peers, "over-200k"), "cpi")
    cities = _by_city(row)

    assert set(cities) == {"alpha", "beta", "delta"}  # gamma has 120,000 inhabitants
    assert (cities["beta"]["rank"], cities["alpha"]["rank"]) == (1, 2)
    assert (row["sample_size"], row["average"], row["best"]) == (2, 65.0, 70.0)
    assert cities["alpha"]["percentile"] == 0.0


def test_a_shown_city_outside_the_group_is_flagged_and_not_ranked(peers):
    row = _row(_run(peers, "over-200k", cities=("alpha", "gamma")), "cpi")
    gamma = _by_city(row)["gamma"]

    assert (gamma["rank"], gamma["flags"], gamma["in_peer_group"]) == \
        (None, ["outside_group"], False)
    assert gamma["from_average"] == 15.0  # comparable, so its distance from the group's 65
    assert row["sample_size"] == 2


def test_lower_is_better_and_another_definition_is_not_ranked(peers):
    row = _row(_run(peers), "cpi_unemployment_rate")
    cities = _by_city(row)

    assert [cities[c]["rank"] for c in ("beta", "alpha", "delta")] == [1, 2, 3]
    assert row["best"] == 6.0 and cities["delta"]["from_best"] == 4.0
    assert (cities["gamma"]["flags"], cities["gamma"]["rank"]) == (["definition"], None)
    assert row["definition_hash"] == "h-current"


def test_another_period_is_flagged_and_a_chosen_period_ranks_its_own_values(peers):
    latest = _by_city(_row(_run(peers), "cpi.productivity"))
    chosen = _by_city(_row(_run(peers, period="2023"), "cpi.productivity"))

    assert (latest["delta"]["period"], latest["delta"]["flags"]) == ("2023", ["period"])
    # in 2023 only delta holds the value: it ranks alone, the others are flagged
    assert (chosen["delta"]["rank"], chosen["delta"]["flags"]) == (1, [])
    assert chosen["beta"]["flags"] == ["period"]


def test_a_family_compares_one_concept_and_flags_another_group_dimension(peers):
    row = _row(_run(peers), "foreign_residents_share")
    cities = _by_city(row)

    assert row["dimension"] == "birthplace" and row["direction"] == "neutral"
    assert (cities["beta"]["source_id"], cities["beta"]["flags"]) == \
        ("migration_background_share", ["dimension"])
    assert row["average"] == pytest.approx((0.30 + 0.10 + 0.20) / 3)
    assert row["best"] is None and all(e["rank"] is None for e in row["values"])


def test_suppressed_values_never_enter_a_comparison(peers):
    result = _run(peers)

    assert "cpi.environment" not in {r["indicator_id"] for r in result["indicators"]}
    asked = _row(_run(peers, indicators=("cpi.environment",)), "cpi.environment")
    assert asked["sample_size"] == 0 and {e["value"] for e in asked["values"]} == {None}
    with pytest.raises(NotFound, match="cpi.nowhere"):
        _run(peers, indicators=("cpi.nowhere",))
    assert SUPPRESSED[1] not in set(peers.districts["value"])


@pytest.mark.parametrize(("group", "members"), [
    ("population:100000-500000", ["beta", "gamma"]),
    ("country:at,us", ["alpha", "delta"]),
    ("cities:gamma,alpha", ["alpha", "gamma"]),
    ("foreign:0.15-", ["alpha", "beta", "delta"]),
    ("foreign-born-15", ["alpha", "beta", "delta"]),
    ("population:200000-;country:DE", ["beta"]),
])
def test_peer_groups_select_by_population_share_country_or_list(peers, group, members):
    result = _run(peers, group, indicators=("cpi",))

    assert sorted(result["peer_group"]["members"]) == members
    flags = {c["slug"]: c["foreign_share_flag"] for c in result["cities"]}
    if "foreign" in group:  # beta's share counts a migration background, not a birthplace
        assert flags["beta"] == "dimension" and flags["alpha"] == ""


@pytest.mark.parametrize(("text", "says"), [
    ("population:abc", "is not a range MIN-MAX"),
    ("foreign:0.2-3", "a share from 0 to 1"),
    ("size:big", "unknown criterion 'size'"),
    ("population:500-100", "is not a range MIN-MAX"),
])
def test_a_wrong_peer_group_names_the_part_to_fix(text, says):
    with pytest.raises(InvalidRequest, match=says):
        parse_peer_group(text)


def test_an_unknown_city_is_refused_with_the_known_ones(peers):
    with pytest.raises(NotFound, match="No city 'oslo'.*alpha, beta, delta, gamma"):
        _run(peers, cities=("oslo",))


def test_trends_break_the_line_where_the_definition_changed(peers):
    trend = next(t for t in _run(peers)["trends"] if t["indicator_id"] == "cpi")
    gamma = next(s for s in trend["series"] if s["city"] == "gamma")

    assert [(p["period"], p["value"], p["break"]) for p in gamma["points"]] == \
        [("2023", 81.0, False), ("2024", 80.0, True)]


def test_the_spread_of_published_district_values_beside_the_city_value(peers):
    spread = district_spread(peers, ["foreign_born_share"], ["alpha", "beta"])
    alpha = spread[0]["cities"]

    shares = sorted(ALPHA_DISTRICTS.values())
    q1, median, q3 = statistics.quantiles(shares, n=4, method="inclusive")
    assert len(alpha) == 1  # beta has no district values
    got = alpha[0]
    assert (got["districts"], got["city_value"], got["min"], got["max"]) == (5, 0.30, 0.1, 0.5)
    assert (got["q1"], got["median"], got["q3"]) == pytest.approx((q1, median, q3))


def test_csv_and_xlsx_carry_the_table_and_its_flags_readable_in_excel(peers):
    result = _run(peers, cities=("alpha", "gamma"), indicators=("cpi", "cpi_unemployment_rate"))

    data = to_csv(result)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["indicator_id"], r["city"], r["rank"]) for r in rows] == [
        ("cpi", "alpha", "3"), ("cpi", "gamma", "1"),
        ("cpi_unemployment_rate", "alpha", "2"), ("cpi_unemployment_rate", "gamma", "")]
    assert rows[0]["city_ar"] == "ألفا" and rows[3]["flags"] == \
        "another definition (hash differs)"

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(result, lang="ar")))
    assert book.sheetnames == ["comparison", "peers", "trends", "about"]
    sheet = book["comparison"]
    assert sheet.sheet_view.rightToLeft is True
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (first["city"], first["rank"], first["value"], first["sample_size"]) == \
        ("alpha", 3, 60.0, 3)
    assert book["peers"].max_row == 1 + 2 * 4  # every peer of both indicators


def test_the_default_comparison_leaves_out_what_does_not_compare_cities():
    import pandas as pd

    from observatory.services.comparison import default_indicators

    held = ["cpi", "gap_unemployment_foreign_vs_nationals", "citizenship_share.syrian",
            "location_quotient_foreign", "location_quotient_foreign_born",
            "phone_calibration_mape", "phone_estimated_residents_by_group.syrian",
            "phone_estimated_residents",
            "citizenship_diversity_shannon"]
    values = pd.DataFrame({"city": "alpha", "indicator_id": held})
    kept = default_indicators(values, ["alpha"])
    assert sorted(kept) == ["citizenship_diversity_shannon", "cpi",
                            "gap_unemployment_foreign_vs_nationals",
                            "phone_estimated_residents"]
