"""A comparison as files: CSV (UTF-8 with a byte-order mark, so Excel reads Arabic names) and
XLSX (the table, the trends and the within-city spread, each a sheet, and a sheet that says
what the peer group and the flags mean; Arabic sheets run right to left)."""

from __future__ import annotations

import io

import pandas as pd

from observatory.services.city_spread import spread_frame

COLUMNS = ["indicator_id", "indicator_en", "indicator_ar", "unit", "direction", "city",
           "city_en", "city_ar", "external", "in_peer_group", "period", "carried_from", "value",
           "rank",
           "sample_size", "percentile", "peer_average", "peer_best", "from_average",
           "from_best", "coverage", "definition_hash", "group_dimension", "comparable",
           "flags", "peer_group"]


def comparison_frame(result: dict, shown_only: bool = True) -> pd.DataFrame:
    """One row per indicator and city (the shown cities; all peers with ``shown_only``
    false); ``flags`` lists why a value is not ranked, in English (``;``-separated)."""
    cities = {c["slug"]: c for c in result["cities"]}
    group = result["peer_group"]["id"]
    rows = []
    for ind in result["indicators"]:
        for e in ind["values"]:
            if shown_only and not e.get("shown"):
                continue
            city = cities.get(e["city"], {})
            rows.append({
                "indicator_id": ind["indicator_id"], "indicator_en": ind["name_en"],
                "indicator_ar": ind["name_ar"], "unit": ind["unit"],
                "direction": ind["direction"], "city": e["city"],
                "city_en": city.get("name_en", ""), "city_ar": city.get("name_ar", ""),
                "external": e["external"], "in_peer_group": e["in_peer_group"],
                "period": e["period"], "carried_from": e.get("carried_from"),
                "value": e["value"], "rank": e["rank"],
                "sample_size": ind["sample_size"] if e["rank"] is not None else None,
                "percentile": e["percentile"], "peer_average": ind["average"],
                "peer_best": ind["best"], "from_average": e["from_average"],
                "from_best": e["from_best"], "coverage": e["coverage"],
                "definition_hash": e["definition_hash"], "group_dimension": e["dimension"],
                "comparable": e["comparable"],
                "flags": "; ".join(result["flags"][f]["en"] for f in e["flags"]),
                "peer_group": group})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"rank": "Int64",
                                                       "sample_size": "Int64"})


def trends_frame(result: dict) -> pd.DataFrame:
    rows = [{"indicator_id": t["indicator_id"], "city": s["city"], "external": s["external"],
             **p} for t in result["trends"] for s in t["series"] for p in s["points"]]
    return pd.DataFrame(rows, columns=["indicator_id", "city", "external", "period", "value",
                                       "definition_hash", "break"])


def to_csv(result: dict) -> bytes:
    return comparison_frame(result).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(result: dict, spread: list[dict] | None = None, lang: str = "en") -> bytes:
    about = pd.DataFrame(
        [("peer_group", result["peer_group"]["id"]),
         ("peer_group_en", result["peer_group"]["name_en"]),
         ("peer_group_ar", result["peer_group"]["name_ar"]),
         ("members", ", ".join(result["peer_group"]["members"])),
         ("min_coverage", result["min_coverage"])]
        + [(f"flag {key}", f"{words['en']} / {words['ar']}")
           for key, words in result["flags"].items()],
        columns=["item", "value"])
    sheets = {"comparison": comparison_frame(result), "peers": comparison_frame(result, False),
              "trends": trends_frame(result), "about": about}
    if spread:
        sheets["spread"] = spread_frame(spread)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.sheet_view.rightToLeft = lang == "ar"
            sheet.freeze_panes = "A2"
    return buffer.getvalue()
