"""Build the routable directed graph (CSR arrays) from drivable ways.

Every way node is a graph node (no contraction: every edge is a straight segment, on which
:mod:`maillage.travel.graph.snap` places points exactly). Each pair of consecutive way nodes gives one edge per allowed
direction, weighted by its travel time in seconds. Parallel edges keep the minimum time,
self-loops are dropped, zero-length edges get :data:`MIN_EDGE_TIME_S`, and only the
largest strongly connected component is kept (elsewhere some trips would have no way back).

:func:`maillage.travel.graph.ways.graph_from_ways` builds the graph of OpenStreetMap ways,
with what OSRM's car profile charges at nodes (obstacles and turns).

Examples
--------
>>> import numpy as np
>>> graph = graph_from_edges(
...     np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([10.0, 20.0, 30.0]),
...     np.zeros((3, 2)), np.arange(3),
... )
>>> graph.n_nodes, graph.n_edges
(3, 3)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from maillage.errors import NetworkError
from maillage.schema import CRS

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "MIN_EDGE_TIME_S",
    "Graph",
    "build_graph",
    "graph_from_edges",
    "line_graph",
    "spatial_order",
]

logger = logging.getLogger(__name__)

MIN_EDGE_TIME_S = 0.01
"""Time given to an edge of zero length (two OSM nodes at the same place)."""


def _no_turns() -> np.ndarray:
    return np.empty(0, dtype=np.float32)


@dataclass(frozen=True)
class Graph:
    """A directed graph in CSR form, with node coordinates.

    With ``heading`` (graphs of OSM ways), searches also charge car.lua's turn costs at
    intersections (:mod:`maillage.travel.graph.turns`).

    Attributes
    ----------
    indptr, indices : numpy.ndarray of int64, int32
        CSR structure: the out-edges of node ``i`` go to ``indices[indptr[i]:indptr[i+1]]``.
    weights : numpy.ndarray of float64
        Travel time of each edge, seconds (> 0).
    xy : numpy.ndarray of float64, shape (n, 2)
        Node coordinates in :attr:`crs` (metres).
    node_ids : numpy.ndarray of int64
        OSM id of each node (or any stable label for synthetic graphs).
    heading : numpy.ndarray of float32
        Direction of each edge as driven, degrees counter-clockwise from east (on a
        reversed graph, that of the road edge it turns around); empty: no turn costs.
    junction : numpy.ndarray of bool
        Nodes where three roads or more meet (turns cost time there); empty without turns.
    roundabout : numpy.ndarray of bool
        Edges on a roundabout (read with turn costs only); empty when unknown.
    delay : numpy.ndarray of float64
        Part of each edge's time spent at the obstacle of its head node (traffic signals,
        stop, gate: :mod:`maillage.travel.graph.nodes`), seconds; empty when unknown. A
        point placed part-way along an edge pays it only if its trip passes that node.
    routing : numpy.ndarray of float32
        Routing weight of each edge (car.lua's routability: the time of the way divided by
        its penalty, plus the delay; :func:`maillage.travel.graph.profile.way_penalties`):
        the searches choose the route of least weight and report its time, as OSRM does.
        Empty: routes of least time.
    reverse : bool
        Every edge is turned around (:meth:`reversed`): searches run from trip ends.
    crs : str
        CRS of ``xy``: a working CRS (:data:`maillage.schema.WORKING_CRS`), Lambert-93 by
        default.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    xy: np.ndarray
    node_ids: np.ndarray
    heading: np.ndarray = field(default_factory=_no_turns)
    junction: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    roundabout: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    delay: np.ndarray = field(default_factory=lambda: np.empty(0))
    reverse: bool = False
    crs: str = CRS
    routing: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.indices)

    @property
    def turn_costs(self) -> bool:
        """Searches charge turn costs at intersections."""
        return len(self.heading) > 0

    def matrix(self) -> sp.csr_matrix:
        """Return the graph as a scipy CSR matrix (row = tail, column = head)."""
        n = self.n_nodes
        return sp.csr_matrix((self.weights, self.indices, self.indptr), shape=(n, n))

    def reversed(self) -> Graph:
        """Return the graph with every edge turned around (for searches towards a node).

        Examples
        --------
        >>> g = Graph(np.array([0, 1, 2]), np.array([1, 0], dtype=np.int32), np.array([1.0, 2.0]),
        ...           np.zeros((2, 2)), np.arange(2), np.array([0.0, 180.0], dtype=np.float32),
        ...           np.zeros(2, bool), np.array([True, False]))
        >>> r = g.reversed()
        >>> r.weights.tolist(), r.heading.tolist(), r.roundabout.tolist(), r.reverse
        ([2.0, 1.0], [180.0, 0.0], [False, True], True)
        """
        n, m = self.n_nodes, self.n_edges
        small = np.int32 if m < np.iinfo(np.int32).max else np.int64  # 4 bytes per edge
        position = sp.csr_matrix(
            (np.arange(1, m + 1, dtype=small), self.indices, self.indptr), (n, n)
        )
        transposed = position.T.tocsr()  # a counting sort: each row's columns stay sorted
        del position
        transposed.sort_indices()
        edge = transposed.data  # the edge of this graph each reversed edge turns around
        edge -= 1
        return Graph(
            transposed.indptr.astype(np.int64),
            transposed.indices.astype(np.int32, copy=False),
            self.weights[edge],
            self.xy,
            self.node_ids,
            self.heading[edge] if self.turn_costs else self.heading,
            self.junction,
            self.roundabout[edge] if len(self.roundabout) else self.roundabout,
            self.delay[edge] if len(self.delay) else self.delay,
            not self.reverse,
            self.crs,
            self.routing[edge] if len(self.routing) else self.routing,
        )


