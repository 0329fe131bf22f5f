"""The exact turn-aware search: a plain Dijkstra on the edge-based graph (tests and benchmarks).

maillage's node-based search charges car.lua's turn costs greedily
(:mod:`maillage.travel.graph.turns`). The exact answer to the same problem is a Dijkstra on
the *edge-based* graph: one state per directed road edge, one per venue node to start from;
moving from edge ``i`` into edge ``j`` costs ``j``'s time plus the turn between them, read
from maillage's own turn plan; no U-turn but at a dead end, as in OSRM.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


def edge_based(graph, venues):
    """The edge-based graph of ``graph`` (CSR, reversed like the searches) and its sources.

    States ``0..m-1`` are the edges of ``graph`` (a route that has just driven edge ``i``
    stands at its head), states ``m + k`` start at venue ``k``'s node. Returns the
    (tails, heads, weights) of the state graph and the start states.
    """
    from maillage.travel.graph.search import graph_turn_plan

    cost, offset, rank = graph_turn_plan(graph)
    indptr, indices, weights = graph.indptr, graph.indices.astype(np.int64), graph.weights
    deg = np.diff(indptr)
    m = len(indices)
    # every (arriving edge i, leaving edge j) pair at the head u of i
    u = indices
    count = deg[u]
    first = np.repeat(np.arange(m), count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    nxt = indptr[u][first] + k
    turn = np.zeros(len(first))
    junction = offset[u][first] >= 0
    at = first[junction]
    turn[junction] = cost[
        offset[u][at] + rank[at].astype(np.int64) * deg[u][at] + k[junction]
    ]  # fmt: skip
    # no U-turn (back to the node the edge came from) but at a dead end, as OSRM's car.lua
    tail_of = np.repeat(np.arange(graph.n_nodes), deg)
    turning_back = indices[nxt] == tail_of[first]
    keep = ~turning_back | (deg[u][first] == 1)
    first, nxt, turn = first[keep], nxt[keep], turn[keep]
    # from each venue's start state into the edges leaving its node, without a turn
    v_count = deg[venues]
    v_first = np.repeat(np.arange(len(venues)), v_count)
    v_k = np.arange(v_count.sum()) - np.repeat(np.cumsum(v_count) - v_count, v_count)
    v_next = indptr[venues][v_first] + v_k
    tails = np.concatenate([first, m + v_first])
    heads = np.concatenate([nxt, v_next])
    costs = np.concatenate([weights[nxt] + turn, weights[v_next]])
    return tails, heads, costs, m + np.arange(len(venues))


def node_times(state_dist, graph, venues):
    """Node times from state times: the best state standing at each node (venues: 0)."""
    out = np.full(graph.n_nodes, np.inf)
    m = len(graph.indices)
    np.minimum.at(out, graph.indices, state_dist[:m])
    out[venues] = 0.0
    return out


def exact_node_times(graph, venues):
    """Exact time from every node of ``graph`` (reversed) to its nearest venue, with turns."""
    tails, heads, costs, starts = edge_based(graph, venues)
    n_states = len(graph.indices) + len(venues)
    matrix = sp.csr_matrix((costs, (tails, heads)), shape=(n_states, n_states))
    return node_times(dijkstra(matrix, indices=starts, min_only=True), graph, venues)
