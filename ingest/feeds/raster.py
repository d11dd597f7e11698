"""``raster``: a population raster (GeoTIFF) -> per-district sums and weighted centres.

Each district gets three observations: the raster's ``<variable>`` summed with exact
partial-pixel coverage (``ingest.raster``), and the population-weighted centre as
``<variable>_centre_lon`` and ``<variable>_centre_lat`` (the point access measures start from).
Districts the raster does not cover (or covers with nodata only) are recorded as rejected rows;
a raster that covers none of them is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.feeds.family import CliHelp, CliOption, FeedFamily, Job, Normalised
from observatory.models import OBSERVATION_COLUMNS, RejectedRow, canonical_dims

# A year standing alone in a file name: ppp_2020_1km.tif, pop-2025.tif (not 478140).
_YEAR_IN_NAME = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


class Raster(FeedFamily):
    name = "raster"
    takes_spec = "none"
    cli_options = (
        CliOption("variable", "--variable", "Observation variable the pixel values sum to, e.g. "
                  "--variable population", "population"),
        CliOption("period", "--period", "Period of the raster, e.g. --period 2025. Default: the "
                  "4-digit year in the file name."),
        CliOption("band", "--band", "The band holding the counts, e.g. --band 2", "1"),
        CliOption("nodata", "--nodata", "A pixel value to skip besides the one the raster "
                  "declares (one that declares none, or the wrong one), e.g. --nodata -9999"),
        CliOption("unit", "--unit", "What the pixels count, e.g. --unit persons", "persons"),
    )
    reading = "reading {file}: sums and centres per district"
    normalising = "checking coverage"
    help = CliHelp(
        "Load a population raster (GeoTIFF) as per-district sums and population-weighted "
        "centres.",
        "Population raster: GeoTIFF of persons per pixel, e.g. population_2025.tif",
        "observatory ingest raster population.tif --city demo --period 2025",
    )

    def prepare(self, job: Job) -> None:
        job.options["variable"] = job.options.get("variable") or "population"
        job.options["period"] = job.options.get("period") or _period_from_name(job.path)
        job.options["band"] = _whole(job, "band", job.options.get("band") or "1")
        nodata = job.options.get("nodata")
        job.options["nodata"] = None if nodata in (None, "") else _number(job, "nodata", nodata)
        job.options["unit"] = job.options.get("unit") or "persons"

    def content(self, job: Job) -> str:
        # The parameters shape the observations, so they are part of what "the same content" is.
        return (f"feed: {self.name}\nvariable: {job.options['variable']}\n"
                f"period: {job.options['period']}\nband: {job.options['band']}\n"
                f"nodata: {job.options['nodata']}\nunit: {job.options['unit']}")

    def read(self, job: Job) -> Any:
        from ingest.raster import population_centres

        return population_centres(job.path, job.districts, code_column="code",
                                  band=job.options["band"], nodata=job.options["nodata"])

    def normalise(self, job: Job, source: Any) -> Normalised:
        observations, rejected = _observations(source, job.options["variable"],
                                               job.options["period"], job.options["unit"])
        districts = job.districts
        if observations.empty:
            raise IngestError(
                f"the raster does not overlap any of the {len(districts)} districts of "
                f"'{job.city}' (or has only nodata there)",
                file=job.path.name,
                fix="use a raster that covers the city, whose districts span (lon/lat) "
                f"{', '.join(f'{b:.4f}' for b in districts.total_bounds)}",
            )
        fallbacks = int(source["representative_point"].sum())
        negative = source["negative_pixels"]
        note = (f"; {int(negative.sum()):,} negative pixels (in districts "
                f"{', '.join(map(str, negative.index[negative > 0]))}) were treated as nodata: "
                "a population is never negative (is the nodata value declared?)"
                if negative.any() else "")
        return Normalised(
            kept=len(observations), rows_read=len(districts), rejected=rejected,
            message=f"{len(districts)} districts -> {len(observations)} observations, period "
            f"{job.options['period']}; {fallbacks} centre(s) are representative points "
            f"(no population){note}",
            tables={"observations": observations},
        )


def _period_from_name(path: Path) -> str:
    years = sorted(set(_YEAR_IN_NAME.findall(path.stem)))
    if len(years) == 1:
        return years[0]
    found = f"several years ({', '.join(years)})" if years else "no 4-digit year"
    raise IngestError(
        f"the period cannot be taken from the file name: it holds {found}",
        file=path.name,
        fix="give the period explicitly (period='2025', or --period 2025 on the command line)",
    )


def _whole(job: Job, name: str, value: Any) -> int:
    return int(_parsed(job, name, value, int, "a whole number", "1 (the first band)"))


def _number(job: Job, name: str, value: Any) -> float:
    return _parsed(job, name, value, float, "a number", "-9999, say")


def _parsed(job: Job, name: str, value: Any, kind: type[int | float], what: str,
            example: str) -> float:
    try:
        return kind(str(value))
    except ValueError:
        raise IngestError(f"--{name} {value!r} is not {what}", file=job.path.name,
                          key=name, fix=f"give --{name} {example}") from None


def _observations(centres: Any, variable: str, period: str,
                  unit: str = "persons") -> tuple[Any, list[RejectedRow]]:
    """The sum and the centre of each covered district as observations; the others rejected."""
    import pandas as pd

    covered = centres[centres["sum"].notna()]
    rejected = [
        RejectedRow(row_number=None, column="district", raw=str(code),
                    reason=f"district {code} lies outside the raster or over nodata only")
        for code in centres.index[centres["sum"].isna()]
    ]
    codes = covered.index.astype(str)
    parts = [
        (variable, covered["sum"].to_numpy(), unit),
        (f"{variable}_centre_lon", covered.geometry.x.to_numpy(), "degrees"),
        (f"{variable}_centre_lat", covered.geometry.y.to_numpy(), "degrees"),
    ]
    frame = pd.concat(
        [pd.DataFrame({"district_code": codes, "period": period, "variable": name,
                       "dims": canonical_dims({"source": "raster"}), "value": values,
                       "unit": unit})
         for name, values, unit in parts],
        ignore_index=True,
    )
    return frame[OBSERVATION_COLUMNS], rejected


FEED = Raster()
