"""GET /compare on a real store of each backend: the documented JSON (ranks, flags, external
marks, trends), CSV and XLSX, and the refusals that name what to fix; the segregation a
comparison shows (in the API and on the page), as the public may see it, checked against a
hand computation."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import numpy as np
import openpyxl
import pytest
from api_access import CENSUS_ROWS, seed_census
from api_seed import CITY, seed_districts
from fastapi.testclient import TestClient
from peer_cities import seed_peer_cities

from indicators.disclosure.rounding import round_significant
from indicators.measures.segregation import multigroup_dissimilarity
from observatory.app import create_app
from observatory.services.city_spread import segregation_by_city
from observatory.settings import ApiSettings, DisclosureSettings, StoreSettings
from observatory.store import Store


@pytest.fixture
def compare_api(store: Store, store_url: str) -> Iterator[TestClient]:
    seed_peer_cities(store)
    with TestClient(create_app(StoreSettings(database_url=store_url), ApiSettings())) as client:
        yield client


def test_the_comparison_ranks_flags_spreads_and_exports(compare_api):
    answer = compare_api.get("/compare", params={
        "cities": "alpha,gamma", "indicators": "cpi,cpi_unemployment_rate",
        "peer_group": "over-200k"})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["peer_group"]["members"] == ["alpha", "beta", "delta"]
    cpi, unemployment = body["indicators"]
    ranks = {v["city"]: (v["rank"], v["flags"], v["shown"]) for v in cpi["values"]}
    assert ranks == {"alpha": (2, [], True), "beta": (1, [], False),
                     "delta": (None, ["coverage"], False),
                     "gamma": (None, ["outside_group"], True)}
    gamma = next(v for v in unemployment["values"] if v["city"] == "gamma")
    assert gamma["flags"] == ["definition", "outside_group"]
    trend = next(s for s in body["trends"][0]["series"] if s["city"] == "gamma")
    assert [p["break"] for p in trend["points"]] == [False, True]

    # the spread of district values beside the comparison, and the comparison as files
    body = compare_api.get("/compare", params={"cities": "alpha,beta",
                                               "indicators": "foreign_born_share"}).json()

    (spread,) = body["spread"]
    assert [(c["city"], c["districts"], c["min"], c["median"], c["max"])
            for c in spread["cities"]] == [("alpha", 5, 0.1, 0.3, 0.5)]  # 0.99 suppressed
    # no census counts in these cities: each shown one says why it has no segregation
    assert [(s["city"], s["available"], s["dissimilarity"]) for s in body["segregation"]] == \
        [("alpha", False, None), ("beta", False, None)]
    assert "observatory ingest census FILE --city alpha" in body["segregation"][0]["reason"]
    csv = compare_api.get("/compare", params={"cities": "beta", "indicators": "cpi", "f": "csv"})
    xlsx = compare_api.get("/compare", params={"indicators": "icc", "f": "xlsx"})

    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("cpi,City Prosperity Index,")
    assert ",beta,Betatown,بيتا," in lines[1]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["comparison"]
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == \
        ["alpha", "beta", "delta", "gamma"]
    spread = compare_api.get("/compare", params={"cities": "alpha", "f": "xlsx",
                                                 "indicators": "foreign_born_share"})
    rows = list(openpyxl.load_workbook(io.BytesIO(spread.content))["spread"].iter_rows(
        values_only=True))
    assert rows[1][:4] == ("foreign_born_share", "alpha", "2024", 5)


REFUSALS = [  # (parameters, status, what the message says)
    ({"peer_group": "population:x"}, 422, "is not a range MIN-MAX"),
    ({"cities": "oslo"}, 404, "No city 'oslo'"),
    ({"indicators": "nothing_here"}, 404, "No city holds indicator(s) 'nothing_here'"),
    ({"min_coverage": "2"}, 422, "less than or equal to 1"),
    ({"cities": "a;drop"}, 422, "String should match pattern"),
]


def test_a_wrong_request_is_refused_with_what_to_fix(compare_api):
    answers = [compare_api.get("/compare", params=params) for params, _, _ in REFUSALS]

    assert [(a.status_code, says in a.text) for a, (_, _, says) in zip(answers, REFUSALS,
                                                                        strict=True)] == \
        [(status, True) for _, status, _ in REFUSALS]


def test_segregation_beside_the_comparison_is_the_published_one(store: Store, store_url: str,
                                                                   tmp_path):
    seed_districts(store)
    seed_census(store, tmp_path)
    disclosure = DisclosureSettings()

    found = segregation_by_city(store, [CITY.slug], disclosure)[0]
    with TestClient(create_app(StoreSettings(database_url=store_url), ApiSettings())) as client:
        answer = client.get("/compare", params={"cities": CITY.slug})
        page = client.get("/ar/compare", params={"city": CITY.slug}).text

    # District 103's 8 foreign residents are withheld: the single-group measures of the
    # foreign residents would give them (the public gets none); the multigroup ones are over
    # the nationals and the groups merged, which the published shares give anyway.
    counts = np.array(list(CENSUS_ROWS.values()), dtype=float)
    merged = np.column_stack([counts[:, 0], counts[:, 1:].sum(axis=1)])
    published = round_significant(np.array([multigroup_dissimilarity(merged)]),
                                  disclosure.published_digits)[0]
    assert (found["available"], found["dimension"], found["suppressed"]) == \
        (True, "citizenship", True)
    assert found["dissimilarity"] is None and found["isolation"] is None
    assert found["multigroup_dissimilarity"] == pytest.approx(published)
    assert "moran" not in found  # not shown beside a comparison: its geometry read is spared
    assert answer.status_code == 200, answer.text
    assert answer.json()["segregation"] == [{**found, "reason": None}]  # as the service says
    row = re.search(rf'<tr data-city="{CITY.slug}">(.*?)</tr>', page, re.DOTALL)
    assert row is not None and "(الجنسية)" in row.group(1)  # and the page shows it
    assert re.findall(r'<td class="number">([^<]*)</td>', row.group(1)) == [
        "محجوب", "محجوب", "محجوب", f"{published:.3f}"]
