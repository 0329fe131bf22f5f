"""Searches on a road graph: nearest source for every node, bounded pair tables, reach.

Times are computed on the graph given; :class:`maillage.travel.graph.road_network.RoadNetwork` passes
the reversed graph so that times run from homes to venues. A graph with turn data also
charges car.lua's turn costs (:mod:`maillage.travel.graph.turns`).

**Routes by weight, times of those routes.** As OSRM with car.lua (``weight_name =
'routability'``), a search chooses the route of least *weight* (:attr:`Graph.routing`: the
time of each way divided by its penalty, service alleys and narrow roads weighing more;
turns and node delays weigh their time) and reports that route's *time*. Start weights
default to the start times. A graph without routing weights is searched by time. A time
budget (``max_time_s``) applies to the time of each node's least-weight route; the search
does not go past a node whose route exceeds it, so right at the budget a node may keep a
heavier route within it. The nearest source of a node is the one of least weight: the
nearest venue is then the venue of the least-weight route, where OSRM's ``nearest`` among
a table's durations would take the least time of each pair's least-weight route
(``benchmarks/README.md`` measures how often they differ).

Examples
--------
>>> import numpy as np
>>> from maillage.travel.graph.graph import line_graph
>>> line = line_graph([10.0, 5.0])  # nodes 0 - 1 - 2, 10 s then 5 s, either way
>>> time_s, label = nearest_sources(line, np.array([0]), np.array([0.0]), np.array([7]))
>>> time_s.tolist(), label.tolist()
([0.0, 10.0, 15.0], [7, 7, 7])
"""

from __future__ import annotations

import functools
import logging
import math
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from maillage.errors import NetworkError
from maillage.travel.graph.turns import turn_table

if TYPE_CHECKING:
    from maillage.travel.graph.graph import Graph

__all__ = [
    "bounded_pairs", "edge_costs", "exit_turns", "graph_turn_plan", "nearest_sources", "reach",
    "search_from", "search_from_k",
]  # fmt: skip

logger = logging.getLogger(__name__)

_BATCH = 16


def _limit(max_time_s: float | None) -> float:
    return math.inf if max_time_s is None else float(max_time_s)


@functools.cache
def _table() -> np.ndarray:
    return turn_table()


_NO_TURNS = (np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int64), np.empty(0, np.int16))
_PLANS: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
_PLANS_LOCK = threading.Lock()


