"""``GET /cities/{city}/bundle`` and the external peers in ``GET /cities``, on both stores."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from api_seed import CITY, indicator_values

from indicators.definitions import load_definitions
from observatory.services.bundles import import_bundle


def test_bundle_downloads_published_values_and_peers_are_marked(client, seeded) -> None:
    stale = client.get(f"/cities/{CITY.slug}/bundle")  # the seed's values: hash "test"
    assert stale.status_code == 422
    assert f"Fix: observatory compute --city {CITY.slug}" in stale.json()["detail"]

    digest = load_definitions()["foreign_citizens_share"].hash
    for period in ("2024", "2025"):
        seeded.put_indicator_values(CITY.slug, indicator_values(
            period, [0.05, 0.10, 0.20, 0.40]).assign(definition_hash=digest))
    response = client.get(f"/cities/{CITY.slug}/bundle")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert (f'filename="{CITY.slug}-benchmark-bundle.zip"'
            in response.headers["content-disposition"])
    values = pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(response.content))
                                    .read("indicator_values.csv")))
    # The city level only (0.25 in each period), never a district's value.
    assert values[["period", "value"]].values.tolist() == [[2024, 0.25], [2025, 0.25]]

    import_bundle(seeded, response.content, "peer.zip", 15, as_slug="peer")
    listed = {c["slug"]: c for c in client.get("/cities").json()}
    assert (listed["peer"]["external"], listed["peer"]["origin"]) == (
        True, f"{CITY.name_en} observatory")
    assert (listed[CITY.slug]["external"], listed[CITY.slug]["origin"]) == (False, None)
