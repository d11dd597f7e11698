"""Census tables: a wide table and its spec -> long observations plus the rows rejected.

Pure: no store. Each value column of each accepted row becomes one observation
(``OBSERVATION_COLUMNS``); checks run on whole columns, rows are only visited to write up
the ones rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ingest.errors import IngestError
from ingest.expressions import evaluate_expression
from ingest.readers import Table, require_header_columns
from ingest.rejections import Rejections, raw_text
from ingest.spec import CensusSpec, DimensionSpec
from ingest.text import as_text, normalise_name
from ingest.values import count_problems, implausible_years, period_range
from observatory.models import OBSERVATION_COLUMNS, RejectedRow, canonical_dims

_PERIOD = r"\d{4}(-(0[1-9]|1[0-2]))?"  # "2025" or "2025-03"
_DIM = "dim:"  # prefix of dimension columns while the frame is being built


@dataclass(frozen=True)
class DistrictLookup:
    """What census rows are matched against: the city's district codes and names."""

    codes: frozenset[str]
    by_name_en: dict[str, str]  # normalised name -> code
    by_name_ar: dict[str, str]
    # A level loaded as codes only: a code is known when its parent (by the level's code rule)
    # is an area of the parent level.
    parent_of: Callable[[pd.Series], pd.Series] | None = None
    parent_codes: frozenset[str] = frozenset()
    levels: tuple[str, str] = ("", "")  # (level, parent level), for the messages

    @classmethod
    def nesting_in(cls, parent_of: Callable[[pd.Series], pd.Series],
                   parent_codes: frozenset[str], level: str, parent: str) -> DistrictLookup:
        return cls(frozenset(), {}, {}, parent_of, parent_codes, (level, parent))

    @classmethod
    def from_districts(cls, districts: pd.DataFrame) -> DistrictLookup:
        codes = as_text(districts["code"])

        def by_name(column: str) -> dict[str, str]:
            names = normalise_name(districts[column])
            return {name: code for name, code in zip(names, codes, strict=True) if pd.notna(name)}

        return cls(frozenset(codes.dropna()), by_name("name_en"), by_name("name_ar"))


@dataclass
class CensusResult:
    observations: pd.DataFrame  # OBSERVATION_COLUMNS
    rows_read: int
    rejected: list[RejectedRow] = field(default_factory=list)


# Rows normalised at a time: a chunk's long table is copied a few times while it is checked,
# so chunks bound that to a few times the chunk instead of the file.
CHUNK_ROWS = 100_000
_KEY = ["district_code", "period", "variable", "dims"]


def normalise_census(
    table: Table, spec: CensusSpec, districts: DistrictLookup, *, city: str = "",
    chunk_rows: int = CHUNK_ROWS,
) -> CensusResult:
    frame = table.frame
    _require_columns(table, spec)
    parts, rejected = [], []
    for start in range(0, max(len(frame), 1), chunk_rows):
        kept, chunk_rejected = _normalise_rows(frame.iloc[start:start + chunk_rows], table,
                                               spec, districts, city)
        parts.append(kept)
        rejected += chunk_rejected
    long = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    del parts
    observations, repeats = _drop_repeats(long, frame, [v.column for v in spec.variables])
    rejected = sorted(rejected + repeats, key=lambda r: (r.row_number, r.column))
    return CensusResult(observations, rows_read=len(frame), rejected=rejected)


def _normalise_rows(frame: pd.DataFrame, table: Table, spec: CensusSpec,
                    districts: DistrictLookup, city: str
                    ) -> tuple[pd.DataFrame, list[RejectedRow]]:
    rejections = Rejections(frame.index)
    rejections.reject_long_fields(frame)
    rows = replace(table, frame=frame)
    columns = {
        "district_code": _district_codes(rows, spec, districts, rejections, city),
        "period": _periods(frame, spec, rejections),
    }
    for key, dimension in spec.dimensions.items():
        columns[_DIM + key] = _dimension(frame, key, dimension, rejections)
    ids = pd.DataFrame(columns, index=frame.index)
    good = ~rejections.bad
    kept, value_rejects = _observations(ids[good], frame[good], spec)
    return kept, rejections.rows + value_rejects


