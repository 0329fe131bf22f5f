"""Build the routable graph of OpenStreetMap ways with OSRM's car rules at nodes.

Every way node is a graph node; each pair of consecutive way nodes gives one edge per
allowed direction, weighted by its length at the way's speed in that direction
(:mod:`maillage.travel.graph.profile`). On top of the driving time, as OSRM's car profile:

* an edge entering a node with an obstacle pays its delay in the direction it applies to
  (traffic signals 2 s, stop 2 s, give way 1 s, gate 60 s; :mod:`maillage.travel.graph.nodes`);
* a barrier node (bollard, ``access=no``...) is split into one dead end per road reaching
  it: no trip passes through it;
* only the largest strongly connected component is kept;
* each edge keeps its heading and each node whether it is an intersection, so that the
  searches charge car.lua's turn costs (:mod:`maillage.travel.graph.turns`).

Examples
--------
>>> from maillage.sources import fetch
>>> from maillage.travel.graph.osm import read_ways
>>> graph = graph_from_ways(read_ways(fetch("osm-saint-barthelemy-2015")[0]))
>>> graph.n_nodes > 3000, graph.turn_costs, bool((graph.weights > 0).all())
(True, True, True)
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from pyproj import Transformer

from maillage.schema import CRS
from maillage.travel.graph.graph import Graph, build_graph, spatial_order
from maillage.travel.graph.nodes import BACKWARD, BOTH, FORWARD, STOP_MINOR, STOP_UNDIRECTED
from maillage.travel.graph.turns import count_roads, turn_data

if TYPE_CHECKING:
    from maillage.travel.graph.osm import RawWays

__all__ = ["graph_from_ways", "haversine_m", "project_lonlat"]

_EARTH_RADIUS_M = 6_371_008.8
_STOP_NEAR_M = 20.0  # car.lua: a stop sign within 20 m of the junction faces the junction


def haversine_m(lon: np.ndarray, lat: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance between points ``a`` and ``b`` of ``lon``/``lat``, metres.

    Examples
    --------
    >>> round(float(haversine_m(np.array([0.0, 1.0]), np.zeros(2), np.array([0]), np.array([1]))[0]))
    111195
    """
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (lon[a], lat[a], lon[b], lat[b]))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _segment_times(
    ways: RawWays, a: np.ndarray, way: np.ndarray, length_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Travel time of each segment ``a -> a + 1`` of way ``way``, along and against the way."""
    times = []
    for kph in (ways.forward_kph[way], ways.backward_kph[way]):
        seconds = np.divide(length_m, kph / 3.6, out=np.full(len(a), np.inf), where=kph > 0)
        times.append(seconds)
    ferry = ~np.isnan(ways.duration_s[way])
    if ferry.any():
        # A ferry's duration is spread along its segments in proportion to their length.
        way_length = np.bincount(way, weights=length_m, minlength=ways.n_ways)
        share = np.divide(
            length_m, way_length[way], out=np.zeros_like(length_m), where=way_length[way] > 0
        )
        for seconds in times:
            seconds[ferry] = (ways.duration_s[way] * share)[ferry]
    return times[0], times[1]


def project_lonlat(lon: np.ndarray, lat: np.ndarray, crs: str = CRS) -> np.ndarray:
    """Return WGS84 ``lon``/``lat`` as coordinates in ``crs``, shape (n, 2).

    Examples
    --------
    >>> project_lonlat(np.array([3.0]), np.array([46.5])).round().tolist()
    [[700000.0, 6600000.0]]
    """
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = transformer.transform(lon, lat)
    return np.column_stack([x, y]).astype(np.float64)


def _distinct(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First row of each distinct id (ids ascending) and the rank of each row's id.

    ``np.unique(ids, return_index=True, return_inverse=True)`` without its int64 copies:
    the ranks are 32-bit when they fit.

    >>> [a.tolist() for a in _distinct(np.array([7, 3, 7, 5]))]
    [[1, 3, 0], [2, 0, 2, 1]]
    """
    order = np.argsort(ids, kind="stable")
    new = np.empty(len(ids), dtype=bool)
    new[:1] = True
    sorted_ids = ids[order]
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=new[1:])
    del sorted_ids
    rank = np.empty(len(ids), dtype=np.int32 if len(ids) < 2**31 - 1 else np.int64)
    rank[order] = np.cumsum(new, dtype=rank.dtype) - 1
    return order[new], rank


