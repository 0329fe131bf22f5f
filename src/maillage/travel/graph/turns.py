# numba kernels take plain arrays positionally (numba ignores the annotations).
# ruff: noqa: PLR0917
"""Turn costs at intersections, exactly as OSRM's car profile charges them.

OSRM (``process_turn`` of ``car.lua``) charges each turn at a node where more than two roads
meet, by its angle: a sigmoid that reaches ``turn_penalty`` (7.5 s) for sharp turns, biased
by ``turn_bias`` (1.075) towards turns away from oncoming traffic, plus up to
``oncoming_turn_penalty`` (2 s) for a turn across it outside roundabouts (France drives on
the right: left turns), and ``u_turn_penalty`` (20 s) on top of the sigmoid for a U-turn.

The cost of a turn depends on the road a trip arrives by, which a node-based search does
not know. :func:`expand_turns` makes it known where it matters: every intersection node
``v`` (three roads or more) gets, besides its own state (where trips *start*, turn-free),
one state per road arriving at it, ``v`` *entered from* ``u``; the edge ``u -> v`` leads
to that state, whose out-edges ``v -> w`` carry car.lua's turn cost of ``u -> v -> w``.
Nodes of one or two roads (shape points, bends) keep one state: no turn cost there in
OSRM either. The states are 1.2 to 1.4 times the nodes of a real OSM graph.

A U-turn at an intersection is allowed only where an arrival has no other way out, with
``u_turn_penalty``, as OSRM allows U-turns only at dead ends. Nodes of one or two roads keep
a single state, so a trip could still turn back at the shape node next to an intersection,
for free, to arrive at it by another road and trade a left turn for a right one; OSRM cannot.
Splitting those nodes too would close the loophole at a higher cost: on the three test
extracts, arrival states at intersections only give 1.2-1.5 times the edges of the plain
graph and a median ratio to OSRM of 0.985-0.999; adding the intersections' neighbours,
1.4-1.9 times the edges and 0.997-1.002; every node (a fully edge-based graph), 2.1-2.2
times and 0.998-1.003 (``benchmarks/README.md``).

Examples
--------
>>> [round(float(t), 2) for t in turn_cost_s(np.array([0.0, 90.0, -90.0, 180.0]))]
[0.01, 2.11, 7.32, 7.45]
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit

__all__ = [
    "MIN_ROADS",
    "ONCOMING_PENALTY_S",
    "TURN_BIAS",
    "TURN_PENALTY_S",
    "U_TURN_PENALTY_S",
    "count_roads",
    "expand_turns",
    "turn_cost_s",
]

TURN_PENALTY_S = 7.5
"""Largest turn duration of the sigmoid (car.lua ``turn_penalty``)."""

TURN_BIAS = 1.075
"""Bias towards turns away from oncoming traffic (car.lua ``turn_bias``)."""

ONCOMING_PENALTY_S = 2.0
"""Wait for a gap when crossing oncoming traffic (car.lua ``oncoming_turn_penalty``)."""

U_TURN_PENALTY_S = 20.0
"""Added to a U-turn (car.lua ``properties.u_turn_penalty``)."""

MIN_ROADS = 3
"""Turns cost where at least this many roads meet (car.lua: ``turn.number_of_roads > 2``)."""


@njit(cache=True, nogil=True)
def _turn_cost(angle: float, roundabout: bool) -> float:
    """car.lua ``process_turn`` for ``-180 <= angle <= 180`` (0 straight, > 0 right)."""
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
    costs = [_turn_cost(float(a), roundabout) for a in angles.ravel()]
    return np.array(costs, dtype=np.float64).reshape(angles.shape)


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
    tails, heads = np.asarray(tails, dtype=np.int64), np.asarray(heads, dtype=np.int64)
    loop = tails == heads
    edges = sp.csr_matrix(
        (np.ones(int((~loop).sum()), dtype=np.int8), (tails[~loop], heads[~loop])), shape=(n, n)
    )
    either = (edges + edges.T).tocsr()  # one entry per neighbour, whichever the direction
    return np.diff(either.indptr).astype(np.int64)


@njit(cache=True, nogil=True)
def _exits(indptr: np.ndarray, indices: np.ndarray, u: int, v: int) -> int:
    """Count the ways on from ``v`` after arriving from ``u``.

    All out-edges but the U-turn, or the U-turn alone when there is nothing else.
    """
    count = 0
    for f in range(indptr[v], indptr[v + 1]):
        count += indices[f] != u
    return count if count else indptr[v + 1] - indptr[v]


@njit(cache=True, nogil=True)
def _layout(
    indptr: np.ndarray, indices: np.ndarray, tails: np.ndarray, split: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lay out the states and their out-edges.

    Each node's own state, then one per edge into it when it is split. Returns
    ``state_ptr``, the arrival state of each edge (``copy``, -1 if none) and ``out_ptr``.
    """
    n = len(indptr) - 1
    indeg = np.zeros(n, dtype=np.int64)
    for e in range(len(indices)):
        indeg[indices[e]] += 1
    state_ptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        state_ptr[v + 1] = state_ptr[v] + 1 + (indeg[v] if split[v] else 0)
    copy = np.full(len(indices), -1, dtype=np.int64)
    filled = np.zeros(n, dtype=np.int64)
    for e in range(len(indices)):
        v = indices[e]
        if split[v]:
            filled[v] += 1
            copy[e] = state_ptr[v] + filled[v]
    out_ptr = np.zeros(state_ptr[n] + 1, dtype=np.int64)
    for u in range(n):
        out_ptr[state_ptr[u] + 1] = indptr[u + 1] - indptr[u]
    for e in range(len(indices)):
        if copy[e] >= 0:
            out_ptr[copy[e] + 1] = _exits(indptr, indices, tails[e], indices[e])
    return state_ptr, copy, np.cumsum(out_ptr)


