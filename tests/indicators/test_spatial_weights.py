"""Queen contiguity, row standardisation, GAL files and islands."""

import logging

import numpy as np
import pytest
from shapely.geometry import box

from indicators.measures.weights import (
    neighbour_counts,
    queen_contiguity,
    read_gal,
    row_standardise,
)


def grid_with_island():
    """A 3 × 3 grid of unit squares named by row and column, and one detached square."""
    cells = {f"r{r}c{c}": box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)}
    cells["island"] = box(10, 10, 11, 11)
    return list(cells.values()), list(cells)


def test_queen_links_edges_and_corners_and_keeps_the_island(caplog):
    geometries, ids = grid_with_island()
    with caplog.at_level(logging.WARNING):
        weights = queen_contiguity(geometries, ids)
    neighbours = weights.neighbours()
    assert sorted(neighbours["r0c0"]) == ["r0c1", "r1c0", "r1c1"]
    assert len(neighbours["r1c1"]) == 8
    assert len(neighbours["r0c1"]) == 5
    assert neighbours["island"] == []
    assert weights.islands == ("island",)
    assert "island" in caplog.text
    assert (weights.matrix != weights.matrix.T).nnz == 0


def test_row_standardise_keeps_island_rows_at_zero():
    weights = queen_contiguity(*grid_with_island())
    rows = row_standardise(weights.matrix).sum(axis=1)
    np.testing.assert_allclose(rows, [1.0] * 9 + [0.0])


def test_arabic_district_ids_survive():
    weights = queen_contiguity([box(0, 0, 1, 1), box(1, 0, 2, 1)], ["الشيخ جراح", "سلوان"])
    assert weights.neighbours() == {"الشيخ جراح": ["سلوان"], "سلوان": ["الشيخ جراح"]}


def test_missing_geometry_is_named():
    with pytest.raises(ValueError, match="district 'b' \\(row 1\\) has no geometry"):
        queen_contiguity([box(0, 0, 1, 1), None], ["a", "b"])


def test_read_gal_with_an_island(tmp_path):
    gal = tmp_path / "three.gal"
    gal.write_text("0 3 districts code\nA 1\nB\nB 1\nA\nC 0\n\n", encoding="utf-8")
    weights = read_gal(gal)
    assert weights.ids == ("A", "B", "C")
    assert weights.neighbours() == {"A": ["B"], "B": ["A"], "C": []}
    assert weights.islands == ("C",)
    np.testing.assert_array_equal(neighbour_counts(weights.matrix), [1, 1, 0])


def test_read_gal_names_the_bad_line(tmp_path):
    gal = tmp_path / "bad.gal"
    gal.write_text("2\n1 2\n2\n2 1\n1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.gal, line 3: district 1 announces 2 neighbours"):
        read_gal(gal)
    gal.write_text("2\n1 1\n3\n2 1\n1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 3: neighbour '3' is not a district id"):
        read_gal(gal)


@pytest.mark.realdata
def test_queen_from_stl_shapefile_equals_libpysal(pysal_data):
    import geopandas as gpd
    from libpysal.weights import Queen

    counties = gpd.read_file(pysal_data / "stl" / "stl_hom.shp")
    ours = queen_contiguity(counties.geometry).neighbours()
    oracle = Queen.from_dataframe(counties, use_index=False)
    assert {i: set(nb) for i, nb in ours.items()} == {
        str(i): {str(j) for j in nb} for i, nb in oracle.neighbors.items()
    }


@pytest.mark.realdata
def test_read_stl_gal_equals_libpysal(pysal_data):
    import libpysal

    ours = read_gal(pysal_data / "stl" / "stl.gal")
    oracle = libpysal.io.open(str(pysal_data / "stl" / "stl.gal")).read()
    assert list(ours.ids) == [str(i) for i in oracle.id_order]
    np.testing.assert_array_equal(ours.matrix.toarray(), oracle.sparse.toarray())