def _spread_bits(v: np.ndarray) -> np.ndarray:
    """Insert a zero bit between the 16 low bits of ``v`` (for Morton codes)."""
    v = v.astype(np.uint32) & 0xFFFF
    v = (v | (v << 8)) & 0x00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F
    v = (v | (v << 2)) & 0x33333333
    return (v | (v << 1)) & 0x55555555


def spatial_order(xy: np.ndarray) -> np.ndarray:
    """Return the permutation sorting points along a Z-order (Morton) curve.

    Neighbouring roads then sit close in memory, which speeds searches on large graphs
    (OSM node ids follow edit history, not geography).

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Coordinates.

    Returns
    -------
    numpy.ndarray of int64
        Positions in curve order.

    Examples
    --------
    >>> spatial_order(np.array([[10.0, 10.0], [0.0, 0.0], [10.0, 0.0]])).tolist()
    [1, 2, 0]
    """
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    low, span = xy.min(axis=0), np.ptp(xy, axis=0)
    cells = np.floor((xy - low) / np.where(span > 0, span, 1.0) * 65535).astype(np.int64)
    code = _spread_bits(cells[:, 0]) | (_spread_bits(cells[:, 1]) << 1)
    return np.argsort(code, kind="stable").astype(np.int64)


def _dedupe_edges(
    edges: dict[str, np.ndarray], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Drop self-loops, keep the fastest of parallel edges, floor zero times.

    Take ``tails``, ``heads`` and ``times`` out of ``edges`` (each is released as soon as it
    is used) and return ``indptr, indices, weights`` (CSR, sorted by tail then head) and the
    position in the input of each kept edge; raise
    :class:`~maillage.errors.NetworkError` when none is kept.

    >>> edges = {"tails": np.array([0, 0, 1]), "heads": np.array([1, 1, 1]),
    ...          "times": np.array([5.0, 3.0, 1.0])}
    >>> [a.tolist() for a in _dedupe_edges(edges, 2)], edges
    ([[0, 1, 1], [1], [3.0], [1]], {})
    """
    tails, heads = edges.pop("tails"), edges.pop("heads")
    loop = tails == heads
    key = tails.astype(np.int64)  # one int64 per (tail, head): n < 2**31
    del tails
    key *= n
    np.add(key, heads, out=key)
    del heads
    kept = np.flatnonzero(~loop) if loop.any() else None
    del loop
    if kept is not None:
        key = key[kept]
    if len(key) == 0:
        msg = "the road network has no drivable edge; check the OSM file covers roads"
        raise NetworkError(msg)
    times = edges.pop("times")
    times = np.maximum(times if kept is None else times[kept], MIN_EDGE_TIME_S)
    order = np.argsort(key, kind="stable")
    key.sort()  # the same as key[order], without a second copy of the keys
    repeated = key[1:] == key[:-1]
    if repeated.any():  # parallel edges: keep the first of the fastest of each group
        start = np.flatnonzero(np.r_[True, ~repeated])
        sorted_times = times[order]
        group = np.repeat(np.arange(len(start)), np.diff(np.r_[start, len(key)]))
        fastest = np.flatnonzero(sorted_times == np.minimum.reduceat(sorted_times, start)[group])
        del group, sorted_times
        start = fastest[np.r_[True, key[fastest][1:] != key[fastest][:-1]]]
        first, key = order[start], key[start]
        del start
    else:
        first = order
    del order, repeated
    heads = np.empty(len(key), dtype=np.int32)
    np.remainder(key, n, out=heads, casting="same_kind")
    key //= n  # sorted: tails then heads ascending
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=indptr[1:])
    del key
    weights = times[first]
    del times
    return indptr, heads, weights, first if kept is None else kept[first]


def _kept(values: np.ndarray | None, kept: np.ndarray, dtype: type) -> np.ndarray | None:
    """Return a copy of ``values`` as ``dtype`` at the positions ``kept`` (None: none)."""
    return None if values is None else np.asarray(values, dtype=dtype)[kept]


def graph_from_edges(
    tails: np.ndarray,
    heads: np.ndarray,
    times_s: np.ndarray,
    xy: np.ndarray,
    node_ids: np.ndarray,
    *,
    roundabout: np.ndarray | None = None,
    delay: np.ndarray | None = None,
    routing: np.ndarray | None = None,
    largest_component: bool = True,
    crs: str = CRS,
) -> Graph:
    """Build a graph from an edge list (any order, parallel edges allowed).

    Parameters
    ----------
    tails, heads : numpy.ndarray of int
        Node positions (0..n-1) of each directed edge.
    times_s : numpy.ndarray of float
        Travel time of each edge, seconds.
    xy : numpy.ndarray, shape (n, 2)
        Node coordinates, in ``crs``.
    node_ids : numpy.ndarray
        Label of each node.
    roundabout : numpy.ndarray of bool, optional
        Edges on a roundabout, for turn costs (:attr:`Graph.roundabout` of the kept edges).
    delay : numpy.ndarray of float, optional
        Part of each edge's time spent at its head's obstacle (:attr:`Graph.delay`).
    routing : numpy.ndarray of float, optional
        Routing weight of each edge (:attr:`Graph.routing`; that of the fastest of
        parallel edges is kept).
    largest_component : bool, default True
        Keep only the largest strongly connected component.
    crs : str, default "EPSG:2154"
        CRS of ``xy`` (:attr:`Graph.crs`).

    Returns
    -------
    Graph
        Edges sorted by tail then head; parallel edges reduced to the fastest.

    Raises
    ------
    NetworkError
        No edge is left.

    Examples
    --------
    >>> g = graph_from_edges(np.array([0, 0, 1]), np.array([1, 1, 0]),
    ...                      np.array([5.0, 3.0, 0.0]), np.zeros((2, 2)), np.arange(2))
    >>> g.weights.tolist()
    [3.0, 0.01]
    """
    edges = {
        "tails": np.asarray(tails),
        "heads": np.asarray(heads),
        "times": np.asarray(times_s, dtype=np.float64),
        "roundabout": roundabout,
        "delay": delay,
        "routing": routing,
        "xy": np.asarray(xy, dtype=np.float64),
        "node_ids": np.asarray(node_ids),
    }
    return build_graph(edges, largest_component=largest_component, crs=crs)


def build_graph(
    edges: dict[str, np.ndarray] | dict[str, np.ndarray | None],
    *,
    largest_component: bool = True,
    crs: str = CRS,
) -> Graph:
    """Build a graph from an edge list held in ``edges``, emptied as its arrays are used.

    :func:`graph_from_edges` with its arrays in a dictionary (keys ``tails``, ``heads``,
    ``times``, ``xy`` (float64), ``node_ids``, optional ``roundabout``, ``delay``,
    ``routing``): each is released as soon as the graph no longer needs it, which lowers
    the peak memory of large builds (the caller must hold no other reference to them).

    Examples
    --------
    >>> edges = {"tails": np.array([0, 1]), "heads": np.array([1, 0]),
    ...          "times": np.array([2.0, 3.0]), "xy": np.zeros((2, 2)), "node_ids": np.arange(2)}
    >>> build_graph(edges).n_edges, edges
    (2, {})
    """
    n = len(edges["xy"])  # type: ignore[arg-type]
    indptr, indices, weights, kept = _dedupe_edges(edges, n)  # type: ignore[arg-type]
    fields: dict[str, np.ndarray] = {"indptr": indptr, "indices": indices, "weights": weights}
    del indptr, indices
    fields["xy"], fields["node_ids"] = edges.pop("xy"), edges.pop("node_ids")  # type: ignore[assignment]
    for name, dtype in (("roundabout", bool), ("delay", np.float64)):
        values = _kept(edges.pop(name, None), kept, dtype)
        if values is not None:
            fields[name] = values
    routing = _kept(edges.pop("routing", None), kept, np.float64)
    del kept
    if routing is not None:
        np.maximum(routing, weights, out=routing)
        fields["routing"] = routing.astype(np.float32)
    del weights, routing
    if largest_component:
        _strong_component(fields)
    return Graph(
        fields.pop("indptr"), fields.pop("indices"), fields.pop("weights"),
        fields.pop("xy"), fields.pop("node_ids"), crs=crs, **cast("dict[str, Any]", fields),
    )  # fmt: skip


def line_graph(times_s: Sequence[float], *, spacing_m: float = 1000.0) -> Graph:
    """Return a two-way road along the x axis: the toy graph of the examples and tests.

    Parameters
    ----------
    times_s : sequence of float
        Time of each stretch, either way: ``len(times_s) + 1`` nodes, stretch ``k`` joining
        node ``k`` and node ``k + 1``.
    spacing_m : float, default 1000
        Distance between consecutive nodes, which sit at ``(k * spacing_m, 0)`` in EPSG:2154.

    Returns
    -------
    Graph
        Node labels ``0..len(times_s)``.

    Examples
    --------
    >>> g = line_graph([10.0, 5.0])
    >>> g.n_nodes, g.n_edges, g.weights.tolist()
    (3, 4, [10.0, 10.0, 5.0, 5.0])
    """
    times = np.asarray(times_s, dtype=np.float64)
    k = np.arange(len(times))
    xy = np.column_stack([np.arange(len(times) + 1) * float(spacing_m), np.zeros(len(times) + 1)])
    return graph_from_edges(
        np.concatenate([k, k + 1]), np.concatenate([k + 1, k]), np.concatenate([times, times]),
        xy, np.arange(len(times) + 1),
    )  # fmt: skip


def _strong_component(fields: dict[str, np.ndarray]) -> None:
    """Keep the largest strongly connected component of a CSR graph's ``fields``, in place.

    ``fields`` holds ``indptr``, ``indices``, ``weights``, ``xy``, ``node_ids`` and optional
    per-edge arrays (``roundabout``, ``delay``, ``routing``); each is replaced in turn by its
    kept part.

    >>> fields = {"indptr": np.array([0, 1, 2, 3]), "indices": np.array([1, 0, 0], dtype=np.int32),
    ...           "weights": np.ones(3), "roundabout": np.array([1, 0, 1], bool),
    ...           "xy": np.zeros((3, 2)), "node_ids": np.arange(3)}
    >>> _strong_component(fields)
    >>> len(fields["indptr"]) - 1, fields["roundabout"].tolist(), fields["node_ids"].tolist()
    (2, [True, False], [0, 1])
    """
    indptr, indices = fields["indptr"], fields["indices"]
    n = len(indptr) - 1
    matrix = sp.csr_matrix((fields["weights"], indices, indptr), shape=(n, n))
    n_comp, labels = connected_components(matrix, directed=True, connection="strong")
    del matrix
    if n_comp == 1:
        return
    keep = labels == np.argmax(np.bincount(labels))
    del labels
    n_kept = int(keep.sum())
    logger.info(
        "kept the largest strongly connected component: %d of %d nodes (%d components)",
        n_kept,
        n,
        n_comp,
    )
    kept = np.repeat(keep, np.diff(indptr))  # the edge's tail is kept
    kept &= keep[indices]
    total = np.cumsum(kept, dtype=np.int32 if len(kept) < 2**31 - 1 else np.int64)
    ends = np.where(indptr[1:] > 0, total[np.maximum(indptr[1:] - 1, 0)], 0)
    del total, indptr  # kept edges up to the end of each row; a dropped row keeps none
    fields["indptr"] = np.r_[0, ends[keep]].astype(np.int64)
    del ends
    rank = np.cumsum(keep, dtype=np.int32) - 1  # increasing: rows and columns stay sorted
    fields["indices"] = rank[indices[kept]].astype(np.int32, copy=False)
    del indices, rank
    for name in ("weights", "roundabout", "delay", "routing"):
        if name in fields:
            fields[name] = fields[name][kept]
    for name in ("xy", "node_ids"):
        fields[name] = fields[name][keep]
