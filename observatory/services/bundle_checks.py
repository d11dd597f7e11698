"""What a bundle may carry: published city-level values only, each with its definition. The
same checks run on export (a bundle that would be refused is never written) and on import
(nothing is loaded from a bundle that fails one)."""

from __future__ import annotations

import hashlib
import math

import pandas as pd

from observatory.services.bundle_format import RESOURCES, Bundle, BundleRefused

# Units whose values are counts of people: the disclosure rule applies to them directly.
COUNT_UNITS = frozenset({"persons", "people", "residents", "households", "count"})
_FIX_EXPORT = ("export it again with `observatory bundle export` from an observatory that "
               "applies the disclosure rule")


def check_published(bundle: Bundle, min_count: int) -> None:
    """Refuse (BundleRefused) a bundle that carries a suppressed value, a count at or below
    ``min_count``, a value without its definition, or was exported under a lower threshold."""
    where = bundle.source
    exported_under = bundle.meta.get("min_count")
    if not isinstance(exported_under, int) or exported_under < min_count:
        raise BundleRefused(
            f"{where}, datapackage.json", f"exported under the disclosure threshold "
            f"{exported_under!r} (key observatory.min_count), below this observatory's "
            f"{min_count}: its values may rest on counts this observatory must not publish",
            f"ask the origin to export with OBSERVATORY_MIN_COUNT of at least {min_count}")
    _check_city(bundle, min_count)
    definitions = _check_definitions(bundle)
    values = bundle.tables["indicator_values"]
    path = RESOURCES["indicator_values"][0]
    for row, record in enumerate(values.to_dict("records"), start=2):  # line 1: the header
        at = f"{where}, {path}, row {row}"
        if record["suppressed"].lower() not in ("false", "0", ""):
            raise BundleRefused(f"{at}, column suppressed",
                                f"{record['indicator_id']} {record['period']} is suppressed: "
                                "a suppressed value never leaves its observatory", _FIX_EXPORT)
        value = _number(record["value"], f"{at}, column value")
        if value is None:
            raise BundleRefused(f"{at}, column value", f"{record['indicator_id']} "
                                f"{record['period']} has no value (withheld)", _FIX_EXPORT)
        for column in ("score", "coverage"):
            _number(record[column], f"{at}, column {column}")
        key = (record["definition_id"], record["definition_hash"])
        if key not in definitions:
            raise BundleRefused(
                f"{at}, column definition_hash", f"no definition {key[0]!r} with hash "
                f"{key[1]!r} in {RESOURCES['indicator_definitions'][0]}",
                "ask the origin for a complete export (every value with its definition)")
        if record["unit"].lower() in COUNT_UNITS and value <= min_count:
            raise BundleRefused(f"{at}, column value",
                                f"the count {record['indicator_id']} {record['period']} is at "
                                f"or below the disclosure threshold {min_count}", _FIX_EXPORT)


def _check_city(bundle: Bundle, min_count: int) -> None:
    city = bundle.tables["city"]
    at = f"{bundle.source}, {RESOURCES['city'][0]}"
    if len(city) != 1 or not city["slug"].iloc[0]:
        raise BundleRefused(at, f"{len(city)} rows, expected one city with its slug",
                            "ask the origin for a fresh export")
    population = _number(city["population"].iloc[0], f"{at}, row 2, column population")
    if population is not None and population <= min_count:
        raise BundleRefused(f"{at}, row 2, column population", f"the population count is at or "
                            f"below the disclosure threshold {min_count}", _FIX_EXPORT)


def _check_definitions(bundle: Bundle) -> set[tuple[str, str]]:
    path = RESOURCES["indicator_definitions"][0]
    found = set()
    for row, record in enumerate(bundle.tables["indicator_definitions"].to_dict("records"),
                                 start=2):
        digest = hashlib.sha256(record["definition"].encode("utf-8")).hexdigest()[:16]
        if digest != record["definition_hash"]:
            raise BundleRefused(f"{bundle.source}, {path}, row {row}, column definition_hash",
                                f"{record['definition_id']}: the hash does not match the "
                                "definition's text", "ask the origin for a fresh export")
        found.add((record["definition_id"], record["definition_hash"]))
    return found


def _number(text: str, where: str) -> float | None:
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise BundleRefused(where, f"{text!r} is not a number", "ask the origin for a fresh "
                            "export")
    return number


def numeric(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The text columns as numbers ('' as missing), once the checks passed."""
    return frame.assign(**{c: pd.to_numeric(frame[c].replace("", None)) for c in columns})
