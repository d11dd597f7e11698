"""The wide layout shared by the demo's statistical tables: key columns and a titled CSV file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from observatory.models import City


def key_frame(**levels: tuple) -> pd.DataFrame:
    """Every combination of the levels, the first varying slowest, one column per level.

    The rows are in the order of ``np.ndarray.ravel`` on an array shaped like the levels, so an
    array of counts with those axes lines up with ``counts.ravel()``.
    """
    grids = np.meshgrid(*(np.arange(len(values)) for values in levels.values()), indexing="ij")
    return pd.DataFrame(
        {name: np.array(values)[grid.ravel()] for (name, values), grid in zip(levels.items(), grids)}
    )


def write_titled_csv(
    frame: pd.DataFrame, path: Path, city: City, subject: tuple[str, str]
) -> None:
    """A bilingual title line (subject in English, Arabic), then the table: the specs read the
    header from line 2."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(f"{city.name_en}: {subject[0]} / {city.name_ar}: {subject[1]}\n")
        frame.to_csv(out, index=False, lineterminator="\n")
