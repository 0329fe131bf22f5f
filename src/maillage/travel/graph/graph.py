"""Build the routable directed graph (CSR arrays) from drivable ways.

Every way node is a graph node (no contraction: snapping to a node is then accurate to a
few metres along roads). Each pair of consecutive way nodes gives one edge per allowed
direction, weighted by its travel time in seconds. Parallel edges keep the minimum time,
self-loops are dropped, zero-length edges get :data:`MIN_EDGE_TIME_S`, and only the
largest strongly connected component is kept (elsewhere some trips would have no way back).

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
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from pyproj import Transformer
from scipy.sparse.csgraph import connected_components

from maillage.errors import NetworkError

if TYPE_CHECKING:
    from maillage.travel.graph.osm import RawWays

__all__ = ["MIN_EDGE_TIME_S", "Graph", "graph_from_edges", "graph_from_ways"]

logger = logging.getLogger(__name__)

MIN_EDGE_TIME_S = 0.01
"""Time given to an edge of zero length (two OSM nodes at the same place)."""

_EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Graph:
    """A directed graph in CSR form, with node coordinates.

    Attributes
    ----------
    indptr, indices : numpy.ndarray of int64, int32
        CSR structure: the out-edges of node ``i`` go to ``indices[indptr[i]:indptr[i+1]]``.
    weights : numpy.ndarray of float64
        Travel time of each edge, seconds (> 0).
    xy : numpy.ndarray of float64, shape (n, 2)
        Node coordinates in EPSG:2154 (metres).
    node_ids : numpy.ndarray of int64
        OSM id of each node (or any stable label for synthetic graphs).
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    xy: np.ndarray
    node_ids: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.indices)

    def matrix(self) -> sp.csr_matrix:
        """Return the graph as a scipy CSR matrix (row = tail, column = head)."""
        n = self.n_nodes
        return sp.csr_matrix((self.weights, self.indices, self.indptr), shape=(n, n))

    def reversed(self) -> Graph:
        """Return the graph with every edge turned around (for searches towards a node)."""
        transposed = self.matrix().T.tocsr()
        transposed.sort_indices()
        return Graph(
            transposed.indptr.astype(np.int64),
            transposed.indices.astype(np.int32),
            transposed.data.astype(np.float64),
            self.xy,
            self.node_ids,
        )


def _haversine_m(lon: np.ndarray, lat: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (lon[a], lat[a], lon[b], lat[b]))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _segment_times(ways: RawWays, a: np.ndarray, b: np.ndarray, way: np.ndarray) -> np.ndarray:
    """Travel time of each segment ``a -> b`` of way ``way`` (row indices into ways)."""
    length_m = _haversine_m(ways.lon, ways.lat, a, b)
    seconds = length_m / (ways.speed_kph[way] / 3.6)
    ferry = ~np.isnan(ways.duration_s[way])
    if ferry.any():
        # A ferry's duration is spread along its segments in proportion to their length.
        way_length = np.bincount(way, weights=length_m, minlength=ways.n_ways)
        share = np.divide(
            length_m, way_length[way], out=np.zeros_like(length_m), where=way_length[way] > 0
        )
        seconds[ferry] = (ways.duration_s[way] * share)[ferry]
    return seconds


def _project(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    transformer = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    x, y = transformer.transform(lon, lat)
    return np.column_stack([x, y]).astype(np.float64)


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


def graph_from_ways(ways: RawWays) -> Graph:
    """Build the routable graph of drivable ways.

    Parameters
    ----------
    ways : RawWays
        Output of :func:`maillage.travel.graph.osm.read_ways`.

    Returns
    -------
    Graph
        Largest strongly connected component, node coordinates in EPSG:2154.

    Examples
    --------
    >>> from maillage.sources import fetch
    >>> from maillage.travel.graph.osm import read_ways
    >>> graph = graph_from_ways(read_ways(fetch("osm-saint-barthelemy-2015")[0]))
    >>> graph.n_nodes > 3000, bool((graph.weights > 0).all())
    (True, True)
    """
    node_ids, first, inverse = np.unique(ways.node_ids, return_index=True, return_inverse=True)
    way_of_row = np.repeat(np.arange(ways.n_ways), np.diff(ways.offsets))
    a = np.arange(len(ways.node_ids) - 1)
    a = a[way_of_row[a] == way_of_row[a + 1]]
    way = way_of_row[a]
    seconds = _segment_times(ways, a, a + 1, way)
    fwd, bwd = ways.forward[way], ways.backward[way]
    tails = np.concatenate([inverse[a][fwd], inverse[a + 1][bwd]])
    heads = np.concatenate([inverse[a + 1][fwd], inverse[a][bwd]])
    times = np.concatenate([seconds[fwd], seconds[bwd]])
    xy = _project(ways.lon[first], ways.lat[first])
    order = spatial_order(xy)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return graph_from_edges(rank[tails], rank[heads], times, xy[order], node_ids[order])


def _dedupe(
    tails: np.ndarray, heads: np.ndarray, times: np.ndarray, n: int
) -> tuple[np.ndarray, ...]:
    """Drop self-loops, keep the fastest of parallel edges, floor zero times."""
    keep = tails != heads
    tails, heads = tails[keep].astype(np.int64), heads[keep].astype(np.int64)
    times = np.maximum(times[keep], MIN_EDGE_TIME_S)
    key = tails * n + heads  # one int64 key per (tail, head): n < 2**31
    order = np.argsort(key, kind="stable")
    key, times = key[order], times[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, int)
    times = np.minimum.reduceat(times, first) if len(first) else times
    tails, heads = np.divmod(key[first], n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    return indptr, heads.astype(np.int32), times.astype(np.float64)


def graph_from_edges(
    tails: np.ndarray,
    heads: np.ndarray,
    times_s: np.ndarray,
    xy: np.ndarray,
    node_ids: np.ndarray,
    *,
    largest_component: bool = True,
) -> Graph:
    """Build a graph from an edge list (any order, parallel edges allowed).

    Parameters
    ----------
    tails, heads : numpy.ndarray of int
        Node positions (0..n-1) of each directed edge.
    times_s : numpy.ndarray of float
        Travel time of each edge, seconds.
    xy : numpy.ndarray, shape (n, 2)
        Node coordinates, EPSG:2154.
    node_ids : numpy.ndarray
        Label of each node.
    largest_component : bool, default True
        Keep only the largest strongly connected component.

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
    n = len(xy)
    indptr, indices, weights = _dedupe(
        np.asarray(tails), np.asarray(heads), np.asarray(times_s, dtype=np.float64), n
    )
    if len(indices) == 0:
        msg = "the road network has no drivable edge; check the OSM file covers roads"
        raise NetworkError(msg)
    graph = Graph(indptr, indices, weights, np.asarray(xy, dtype=np.float64), np.asarray(node_ids))
    return _largest_component(graph) if largest_component else graph


def _largest_component(graph: Graph) -> Graph:
    n_comp, labels = connected_components(graph.matrix(), directed=True, connection="strong")
    if n_comp == 1:
        return graph
    main = np.argmax(np.bincount(labels))
    keep = labels == main
    logger.info(
        "kept the largest strongly connected component: %d of %d nodes (%d components)",
        int(keep.sum()),
        graph.n_nodes,
        n_comp,
    )
    sub = graph.matrix()[keep][:, keep].tocsr()
    sub.sort_indices()
    return Graph(
        sub.indptr.astype(np.int64),
        sub.indices.astype(np.int32),
        sub.data.astype(np.float64),
        graph.xy[keep],
        graph.node_ids[keep],
    )
