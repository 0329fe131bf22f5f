"""Searches on a road graph: nearest source for every node, bounded pair tables, reach.

Times are computed on the graph given; :class:`maillage.travel.graph.road_network.RoadNetwork` passes
the reversed graph so that times run from homes to venues.

Sources and results are *nodes*; the kernels run over the graph's states
(:class:`~maillage.travel.graph.graph.Graph`). On a forward graph a search starts at its
sources' own states and a node's time is the best of its states; on a reversed graph (from
trip ends) it starts at every arrival state of its sources and a node's time is that of its
own state, where trips start.

Examples
--------
>>> import numpy as np
>>> from maillage.travel.graph.graph import graph_from_edges
>>> line = graph_from_edges(np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1]),
...                         np.array([10.0, 10.0, 5.0, 5.0]), np.zeros((3, 2)), np.arange(3))
>>> time_s, label = nearest_sources(line, np.array([0]), np.array([0.0]), np.array([7]))
>>> time_s.tolist(), label.tolist()
([0.0, 10.0, 15.0], [7, 7, 7])
"""

from __future__ import annotations

import logging
import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from maillage.travel.graph.graph import Graph

__all__ = ["bounded_pairs", "nearest_sources", "node_times", "reach"]

logger = logging.getLogger(__name__)

_BATCH = 16


def _limit(max_time_s: float | None) -> float:
    return math.inf if max_time_s is None else float(max_time_s)


def _checked(graph: Graph, nodes: np.ndarray) -> np.ndarray:
    """Return ``nodes`` as int64 after checking what the kernels take for granted.

    The kernels do no bounds checks; a bad node index would corrupt memory.
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    if len(nodes) and (nodes.min() < 0 or nodes.max() >= graph.n_nodes):
        msg = f"node positions must lie in [0, {graph.n_nodes}), got {nodes.min()}..{nodes.max()}"
        raise ValueError(msg)
    if graph.n_edges + graph.n_states >= 2**31 - 1:
        msg = f"graph too large for 32-bit queue entries ({graph.n_edges:,} edges)"
        raise ValueError(msg)
    return nodes


def _seeds(graph: Graph, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States a search from ``nodes`` starts at, and the position of each's node."""
    if graph.reverse:
        return graph.arrivals(nodes)
    return graph.own_states()[nodes], np.arange(len(nodes))


def node_times(graph: Graph, state_times_s: np.ndarray) -> np.ndarray:
    """Return each node's time from the times of the states of ``graph``.

    On a reversed graph, the time of a node's own state (where its trips start); on a
    forward graph, the best of its states.

    Parameters
    ----------
    graph : Graph
        The graph searched.
    state_times_s : numpy.ndarray
        One time per state (:func:`nearest_sources` with ``states=True``).

    Returns
    -------
    numpy.ndarray
        One time per node.
    """
    return _best_per_node(graph, np.asarray(state_times_s, dtype=np.float64))[0]


