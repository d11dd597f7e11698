"""Do the servers answer the same? For a sample of requests: features matched and returned,
their ids, the indicator values by id, and the districts in each tile."""

from __future__ import annotations

import math

import httpx
import mapbox_vector_tile

from bench.api.endpoints import TIPG, Endpoint
from bench.api.servers import Server


def _items(client: httpx.Client, url: str) -> dict:
    response = client.get(url)
    response.raise_for_status()
    document = response.json()
    features = document["features"]
    return {
        "matched": document.get("numberMatched"),
        "returned": document.get("numberReturned", len(features)),
        "ids": [str(f["id"]) for f in features],
        "values": {str(f["id"]): f["properties"].get("value") for f in features},
    }


def _tile_codes(client: httpx.Client, url: str) -> list[str]:
    response = client.get(url)
    response.raise_for_status()
    if response.status_code == 204 or not response.content:
        return []
    layers = mapbox_vector_tile.decode(response.content)
    return sorted(str(f["properties"]["code"]) for layer in layers.values()
                  for f in layer["features"])


def _same_values(a: dict, b: dict) -> bool:
    def same(x, y) -> bool:
        if x is None or y is None:
            return x is None and y is None
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)

    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)


def check(servers: dict[str, Server], sample: list[Endpoint]) -> list[dict]:
    """One row per sampled request: what each server answered, and whether it equals tipg's."""
    rows = []
    with httpx.Client(timeout=120.0) as client:
        for endpoint in sample:
            answers = {}
            for name, server in servers.items():
                url = server.base_url + endpoint.path(name)
                if endpoint.kind == "items":
                    answers[name] = _items(client, url)
                else:
                    answers[name] = {"features": len(codes := _tile_codes(client, url)),
                                     "codes": codes}
            peer = answers[TIPG]
            row = {"endpoint": endpoint.key, "tipg_path": endpoint.tipg, "servers": {}}
            for name, answer in answers.items():
                if endpoint.kind == "items":
                    summary = {"matched": answer["matched"], "returned": answer["returned"],
                               "same_ids_as_tipg": answer["ids"] == peer["ids"],
                               "same_values_as_tipg": _same_values(answer["values"],
                                                                  peer["values"])}
                else:
                    ours, theirs = set(answer["codes"]), set(peer["codes"])
                    summary = {"features": answer["features"],
                               "same_districts_as_tipg": answer["codes"] == peer["codes"],
                               "not_in_tipg": len(ours - theirs),
                               "missing_from_tipg": len(theirs - ours)}
                row["servers"][name] = summary
            rows.append(row)
    return rows
