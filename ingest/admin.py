"""Administrative records (residence registrations, migrant-support-centre services) -> counts.

Pure: no store. Person identifiers are replaced by their keyed hash, then every sensitive
column (identifier, names, document numbers, record id, address) is dropped; what remains is
aggregated to district × month × service area × nationality group (× sex when the spec gives
it): ``service_records`` (records) and ``service_users`` (distinct persons).

Distinct persons do not add up: one person comes in several months and for several service
areas. So the coarser grains that publication rolls small cells up into
(``indicators.disclosure.rollup``) are counted here, from the hashed ids, before they are
dropped: each cell also at the quarter (period ``2025-Q1``) and the year (``2025``), and for
all service areas together (service area ``all``), each combination its own observation.

Districts get redrawn: a record names the district of its own date (``DatedDistricts``: the
boundary versions of the city), and is counted on those boundaries, which the indicators then
carry onto today's (``indicators.level_inputs``). A cell of a month, quarter or year is on the
boundaries of its first day, as the indicators read it, so a record on other boundaries than
its period's first day does not fit: in a month, it is rejected (the boundaries would begin
within the month); a quarter or year such records fall in is not counted at that grain (its
months are), and the run message says which.

Rejected rows keep only the columns the spec names, with the sensitive ones blanked, and their
reasons never quote a sensitive value; the runner then masks every other value that is not a
label of the spec's vocabulary (``vocabulary``, ``ingest.masking``): nothing personal reaches
the store or a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ingest.census import DistrictLookup
from ingest.masking import Vocabulary
from ingest.readers import Table, require_header_columns
from ingest.rejections import Rejections
from ingest.spec import SERVICE_AREAS, AdminSpec, MappedColumnSpec
from ingest.text import as_text, normalise_name
from ingest.values import implausible_years, period_range
from observatory.geography.levels import period_start
from observatory.models import OBSERVATION_COLUMNS, RejectedRow, canonical_dims

VARIABLES = (("service_records", "records", "records"), ("service_users", "persons", "persons"))
ALL_AREAS = "all"  # the service area of the cells that count every service area together


@dataclass
class AdminResult:
    observations: pd.DataFrame  # OBSERVATION_COLUMNS
    rows_read: int
    rejected: list[RejectedRow] = field(default_factory=list)
    # Quarters and years not counted at their grain: their records lie on two boundary versions.
    split_periods: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DatedDistricts:
    """The districts of one boundary version of the city and the days it holds (``valid_to``
    excluded; None: still)."""

    valid_from: date
    valid_to: date | None
    lookup: DistrictLookup

    def holds(self, days: pd.Series) -> pd.Series:
        after = days >= pd.Timestamp(self.valid_from)
        return after & (days < pd.Timestamp(self.valid_to)) if self.valid_to else after


def normalise_admin(
    table: Table,
    spec: AdminSpec,
    districts: DistrictLookup,
    keyed_hash: Callable[[str], str],
    *,
    city: str = "",
    versions: Sequence[DatedDistricts] = (),
) -> AdminResult:
    """``keyed_hash`` turns a person identifier into its keyed hash (``admin_privacy``);
    ``versions``: the city's boundary versions, each record matched against the one holding
    on its date (``districts``, today's, where none does or none are given)."""
    _require_columns(table, spec)
    sensitive = spec.sensitive_columns()
    frame = table.frame
    raw = _safe_rows(frame, spec, set(sensitive))
    rejections = Rejections(frame.index)
    rejections.reject_long_fields(frame)

    person_ids = as_text(frame[spec.person_id.column])
    rejections.add(person_ids.isna(), spec.person_id.column,
                   "no person id: every record needs one so that persons are counted once", raw)
    persons = person_ids.map(keyed_hash, na_action="ignore")
    if spec.record_id:
        _reject_repeated_records(frame, spec.record_id.column, rejections, raw)
    days = _dates(frame, spec, rejections, raw)
    version = _versions_of(days, versions)
    district_codes = pd.Series(pd.NA, index=frame.index, dtype="string")
    for k, rows in version.groupby(version).groups.items():
        on = versions[int(k)] if k >= 0 else None
        district_codes[rows] = _districts(frame.loc[rows], spec,
                                          on.lookup if on is not None else districts,
                                          rejections, raw, city, on, versions)
    frame = frame.drop(columns=sensitive)  # nothing below may see them

    months = days.dt.strftime("%Y-%m").astype("string")
    _reject_months_split_by_a_redraw(months, version, versions, spec.date.column, rejections,
                                     raw)
    keys = pd.DataFrame({
        "district_code": district_codes,
        "period": months,
        "service_area": _service_areas(frame, spec.service_area, rejections, raw),
        spec.group_dimension: _mapped(frame, spec.nationality, "nationality", rejections, raw),
    }, index=frame.index)
    if spec.sex:
        keys["sex"] = _mapped(frame, spec.sex, "sex", rejections, raw)
    if spec.birth_year:
        _check_birth_years(frame, spec.birth_year.column, rejections, raw)

    good = ~rejections.bad
    observations = _aggregate(keys[good], persons[good])
    observations, split = _without_split_periods(observations, keys[good], version[good],
                                                 versions)
    rejected = sorted(rejections.rows, key=lambda r: (r.row_number, r.column))
    return AdminResult(observations, rows_read=len(frame), rejected=rejected,
                       split_periods=split)


NO_VERSION = -1  # no boundary version holds on the day: today's districts are used


def _versions_of(days: pd.Series, versions: Sequence[DatedDistricts]) -> pd.Series:
    """Per record, the position in ``versions`` of the one holding on its date."""
    out = pd.Series(NO_VERSION, index=days.index, dtype="int64")
    for k, version in enumerate(versions):
        out[(version.holds(days) & (out == NO_VERSION)).fillna(False).astype(bool)] = k
    return out


def _version_at(period: str, versions: Sequence[DatedDistricts]) -> int:
    """The position of the version holding on the period's first day, as the indicators read
    a period's cells (``indicators.level_inputs``)."""
    start = period_start(period)
    return next((k for k, v in enumerate(versions)
                 if start is not None and v.valid_from <= start
                 and (v.valid_to is None or start < v.valid_to)), NO_VERSION)


def _reject_months_split_by_a_redraw(months: pd.Series, version: pd.Series,
                                     versions: Sequence[DatedDistricts], column: str,
                                     rejections: Rejections, raw: pd.Series) -> None:
    """A record on other boundaries than its month's first day: the month's cells could not be
    on one set of boundaries."""
    if not versions:
        return
    first = months.map(lambda m: _version_at(str(m), versions) if pd.notna(m) else NO_VERSION)
    split = (months.notna() & (version != first.astype("int64"))).astype(bool)
    if not split.any():
        return
    begins = version[split].map(
        lambda k: f"{versions[k].valid_from:%Y-%m-%d}" if k >= 0 else "(none)")
    rejections.add(split, column,
                   "the record's month " + months.fillna("") + " is split by the boundaries "
                   "beginning on " + begins.reindex(months.index).fillna("") + ": counts are "
                   "per month on the boundaries of its first day; load the boundaries with "
                   "valid_from on the first of a month", raw)


def _without_split_periods(observations: pd.DataFrame, keys: pd.DataFrame, version: pd.Series,
                           versions: Sequence[DatedDistricts]
                           ) -> tuple[pd.DataFrame, list[str]]:
    """The cells of quarters and years whose records are not all on the boundaries of the
    period's first day left out (their months stay), and those periods."""
    if not versions or observations.empty:
        return observations, []
    periods = observations["period"].astype(str)
    months = keys["period"].astype(str)
    quarters = (months.str.slice(0, 4) + "-Q"
                + ((months.str.slice(5, 7).astype(int) - 1) // 3 + 1).astype(str))
    split = []
    for period in sorted(p for p in periods.unique() if len(p) == 4 or "-Q" in p):
        inside = (months.str.slice(0, 4) if len(period) == 4 else quarters) == period
        if (version[inside] != _version_at(period, versions)).any():
            split.append(period)
    if not split:
        return observations, []
    return observations[~periods.isin(split)].reset_index(drop=True), split


def vocabulary(spec: AdminSpec, districts: pd.DataFrame) -> Vocabulary:
    """What a rejected row may show in clear: the labels the spec maps from and to, the
    service areas, the city's district codes and names (``districts``: of every boundary
    version), and the spec's column names."""
    mapped = [spec.nationality, spec.service_area, *([spec.sex] if spec.sex else [])]
    labels = {label for column in mapped
              for label in (*column.values, *column.values.values(), column.default) if label}
    labels.update(SERVICE_AREAS)
    if spec.district.match != "address":
        for name in ("code", "name_en", "name_ar"):
            labels.update(as_text(districts[name]).dropna())
    return Vocabulary(frozenset(labels), frozenset(c for _, c in _declared_columns(spec)))


def _declared_columns(spec: AdminSpec) -> list[tuple[str, str]]:
    """(spec key, column) for every column the spec names."""
    optional = {
        "record_id.column": spec.record_id.column if spec.record_id else None,
        "sex.column": spec.sex.column if spec.sex else None,
        "birth_year.column": spec.birth_year.column if spec.birth_year else None,
    }
    return [
        ("person_id.column", spec.person_id.column),
        *((f"names.{i}", column) for i, column in enumerate(spec.names)),
        *((f"document_numbers.{i}", column) for i, column in enumerate(spec.document_numbers)),
        *((key, column) for key, column in optional.items() if column),
        ("nationality.column", spec.nationality.column),
        ("district.column", spec.district.column),
        ("service_area.column", spec.service_area.column),
        ("date.column", spec.date.column),
    ]


def _require_columns(table: Table, spec: AdminSpec) -> None:
    # Name and document columns must exist too: a misspelt one would otherwise go unnoticed.
    require_header_columns(table, _declared_columns(spec))


def _safe_rows(frame: pd.DataFrame, spec: AdminSpec, sensitive: set[str]) -> pd.Series:
    """Each row as ``column=value; …`` over the spec's columns, sensitive values blanked.

    Columns the spec does not name are left out: an undeclared name column cannot leak.
    """
    declared = {column for _, column in _declared_columns(spec)}
    parts = []
    for column in (c for c in frame.columns if c in declared):
        value = "" if column in sensitive else as_text(frame[column]).fillna("")
        parts.append(column + "=" + pd.Series(value, index=frame.index, dtype="string"))
    return pd.concat(parts, axis=1).agg("; ".join, axis=1)


def _reject_repeated_records(
    frame: pd.DataFrame, column: str, rejections: Rejections, raw: pd.Series
) -> None:
    ids = as_text(frame[column])
    repeated = ids.notna() & ids.duplicated(keep="first")
    first_row = pd.Series(frame.index, index=frame.index).groupby(ids).transform("first")
    reason = "the record id repeats the one of row " + first_row.astype("string")
    rejections.add(repeated, column, reason, raw)


def _districts(
    frame: pd.DataFrame,
    spec: AdminSpec,
    districts: DistrictLookup,
    rejections: Rejections,
    raw: pd.Series,
    city: str,
    on: DatedDistricts | None = None,
    versions: Sequence[DatedDistricts] = (),
) -> pd.Series:
    """The district code of each row, matched against ``districts`` (those of the boundary
    version ``on``, which holds on the rows' dates, when the city has several)."""
    column, match = spec.district.column, spec.district.match
    values = as_text(frame[column])
    of_city = f" of {city}" if city else ""
    if on is not None and len(versions) > 1:
        until = f" to {on.valid_to:%Y-%m-%d}" if on.valid_to else ""
        of_city += (f" on the record's date (the boundaries of {on.valid_from:%Y-%m-%d}"
                    f"{until}: give the district of then)")
    if match == "address":
        rejections.add(values.isna(), column, "no address given", raw)
        codes = codes_from_addresses(values, districts)
        # The address is personal data: the reason does not quote it.
        rejections.add(values.notna() & codes.isna(), column,
                       f"the address names no single known district{of_city}: add the "
                       "district name (English or Arabic) to the address, or give a "
                       "district column", raw)
        return codes
    rejections.add(values.isna(), column, "no district given", raw)
    if match == "code":
        codes = values
    else:
        lookup = districts.by_name_en if match == "name_en" else districts.by_name_ar
        codes = normalise_name(values).map(lookup)
    known = codes.isin(districts.codes).fillna(False).astype(bool)
    reason = "district '" + values.fillna("") + f"' is not a known district {match}{of_city}"
    rejections.add(values.notna() & ~known, column, reason, raw)
    return codes.where(known)


def codes_from_addresses(addresses: pd.Series, districts: DistrictLookup) -> pd.Series:
    """The code of the one district whose name occurs as whole words in each address."""
    names = {**districts.by_name_en, **districts.by_name_ar}
    patterns = {name: re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)") for name in names}

    def code_of(address: str) -> str | None:
        found = [name for name, pattern in patterns.items() if pattern.search(address)]
        # "Upper Zaytoun" also contains "Zaytoun": keep only the longest of nested matches.
        found = [name for name in found if not any(name != o and name in o for o in found)]
        codes = {names[name] for name in found}
        return codes.pop() if len(codes) == 1 else None

    folded = normalise_name(addresses)
    return folded.map({a: code_of(a) for a in folded.dropna().unique()}).astype("string")


def _dates(
    frame: pd.DataFrame, spec: AdminSpec, rejections: Rejections, raw: pd.Series
) -> pd.Series:
    """Each record's date (NaT where it has none or it cannot be read or is implausible)."""
    column, pattern = spec.date.column, spec.date.format
    values = as_text(frame[column])
    rejections.add(values.isna(), column, "no date given", raw)
    parsed = pd.to_datetime(values, format=pattern or "ISO8601", errors="coerce")
    expected = f"the spec's date.format {pattern}" if pattern else "ISO 8601, e.g. 2025-03-14"
    reason = ("'" + values.fillna("") + f"' is not a date in {expected}: correct it or set "
              "date.format in the spec")
    rejections.add(values.notna() & parsed.isna(), column, reason, raw)
    months = parsed.dt.strftime("%Y-%m").astype("string")
    first, last = period_range()
    implausible = implausible_years(months)
    rejections.add(implausible, column,
                   "'" + values.fillna("") + f"' is not a plausible date: the year must be from "
                   f"{first} to {last} (OBSERVATORY_EARLIEST_YEAR, OBSERVATORY_LATEST_YEAR)", raw)
    return parsed.where(~implausible.fillna(False).astype(bool))


def _service_areas(
    frame: pd.DataFrame, spec: MappedColumnSpec, rejections: Rejections, raw: pd.Series
) -> pd.Series:
    values = as_text(frame[spec.column])
    rejections.add(values.isna(), spec.column, "no service area given", raw)
    canonical = values.str.casefold().str.replace(r"[\s\-]+", "_", regex=True)
    areas = values.map(spec.values).astype("string")
    areas = areas.fillna(canonical.where(canonical.isin(SERVICE_AREAS)))
    if spec.default:
        areas = areas.fillna(spec.default)
    reason = ("'" + values.fillna("") + "' is not a service area: map it under "
              "service_area.values onto one of " + ", ".join(SERVICE_AREAS))
    rejections.add(values.notna() & areas.isna(), spec.column, reason, raw)
    return areas


def _mapped(
    frame: pd.DataFrame, spec: MappedColumnSpec, key: str, rejections: Rejections,
    raw: pd.Series
) -> pd.Series:
    values = as_text(frame[spec.column])
    rejections.add(values.isna(), spec.column, f"no {key} given", raw)
    mapped = values.map(spec.values).astype("string")
    if spec.default:
        mapped = mapped.fillna(spec.default)
    reason = ("'" + values.fillna("") + f"' is not in the spec's {key}.values: add it there "
              f"(or set {key}.default)")
    rejections.add(values.notna() & mapped.isna(), spec.column, reason, raw)
    return mapped


def _check_birth_years(
    frame: pd.DataFrame, column: str, rejections: Rejections, raw: pd.Series
) -> None:
    values = as_text(frame[column])
    years = pd.to_numeric(values, errors="coerce")
    plausible = (years.between(1900, date.today().year) & (years % 1 == 0)).fillna(False)
    reason = ("'" + values.fillna("") + "' is not a birth year: give four digits, "
              f"1900-{date.today().year}, or leave it empty")
    rejections.add(values.notna() & ~plausible, column, reason, raw)


def _aggregate(keys: pd.DataFrame, persons: pd.Series) -> pd.DataFrame:
    """Cells at every grain: month, quarter and year, each by service area and for all of
    them; distinct persons counted at each grain from the hashed ids."""
    months = keys["period"]
    periods = {"month": months,
               "quarter": months.str.slice(0, 4) + "-Q"
               + ((months.str.slice(5, 7).astype("Int64") - 1) // 3 + 1).astype("string"),
               "year": months.str.slice(0, 4)}
    grains = [keys.assign(period=period, **areas)
              for period in periods.values()
              for areas in ({}, {"service_area": ALL_AREAS})]
    return pd.concat([_cells(grain, persons) for grain in grains], ignore_index=True)


def _cells(keys: pd.DataFrame, persons: pd.Series) -> pd.DataFrame:
    dims = [c for c in keys.columns if c not in ("district_code", "period")]
    cells = (keys.assign(person=persons)
             .groupby(["district_code", "period", *dims], sort=True)["person"]
             .agg(records="size", persons="nunique")
             .reset_index())
    cells["dims"] = [canonical_dims(dict(zip(dims, values, strict=True)))
                     for values in cells[dims].itertuples(index=False)]
    frames = [
        cells.assign(variable=variable, unit=unit, value=cells[source].astype(float))
        for variable, source, unit in VARIABLES
    ]
    return pd.concat(frames, ignore_index=True)[OBSERVATION_COLUMNS]
