"""Searches on a road graph: nearest source for every node, bounded pair tables, reach.

Times are computed on the graph given; :class:`maillage.travel.graph.road_network.RoadNetwork` passes
the reversed graph so that times run from homes to venues. A graph with turn data also
charges car.lua's turn costs (:mod:`maillage.travel.graph.turns`).

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

__all__ = ["bounded_pairs", "graph_turn_plan", "nearest_sources", "reach"]

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
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    return kernels.multi_source(
        graph.indptr,
        graph.indices,
        graph.weights,
        _checked(graph, sources),
        np.asarray(start_s, dtype=np.float64),
        np.asarray(labels, dtype=np.int64),
        _limit(max_time_s),
        graph_turn_plan(graph),
    )


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
        Node positions and their times, in settling order.

    Examples
    --------
    >>> from maillage.travel.graph.graph import line_graph
    >>> g = line_graph([4.0])  # nodes 0 - 1, 4 s either way
    >>> reach(g, 0, 0.0, 3.0)[0].tolist(), reach(g, 0, 0.0, 4.0)[0].tolist()
    ([0], [0, 1])
    """
    _checked(graph, np.array([source]))
    if start_s > max_time_s:
        return np.empty(0, dtype=np.int64), np.empty(0)
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    return kernels.reach(
        graph.indptr,
        graph.indices,
        graph.weights,
        int(source),
        float(start_s),
        float(max_time_s),
        graph_turn_plan(graph),
    )


def _group_points(n_nodes: int, node: np.ndarray, extra_s: np.ndarray) -> tuple[np.ndarray, ...]:
    """Group point positions by node: (node_ptr, point_idx, extra_s sorted alike)."""
    order = np.argsort(node, kind="stable")
    node_ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(node, minlength=n_nodes), out=node_ptr[1:])
    return node_ptr, order.astype(np.int64), np.asarray(extra_s, dtype=np.float64)[order]


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
        One time per node (``inf`` for none) that prunes the searches, see above.
    progress : bool, default False
        Show a progress bar over batches of sources.

    Returns
    -------
    tuple of numpy.ndarray
        Point positions, source positions, times (seconds).

    Examples
    --------
    >>> import numpy as np
    >>> from maillage.travel.graph.graph import line_graph
    >>> g = line_graph([4.0])  # nodes 0 - 1, 4 s either way
    >>> p, s, t = bounded_pairs(g, np.array([0, 1]), np.zeros(2), np.array([1]),
    ...                         np.array([1.0]), max_time_s=5.0)
    >>> p.tolist(), s.tolist(), t.tolist()
    ([0, 0], [0, 1], [5.0, 1.0])
    """
    from maillage.travel.graph import kernels  # noqa: PLC0415 - numba loads on first search

    node_ptr, point_idx, extra = _group_points(graph.n_nodes, np.asarray(point_node), point_extra_s)
    sources = _checked(graph, sources)
    _checked(graph, point_node)
    start_s = np.asarray(start_s, dtype=np.float64)
    floor = np.empty(0) if floor_s is None else np.asarray(floor_s, dtype=np.float64)
    if len(floor) not in (0, graph.n_nodes):
        msg = f"floor_s must hold one time per node ({graph.n_nodes}), got {len(floor)}"
        raise ValueError(msg)
    workers = max(1, os.cpu_count() or 1)
    # Few large batches: each kernel call allocates O(nodes + edges) work arrays once.
    size = max(_BATCH, math.ceil(len(sources) / (8 * workers)))
    batches = [np.arange(i, min(i + size, len(sources))) for i in range(0, len(sources), size)]

    turns = graph_turn_plan(graph)

    def run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p, s, t = kernels.bounded_pairs(
            graph.indptr, graph.indices, graph.weights, sources[batch], start_s[batch],
            float(max_time_s), (node_ptr, point_idx, extra), floor, turns,
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
