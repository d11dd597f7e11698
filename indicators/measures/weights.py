"""Spatial weights between districts: queen contiguity, GAL files, row standardisation.

Weights are a scipy sparse n × n matrix whose row i holds the neighbours of district ids[i].
Islands (districts with no neighbour) keep an all-zero row: they are reported, never dropped,
so that results stay aligned with the district table.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from scipy import sparse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpatialWeights:
    ids: tuple[str, ...]
    matrix: sparse.csr_array

    @property
    def cardinalities(self) -> np.ndarray:
        return neighbour_counts(self.matrix)

    @property
    def islands(self) -> tuple[str, ...]:
        return tuple(np.asarray(self.ids, dtype=object)[self.cardinalities == 0])

    def neighbours(self) -> dict[str, list[str]]:
        ids = np.asarray(self.ids, dtype=object)
        links = without_self_weights(self.matrix)
        return {
            ids[i]: list(ids[links.indices[start:end]])
            for i, (start, end) in enumerate(zip(links.indptr[:-1], links.indptr[1:]))
        }


def without_self_weights(matrix: sparse.sparray | sparse.spmatrix) -> sparse.csr_array:
    """The weights with the diagonal and explicit zeros removed: the links to other districts."""
    matrix = sparse.csr_array(matrix, dtype=float)
    off_diagonal = sparse.csr_array(matrix - sparse.diags_array(matrix.diagonal()))
    off_diagonal.eliminate_zeros()
    return off_diagonal


def neighbour_counts(matrix: sparse.sparray | sparse.spmatrix) -> np.ndarray:
    """Number of neighbours of each district, self-weights not counted; 0 marks an island."""
    return np.diff(without_self_weights(matrix).indptr)


def _report_islands(weights: SpatialWeights, source: str) -> SpatialWeights:
    if weights.islands:
        logger.warning(
            "%s: %d district(s) have no neighbours and get no local statistic: %s",
            source,
            len(weights.islands),
            ", ".join(weights.islands),
        )
    return weights


def queen_contiguity(
    geometries: Sequence[shapely.Geometry] | np.ndarray, ids: Sequence[object] | None = None
) -> SpatialWeights:
    """Binary queen contiguity: districts are neighbours when their polygons share at least one
    point (an edge or a corner).

    Uses shapely's STRtree with the `intersects` predicate, which on clean district layers gives
    the same neighbours as libpysal's vertex-matching `Queen`, and also links districts whose
    boundaries overlap by digitising slivers instead of leaving them unconnected. Pass a GeoSeries
    (its index becomes the ids) or geometries with `ids`.
    """
    geoms = np.asarray(geometries, dtype=object)
    if ids is None:
        ids = geometries.index if isinstance(geometries, pd.Series) else range(len(geoms))
    labels = tuple(str(i) for i in ids)
    if len(labels) != len(geoms):
        raise ValueError(f"{len(geoms)} geometries but {len(labels)} ids; pass one id per polygon")
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.size:
        raise ValueError(
            f"district {labels[missing[0]]!r} (row {missing[0]}) has no geometry; load its "
            "boundary or leave it out of the weights"
        )
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left != right
    n = len(geoms)
    matrix = sparse.csr_array(
        (np.ones(keep.sum()), (left[keep], right[keep])), shape=(n, n), dtype=float
    )
    return _report_islands(SpatialWeights(labels, matrix), "queen contiguity")


def row_standardise(matrix: sparse.sparray | sparse.spmatrix) -> sparse.csr_array:
    """w_ij / Σ_j w_ij, so that each row sums to 1; island rows stay all zero."""
    matrix = sparse.csr_array(matrix, dtype=float)
    row_sums = matrix.sum(axis=1)
    scale = np.divide(1.0, row_sums, out=np.zeros_like(row_sums), where=row_sums != 0)
    return sparse.csr_array(sparse.diags_array(scale) @ matrix)


def _gal_error(path: Path, line: int, problem: str) -> ValueError:
    return ValueError(
        f"{path}, line {line}: {problem}; a GAL file is a header line 'n' (or '0 n shapefile "
        "id_column'), then per district a line 'id k' followed by a line with its k neighbour ids"
    )


def read_gal(path: Path | str) -> SpatialWeights:
    """Binary weights from a GeoDa/PySAL GAL file, districts in the order the file lists them."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise _gal_error(path, 1, "the file is empty")
    header = lines[header_at].split()
    count_field = header[1] if len(header) >= 2 and header[0] == "0" else header[0]
    if not count_field.isdigit():
        raise _gal_error(path, header_at + 1, f"header {lines[header_at]!r} has no district count")
    ids: list[str] = []
    neighbour_lists: list[tuple[int, list[str]]] = []
    cursor = header_at + 1
    for _ in range(int(count_field)):
        while cursor < len(lines) and not lines[cursor].strip():
            cursor += 1
        if cursor >= len(lines):
            raise _gal_error(
                path, cursor, f"the header announces {count_field} districts, found {len(ids)}"
            )
        id_fields = lines[cursor].split()
        if len(id_fields) != 2 or not id_fields[1].isdigit():
            raise _gal_error(path, cursor + 1, f"expected 'id k', found {lines[cursor]!r}")
        # The neighbour line follows even when k = 0 (then it is blank or missing at the end).
        neighbours = lines[cursor + 1].split() if cursor + 1 < len(lines) else []
        if len(neighbours) != int(id_fields[1]):
            raise _gal_error(
                path,
                cursor + 2,
                f"district {id_fields[0]} announces {id_fields[1]} neighbours but the next line "
                f"lists {len(neighbours)}",
            )
        ids.append(id_fields[0])
        neighbour_lists.append((cursor + 2, neighbours))
        cursor += 2
    position = {district: i for i, district in enumerate(ids)}
    if len(position) != len(ids):
        raise _gal_error(path, header_at + 1, "a district id is listed twice")
    rows, cols = [], []
    for i, (line_number, neighbours) in enumerate(neighbour_lists):
        for neighbour in neighbours:
            if neighbour not in position:
                raise _gal_error(path, line_number, f"neighbour {neighbour!r} is not a district id")
            rows.append(i)
            cols.append(position[neighbour])
    n = len(ids)
    matrix = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n), dtype=float)
    matrix.data[:] = 1.0  # a neighbour listed twice is still one neighbour
    return _report_islands(SpatialWeights(tuple(ids), matrix), str(path))