def _best_per_node(graph: Graph, time_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per node: its time and the state holding it (own state when reversed, else the fastest)."""
    own = graph.own_states()
    if graph.reverse or not graph.expanded:
        return time_s[own], own
    best = np.minimum.reduceat(time_s, own)
    node = graph.node_of_state()
    state = np.flatnonzero(time_s == best[node])
    first = np.full(graph.n_nodes, -1, dtype=np.int64)
    first[node[state[::-1]]] = state[::-1]  # the first state of each node at its best time
    return best, first


def nearest_sources(
    graph: Graph,
    sources: np.ndarray,
    start_s: np.ndarray,
    labels: np.ndarray,
    *,
    max_time_s: float | None = None,
    states: bool = False,
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
    states : bool, default False
        Return one value per state of the graph instead of one per node (the floor of
        :func:`bounded_pairs`).

    Returns
    -------
    tuple of numpy.ndarray
        ``time_s`` (``inf`` when unreached) and ``label`` (``-1`` when unreached) per node.
    """
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    seeds, which = _seeds(graph, _checked(graph, sources))
    time_s, label = kernels.multi_source(
        graph.indptr,
        graph.indices,
        graph.weights,
        seeds,
        np.asarray(start_s, dtype=np.float64)[which],
        np.asarray(labels, dtype=np.int64)[which],
        _limit(max_time_s),
    )
    if states:
        return time_s, label
    best, state = _best_per_node(graph, time_s)
    return best, label[state]


def reach(
    graph: Graph, source: int, start_s: float, max_time_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the nodes within ``max_time_s`` of ``source`` and their times.

    Parameters
    ----------
    graph : Graph
        Graph to search.
    source : int
        Start node.
    start_s : float
        Time already spent at the start.
    max_time_s : float
        Time budget.

    Returns
    -------
    tuple of numpy.ndarray
        Node positions and their times, by increasing time.

    Examples
    --------
    >>> import numpy as np
    >>> from maillage.travel.graph.graph import graph_from_edges
    >>> g = graph_from_edges(np.array([0, 1]), np.array([1, 0]), np.array([4.0, 4.0]),
    ...                      np.zeros((2, 2)), np.arange(2))
    >>> reach(g, 0, 0.0, 3.0)[0].tolist(), reach(g, 0, 0.0, 4.0)[0].tolist()
    ([0], [0, 1])
    """
    _checked(graph, np.array([source]))
    if start_s > max_time_s:
        return np.empty(0, dtype=np.int64), np.empty(0)
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    seeds, _ = _seeds(graph, np.array([source], dtype=np.int64))
    states, time_s = kernels.reach(
        graph.indptr, graph.indices, graph.weights, seeds, float(start_s), float(max_time_s)
    )
    if not graph.expanded:
        return states, time_s
    full = np.full(graph.n_states, np.inf)
    full[states] = time_s
    best, _ = _best_per_node(graph, full)
    nodes = np.flatnonzero(np.isfinite(best))
    order = np.argsort(best[nodes], kind="stable")
    return nodes[order], best[nodes[order]]


def _group_points(n_states: int, state: np.ndarray, extra_s: np.ndarray) -> tuple[np.ndarray, ...]:
    """Group point positions by state: (state_ptr, point_idx, extra_s sorted alike)."""
    order = np.argsort(state, kind="stable")
    state_ptr = np.zeros(n_states + 1, dtype=np.int64)
    np.cumsum(np.bincount(state, minlength=n_states), out=state_ptr[1:])
    return state_ptr, order.astype(np.int64), np.asarray(extra_s, dtype=np.float64)[order]


def _point_states(graph: Graph, point_node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States where a search reads each point, and the point of each (see the module doc)."""
    if graph.reverse or not graph.expanded:
        return graph.own_states()[point_node], np.arange(len(point_node))
    return graph.arrivals(point_node)


def _floor(graph: Graph, floor_s: np.ndarray | None) -> np.ndarray:
    floor = np.empty(0) if floor_s is None else np.asarray(floor_s, dtype=np.float64)
    if len(floor) == graph.n_nodes < graph.n_states:  # arrival states: never pruned (safe)
        per_state = np.full(graph.n_states, np.inf)
        per_state[graph.own_states()] = floor
        floor = per_state
    if len(floor) not in (0, graph.n_states):
        msg = f"floor_s must hold one time per node ({graph.n_nodes}), got {len(floor)}"
        raise ValueError(msg)
    return floor


def _fastest_pairs(
    point: np.ndarray, source: np.ndarray, time_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the fastest of repeated (point, source) pairs."""
    order = np.lexsort((time_s, source, point))
    point, source, time_s = point[order], source[order], time_s[order]
    first = np.r_[True, (point[1:] != point[:-1]) | (source[1:] != source[:-1])]
    return point[first], source[first], time_s[first]


def bounded_pairs(
    graph: Graph,
    sources: np.ndarray,
    start_s: np.ndarray,
    point_node: np.ndarray,
    point_extra_s: np.ndarray,
    *,
    max_time_s: float,
    floor_s: np.ndarray | None = None,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return every (point, source, time) with time within ``max_time_s``.

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
    sources : numpy.ndarray of int
        Source node of each source.
    start_s : numpy.ndarray of float
        Time already spent at each source.
    point_node : numpy.ndarray of int
        Node of each point (all placed).
    point_extra_s : numpy.ndarray of float
        Time added at each point (its access leg).
    max_time_s : float
        Time budget, access legs included.
    floor_s : numpy.ndarray of float, optional
        One time per node or per state (``inf`` for none) that prunes the searches, see
        above.
    progress : bool, default False
        Show a progress bar over batches of sources.

    Returns
    -------
    tuple of numpy.ndarray
        Point positions, source positions, times (seconds).

    Examples
    --------
    >>> import numpy as np
    >>> from maillage.travel.graph.graph import graph_from_edges
    >>> g = graph_from_edges(np.array([0, 1]), np.array([1, 0]), np.array([4.0, 4.0]),
    ...                      np.zeros((2, 2)), np.arange(2))
    >>> p, s, t = bounded_pairs(g, np.array([0, 1]), np.zeros(2), np.array([1]),
    ...                         np.array([1.0]), max_time_s=5.0)
    >>> p.tolist(), s.tolist(), t.tolist()
    ([0, 0], [0, 1], [5.0, 1.0])
    """
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    sources = _checked(graph, sources)
    point_node = _checked(graph, point_node)
    start_s = np.asarray(start_s, dtype=np.float64)
    floor = _floor(graph, floor_s)
    states, owner = _point_states(graph, point_node)
    state_ptr, point_idx, extra = _group_points(
        graph.n_states, states, np.asarray(point_extra_s, dtype=np.float64)[owner]
    )
    point_idx = owner[point_idx]
    seeds, which = _seeds(graph, sources)
    seeds = seeds[np.argsort(which, kind="stable")]
    seed_ptr = np.zeros(len(sources) + 1, dtype=np.int64)
    np.cumsum(np.bincount(which, minlength=len(sources)), out=seed_ptr[1:])
    workers = max(1, os.cpu_count() or 1)
    # Few large batches: each kernel call allocates O(nodes + edges) work arrays once.
    size = max(_BATCH, math.ceil(len(sources) / (8 * workers)))
    batches = [np.arange(i, min(i + size, len(sources))) for i in range(0, len(sources), size)]

    def run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        low, high = seed_ptr[batch[0]], seed_ptr[batch[-1] + 1]
        p, s, t = kernels.bounded_pairs(
            graph.indptr, graph.indices, graph.weights, seed_ptr[batch[0] : batch[-1] + 2] - low,
            seeds[low:high], start_s[batch], float(max_time_s), state_ptr, point_idx, extra,
            floor,
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
    point, source, time_s = (np.concatenate([part[i] for part in parts]) for i in range(3))
    if len(states) > len(point_node):  # a point read at several states of its node
        return _fastest_pairs(point, source, time_s)
    return point, source, time_s
