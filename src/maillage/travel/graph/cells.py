"""Square cells that index road segments, to find the nearest segment of many points.

Each segment is listed in every cell of :data:`CELL_M` its bounding box overlaps, and again
in coarse cells :data:`COARSE` times larger. A compiled kernel visits the cells in rings
around each point until no farther ring can hold a nearer segment: the answer is exact, with
no Python per point. A point with no road within a few fine rings (in the mountains, at sea)
searches the coarse cells instead, which reach the distance allowed in a few rings.

Examples
--------
>>> cells = SegmentCells.of(np.array([[0.0, 0.0], [1000.0, 0.0]]), np.array([0]), np.array([1]))
>>> cells.nearest(np.array([[500.0, 30.0], [500.0, 3000.0]]), max_snap_m=100.0).tolist()
[0, -1]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit

__all__ = ["CELL_M", "COARSE", "CellIndex", "SegmentCells"]

CELL_M = 50.0
"""Side of the square cells that index the segments for placing points."""

COARSE = 16
"""Fine cells per side of a coarse cell (800 m)."""

_KEY_SPAN = 1 << 31
"""Cells per row of the grid's keys (``row * span + column``): more than any territory has."""


@dataclass(frozen=True)
class CellIndex:
    """Segments listed by the square cells of ``cell_m`` their bounding box overlaps.

    Attributes
    ----------
    keys : numpy.ndarray of int64
        Sorted keys (``row * span + column``) of the cells holding a segment.
    starts : numpy.ndarray of int64
        Where each cell's segments start in ``owner`` (one more entry than ``keys``).
    owner : numpy.ndarray of int32
        Segments, cell after cell.
    corner : numpy.ndarray, shape (2,)
        Lower-left corner of the grid.
    cell_m : float
        Side of a cell.
    """

    keys: np.ndarray
    starts: np.ndarray
    owner: np.ndarray
    corner: np.ndarray
    cell_m: float

    @classmethod
    def of(cls, node_xy: np.ndarray, a: np.ndarray, b: np.ndarray, cell_m: float) -> CellIndex:
        """Index the segments ``a[i] -> b[i]`` by the cells their pieces' boxes overlap.

        A segment longer than a cell is cut into pieces of at most ``cell_m``, each listed
        by its own bounding box: a long diagonal segment (a ferry line, a straight road
        without nodes) costs cells along its length, not the area of its box.
        """
        piece, ax, bx = _pieces(node_xy, a, b, cell_m)
        corner = np.minimum(ax.min(axis=0), bx.min(axis=0)) - cell_m
        low = ((np.minimum(ax, bx) - corner) // cell_m).astype(np.int32)
        width = ((np.maximum(ax, bx) - corner) // cell_m).astype(np.int32) - low + 1
        del ax, bx
        count = width[:, 0].astype(np.int64) * width[:, 1]
        # one entry per piece and cell its box overlaps, in 32 bits where it can be
        owner = np.repeat(np.arange(len(piece), dtype=np.int32), count)
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
        owner = piece[owner[order]]  # the piece's segment
        del order, piece
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        return cls(key[first], np.append(first, len(key)), owner, corner, float(cell_m))


@dataclass(frozen=True)
class SegmentCells:
    """Segments ``a[i] -> b[i]`` between the points ``node_xy``, indexed at two cell sizes.

    Attributes
    ----------
    fine : CellIndex
        The segments by cells of :data:`CELL_M` (:attr:`coarse`: :data:`COARSE` times that).
    node_xy, a, b : numpy.ndarray
        The segments' end points.
    """

    fine: CellIndex
    node_xy: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @classmethod
    def of(cls, node_xy: np.ndarray, a: np.ndarray, b: np.ndarray) -> SegmentCells:
        """Index the segments ``a[i] -> b[i]`` by fine cells (coarse ones when first needed)."""
        return cls(CellIndex.of(node_xy, a, b, CELL_M), node_xy, a, b)

    @cached_property
    def coarse(self) -> CellIndex:
        """The segments by coarse cells, built for the first point with no road near."""
        return CellIndex.of(self.node_xy, self.a, self.b, CELL_M * COARSE)

    def nearest(self, xy: np.ndarray, *, max_snap_m: float) -> np.ndarray:
        """Return the nearest segment of each point (lowest among equals), -1 beyond ``max_snap_m``.

        Each point first searches the fine cells out to :data:`FINE_RINGS` rings; a point not
        settled there (no road that near) searches the coarse cells, whose few rings reach
        ``max_snap_m`` at once. Both searches are exact. Points are visited in the order of
        their coarse cell, so that neighbours share the cells in memory.
        """
        found = np.full(len(xy), -1, np.int64)
        if len(xy) == 0 or len(self.a) == 0:
            return found
        cell = ((xy - self.fine.corner) // (self.fine.cell_m * COARSE)).astype(np.int64)
        order = np.lexsort((cell[:, 0], cell[:, 1]))
        points = np.ascontiguousarray(xy[order])
        ends = (self.node_xy, self.a, self.b)
        near, settled = _nearest_segments(points, max_snap_m, _grid(self.fine), ends, FINE_RINGS)
        rest = np.flatnonzero(~settled)
        if len(rest):
            far, _ = _nearest_segments(points[rest], max_snap_m, _grid(self.coarse), ends, -1)
            near[rest] = far
        found[order] = near
        return found


def _pieces(
    node_xy: np.ndarray, a: np.ndarray, b: np.ndarray, cell_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut each segment into pieces of at most ``cell_m``: their segment and two ends."""
    start, step = node_xy[a], node_xy[b] - node_xy[a]
    count = np.maximum(np.ceil(np.hypot(step[:, 0], step[:, 1]) / cell_m), 1).astype(np.int64)
    if (count == 1).all():
        return np.arange(len(a), dtype=np.int32), start, start + step
    piece = np.repeat(np.arange(len(a), dtype=np.int32), count)
    rank = np.arange(len(piece)) - np.repeat(np.cumsum(count) - count, count)
    share = count[piece].astype(np.float64)
    ends = [
        start[piece] + step[piece] * (np.minimum(rank + k, share) / share)[:, None] for k in (0, 1)
    ]
    return piece, ends[0], ends[1]


FINE_RINGS = 6
"""Rings of fine cells a point searches (300 m) before it turns to the coarse cells."""


def _grid(index: CellIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    return index.keys, index.starts, index.owner, index.corner, index.cell_m


@njit(cache=True, nogil=True)
def _cell_segments(keys: np.ndarray, starts: np.ndarray, key: int) -> tuple[int, int]:
    at = np.searchsorted(keys, key)
    if at < len(keys) and keys[at] == key:
        return starts[at], starts[at + 1]
    return 0, 0


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
    grid: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float],
    ends: tuple[np.ndarray, np.ndarray, np.ndarray],
    max_ring: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per point, the nearest segment (lowest index among equals), -1 beyond ``max_snap_m``.

    Visits the cells in rings around the point's cell; a segment not yet seen lies outside
    the block of cells visited, so the search stops once the best is nearer than the
    block's edge, or once the block holds every point within ``max_snap_m``. With
    ``max_ring`` >= 0 it gives up after that ring: ``settled`` is False for those points.
    """
    keys, starts, owner, corner, cell_m = grid
    node_xy, a, b = ends
    found = np.full(len(xy), -1, np.int64)
    settled = np.ones(len(xy), np.bool_)
    for i in range(len(xy)):
        px, py = xy[i, 0], xy[i, 1]
        cx = int((px - corner[0]) // cell_m)
        cy = int((py - corner[1]) // cell_m)
        best, best_d2, ring = -1, np.inf, 0
        while ring * cell_m <= max_snap_m + cell_m:
            if 0 <= max_ring < ring:
                settled[i] = False
                break
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
                px - corner[0] - (cx - ring) * cell_m,
                corner[0] + (cx + ring + 1) * cell_m - px,
                py - corner[1] - (cy - ring) * cell_m,
                corner[1] + (cy + ring + 1) * cell_m - py,
            )
            if best >= 0 and best_d2 <= margin * margin:
                break
            ring += 1
        if settled[i] and best_d2 <= max_snap_m * max_snap_m:
            found[i] = best
    return found, settled
