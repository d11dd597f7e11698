"""The latest available value: a definition with ``holds_for: N`` (years) has each of its
values stand for the later periods, until the next one, at most N years on (an election's
turnout until the next election), as the UN-Habitat CPI uses a city's latest available value.

A carried row is its source row repeated at a later period: the same published value (or the
same withheld one), score and ingest runs, its ``estimate`` naming the period it comes from.
It is carried after the disclosure gate, so it reveals nothing the source did not and is no
new cell of the count table (the plan and its audit never see it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

ANY_DISTRICT = "\0city"  # stands for the city-level row's missing district code in the join
CARRIED = "latest available value, carried from"  # every carried row's estimate begins so


def carried_label(period: str, years: int) -> str:
    return f"{CARRIED} {period} (holds for {years} years)"


def is_carried(estimate: pd.Series) -> np.ndarray:
    return estimate.fillna("").astype(str).str.startswith(CARRIED).to_numpy()


def carried_from(estimate: object) -> str | None:
    """The period a carried value comes from (``estimate`` as ``carried_label`` wrote it)."""
    text = estimate if isinstance(estimate, str) else ""
    return text[len(CARRIED):].split(" (")[0].strip() if text.startswith(CARRIED) else None


def period_years(periods: pd.Series) -> np.ndarray:
    """A period's year (periods other than a plain year ``2024``: NaN, never carried)."""
    text = periods.astype(str)
    return np.where(text.str.fullmatch(r"\d{4}"), pd.to_numeric(text, errors="coerce"), np.nan)


def carried_forward(raw: pd.DataFrame, units: pd.MultiIndex, years: int) -> pd.DataFrame:
    """``raw`` (one definition's rows, ``indicator_id`` set) and, for each unit of ``units``
    (the level's periods × districts holding observations) where an indicator has no row, the
    row of its latest earlier period at most ``years`` years before."""
    if raw.empty:
        return raw
    source = raw.assign(at=period_years(raw["period"]), area=area_of(raw["district_code"]))
    source = source[source["at"].notna()]
    periods = pd.Series(units.get_level_values("period"), dtype=object).astype(str)
    # A district's later periods are those it has observations in; the city's, any district's.
    targets = pd.concat([
        pd.DataFrame({"period": periods, "area": area_of(pd.Series(
            units.get_level_values("district_code"), dtype=object)).to_numpy()}),
        pd.DataFrame({"period": periods.unique(), "area": ANY_DISTRICT})])
    targets = targets.drop_duplicates().assign(at=lambda t: period_years(t["period"]))
    targets = targets[targets["at"].notna()]
    if source.empty or targets.empty:
        return raw
    pairs = source[["indicator_id", "area"]].drop_duplicates().merge(targets, on="area")
    held = pd.MultiIndex.from_frame(source[["indicator_id", "area", "period"]].astype(str))
    open_units = pairs[~pd.MultiIndex.from_frame(pairs[["indicator_id", "area", "period"]]
                                                 .astype(str)).isin(held)]
    if open_units.empty:
        return raw
    # The latest earlier row of the same indicator and area, within the limit.
    found = pd.merge_asof(
        open_units.sort_values("at"), source.drop(columns="period").rename(
            columns={"at": "from_at"}).assign(at=lambda s: s["from_at"]).sort_values("at"),
        on="at", by=["indicator_id", "area"], direction="backward",
        tolerance=float(years), allow_exact_matches=False)
    found = found[found["from_at"].notna()]
    if found.empty:
        return raw
    origin = found["from_at"].astype(int).astype(str)
    label = origin.map(lambda p: carried_label(p, years))
    own = (found["estimate"].fillna("").astype(str) if "estimate" in found
           else pd.Series("", index=found.index))
    carried = found.assign(estimate=[f"{a}; {b}" if b else a
                                     for a, b in zip(label, own, strict=True)])
    carried = carried.drop(columns=["at", "from_at", "area"])[raw.columns.union(
        ["estimate"], sort=False)]
    out = pd.concat([raw, carried], ignore_index=True)
    out["estimate"] = out["estimate"].fillna("").astype(str)
    return out


def area_of(district_codes: pd.Series) -> pd.Series:
    """District codes for a join: the city level's missing code as ``ANY_DISTRICT``."""
    return district_codes.astype(object).where(district_codes.notna(), ANY_DISTRICT)


def composite_notes(carried: pd.DataFrame, members: dict[str, list[str]]
                    ) -> dict[tuple[str, str, object], str]:
    """For the composites (``members``: indicator id → the composites it enters) of each unit
    where some member is carried, keyed (composite, period, area): the ``estimate`` naming the
    carried members and their periods."""
    notes: dict[tuple[str, str, object], set[str]] = {}
    for row, area in zip(carried.itertuples(index=False), area_of(carried["district_code"]),
                         strict=True):
        origin = carried_from(row.estimate)
        for composite in members.get(str(row.indicator_id), []):
            notes.setdefault((composite, str(row.period), area), set()).add(
                f"{row.indicator_id} from {origin}")
    return {key: "rests on latest available values carried from earlier periods: "
            + ", ".join(sorted(found)) for key, found in notes.items()}
