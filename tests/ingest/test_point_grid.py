"""The grid that places most points by arithmetic (ingest.bigdata.grid) must give exactly what
point-in-polygon gives: checked cell by cell, and through the whole points job on both stores
against a brute-force shapely assignment of points planted where it is hardest."""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import numpy as np
import pytest
import shapely
from bigdata_city import write_csv

from ingest.bigdata.grid import BORDER, OUTSIDE, district_grid, grid_side
from ingest.bigdata.points import point_counts
from ingest.jobs import ingest_points
from ingest.spec import load_point_counts_spec
from observatory.models import City, IngestRun

CITY = City(slug="diagonal", name_en="Diagonal", local_crs="EPSG:32636")


def _districts() -> gpd.GeoDataFrame:
    """Seven districts in lon/lat around (33.05, 33.05), where lon ≈ lat so that swapped
    coordinates often land in the city: a square with a hole and an island in the hole, a
    neighbour whose shared edge has extra vertices, an L shape, a triangle with a diagonal
    edge, a two-part district touching the city's east edge with the lowest code, and one
    overlapping the L shape (points in the overlap count in both, as a join on ST_Contains
    counts them)."""
    box = shapely.box
    shapes = {
        "10": box(33.00, 33.00, 33.05, 33.05).difference(box(33.01, 33.01, 33.03, 33.03)),
        "11": shapely.segmentize(box(33.05, 33.00, 33.10, 33.05), 0.0071),
        "12": shapely.Polygon([(33.00, 33.05), (33.10, 33.05), (33.10, 33.10), (33.07, 33.10),
                               (33.07, 33.07), (33.00, 33.07)]),
        "13": box(33.015, 33.015, 33.025, 33.025),
        "14": shapely.Polygon([(33.00, 33.07), (33.07, 33.07), (33.00, 33.10)]),
        "02": shapely.MultiPolygon([box(33.10, 33.02, 33.11, 33.03),
                                    box(33.115, 33.00, 33.12, 33.01)]),
        "15": box(33.08, 33.08, 33.11, 33.11),
    }
    return gpd.GeoDataFrame({"code": list(shapes), "name_en": list(shapes),
                             "name_ar": ["حي " + code for code in shapes],
                             "area_m2": 1.0}, geometry=list(shapes.values()), crs="EPSG:4326")


