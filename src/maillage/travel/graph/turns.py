# numba kernels take plain arrays positionally (numba ignores the annotations).
"""Turn costs at intersections, as OSRM's car profile charges them.

OSRM (``process_turn`` of ``car.lua``) charges each turn at a node where more than two roads
meet, by its angle: a sigmoid that reaches ``turn_penalty`` (7.5 s) for sharp turns, biased
by ``turn_bias`` (1.075) towards turns away from oncoming traffic, plus up to
``oncoming_turn_penalty`` (2 s) for a turn across it outside roundabouts (France drives on
the right: left turns). Nodes of one or two roads (shape points, bends) cost nothing.

OSRM searches an edge-based graph, where the road a trip arrives by is known. maillage's
searches stay node-based and charge, when they extend the route of a settled node ``u``
to a neighbour, the turn between the last edge of that route and the new one
(:mod:`maillage.travel.graph.kernels`). Every time found is then the time of a real route
with car.lua's turn costs, but not always the best such route: a route whose turn at ``u``
would be cheaper than the one of ``u``'s settled route is not tried. Measured on the three
test extracts against an exact edge-based search of the same rules
(``scripts/road_graph_vs_osrm.py --exact``): 90 % of the pairs get the exact time, 3-9 % a
time more than 1 s longer, 1 % more than 5-7 s, none more than 13 s (on regular synthetic
grids, 85 % of the nodes, ``benchmarks/bench_turns_exact.py``). The exact search (one
state per road arriving at an intersection) was 2.2 times slower than without turn costs on
a road-like graph and 5 times on a grid where every node is a crossroads. This one reads
each turn from the graph's turn plan (:func:`maillage.travel.graph.kernels.turn_plan`,
computed once per graph) and is about 1.35 and 1.6 times slower (``benchmarks/README.md``).

Examples
--------
>>> [round(float(t), 2) for t in turn_cost_s(np.array([0.0, 90.0, -90.0, 180.0]))]
[0.01, 2.11, 7.32, 7.45]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numba import njit

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "MAX_TURN_S",
    "MIN_ROADS",
    "ONCOMING_PENALTY_S",
    "TURN_BIAS",
    "TURN_PENALTY_S",
    "count_roads",
    "turn_cost",
    "turn_cost_s",
    "turn_data",
    "turn_table",
]

TURN_PENALTY_S = 7.5
"""Largest turn duration of the sigmoid (car.lua ``turn_penalty``)."""

TURN_BIAS = 1.075
"""Bias towards turns away from oncoming traffic (car.lua ``turn_bias``)."""

ONCOMING_PENALTY_S = 2.0
"""Wait for a gap when crossing oncoming traffic (car.lua ``oncoming_turn_penalty``)."""

MIN_ROADS = 3
"""Turns cost where at least this many roads meet (car.lua: ``turn.number_of_roads > 2``)."""

MAX_TURN_S = TURN_PENALTY_S + ONCOMING_PENALTY_S
"""Upper bound of a turn's cost, seconds."""


@njit(cache=True, nogil=True)
def turn_cost(angle: float, roundabout: bool) -> float:
    """Return car.lua's turn duration for ``-180 <= angle <= 180`` (0 straight, > 0 right).

    Compiled (numba): the kernels call it. ``roundabout``: the turn enters or leaves one.

    Examples
    --------
    >>> round(turn_cost(-90.0, False), 2), round(turn_cost(-90.0, True), 2)
    (7.32, 5.39)
    """
    if angle >= 0:
        x = (13.0 / TURN_BIAS) * angle / 180.0 - 6.5 * TURN_BIAS
    else:
        x = (13.0 * TURN_BIAS) * -angle / 180.0 - 6.5 / TURN_BIAS
    cost = TURN_PENALTY_S / (1.0 + np.exp(-x))
    if angle < 0 and not roundabout:
        cost += ONCOMING_PENALTY_S / (1.0 + np.exp(-(13.0 * -angle / 180.0 - 3.25)))
    return cost


