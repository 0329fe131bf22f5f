"""Square cells that index road segments, to find the nearest segment of many points.

Each segment is listed in every cell of :data:`CELL_M` its bounding box overlaps. A compiled
kernel visits the cells in rings around each point until no farther ring can hold a nearer
segment: the answer is exact, with no Python per point. Coarse cells (:data:`COARSE` cells a
side) let a point with no road within the distance allowed be left unplaced at once.

Examples
--------
>>> cells = SegmentCells.of(np.array([[0.0, 0.0], [1000.0, 0.0]]), np.array([0]), np.array([1]))
>>> cells.nearest(np.array([[500.0, 30.0], [500.0, 3000.0]]), max_snap_m=100.0).tolist()
[0, -1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

__all__ = ["CELL_M", "COARSE", "SegmentCells"]

CELL_M = 50.0
"""Side of the square cells that index the segments for placing points."""

COARSE = 16
"""Cells per side of a coarse cell: a point with no segment in the coarse cells around it
within the distance allowed is unplaced without visiting every cell out to that distance."""

_KEY_SPAN = 1 << 31
"""Cells per row of the grid's keys (``row * span + column``): more than any territory has."""


@dataclass(frozen=True)
class SegmentCells:
    """Segments ``a[i] -> b[i]`` between the points ``node_xy``, indexed by square cell.

    Attributes
    ----------
    keys : numpy.ndarray of int64
        Sorted keys (``row * span + column``) of the cells holding a segment.
    starts : numpy.ndarray of int64
        Where each cell's segments start in ``owner`` (one more entry than ``keys``).
    owner : numpy.ndarray of int32
        Segments, cell after cell.
    coarse : numpy.ndarray of int64
        Sorted keys of the coarse cells holding a segment.
    corner : numpy.ndarray, shape (2,)
        Lower-left corner of the grid.
    node_xy, a, b : numpy.ndarray
        The segments' end points.
    """

    keys: np.ndarray
    starts: np.ndarray
    owner: np.ndarray
    coarse: np.ndarray
    corner: np.ndarray
    node_xy: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @classmethod
    def of(cls, node_xy: np.ndarray, a: np.ndarray, b: np.ndarray) -> SegmentCells:
        """Index the segments ``a[i] -> b[i]`` by the cells their bounding box overlaps."""
        ax, bx = node_xy[a], node_xy[b]
        corner = np.minimum(ax.min(axis=0), bx.min(axis=0)) - CELL_M
        low = ((np.minimum(ax, bx) - corner) // CELL_M).astype(np.int32)
        width = ((np.maximum(ax, bx) - corner) // CELL_M).astype(np.int32) - low + 1
        del ax, bx
        count = width[:, 0].astype(np.int64) * width[:, 1]
        # one entry per segment and cell its box overlaps, in 32 bits where it can be
        owner = np.repeat(np.arange(len(a), dtype=np.int32), count)
        rank = np.arange(len(owner), dtype=np.int64)
        rank -= np.repeat(np.cumsum(count) - count, count)
        key = np.empty(len(owner), np.int64)  # row * span + column, built in place
        np.floor_divide(rank, width[owner, 0], out=key)
        key += low[owner, 1]
        key *= _KEY_SPAN
        np.remainder(rank, width[owner, 0], out=rank)
        key += rank
        key += low[owner, 0]
        del rank, low, width, count
        order = np.argsort(key, kind="stable")
        key = key[order]
        owner = owner[order]
        del order
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        keys, starts = key[first], np.append(first, len(key))
        del key
        row, column = keys // _KEY_SPAN, keys % _KEY_SPAN
        coarse = np.unique((row // COARSE) * _KEY_SPAN + column // COARSE)
        return cls(keys, starts, owner, coarse, corner, node_xy, a, b)

    def nearest(self, xy: np.ndarray, *, max_snap_m: float) -> np.ndarray:
        """Return the nearest segment of each point (lowest among equals), -1 beyond ``max_snap_m``.

        Points are visited in the order of their coarse cell, so that neighbours share the
        cells in memory.
        """
        if len(xy) == 0 or len(self.a) == 0:
            return np.full(len(xy), -1, np.int64)
        cell = ((xy - self.corner) // (CELL_M * COARSE)).astype(np.int64)
        order = np.lexsort((cell[:, 0], cell[:, 1]))
        found = np.empty(len(xy), np.int64)
        grid = (self.keys, self.starts, self.owner, self.coarse)
        ends = (self.node_xy, self.a, self.b)
        found[order] = _nearest_segments(
            np.ascontiguousarray(xy[order]), max_snap_m, grid, self.corner, ends
        )
        return found


@njit(cache=True, nogil=True)
def _cell_segments(keys: np.ndarray, starts: np.ndarray, key: int) -> tuple[int, int]:
    at = np.searchsorted(keys, key)
    if at < len(keys) and keys[at] == key:
        return starts[at], starts[at + 1]
    return 0, 0


@njit(cache=True, nogil=True)
def _any_coarse(coarse: np.ndarray, ccx: int, ccy: int, reach: int) -> bool:
    """Whether a coarse cell within ``reach`` coarse cells of (ccx, ccy) holds a segment."""
    for gy in range(ccy - reach, ccy + reach + 1):
        low = np.searchsorted(coarse, gy * _KEY_SPAN + ccx - reach)
        if low < len(coarse) and coarse[low] <= gy * _KEY_SPAN + ccx + reach:
            return True
    return False


@njit(cache=True, nogil=True)
def _gap2(px: float, py: float, a: np.ndarray, b: np.ndarray) -> float:
    """Squared distance from (px, py) to the segment a-b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = ((px - a[0]) * dx + (py - a[1]) * dy) / length2 if length2 > 0 else 0.0
    t = min(max(t, 0.0), 1.0)
    gx, gy = px - a[0] - t * dx, py - a[1] - t * dy
    return gx * gx + gy * gy


@njit(cache=True, nogil=True)
def _nearest_segments(
    xy: np.ndarray,
    max_snap_m: float,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    corner: np.ndarray,
    ends: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Per point, the nearest segment (lowest index among equals), -1 beyond ``max_snap_m``.

    Visits the cells in rings around the point's cell; a segment not yet seen lies outside
    the block of cells visited, so the search stops once the best is nearer than the
    block's edge. A point whose surrounding coarse cells out to ``max_snap_m`` hold no
    segment is left unplaced at once.
    """
    keys, starts, owner, coarse = grid
    node_xy, a, b = ends
    found = np.full(len(xy), -1, np.int64)
    reach = int(np.ceil((max_snap_m + CELL_M) / (CELL_M * COARSE)))
    for i in range(len(xy)):
        px, py = xy[i, 0], xy[i, 1]
        cx = int((px - corner[0]) // CELL_M)
        cy = int((py - corner[1]) // CELL_M)
        if not _any_coarse(coarse, cx // COARSE, cy // COARSE, reach):
            continue  # no segment within max_snap_m: unplaced
        best, best_d2, ring = -1, np.inf, 0
        while ring * CELL_M <= max_snap_m + CELL_M:
            for gy in range(cy - ring, cy + ring + 1):
                step = 1 if abs(gy - cy) == ring else 2 * ring
                for gx in range(cx - ring, cx + ring + 1, max(step, 1)):
                    lo, hi = _cell_segments(keys, starts, gy * _KEY_SPAN + gx)
                    for j in range(lo, hi):
                        s = owner[j]
                        d2 = _gap2(px, py, node_xy[a[s]], node_xy[b[s]])
                        if d2 < best_d2 or (d2 == best_d2 and s < best):
                            best, best_d2 = s, d2
            # every segment not yet seen lies outside the block of cells visited
            margin = min(
                px - corner[0] - (cx - ring) * CELL_M,
                corner[0] + (cx + ring + 1) * CELL_M - px,
                py - corner[1] - (cy - ring) * CELL_M,
                corner[1] + (cy + ring + 1) * CELL_M - py,
            )
            if best >= 0 and best_d2 <= margin * margin:
                break
            ring += 1
        if best_d2 <= max_snap_m * max_snap_m:
            found[i] = best
    return found
