"""A raster is opened only when its file and its declared sizes are within the limits: only the
header is read before that (the corpus holds the big declared sizes as tiny sparse files)."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_rasters import write_raster

from ingest.errors import IngestError
from ingest.raster import open_raster
from observatory.settings import ResourceSettings


def test_a_raster_file_above_the_size_limit_is_refused_before_it_is_opened(tmp_path):
    raster = write_raster(tmp_path / "people_2025.tif", np.ones((20, 20), dtype="float32"))
    size = raster.stat().st_size

    with pytest.raises(IngestError, match=r"people_2025\.tif: the raster file is .* MiB; .*"
                       r"fix: clip the raster .*OBSERVATORY_MAX_RASTER_BYTES"):
        open_raster(raster, ResourceSettings(max_raster_bytes=size - 1))
    with open_raster(raster, ResourceSettings(max_raster_bytes=size)) as src:
        assert (src.width, src.height) == (20, 20)


def test_the_declared_size_counts_every_band_and_byte(tmp_path):
    raster = write_raster(tmp_path / "people_2025.tif", np.ones((20, 30), dtype="float64"))
    decoded = 20 * 30 * 8

    with pytest.raises(IngestError, match=r"declares 30 x 20 pixels x 1 band\(s\) of 8 bytes"):
        open_raster(raster, ResourceSettings(max_raster_decoded_bytes=decoded - 1))
    with open_raster(raster, ResourceSettings(max_raster_decoded_bytes=decoded)):
        pass