def _drop_repeats(long: pd.DataFrame, frame: pd.DataFrame, value_columns: list[str]
                  ) -> tuple[pd.DataFrame, list[RejectedRow]]:
    """The observations without repeats of a key, and the repeats as rejected rows naming the
    row they repeat. The first of a key is the first in one pass over the table, value column
    after value column; keys are compared by hash, and a repeat is confirmed on the key itself,
    so that the observations are never copied or reordered to find the few repeats."""
    rows, positions = long["row"].to_numpy(), long["position"].to_numpy()
    order = np.lexsort((rows, positions))
    hashes = pd.util.hash_pandas_object(long[_KEY], index=False).to_numpy()[order]
    later = pd.Series(hashes).duplicated().to_numpy()
    if not later.any():
        return long[OBSERVATION_COLUMNS].reset_index(drop=True), []
    first = pd.Series(order).groupby(hashes, sort=False).transform("first").to_numpy()
    candidates, originals = order[later], first[later]
    same = (long[_KEY].iloc[candidates].to_numpy() == long[_KEY].iloc[originals].to_numpy())
    confirmed = same.all(axis=1)
    candidates, originals = candidates[confirmed], originals[confirmed]
    repeats = [
        RejectedRow(int(rows[i]), value_columns[positions[i]],
                    f"duplicate of row {int(rows[j])}: same district, period, variable and "
                    "dimensions", raw_text(frame.at[rows[i], value_columns[positions[i]]]))
        for i, j in zip(candidates, originals, strict=True)
    ]
    keep = np.ones(len(long), dtype=bool)
    keep[candidates] = False
    return long.loc[keep, OBSERVATION_COLUMNS].reset_index(drop=True), repeats


def _require_columns(table: Table, spec: CensusSpec) -> None:
    wanted = [
        ("district.column", spec.district.column if not spec.district.expression else None),
        ("period.column", spec.period.column),
        *((f"dimensions.{key}.column", d.column) for key, d in spec.dimensions.items()),
        *((f"variables.{i}.column", v.column) for i, v in enumerate(spec.variables)),
    ]
    require_header_columns(table, wanted)


def _district_codes(
    table: Table,
    spec: CensusSpec,
    districts: DistrictLookup,
    rejections: Rejections,
    city: str,
) -> pd.Series:
    frame, key = table.frame, spec.district
    if key.expression:
        label = key.expression
        raw = evaluate_expression(
            frame, key.expression, file=table.source, key="district.expression"
        )
        codes = raw
    else:
        label = key.column or ""
        raw = as_text(frame[label])
        if key.match == "code":
            codes = raw
        else:
            lookup = districts.by_name_en if key.match == "name_en" else districts.by_name_ar
            codes = normalise_name(raw).map(lookup)
    missing = raw.isna()
    rejections.add(missing, label, pd.Series("no district given", index=frame.index), raw)
    if districts.parent_of is not None:
        _reject_unnested(codes, districts, label, rejections, missing)
        return codes
    known = codes.isin(districts.codes).fillna(False).astype(bool)
    examples = ", ".join(sorted(districts.codes)[:3])
    reason = (
        "district '" + raw.fillna("") + f"' is not a known district {key.match}"
        + (f" of {city}" if city else "")
        + (f" (codes look like {examples})" if key.match == "code" and examples else "")
    )
    rejections.add(~missing & ~known, label, reason, raw)
    return codes


def _reject_unnested(codes: pd.Series, districts: DistrictLookup, label: str,
                     rejections: Rejections, missing: pd.Series) -> None:
    assert districts.parent_of is not None
    parents = districts.parent_of(codes.fillna("").astype(str))
    known = parents.isin(districts.parent_codes).fillna(False).astype(bool)
    level, parent = districts.levels
    reason = ("area '" + codes.fillna("") + f"' of {level} does not nest in {parent}: its "
              "parent code '" + parents.fillna("").astype(str) + f"' is not an area of {parent}")
    rejections.add(~missing & ~known, label, reason, codes)