def graph_turn_plan(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the turn plan the kernels take for ``graph`` (empty arrays: no turn costs).

    Computed on the first search of ``graph`` (:func:`maillage.travel.graph.kernels.turn_plan`)
    and kept while the graph lives: (cost, offset, rank) arrays, float32 costs.

    Parameters
    ----------
    graph : Graph
        Graph to search.

    Returns
    -------
    tuple of numpy.ndarray
        ``cost``, ``offset`` and ``rank`` (see :func:`maillage.travel.graph.kernels.turn_plan`).

    Raises
    ------
    NetworkError
        A node has more than 32,767 arriving edges (the ranks are 16-bit).
    """
    if not graph.turn_costs:
        return _NO_TURNS
    plan = _PLANS.get(id(graph))  # built once: later searches read it without the lock
    if plan is not None:
        return plan
    with _PLANS_LOCK:
        plan = _PLANS.get(id(graph))
        if plan is None:
            from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

            arriving = np.bincount(graph.indices, minlength=graph.n_nodes)
            if len(arriving) and arriving.max() > np.iinfo(np.int16).max:
                msg = f"a node has {arriving.max():,} arriving edges: at most 32,767 with turns"
                raise NetworkError(msg)
            plan = kernels.turn_plan(
                graph.indptr,
                graph.indices,
                np.asarray(graph.heading, dtype=np.float32),
                np.asarray(graph.junction, dtype=np.bool_),
                np.asarray(graph.roundabout, dtype=np.bool_),
                -1.0 if graph.reverse else 1.0,
                _table(),
            )
            _PLANS[id(graph)] = plan
            weakref.finalize(graph, _PLANS.pop, id(graph), None)
    return plan


_WEIGHTS: dict[int, np.ndarray] = {}


def edge_costs(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(times, weights)`` of the edges: the routing weights, or the times again.

    The float32 routing weights are read as float64, once per graph (kept while it lives):
    the kernels run 1.6 times slower on float32 weights.

    Examples
    --------
    >>> from maillage.travel.graph.graph import line_graph
    >>> times, weights = edge_costs(line_graph([4.0]))
    >>> weights is times
    True
    """
    if not len(graph.routing):
        return graph.weights, graph.weights
    weights = _WEIGHTS.get(id(graph))
    if weights is None:
        with _PLANS_LOCK:
            weights = _WEIGHTS.get(id(graph))
            if weights is None:
                weights = graph.routing.astype(np.float64)
                _WEIGHTS[id(graph)] = weights
                weakref.finalize(graph, _WEIGHTS.pop, id(graph), None)
    return graph.weights, weights


def _weights(start_s: np.ndarray, start_w: np.ndarray | None) -> np.ndarray:
    return np.asarray(start_s if start_w is None else start_w, dtype=np.float64)


def _checked(graph: Graph, nodes: np.ndarray) -> np.ndarray:
    """Return ``nodes`` as int64 after checking what the kernels take for granted.

    The kernels do no bounds checks; a bad node index would corrupt memory.
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    if len(nodes) and (nodes.min() < 0 or nodes.max() >= graph.n_nodes):
        msg = f"node positions must lie in [0, {graph.n_nodes}), got {nodes.min()}..{nodes.max()}"
        raise ValueError(msg)
    if graph.n_edges + len(nodes) >= 2**31 - 1:
        msg = f"graph too large for 32-bit queue entries ({graph.n_edges:,} edges)"
        raise ValueError(msg)
    return nodes


def _ranks(graph: Graph, edges: np.ndarray | None) -> np.ndarray:
    """Turn-plan ranks of edge positions of ``graph`` (-1 stays); empty without turn costs."""
    if edges is None or not graph.turn_costs:
        return np.empty(0, dtype=np.int16)
    edges = np.asarray(edges, dtype=np.int64)
    rank = graph_turn_plan(graph)[2]
    return np.where(edges >= 0, rank[np.maximum(edges, 0)], -1).astype(np.int16)


def exit_turns(graph: Graph, last: np.ndarray, node: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """Return the turn costs at ``node`` onto the routes searched, from the edges ``edge``.

    After :func:`search_from` on ``graph`` (reversed), a trip that drives the road edge
    ``edge`` (its position in ``graph``, which leaves ``node`` there; -1: none) into
    ``node`` and then follows ``node``'s route turns there: this is that turn's cost.

    Parameters
    ----------
    graph : Graph
        The graph searched.
    last : numpy.ndarray
        Rank of the last edge of each node's route (:func:`search_from`).
    node, edge : numpy.ndarray of int
        Nodes and edge positions, one per trip.

    Returns
    -------
    numpy.ndarray
        Seconds (0 without turn costs, or where ``edge`` is -1).
    """
    node, edge = np.asarray(node, dtype=np.int64), np.asarray(edge, dtype=np.int64)
    if not graph.turn_costs or len(node) == 0:
        return np.zeros(len(node))
    cost, offset, _ = graph_turn_plan(graph)
    degree = graph.indptr[node + 1] - graph.indptr[node]
    ranked = (offset[node] >= 0) & (last[node] >= 0)
    base = np.where(ranked, offset[node] + last[node].astype(np.int64) * degree, 0)
    at = np.where(edge >= 0, base + edge - graph.indptr[node], 0)  # cost[0] is a no-turn 0
    return np.where(edge >= 0, cost[at], 0.0)


def search_from(
    graph: Graph,
    sources: np.ndarray,
    start_s: np.ndarray,
    labels: np.ndarray,
    *,
    max_time_s: float | None = None,
    seed_edges: np.ndarray | None = None,
    start_w: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return :func:`nearest_sources`' time and label, the last edge and the weight of each route.

    ``seed_edges`` gives, per source, the edge of ``graph`` its route is taken to end with
    (-1: none): a point placed part-way along an edge has driven it, and turns from it.
    ``start_w`` gives the sources' start weights (default: their start times).
    The last array holds turn-plan ranks (empty without turn costs), for :func:`exit_turns`.
    """
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    return kernels.multi_source(
        graph.indptr,
        graph.indices,
        edge_costs(graph),
        _checked(graph, sources),
        (np.asarray(start_s, dtype=np.float64), _weights(start_s, start_w)),
        np.asarray(labels, dtype=np.int64),
        _limit(max_time_s),
        graph_turn_plan(graph),
        _ranks(graph, seed_edges),
    )


def search_from_k(
    graph: Graph,
    sources: np.ndarray,
    start_s: np.ndarray,
    labels: np.ndarray,
    k: int,
    *,
    max_time_s: float | None = None,
    seed_edges: np.ndarray | None = None,
    start_w: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return :func:`search_from`'s arrays for the ``k`` least-weight distinct labels of each node.

    Each array is ``(n_nodes, k)``, a row sorted by weight (``inf`` and label -1 past the
    labels reached): time, label, last edge (turn-plan ranks, ``(0, k)`` without turn
    costs) and weight. Exact: :func:`search_from`, then one search per further rank
    (:func:`maillage.travel.graph.kernels.next_rank`).

    Examples
    --------
    >>> from maillage.travel.graph.graph import line_graph
    >>> g = line_graph([4.0, 6.0])  # nodes 0 - 1 - 2
    >>> time_s, label, _, _ = search_from_k(g, np.array([0, 2]), np.zeros(2), np.array([7, 9]), 2)
    >>> time_s[1].tolist(), label[1].tolist()
    ([4.0, 6.0], [7, 9])
    """
    time_s, label, last, weight = search_from(
        graph, sources, start_s, labels,
        max_time_s=max_time_s, seed_edges=seed_edges, start_w=start_w,
    )  # fmt: skip
    if k == 1:
        return time_s[:, None], label[:, None], last[:, None], weight[:, None]
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    ranks: tuple[np.ndarray, ...] = (
        np.full((k, graph.n_nodes), np.inf), np.full((k, graph.n_nodes), -1, dtype=np.int64),
        np.full((k, len(last)), -1, dtype=np.int16), np.full((k, graph.n_nodes), np.inf),
    )  # fmt: skip
    for row, first in zip(ranks, (time_s, label, last, weight), strict=True):
        row[0] = first
    seeds = (
        _checked(graph, sources),
        (np.asarray(start_s, dtype=np.float64), _weights(start_s, start_w)),
        np.asarray(labels, dtype=np.int64),
        _ranks(graph, seed_edges),
    )
    for j in range(1, k):
        kernels.next_rank(
            graph.indptr, graph.indices, edge_costs(graph), ranks, j, _limit(max_time_s),
            graph_turn_plan(graph), seeds,
        )  # fmt: skip
    return ranks[0].T, ranks[1].T, ranks[2].T, ranks[3].T


def nearest_sources(
    graph: Graph,
    sources: np.ndarray,
    start_s: np.ndarray,
    labels: np.ndarray,
    *,
    max_time_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the time to the nearest source and its label, for every node.

    Parameters
    ----------
    graph : Graph
        Graph to search (reversed graph for times towards the sources).
    sources : numpy.ndarray of int
        Source nodes (repeats allowed).
    start_s : numpy.ndarray of float
        Time already spent at each source (its access leg).
    labels : numpy.ndarray of int
        Label of each source, reported for the nodes it is nearest to.
    max_time_s : float, optional
        Stop the search beyond this time.

    Returns
    -------
    tuple of numpy.ndarray
        ``time_s`` (``inf`` when unreached) and ``label`` (``-1`` when unreached) per node.
    """
    time_s, label, _, _ = search_from(graph, sources, start_s, labels, max_time_s=max_time_s)
    return time_s, label


def reach(
    graph: Graph,
    seeds: np.ndarray,
    start_s: np.ndarray,
    max_time_s: float,
    *,
    seed_edges: np.ndarray | None = None,
    start_w: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the nodes within ``max_time_s`` of a point that starts at ``seeds``, and their times.

    Parameters
    ----------
    graph : Graph
        Graph to search.
    seeds : numpy.ndarray of int
        Start nodes (one or both ends of the edge the point is placed on).
    start_s : numpy.ndarray of float
        Time already spent at each start node (access leg and partial edge).
    max_time_s : float
        Time budget.
    seed_edges : numpy.ndarray of int, optional
        Edge of ``graph`` each seed's route ends with (-1: none), see :func:`search_from`.
    start_w : numpy.ndarray of float, optional
        Weight already spent at each start node (default: ``start_s``).

    Returns
    -------
    tuple of numpy.ndarray
        Node positions and their times, in settling order.

    Examples
    --------
    >>> from maillage.travel.graph.graph import line_graph
    >>> g = line_graph([4.0])  # nodes 0 - 1, 4 s either way
    >>> reach(g, np.array([0]), np.zeros(1), 3.0)[0].tolist()
    [0]
    >>> reach(g, np.array([0]), np.zeros(1), 4.0)[0].tolist()
    [0, 1]
    """
    seeds = _checked(graph, seeds)
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    return kernels.reach(
        graph.indptr,
        graph.indices,
        edge_costs(graph),
        (
            seeds,
            np.asarray(start_s, dtype=np.float64),
            _weights(start_s, start_w),
            _ranks(graph, seed_edges),
        ),
        float(max_time_s),
        graph_turn_plan(graph),
    )


def _group_points(
    n_nodes: int, node: np.ndarray, extra_s: np.ndarray, extra_w: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Group point rows by node: (node_ptr, row order, extra_s and extra_w in that order)."""
    order = np.argsort(node, kind="stable")
    node_ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(node, minlength=n_nodes), out=node_ptr[1:])
    return node_ptr, order.astype(np.int64), np.asarray(extra_s, np.float64)[order], extra_w[order]


def bounded_pairs(
    graph: Graph,
    sources: tuple[np.ndarray, np.ndarray, np.ndarray],
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    max_time_s: float,
    floor_s: np.ndarray | None = None,
    progress: bool = False,
    source_edges: np.ndarray | None = None,
    point_edges: np.ndarray | None = None,
    weights: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return every (point, source, time) with time within ``max_time_s``.

    A source or a point placed part-way along an edge starts or ends at either end of it:
    both are given as rows (id, node, time), several rows per id. Each source's search
    starts at all its rows at once; a point's time is the least over its rows.
    One bounded search per source (cost grows with the area reached, not with the graph),
    run by batches on ``os.cpu_count()`` threads (the kernels release the GIL).
    With ``floor_s``, a search does not expand a node whose ``floor_s`` is at most its time
    from the source: pass each node's time to the nearest existing venue, and the pairs of
    the points beyond ``max_time_s`` of every existing venue stay exact while the searches
    stop where an existing venue is nearer (pairs of the other points may be missing).

    Parameters
    ----------
    graph : Graph
        Graph to search (reversed graph for times towards the sources).
    sources : tuple of numpy.ndarray
        ``(source, node, start_s)`` rows: source ids ``0..k-1``, sorted, each with at
        least one row; a start node and the time already spent there.
    points : tuple of numpy.ndarray
        ``(point, node, extra_s)`` rows: point ids ``0..p-1``; a node the point is
        reached from and the time added there (partial edge, access leg).
    max_time_s : float
        Time budget, access legs included.
    floor_s : numpy.ndarray of float, optional
        One time per node (``inf`` for none) that prunes the searches, see above.
    progress : bool, default False
        Show a progress bar over batches of sources.
    source_edges, point_edges : numpy.ndarray of int, optional
        Per row, the edge of ``graph`` driven between the point and the node (-1: none),
        whose turn at the node is charged (see :func:`search_from`, :func:`exit_turns`).
    weights : tuple of numpy.ndarray, optional
        Start weights of the source rows and extra weights of the point rows (default:
        their times); each pair's route is the least-weight one, its time reported.

    Returns
    -------
    tuple of numpy.ndarray
        Point ids, source ids, times (seconds): one row per pair within reach.

    Examples
    --------
    >>> import numpy as np
    >>> from maillage.travel.graph.graph import line_graph
    >>> g = line_graph([4.0])  # nodes 0 - 1, 4 s either way
    >>> sources = (np.array([0, 1]), np.array([0, 1]), np.zeros(2))
    >>> points = (np.array([0, 0]), np.array([1, 0]), np.array([1.0, 4.5]))  # both ends
    >>> p, s, t = bounded_pairs(g, sources, points, max_time_s=5.0)
    >>> p.tolist(), s.tolist(), t.tolist()
    ([0, 0], [0, 1], [4.5, 1.0])
    """
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    source_id, seed_node, seed_start = sources
    point_id, point_node, point_extra_s = points
    start_w, extra_w = (None, None) if weights is None else weights
    node_ptr, order, extra, extra_w = _group_points(
        graph.n_nodes, _checked(graph, point_node), point_extra_s, _weights(point_extra_s, extra_w)
    )
    point_idx = np.asarray(point_id, dtype=np.int64)[order]
    no_edge = np.full(len(point_idx), -1, dtype=np.int64)
    point_edge = no_edge if point_edges is None else np.asarray(point_edges, np.int64)[order]
    seed_rank = _ranks(graph, source_edges)
    seed_node = _checked(graph, seed_node)
    seed_start_w = _weights(seed_start, start_w)
    seed_start = np.asarray(seed_start, dtype=np.float64)
    n_sources = int(source_id[-1]) + 1 if len(source_id) else 0
    seed_ptr = np.searchsorted(source_id, np.arange(n_sources + 1)).astype(np.int64)
    floor = np.empty(0) if floor_s is None else np.asarray(floor_s, dtype=np.float64)
    if len(floor) not in (0, graph.n_nodes):
        msg = f"floor_s must hold one time per node ({graph.n_nodes}), got {len(floor)}"
        raise ValueError(msg)
    workers = max(1, os.cpu_count() or 1)
    # Few large batches: each kernel call allocates O(nodes + edges) work arrays once.
    size = max(_BATCH, math.ceil(n_sources / (8 * workers)))
    batches = [np.arange(i, min(i + size, n_sources)) for i in range(0, n_sources, size)]

    turns = graph_turn_plan(graph)
    costs = edge_costs(graph)

    def run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = slice(seed_ptr[batch[0]], seed_ptr[batch[-1] + 1])
        ptr = seed_ptr[batch[0] : batch[-1] + 2] - seed_ptr[batch[0]]
        ranks = seed_rank[rows] if len(seed_rank) else seed_rank
        seeds = (ptr, seed_node[rows], seed_start[rows], seed_start_w[rows], ranks)
        p, s, t = kernels.bounded_pairs(
            graph.indptr, graph.indices, costs, seeds,
            float(max_time_s), (node_ptr, point_idx, extra, extra_w, point_edge), floor, turns,
        )  # fmt: skip
        return p, batch[s], t

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(batches)))) as pool:
        results = pool.map(run, batches)
        if progress:
            from tqdm.auto import tqdm  # noqa: PLC0415 - optional progress display

            results = tqdm(results, total=len(batches), desc="bounded searches")
        parts = list(results)
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))  # type: ignore[return-value]