def _cell_kinds(grid, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """What point_groups.sql computes per point: the kind of its cell, OUTSIDE beyond the grid."""
    ix, iy = np.floor((lon - grid.x0) / grid.size), np.floor((lat - grid.y0) / grid.size)
    on_grid = (ix >= 0) & (ix < grid.nx) & (iy >= 0) & (iy < grid.ny)
    kinds = np.full(len(lon), OUTSIDE)
    kinds[on_grid] = grid.kinds[(iy[on_grid] * grid.nx + ix[on_grid]).astype(np.int64)]
    return kinds


def _planted(districts: gpd.GeoDataFrame, grid, seed: int = 18) -> np.ndarray:
    """(lon, lat) rows: every vertex (holes too), edge midpoints, points a hair off vertices,
    points on the grid's cell lines along the borders, a few thousand random points over and
    around the city, their swapped twins, and points far away."""
    rng = np.random.default_rng(seed)
    vertices = shapely.get_coordinates(districts.geometry.values)
    rings = shapely.get_rings(shapely.get_parts(districts.geometry.values))
    midpoints = np.concatenate([(c[1:] + c[:-1]) / 2 for c in map(shapely.get_coordinates, rings)])
    hair = vertices + rng.choice([-1e-12, 0.0, 1e-12], size=vertices.shape)
    cuts = grid.x0 + grid.size * np.arange(grid.nx)
    grid_lines = np.concatenate([np.column_stack([cuts, np.full(grid.nx, y)])
                                 for y in (33.00, 33.05, 33.07, 33.0200001)]
                                + [np.column_stack([np.full(grid.ny, x),
                                                    grid.y0 + grid.size * np.arange(grid.ny)])
                                   for x in (33.05, 33.10, 33.0150002)])
    minx, miny, maxx, maxy = districts.total_bounds
    random = np.column_stack([rng.uniform(minx - 0.03, maxx + 0.03, 4000),
                              rng.uniform(miny - 0.03, maxy + 0.03, 4000)])
    far = np.array([[35.2, 31.9], [-70.0, 40.0], [33.05, 35.0]])
    return np.concatenate([vertices, midpoints, hair, grid_lines, random, random[:500, ::-1],
                           far])


def _brute_force(points: np.ndarray, districts: gpd.GeoDataFrame) -> dict:
    """Per point: every district containing it; else the lowest code it touches (a border);
    else outside, and whether (lat, lon) would be inside."""
    geoms, codes = districts.geometry.to_numpy(), districts["code"].to_numpy()
    here = shapely.points(points)
    contains = shapely.contains(geoms[None, :], here[:, None])
    touches = shapely.intersects(geoms[None, :], here[:, None])
    counts, on_border, outside, swapped = Counter(), 0, 0, 0
    union = shapely.union_all(geoms)
    for i, (lon, lat) in enumerate(points):
        if contains[i].any():
            counts.update(codes[contains[i]])
        elif touches[i].any():
            counts[min(codes[touches[i]])] += 1
            on_border += 1
        else:
            outside += 1
            swapped += bool(union.intersects(shapely.Point(lat, lon)))
    return {"counts": dict(counts), "on_border": on_border, "outside": outside,
            "swapped": swapped}


def _with_districts(store) -> gpd.GeoDataFrame:
    store.upsert_city(CITY)
    store.load(IngestRun(city=CITY.slug, feed="boundaries", source_name="diagonal.gpkg",
                         content_hash="diagonal"), districts=_districts())
    return store.districts(CITY.slug)


def test_the_grid_side_grows_with_the_districts_within_bounds():
    assert grid_side(1) == 256 and grid_side(30) == 701 and grid_side(500) == 2048


@pytest.mark.parametrize("side", [16, 100, grid_side(7), 1000])
def test_every_cell_kind_is_exact_for_points_anywhere_in_it(side):
    districts = _districts()
    grid = district_grid(districts, side)
    rng = np.random.default_rng(side)
    minx, miny, maxx, maxy = districts.total_bounds
    points = np.concatenate([
        np.column_stack([rng.uniform(minx - 0.02, maxx + 0.02, 200_000),
                         rng.uniform(miny - 0.02, maxy + 0.02, 200_000)]),
        _planted(districts, grid)])
    kinds = _cell_kinds(grid, points[:, 0], points[:, 1])
    here = shapely.points(points)
    geoms = districts.geometry.to_numpy()
    touches = shapely.intersects(geoms[None, :], here[:, None])

    interior = kinds >= 0
    assert shapely.contains_properly(geoms[kinds[interior]], here[interior]).all()
    assert (touches[interior].sum(axis=1) == 1).all()
    assert not touches[kinds == OUTSIDE].any()
    # Every kind is met, and the grid settles most points at all but the coarsest sides.
    assert {OUTSIDE, BORDER} <= set(kinds) and interior.sum() > 0
    if side >= 100:
        assert (kinds == BORDER).mean() < 0.25


def test_the_points_job_gives_what_point_in_polygon_gives(store, tmp_path):
    districts = _with_districts(store)
    grid = district_grid(districts)
    points = _planted(districts, grid)
    kinds = _cell_kinds(grid, points[:, 0], points[:, 1])
    swapped_on_grid = ((points[:, 1] >= grid.x0) & (points[:, 1] <= grid.x0 + grid.nx * grid.size)
                       & (points[:, 0] >= grid.y0) & (points[:, 0] <= grid.y0 + grid.ny * grid.size))
    # The job's every path is taken: placed by the grid, exact tests in border cells, outside
    # cells settled at once, and outside points whose swap lands on the grid tested exactly.
    assert (kinds >= 0).sum() > 1000 and (kinds == BORDER).sum() > 1000
    assert ((kinds == OUTSIDE) & ~swapped_on_grid).sum() > 10
    assert ((kinds == OUTSIDE) & swapped_on_grid).sum() > 10
    months = np.where(np.arange(len(points)) % 3 == 0, "2025-01-15", "2025-02-15")
    feed = write_csv(tmp_path / "points.csv", ["lon", "lat", "at", "kind"],
                     [[float(lon), float(lat), month, "K"]
                      for (lon, lat), month in zip(points, months, strict=True)])
    spec = tmp_path / "points.yaml"
    spec.write_text("feed: points\ncolumns: {lon: lon, lat: lat, time: at}\n"
                    "dimensions: {kind: {column: kind}}\nvariable: reports\nunit: reports\n"
                    "redact: false\n", encoding="utf-8")

    run = ingest_points(store, feed, CITY.slug, spec)

    expected = Counter()
    for month in ("2025-01", "2025-02"):
        truth = _brute_force(points[months == f"{month}-15"], districts)
        expected.update({(code, month): n for code, n in truth["counts"].items()})
    truth = _brute_force(points, districts)
    observed = {(r.district_code, r.period): r.value
                for r in store.observations(CITY.slug, variables=["reports"]).itertuples()}
    assert observed == {key: float(n) for key, n in expected.items()}
    assert run.status == "succeeded" and run.rows_read == len(points)
    assert truth["on_border"] > 100 and truth["outside"] > 100 and truth["swapped"] > 10
    assert f"{truth['on_border']:,} points on a district border" in run.message
    assert (f"{truth['outside']:,} points outside every district, not counted "
            f"({truth['swapped']:,} of them would be inside") in run.message


def test_a_grid_reaching_past_180_degrees_still_refuses_longitudes_beyond_it(tmp_path):
    """The on-grid test stands in for the coordinate check only where the grid lies within
    the valid degrees; a district on the antimeridian puts grid cells beyond 180°."""
    districts = gpd.GeoDataFrame({"code": ["01"]}, geometry=[shapely.box(179.5, -0.5, 180, 0.5)],
                                 crs="EPSG:4326")
    grid = district_grid(districts)
    beyond = float(180 + grid.size / 2)  # on the grid, in its last column of cells
    assert not grid.within_degrees() and grid.cells(np.array([beyond]), np.array([0.0]))[0] >= 0
    feed = write_csv(tmp_path / "points.csv", ["lon", "lat", "at"],
                     [[179.9, 0.1, "2025-01-15"], [beyond, 0.1, "2025-01-15"],
                      [179.8, -0.2, "2025-01-16"]])
    spec_path = tmp_path / "points.yaml"
    spec_path.write_text("feed: points\ncolumns: {lon: lon, lat: lat, time: at}\n"
                         "variable: reports\nunit: reports\nredact: false\n", encoding="utf-8")

    result = point_counts(feed, load_point_counts_spec(spec_path), districts, min_count=0)

    assert result.observations[["district_code", "period", "value"]].values.tolist() == [
        ["01", "2025-01", 2.0]]
    assert [(r.row_number, r.column) for r in result.rejected] == [(3, "lon")]
    assert "outside -180…180" in result.rejected[0].reason
