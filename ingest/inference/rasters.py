"""A population raster (GeoTIFF) described for the raster feed: its CRS, band, nodata value
and the unit its pixels are likely in, with the options the ingest takes (variable, period).

The raster feed sums pixels per district, so it only makes sense for counts per pixel: the
proposal says so when the values do not look like counts (negative, or a tiny range)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import rasterio
from rasterio.errors import RasterioIOError

from ingest.errors import IngestError
from ingest.inference.commented import Choice
from ingest.inference.vocabulary import snake

YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
POPULATION = re.compile(r"pop|ppp|worldpop|inhabit|einwohner|residents|سكان", re.IGNORECASE)
SAMPLE = 512  # pixels a side of the overview read to guess the unit


def raster_choices(path: Path, period: str | None, notes: list[str]
                   ) -> tuple[list[Choice], list[str]]:
    """The raster feed's options for ``path`` and the facts behind them (header lines)."""
    try:
        source = rasterio.open(path)
    except RasterioIOError as exc:
        raise IngestError(f"cannot read it as a GeoTIFF ({exc})", file=path.name,
                          fix="export the raster again as GeoTIFF") from exc
    with source:
        crs = source.crs.to_string() if source.crs else None
        nodata = source.nodata
        bands, dtype = source.count, source.dtypes[0]
        size, resolution = (source.width, source.height), source.res
        height = max(1, min(SAMPLE, source.height))
        width = max(1, min(SAMPLE, source.width))
        sample = source.read(1, out_shape=(height, width), masked=True)
    valid = np.ma.compressed(sample).astype("float64")
    valid = valid[np.isfinite(valid)]
    choices = [Choice("feed", "raster", "a GeoTIFF: the raster feed sums its pixels by "
                      "district")]
    population = bool(POPULATION.search(path.stem))
    variable = "population" if population else snake(path.stem)
    choices.append(Choice("variable", variable, "the name says population" if population
                          else "named after the file: RENAME it (what the pixels count)"))
    year = YEAR.findall(path.stem)
    if period:
        choices.append(Choice("period", period, "as given (--period)"))
    elif year:
        choices.append(Choice("period", year[0], "the year in the file name"))
    else:
        notes.append("the raster's name holds no year: give the period (--period 2025)")
    choices.append(Choice("band", 1, f"band 1 of {bands}" + (
        ": CHECK which band holds the counts" if bands > 1 else "")))
    if bands > 1:
        notes.append(f"the raster has {bands} bands; the feed reads band 1")
    if nodata is None:
        notes.append("the raster declares no nodata value: negative pixels are treated as "
                     "nodata, every other value is counted")
        choices.append(Choice("nodata", None, "none declared"))
    else:
        choices.append(Choice("nodata", float(nodata) if "float" in dtype else int(nodata),
                              "as the raster declares it: those pixels are skipped"))
    unit, why = _unit(valid, dtype)
    choices.append(Choice("unit", unit, why))
    if unit != "persons":
        notes.append(f"the pixels do not look like counts of people ({why}): the feed sums "
                     "them, which is right only for counts per pixel")
    if crs is None:
        notes.append("the raster states no CRS: it cannot be laid over the districts")
    header = [(f"{size[0]} x {size[1]} pixels of {resolution[0]:g} x {resolution[1]:g} in "
              f"{crs or 'no CRS'}, {dtype}, {bands} band(s)."),
              ("The raster feed takes these as options (variable, period): "
              "observatory ingest raster FILE --city … --variable … --period …")]
    return choices, header


def _unit(values: np.ndarray, dtype: str) -> tuple[str, str]:
    if not len(values):
        return "unknown", "the overview read holds only nodata"
    if (values < 0).any():
        return "unknown", "some pixels are negative"
    kind = "fractional" if "float" in dtype else "whole"
    return "persons", (f"{kind} counts per pixel from {values.min():g} to {values.max():g}, "
                       "as a population grid (WorldPop-like): CHECK")