@njit(cache=True, nogil=True)
def _expand(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    xy: np.ndarray,
    roundabout: np.ndarray,
    split: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(indptr) - 1
    tails = np.empty(len(indices), dtype=np.int64)
    heading = np.empty(len(indices))
    for u in range(n):
        for e in range(indptr[u], indptr[u + 1]):
            tails[e] = u
            v = indices[e]
            heading[e] = np.degrees(np.arctan2(xy[v, 1] - xy[u, 1], xy[v, 0] - xy[u, 0]))
    state_ptr, copy, out_ptr = _layout(indptr, indices, tails, split)
    out_head = np.empty(out_ptr[-1], dtype=np.int32)
    out_weight = np.empty(out_ptr[-1], dtype=np.float64)
    for u in range(n):  # a node's own state: trips start there, turn-free
        slot = out_ptr[state_ptr[u]]
        for f in range(indptr[u], indptr[u + 1]):
            out_head[slot] = copy[f] if copy[f] >= 0 else state_ptr[indices[f]]
            out_weight[slot] = weights[f]
            slot += 1
    for e in range(len(indices)):
        if copy[e] < 0:
            continue
        u, v = tails[e], indices[e]
        slot = out_ptr[copy[e]]
        dead_end = out_ptr[copy[e] + 1] - out_ptr[copy[e]] == indptr[v + 1] - indptr[v] == 1
        for f in range(indptr[v], indptr[v + 1]):
            w = indices[f]
            if w == u and not dead_end:
                continue
            if w == u:
                cost = _turn_cost(180.0, roundabout[e]) + U_TURN_PENALTY_S
            else:  # counter-clockwise degrees -> car.lua's angle, positive to the right
                angle = -((heading[f] - heading[e] + 180.0) % 360.0 - 180.0)
                cost = _turn_cost(angle, roundabout[e] or roundabout[f])
            out_head[slot] = copy[f] if copy[f] >= 0 else state_ptr[w]
            out_weight[slot] = weights[f] + cost
            slot += 1
    return out_ptr, out_head, out_weight, state_ptr


def expand_turns(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    xy: np.ndarray,
    roundabout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the turn-expanded graph of a node-based CSR graph (see the module docstring).

    Parameters
    ----------
    indptr, indices, weights : numpy.ndarray
        Node-based CSR graph (parallel edges merged, no self-loop), times in seconds.
    xy : numpy.ndarray, shape (n, 2)
        Node coordinates in a conformal projection (EPSG:2154): angles are kept.
    roundabout : numpy.ndarray of bool
        Edges on a roundabout.

    Returns
    -------
    tuple of numpy.ndarray
        ``indptr, indices, weights`` over the states and ``state_ptr``: the states of node
        ``v`` are ``state_ptr[v]`` (its own, where trips start) to ``state_ptr[v + 1] - 1``
        (one per road arriving at an intersection, in the order of the edges).

    Examples
    --------
    A cross: from the west, straight on costs about 0 s, right 2.1 s, left 7.3 s.

    >>> xy = np.array([[0, 0], [-1, 0], [1, 0], [0, 1], [0, -1]], dtype=float)
    >>> indptr = np.array([0, 4, 5, 6, 7, 8])
    >>> indices = np.array([1, 2, 3, 4, 0, 0, 0, 0], dtype=np.int32)
    >>> ptr, heads, w, state_ptr = expand_turns(indptr, indices, np.ones(8), xy,
    ...                                         np.zeros(8, bool))
    >>> state_ptr.tolist()  # the centre: its own state and four arrivals
    [0, 5, 6, 7, 8, 9]
    >>> west = 1  # arrival at the centre from node 1 (the edge 1 -> 0 comes first)
    >>> [round(float(x) - 1, 2) for x in w[ptr[west] : ptr[west + 1]]]  # to 2, 3 (north), 4
    [0.01, 7.32, 2.11]
    """
    n = len(indptr) - 1
    tails = np.repeat(np.arange(n), np.diff(indptr))
    split = count_roads(tails, np.asarray(indices), n) >= MIN_ROADS  # arrivals at intersections
    return _expand(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(weights, dtype=np.float64),
        np.ascontiguousarray(xy, dtype=np.float64),
        np.asarray(roundabout, dtype=np.bool_),
        split,
    )