def _segment_ends(ways: RawWays, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node of the tail and of the head of each segment ``a -> a + 1``, and a row of each node.

    Nodes are the distinct OSM ids, except at barriers: there each segment end gets a node
    of its own, so the roads that meet at a barrier are not joined (one dead end each); the
    barrier's own node is left without edges.
    """
    row, inverse = _distinct(ways.node_ids)
    tail, head = inverse[a], inverse[a + 1]
    del inverse
    if len(ways.barrier_ids) == 0 or len(row) == 0:
        return tail, head, row
    ids = ways.node_ids[row]  # ascending
    at = np.minimum(np.searchsorted(ids, ways.barrier_ids), len(ids) - 1)
    barrier = np.zeros(len(row), dtype=bool)
    barrier[at[ids[at] == ways.barrier_ids]] = True  # np.isin, without its sort or table
    del ids, at
    at_tail, at_head = np.flatnonzero(barrier[tail]), np.flatnonzero(barrier[head])
    first = len(row)
    tail[at_tail] = first + np.arange(len(at_tail))
    head[at_head] = first + len(at_tail) + np.arange(len(at_head))
    return tail, head, np.concatenate([row, a[at_tail], a[at_head] + 1])


def _obstacle_delays(
    ways: RawWays,
    a: np.ndarray,
    way: np.ndarray,
    ends: tuple[np.ndarray, np.ndarray],
    *,
    length_m: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Delay at the head of each segment's forward edge and of its backward edge.

    The forward edge ``a -> a + 1`` enters the node of row ``a + 1`` along the way; the
    backward edge enters row ``a`` against it. A ``stop=minor`` counts when a faster road
    meets the node; a stop sign without a direction at a node of two roads not when the
    edge entering it is shorter than 20 m (car.lua's guess that the sign then faces the
    other way, here with the edge's length for the road's).
    """
    delays = (np.zeros(len(a)), np.zeros(len(a)))
    if len(ways.obstacle_ids) == 0 or len(a) == 0:
        return delays
    order = np.argsort(ways.obstacle_ids, kind="stable")
    ids, table = ways.obstacle_ids[order], ways.obstacles[order]
    speed = np.maximum(ways.forward_kph[way], ways.backward_kph[way])
    fastest = np.zeros(n)
    np.maximum.at(fastest, ends[0], speed)
    np.maximum.at(fastest, ends[1], speed)
    roads = count_roads(ends[0], ends[1], n)
    for side, (rows, allowed, kph, node) in enumerate(
        (
            (a + 1, FORWARD, ways.forward_kph[way], ends[1]),
            (a, BACKWARD, ways.backward_kph[way], ends[0]),
        )
    ):
        keys = ways.node_ids[rows]
        low = np.searchsorted(ids, keys, side="left")
        count = np.searchsorted(ids, keys, side="right") - low
        del keys
        seg = np.flatnonzero(count)  # segments whose node has delays, each repeated per delay
        count, low = count[seg], low[seg]
        seg = np.repeat(seg, count)
        hit = np.repeat(low - np.cumsum(np.r_[0, count[:-1]]), count) + np.arange(count.sum())
        delay, direction, kind = table[hit].T
        keep = (direction == BOTH) | (direction == allowed)
        keep &= (kind != STOP_MINOR) | (kph[seg] < fastest[node[seg]])
        keep &= (
            (kind != STOP_UNDIRECTED) | (roads[node[seg]] != 2) | (length_m[seg] >= _STOP_NEAR_M)
        )
        np.add.at(delays[side], seg[keep], delay[keep])
    return delays


def _ordered_nodes(
    ways: RawWays, row: np.ndarray, crs: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the nodes' coordinates and OSM ids in spatial order, and each node's rank.

    ``row``: the way row of each node.
    """
    xy = project_lonlat(ways.lon[row], ways.lat[row], crs)
    order = spatial_order(xy)
    rank = np.empty(len(order), dtype=np.int32 if len(order) < 2**31 - 1 else np.int64)
    rank[order] = np.arange(len(order), dtype=rank.dtype)
    return xy[order], ways.node_ids[row][order], rank


def _edge_arrays(ways: RawWays, crs: str) -> dict[str, np.ndarray]:
    """Return the directed edges of the ways, with node coordinates and ids.

    As :func:`~maillage.travel.graph.graph.build_graph` takes them; the per-segment arrays
    are released on return.
    """
    index = np.int32 if len(ways.node_ids) < 2**31 - 1 else np.int64  # 32 bits suffice
    way_of_row = np.repeat(np.arange(ways.n_ways, dtype=index), np.diff(ways.offsets))
    a = np.flatnonzero(way_of_row[:-1] == way_of_row[1:]).astype(index)
    way = way_of_row[a]
    del way_of_row
    tail, head, row = _segment_ends(ways, a)
    ends = (tail.astype(index), head.astype(index))
    del tail, head
    length_m = haversine_m(ways.lon, ways.lat, a, a + 1)
    enter = _obstacle_delays(ways, a, way, ends, length_m=length_m, n=len(row))
    along, against = _segment_times(ways, a, way, length_m)
    del length_m, a
    xy, node_ids, rank = _ordered_nodes(ways, row, crs)
    del row
    ends = (rank[ends[0]], rank[ends[1]])
    del rank
    segments = {"way": way, "tail": ends[0], "head": ends[1], "along": along}
    segments.update(against=against, enter_head=enter[0], enter_tail=enter[1])
    del way, ends, along, against, enter
    return {"xy": xy, "node_ids": node_ids, **_directed_edges(ways, segments)}


def _directed_edges(ways: RawWays, segments: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return one edge per segment and allowed direction, forward edges then backward ones.

    ``segments`` (way, tail and head node, time along and against the way, delay entering
    the head and the tail) is emptied as its arrays are used; each edge array is written in
    place (``np.compress``), without per-direction copies.
    """
    way = segments.pop("way")
    fwd, bwd = ways.forward_kph[way] > 0, ways.backward_kph[way] > 0

    k = np.count_nonzero(fwd)
    n_edges = k + np.count_nonzero(bwd)

    def both(along: np.ndarray, against: np.ndarray) -> np.ndarray:
        out = np.empty(n_edges, dtype=np.result_type(along, against))
        np.compress(fwd, along, out=out[:k])
        np.compress(bwd, against, out=out[k:])
        return out

    tail, head = segments.pop("tail"), segments.pop("head")
    edges = {"tails": both(tail, head), "heads": both(head, tail)}
    del tail, head
    times = both(segments.pop("along"), segments.pop("against"))  # driving time
    penalty = (1.0 / ways.forward_penalty - 1.0, 1.0 / ways.backward_penalty - 1.0)
    extra = both(penalty[0][way], penalty[1][way])
    extra *= times  # car.lua: duration / penalty (delays as they are, below)
    delay = both(segments.pop("enter_head"), segments.pop("enter_tail"))
    times += delay
    extra += times
    edges.update(times=times, routing=extra, delay=delay)
    edges["roundabout"] = both(ways.roundabout[way], ways.roundabout[way])
    return edges


def graph_from_ways(ways: RawWays, *, turns: bool = True, crs: str = CRS) -> Graph:
    """Build the routable graph of drivable ways, with OSRM's costs at nodes.

    Parameters
    ----------
    ways : RawWays
        Output of :func:`maillage.travel.graph.osm.read_ways`.
    turns : bool, default True
        Keep the turn data (edge headings, intersections, roundabouts) that make the
        searches charge car.lua's turn costs.
    crs : str, default "EPSG:2154"
        CRS of the node coordinates, one of :data:`maillage.schema.WORKING_CRS` (all
        conformal, so the turn angles are right in each). Edge times do not depend on it:
        lengths are great-circle distances.

    Returns
    -------
    Graph
        Largest strongly connected component, node coordinates in ``crs``.

    Examples
    --------
    >>> from maillage.sources import fetch
    >>> from maillage.travel.graph.osm import read_ways
    >>> ways = read_ways(fetch("osm-saint-barthelemy-2015")[0])
    >>> plain = graph_from_ways(ways, turns=False)
    >>> plain.turn_costs, plain.n_edges == graph_from_ways(ways).n_edges
    (False, True)
    """
    edges = _edge_arrays(ways, crs)
    if not turns:
        del edges["roundabout"]
    graph = build_graph(edges, crs=crs)  # releases the edge arrays as it goes
    if not turns:
        return graph
    heading, junction = turn_data(graph.indptr, graph.indices, graph.xy)
    return replace(graph, heading=heading, junction=junction)