def _periods(frame: pd.DataFrame, spec: CensusSpec, rejections: Rejections) -> pd.Series:
    first, last = period_range()
    if spec.period.value:
        fixed = pd.Series(spec.period.value, index=frame.index, dtype="string")
        if not re.fullmatch(_PERIOD, spec.period.value) or implausible_years(fixed).any():
            raise IngestError(
                f"'{spec.period.value}' is not a period from {first} to {last}",
                key="period.value",
                fix="give a year (2025) or a month (2025-03) in that range "
                "(OBSERVATORY_EARLIEST_YEAR, OBSERVATORY_LATEST_YEAR)",
            )
        return fixed
    column = spec.period.column or ""
    periods = as_text(frame[column])
    rejections.add(periods.isna(), column, pd.Series("no period given", index=frame.index), periods)
    valid = periods.str.fullmatch(_PERIOD).fillna(False).astype(bool)
    reason = ("'" + periods.fillna("") + "' is not a period: give a year (2025) or a month "
              f"(2025-03), from {first} to {last}")
    rejections.add(periods.notna() & ~valid, column, reason, periods)
    rejections.add(valid & implausible_years(periods), column,
                   "'" + periods.fillna("") + f"' is not a plausible period: the year must be "
                   f"from {first} to {last} (OBSERVATORY_EARLIEST_YEAR, "
                   "OBSERVATORY_LATEST_YEAR)", periods)
    return periods


def _dimension(
    frame: pd.DataFrame, key: str, dimension: DimensionSpec, rejections: Rejections
) -> pd.Series:
    values = as_text(frame[dimension.column])
    rejections.add(
        values.isna(), dimension.column, pd.Series(f"no {key} given", index=frame.index), values
    )
    if not dimension.values:
        return values
    mapped = values.map(dimension.values)
    known = ", ".join(dimension.values)
    reason = (
        "'" + values.fillna("") + f"' is not in the spec's values for {key} ({known}): add it "
        f"under dimensions.{key}.values"
    )
    rejections.add(values.notna() & mapped.isna(), dimension.column, reason, values)
    return mapped


def _observations(
    ids: pd.DataFrame, frame: pd.DataFrame, spec: CensusSpec
) -> tuple[pd.DataFrame, list[RejectedRow]]:
    value_columns = [variable.column for variable in spec.variables]
    wide = ids.join(frame[value_columns].rename(columns=lambda c: "value:" + c))
    wide.index.name = "row"
    long = wide.reset_index().melt(
        id_vars=["row", *ids.columns],
        value_vars=["value:" + c for c in value_columns],
        var_name="source_column",
        value_name="raw",
    )
    long["source_column"] = long["source_column"].str.removeprefix("value:")
    by_column = {variable.column: variable for variable in spec.variables}
    long["variable"] = long["source_column"].map({c: v.variable for c, v in by_column.items()})
    long["unit"] = long["source_column"].map({c: v.unit for c, v in by_column.items()})
    long = _with_dims(long, by_column)

    raw = as_text(long["raw"])
    value = pd.to_numeric(raw, errors="coerce")
    reason = pd.Series(pd.NA, index=long.index, dtype="string")
    reason[raw.isna()] = "empty value"
    reason[raw.notna() & value.isna()] = "'" + raw + "' is not a number (use a point for decimals)"
    reason[value < 0] = "negative value " + raw + ": counts cannot be negative"
    implausible = count_problems(raw, value, long["unit"])
    reason = reason.fillna(implausible)
    bad = reason.notna()
    rejected = [
        RejectedRow(int(row), column, str(why), raw_text(text))
        for row, column, why, text in zip(
            long["row"][bad], long["source_column"][bad], reason[bad], raw[bad], strict=True
        )
    ]
    long["value"] = value.astype(float)
    # Repeats are found once all chunks are in (normalise_census): row and column travel with
    # each observation until then.
    long["position"] = long["source_column"].map(
        {v.column: i for i, v in enumerate(spec.variables)}).astype("int16")
    return long.loc[~bad, [*OBSERVATION_COLUMNS, "row", "position"]], rejected


def _with_dims(long: pd.DataFrame, by_column: dict) -> pd.DataFrame:
    """The canonical dims text of each observation, built once per distinct combination."""
    dim_columns = [c for c in long.columns if c.startswith(_DIM)]
    combos = long[["source_column", *dim_columns]].drop_duplicates()
    combos["dims"] = [
        canonical_dims(
            {**{c.removeprefix(_DIM): v for c, v in zip(dim_columns, values, strict=True)},
             **by_column[source].dims}
        )
        for source, *values in combos.itertuples(index=False)
    ]
    return long.merge(combos, on=["source_column", *dim_columns], how="left")