def turn_cost_s(angle_deg: np.ndarray, *, roundabout: bool = False) -> np.ndarray:
    """Return car.lua's duration of a turn at an intersection, seconds.

    Parameters
    ----------
    angle_deg : numpy.ndarray
        Turn angles in degrees, -180..180: 0 straight on, positive to the right.
    roundabout : bool, default False
        The turn enters or leaves a roundabout (no oncoming traffic to wait for).

    Returns
    -------
    numpy.ndarray
        Seconds (without the U-turn penalty).

    Examples
    --------
    >>> float(turn_cost_s(np.array([-90.0]), roundabout=True)[0]) < 6
    True
    """
    angles = np.asarray(angle_deg, dtype=np.float64)
    costs = [turn_cost(float(a), roundabout) for a in angles.ravel()]
    return np.array(costs, dtype=np.float64).reshape(angles.shape)


_CHUNK_NODES = 1 << 16  # nodes whose edge headings and roads are computed at once

TABLE_STEP_DEG = 0.1
"""Angle step of :func:`turn_table`."""


def turn_table() -> np.ndarray:
    """Return car.lua's turn cost tabulated for the kernels, shape (2, 7202).

    ``table[roundabout, k]`` for ``k < 7201`` is the cost of a turn of ``-360 + k`` x
    :data:`TABLE_STEP_DEG` degrees counter-clockwise (to the left when positive, modulo 360:
    a difference of two headings needs no wrapping), into or out of a roundabout or not.
    car.lua's cost jumps by 0.08 s from straight on to the slightest left turn: the last
    column holds the cost just to the left of straight on, which the kernels take for the
    step that starts there. They interpolate linearly between steps (within 1e-4 s).

    Examples
    --------
    >>> table = turn_table()
    >>> round(float(table[0, 4500]), 2), round(float(table[0, 2700]), 2)  # 90 left, 90 right
    (7.32, 2.11)
    >>> round(float(table[0, 3600]), 3), round(float(table[0, -1]), 3)  # 0, just left of 0
    (0.007, 0.092)
    """
    steps = round(360.0 / TABLE_STEP_DEG)
    ccw = np.arange(-steps, steps + 1) * TABLE_STEP_DEG
    wrapped = (ccw + 180.0) % 360.0 - 180.0  # -180 for a U-turn: car.lua angle 180
    left = -np.maximum(wrapped, 1e-9)  # car.lua angles: > 0 to the right
    right = -np.minimum(wrapped, 0.0)
    angle = np.where(wrapped > 0, left, right)
    angle[0] = -1e-9  # -360: the slightest left turn starts there too
    rows = [turn_cost_s(angle, roundabout=rb) for rb in (False, True)]
    just_left = [turn_cost_s(np.array([-1e-9]), roundabout=rb) for rb in (False, True)]
    return np.column_stack([np.stack(rows), np.concatenate(just_left)])


def count_roads(tails: np.ndarray, heads: np.ndarray, n: int) -> np.ndarray:
    """Return the number of distinct neighbours of every node, either direction.

    That is car.lua's ``turn.number_of_roads`` (a one-way road counts at both its ends).

    Parameters
    ----------
    tails, heads : numpy.ndarray of int
        Directed edges (parallel edges and both directions allowed).
    n : int
        Number of nodes.

    Returns
    -------
    numpy.ndarray of int64
        Roads at each node.

    Examples
    --------
    >>> count_roads(np.array([0, 1, 0, 2]), np.array([1, 0, 2, 0]), 3).tolist()
    [2, 1, 1]
    """
    tails, heads = np.asarray(tails), np.asarray(heads)  # 32-bit positions stay 32-bit
    loop = tails == heads
    if loop.any():
        tails, heads = tails[~loop], heads[~loop]
    del loop
    edges = sp.csr_matrix((np.ones(len(tails), dtype=np.int8), (tails, heads)), shape=(n, n))
    either = (edges + edges.T).tocsr()  # one entry per neighbour, whichever the direction
    return np.diff(either.indptr).astype(np.int64)


