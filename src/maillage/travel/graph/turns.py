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
    low = np.minimum(tails, heads).astype(np.int64)
    high = np.maximum(tails, heads).astype(np.int64)
    pairs = np.unique((low * n + high)[low != high])
    return np.bincount(np.concatenate([pairs // n, pairs % n]), minlength=n).astype(np.int64)


@njit(cache=True, nogil=True)
def _angle(xy: np.ndarray, u: int, v: int, w: int) -> float:
    """Turn angle ``u -> v -> w`` in car.lua's convention (degrees, > 0 to the right)."""
    heading_in = np.arctan2(xy[v, 1] - xy[u, 1], xy[v, 0] - xy[u, 0])
    turn = np.arctan2(xy[w, 1] - xy[v, 1], xy[w, 0] - xy[v, 0]) - heading_in
    return -((np.degrees(turn) + 180.0) % 360.0 - 180.0)  # counter-clockwise -> to the right


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
    indptr: np.ndarray, indices: np.ndarray, tails: np.ndarray, split: np.ndarray, copy: np.ndarray
) -> np.ndarray:
    """Give each edge into a split node its arrival state (``copy``); lay out their edges."""
    n = len(indptr) - 1
    n_copies = 0
    for e in range(len(indices)):
        if split[indices[e]]:
            copy[e] = n + n_copies
            n_copies += 1
    out_ptr = np.zeros(n + n_copies + 1, dtype=np.int64)
    for u in range(n):
        out_ptr[u + 1] = indptr[u + 1] - indptr[u]
    for e in range(len(indices)):
        if copy[e] >= 0:
            out_ptr[copy[e] + 1] = _exits(indptr, indices, tails[e], indices[e])
    return np.cumsum(out_ptr)


@njit(cache=True, nogil=True)
def _expand(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    xy: np.ndarray,
    roundabout: np.ndarray,
    roads: np.ndarray,
    split: np.ndarray,
    copy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(indptr) - 1
    tails = np.empty(len(indices), dtype=np.int64)
    for u in range(n):
        tails[indptr[u] : indptr[u + 1]] = u
    out_ptr = _layout(indptr, indices, tails, split, copy)
    out_head = np.empty(out_ptr[-1], dtype=np.int32)
    out_weight = np.empty(out_ptr[-1], dtype=np.float64)
    copy_of = np.empty(len(out_ptr) - 1 - n, dtype=np.int64)
    for f in range(len(indices)):  # a node's own state: trips start there, turn-free
        out_head[f] = copy[f] if copy[f] >= 0 else indices[f]
        out_weight[f] = weights[f]
    for e in range(len(indices)):
        if copy[e] < 0:
            continue
        u, v = tails[e], indices[e]
        copy_of[copy[e] - n] = v
        slot = out_ptr[copy[e]]
        dead_end = out_ptr[copy[e] + 1] - out_ptr[copy[e]] == indptr[v + 1] - indptr[v] == 1
        for f in range(indptr[v], indptr[v + 1]):
            w = indices[f]
            if w == u and not dead_end:
                continue
            cost = 0.0
            if w == u:
                cost = _turn_cost(180.0, roundabout[e]) + U_TURN_PENALTY_S
            elif roads[v] >= MIN_ROADS:
                cost = _turn_cost(_angle(xy, u, v, w), roundabout[e] or roundabout[f])
            out_head[slot] = copy[f] if copy[f] >= 0 else w
            out_weight[slot] = weights[f] + cost
            slot += 1
    return out_ptr, out_head, out_weight, copy_of


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
        ``indptr, indices, weights`` over the states (the ``n`` nodes first, then the
        arrival states) and ``copy_of``, the node of each arrival state.

    Examples
    --------
    A cross: from the west, straight on costs about 0 s, right 2.1 s, left 7.3 s.

    >>> xy = np.array([[0, 0], [-1, 0], [1, 0], [0, 1], [0, -1]], dtype=float)
    >>> indptr = np.array([0, 4, 5, 6, 7, 8])
    >>> indices = np.array([1, 2, 3, 4, 0, 0, 0, 0], dtype=np.int32)
    >>> ptr, heads, w, copy_of = expand_turns(indptr, indices, np.ones(8), xy, np.zeros(8, bool))
    >>> copy_of.tolist()  # the four arrivals at the centre
    [0, 0, 0, 0]
    >>> west = 5  # arrival state from node 1 (the edge 1 -> 0 is edge 4)
    >>> [round(float(x) - 1, 2) for x in w[ptr[west] : ptr[west + 1]]]  # to 2, 3 (north), 4
    [0.01, 7.32, 2.11]
    """
    n = len(indptr) - 1
    tails = np.repeat(np.arange(n), np.diff(indptr))
    roads = count_roads(tails, np.asarray(indices), n)
    split = roads >= MIN_ROADS  # arrival states at intersections only (module docstring)
    copy = np.full(len(indices), -1, dtype=np.int64)
    return _expand(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(weights, dtype=np.float64),
        np.ascontiguousarray(xy, dtype=np.float64),
        np.asarray(roundabout, dtype=np.bool_),
        roads,
        split,
        copy,
    )
