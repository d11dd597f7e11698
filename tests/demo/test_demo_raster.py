import numpy as np
import rasterio
from rasterio.features import rasterize


def test_raster_is_float32_in_the_local_crs_with_nodata(demo) -> None:
    with rasterio.open(demo.population_raster) as raster:
        assert raster.crs.to_string() == demo.city.local_crs
        assert raster.dtypes == ("float32",) and raster.count == 1
        assert raster.nodata == -9999.0
        assert raster.res == (100.0, 100.0)
        band = raster.read(1, masked=True)
    assert band.mask.any() and not band.mask.all()  # outside the city is nodata
    assert (band.compressed() >= 0).all()


def test_district_sums_match_the_latest_census(demo, districts, census) -> None:
    with rasterio.open(demo.population_raster) as raster:
        band = raster.read(1)
        zones = rasterize(
            zip(districts.to_crs(raster.crs).geometry, range(1, len(districts) + 1)),
            out_shape=band.shape, transform=raster.transform, fill=0, dtype="int32",
        )
        valid = band != raster.nodata
    sums = np.bincount(zones[valid], weights=band[valid], minlength=len(districts) + 1)[1:]
    expected = (
        census[census["YEAR"] == 2025].groupby("DISTRICT_CODE")["total"].sum()
        .reindex(districts["code"]).to_numpy()
    )
    assert np.allclose(sums, expected, rtol=0.03)
    assert abs(sums.sum() - expected.sum()) < 0.005 * expected.sum()
