"""Turning source values into comparable text (codes, names) without losing leading zeros."""

from __future__ import annotations

import unicodedata

import pandas as pd


def as_text(values: pd.Series) -> pd.Series:
    """Values as trimmed text; whole numbers without a trailing ``.0``; blanks become missing.

    Codes read from typed sources (GeoPackage integers, spreadsheet numbers) must compare equal
    to the same codes read from CSV text: 901 and 901.0 both become "901".
    """
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values % 1 == 0)
        text = values.astype("string")
        text[whole] = values[whole].astype("Int64").astype("string")
    elif pd.api.types.is_object_dtype(values):
        text = values.map(_scalar_text, na_action="ignore").astype("string")
    else:
        text = values.astype("string")
    text = text.str.strip()
    return text.mask(text == "")


def _scalar_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_name(values: pd.Series) -> pd.Series:
    """Names folded for matching: Unicode NFKC (Arabic presentation forms, ligatures),
    whitespace trimmed and collapsed, case folded."""
    text = as_text(values)
    # Normalise each distinct name once: tables repeat the same few names many times.
    folded = {name: " ".join(unicodedata.normalize("NFKC", name).split()).casefold()
              for name in text.dropna().unique()}
    return text.map(folded)