def turn_data(
    indptr: np.ndarray, indices: np.ndarray, xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the heading of every edge and the intersections of a CSR graph.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        CSR structure, each row sorted (as in every :class:`~maillage.travel.graph.graph.Graph`).
    xy : numpy.ndarray, shape (n, 2)
        Node coordinates in a conformal projection (every working CRS is one: Lambert-93,
        UTM): angles are kept, and the grid's rotation from true north cancels out of a
        turn's angle.

    Returns
    -------
    tuple of numpy.ndarray
        ``heading`` (float32 degrees, counter-clockwise from east) and ``junction`` (bool,
        nodes of :data:`MIN_ROADS` roads or more).

    Examples
    --------
    >>> xy = np.array([[0, 0], [1, 0], [0, 1], [-1, 0]], dtype=float)
    >>> heading, junction = turn_data(np.array([0, 3, 4, 5, 6]),
    ...                               np.array([1, 2, 3, 0, 0, 0]), xy)
    >>> heading.tolist(), junction.tolist()
    ([0.0, 90.0, 180.0, 180.0, -90.0, 0.0], [True, False, False, False])
    """
    heading = np.empty(len(indices), dtype=np.float32)
    for _, low, high, tails in _row_chunks(indptr):  # no per-edge float64 array
        step = xy[indices[low:high]] - xy[tails]
        heading[low:high] = np.degrees(np.arctan2(step[:, 1], step[:, 0]))
    return heading, _csr_roads(indptr, indices) >= MIN_ROADS


def _row_chunks(indptr: np.ndarray) -> Iterator[tuple[int, int, int, np.ndarray]]:
    """Yield the first row, the edge range and each edge's tail of chunks of CSR rows."""
    n = len(indptr) - 1
    for start in range(0, n, _CHUNK_NODES):
        stop = min(start + _CHUNK_NODES, n)
        tails = np.repeat(np.arange(start, stop), np.diff(indptr[start : stop + 1]))
        yield start, int(indptr[start]), int(indptr[stop]), tails


def _csr_roads(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Return :func:`count_roads` of a CSR graph whose rows are sorted, by chunks of rows.

    Each edge ``v -> u`` makes ``u`` a road of ``v``, and ``v`` one of ``u`` unless ``u -> v``
    exists too (then counted from ``u``'s row); self-loops and repeated edges are skipped.
    One int64 key per edge, ``tail * n + head`` (ascending), finds the reverse edges.
    """
    n = len(indptr) - 1
    keys = np.empty(len(indices), dtype=np.int64)
    for _, low, high, tails in _row_chunks(indptr):
        np.multiply(tails, n, out=keys[low:high])
        keys[low:high] += indices[low:high]
    roads = np.zeros(n, dtype=np.int64)
    one_way = [np.empty(0, dtype=np.int64)]  # heads of the edges without a reverse
    for start, low, high, row_tails in _row_chunks(indptr):
        if high == low:
            continue
        heads = np.asarray(indices[low:high], dtype=np.int64)
        before = keys[low - 1 : high - 1] if low else np.r_[-1, keys[: high - 1]]
        valid = (row_tails != heads) & (keys[low:high] != before)
        tails, heads = row_tails[valid], heads[valid]
        roads[start : start + _CHUNK_NODES] += np.bincount(
            tails - start, minlength=len(roads[start : start + _CHUNK_NODES])
        )
        reverse = heads * n + tails
        at = np.minimum(np.searchsorted(keys, reverse), len(keys) - 1)
        one_way.append(heads[keys[at] != reverse])
    return roads + np.bincount(np.concatenate(one_way), minlength=n)
