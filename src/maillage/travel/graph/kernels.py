# numba kernels take plain arrays positionally; numba types them, not annotations.
# ruff: noqa: ANN001, ANN201, ANN202, PLR0917
"""Compiled Dijkstra kernels (numba) on CSR arrays, with a bucket queue.

The priority queue is a circular array of buckets (Dial's algorithm, CACM 1969, generalised
to real weights): bucket ``k`` holds the nodes whose tentative time lies in
``[k w, (k + 1) w)`` where the width ``w`` is just below the smallest edge time. A node
popped from the current bucket is then final (any edge leads at least one bucket further,
the Δ-stepping argument of Meyer & Sanders 2003 with Δ below the lightest edge), so every
queue operation is O(1) instead of a heap's O(log n); the results are exact Dijkstra times.
Empty buckets cost one test each; there are (largest time) / w of them per search, a few
hundred thousand at most on road graphs (edges are floored at 0.01 s).

Why not ``scipy.sparse.csgraph.dijkstra``: it is 2-3x slower on a 4-million-node
road-like graph (1.9 s against 0.7 s, ``benchmarks/README.md``), and its bounded searches (``limit=``) still
allocate and scan a dense ``n_sources x n_nodes`` array, which rules out thousands of
per-venue searches on a region. These kernels reset only the nodes they touched and release
the GIL, so batches of searches run on several threads.

All kernels search the graph they are given; pass the *reversed* graph to get times
*towards* the sources (home -> venue).

**Turn costs.** With a ``heading`` per edge (else an empty array), extending the route of a
settled node ``u`` at an intersection (``junction[u]``) by edge ``j`` also costs car.lua's
turn between the last edge of that route and ``j``
(:func:`maillage.travel.graph.turns.turn_cost`); the route's last heading and roundabout
flag are kept per node. ``sign`` is 1 on a forward graph (turn from the route's edge to
``j``), -1 on a reversed one (from ``j`` to the route's edge, which a trip drives after).
No turn is charged at a source. Every time is then the time of a real route, turns
included, though not always the cheapest (:mod:`maillage.travel.graph.turns`). The bucket
queue spans the heaviest edge plus the dearest turn.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from maillage.travel.graph.turns import MAX_TURN_S, TABLE_STEP_DEG

__all__ = ["bounded_pairs", "multi_source", "reach"]

_SLACK = 0.999  # bucket width = 0.999 x the lightest edge: robust to rounding


@njit(cache=True, nogil=True)
def _turn(table, sign, last, last_roundabout, heading, roundabout):
    """Turn cost from a route whose last edge has heading ``last`` onto an edge ``heading``.

    Read from car.lua's costs tabulated by counter-clockwise angle from -360 to 360 degrees
    (:func:`maillage.travel.graph.turns.turn_table`, two rows: off and on roundabouts; no
    branch to wrap the angle), interpolated linearly.
    """
    ccw = sign * (heading - last)  # counter-clockwise turn of the trip, degrees
    position = (ccw + 360.0) * (1.0 / TABLE_STEP_DEG)
    last_step = table.shape[1] - 1  # the column after the steps: just left of straight on
    k = min(int(position), last_step - 2)
    row = table[1] if last_roundabout or roundabout else table[0]
    low = row[last_step] if k == last_step // 2 and ccw > 0.0 else row[k]
    return low + (position - k) * (row[k + 1] - low)


@njit(cache=True, nogil=True)
def _queue(weights, spread, capacity):
    """Return (width, heads, entry nodes, entry links) of an empty bucket queue.

    Entries are 32-bit: the callers check that nodes and edges number below 2**31.
    """
    width = weights.min() * _SLACK if len(weights) else 1.0
    n_buckets = int(max(weights.max() if len(weights) else 0.0, spread) / width) + 2
    heads = np.full(n_buckets, -1, dtype=np.int32)
    entry_node = np.empty(capacity, dtype=np.int32)
    entry_next = np.empty(capacity, dtype=np.int32)
    return width, heads, entry_node, entry_next


@njit(cache=True, nogil=True)
def _seed(dist, label, done, sources, init, labels, limit, width, heads, entry_node, entry_next):
    """Queue the sources (the fastest start per node); return (entries used, first bucket)."""
    n_buckets = len(heads)
    for i in range(len(sources)):
        s = sources[i]
        if init[i] < dist[s] and init[i] <= limit:
            dist[s] = init[i]
            label[s] = labels[i]
    used = 0
    bucket = np.int64(1) << 62
    for i in range(len(sources)):
        s = sources[i]
        if dist[s] == init[i] and not done[s]:
            done[s] = True  # queued once; cleared below
            k = np.int64(init[i] / width)
            bucket = min(bucket, k)
            slot = k % n_buckets
            entry_node[used] = s
            entry_next[used] = heads[slot]
            heads[slot] = used
            used += 1
    done[:] = False
    return used, bucket


@njit(cache=True, nogil=True)
def multi_source(indptr, indices, weights, sources, init, labels, limit, turns):
    """Return (time, label) of the nearest source for every node, within ``limit``.

    ``sources[i]`` starts at time ``init[i]`` with label ``labels[i]``. Unreached nodes
    have time ``inf`` and label ``-1``. ``turns`` is ``(heading, junction, roundabout,
    sign, table)`` (see the module docstring).
    """
    heading, junction, roundabout, sign, table = turns
    turning = len(heading) > 0
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    label = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    last = np.full(n if turning else 0, np.nan, dtype=np.float32)
    last_rb = np.zeros(n if turning else 0, dtype=np.bool_)
    spread = init.max() - init.min() if len(init) else 0.0
    extra = MAX_TURN_S if turning else 0.0
    width, heads, entry_node, entry_next = _queue(
        weights, spread + extra, len(indices) + len(sources) + 1
    )
    n_buckets = len(heads)
    used, bucket = _seed(
        dist, label, done, sources, init, labels, limit, width, heads, entry_node, entry_next
    )
    live = used
    while live > 0:
        slot = bucket % n_buckets
        e = heads[slot]
        if e < 0:
            bucket += 1
            continue
        heads[slot] = entry_next[e]
        live -= 1
        u = entry_node[e]
        if done[u]:
            continue
        done[u] = True
        d = dist[u]
        lab = label[u]
        turn_here = turning and junction[u] and not np.isnan(last[u])
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            nd = d + weights[j]
            if turn_here:
                nd += _turn(table, sign, last[u], last_rb[u], heading[j], roundabout[j])
            if nd < dist[v] and nd <= limit:
                dist[v] = nd
                label[v] = lab
                if turning:
                    last[v] = heading[j]
                    last_rb[v] = roundabout[j]
                slot_v = np.int64(nd / width) % n_buckets
                entry_node[used] = v
                entry_next[used] = heads[slot_v]
                heads[slot_v] = used
                used += 1
                live += 1
    return dist, label


@njit(cache=True, nogil=True)
def _bounded(indptr, indices, weights, source, start, limit, work, queue, floor, turns):
    """Settle nodes within ``limit`` of ``source``; return how many were touched.

    ``work`` is ``(dist, done, touched, last, last_rb)``: ``dist`` (all inf), ``done``
    (all False) and ``last`` (all NaN, when turning) must be clean for the nodes to be
    touched; the caller resets ``touched[:count]`` afterwards. The queue comes back empty.
    When ``floor`` is not empty, a settled node ``u`` with ``floor[u] <= dist[u]`` is not
    expanded (see :func:`bounded_pairs`).
    """
    dist, done, touched, last, last_rb = work
    heading, junction, roundabout, sign, table = turns
    turning = len(heading) > 0
    pruning = len(floor) > 0
    width, heads, entry_node, entry_next = queue
    n_buckets = len(heads)
    dist[source] = start
    touched[0] = source
    count = 1
    bucket = np.int64(start / width)
    heads[bucket % n_buckets] = 0
    entry_node[0] = source
    entry_next[0] = -1
    used = 1
    live = 1
    while live > 0:
        slot = bucket % n_buckets
        e = heads[slot]
        if e < 0:
            bucket += 1
            continue
        heads[slot] = entry_next[e]
        live -= 1
        u = entry_node[e]
        if done[u]:
            continue
        done[u] = True
        d = dist[u]
        if pruning and floor[u] <= d:
            continue
        turn_here = turning and junction[u] and not np.isnan(last[u])
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            nd = d + weights[j]
            if turn_here:
                nd += _turn(table, sign, last[u], last_rb[u], heading[j], roundabout[j])
            if nd < dist[v] and nd <= limit:
                if dist[v] == np.inf:
                    touched[count] = v
                    count += 1
                dist[v] = nd
                if turning:
                    last[v] = heading[j]
                    last_rb[v] = roundabout[j]
                slot_v = np.int64(nd / width) % n_buckets
                entry_node[used] = v
                entry_next[used] = heads[slot_v]
                heads[slot_v] = used
                used += 1
                live += 1
    return count


@njit(cache=True, nogil=True)
def _work(n, turning):
    """Clean work arrays of a bounded search: dist, done, touched, last, last_rb."""
    return (
        np.full(n, np.inf),
        np.zeros(n, dtype=np.bool_),
        np.empty(n, dtype=np.int64),
        np.full(n if turning else 0, np.nan, dtype=np.float32),
        np.zeros(n if turning else 0, dtype=np.bool_),
    )


@njit(cache=True, nogil=True)
def reach(indptr, indices, weights, source, start, limit, turns):
    """Return (nodes, times) of every node within ``limit`` of ``source`` (start time ``start``)."""
    n = len(indptr) - 1
    turning = len(turns[0]) > 0
    work = _work(n, turning)
    queue = _queue(weights, MAX_TURN_S if turning else 0.0, len(indices) + 1)
    floor = np.empty(0)
    count = _bounded(indptr, indices, weights, source, start, limit, work, queue, floor, turns)
    nodes = work[2][:count].copy()
    return nodes, work[0][nodes]


@njit(cache=True, nogil=True)
def bounded_pairs(
    indptr, indices, weights, sources, starts, limit, points, floor, turns
):  # fmt: skip
    """Return (point, source position, time) of every pair within ``limit``.

    One bounded search per source. ``points`` is ``(node_ptr, point_idx, point_extra)``:
    the points at node ``v`` are ``point_idx[node_ptr[v]:node_ptr[v + 1]]`` with extra
    times ``point_extra`` (their access leg); a pair is kept when ``dist[v] + extra <= limit``.

    ``floor`` (empty, or one time per node) prunes the searches: a node whose ``floor``
    is at most its time from the source is settled but not expanded. With ``floor`` the
    time from each node to the nearest *incumbent* source, the pairs of every point
    farther than ``limit`` from all incumbents stay exact: a shortest path through such a
    node would put the point at most as far from an incumbent as from this source.
    """
    node_ptr, point_idx, point_extra = points
    n = len(indptr) - 1
    turning = len(turns[0]) > 0
    work = _work(n, turning)
    dist, done, touched, last = work[0], work[1], work[2], work[3]
    queue = _queue(weights, MAX_TURN_S if turning else 0.0, len(indices) + 1)
    cap = 1024
    out_p = np.empty(cap, dtype=np.int64)
    out_s = np.empty(cap, dtype=np.int64)
    out_t = np.empty(cap, dtype=np.float64)
    m = 0
    for k in range(len(sources)):
        count = _bounded(
            indptr, indices, weights, sources[k], starts[k], limit, work, queue, floor, turns
        )
        for j in range(count):
            v = touched[j]
            for q in range(node_ptr[v], node_ptr[v + 1]):
                t = dist[v] + point_extra[q]
                if t <= limit:
                    if m == cap:
                        cap *= 2
                        out_p = np.resize(out_p, cap)
                        out_s = np.resize(out_s, cap)
                        out_t = np.resize(out_t, cap)
                    out_p[m] = point_idx[q]
                    out_s[m] = k
                    out_t[m] = t
                    m += 1
            dist[v] = np.inf
            done[v] = False
            if turning:
                last[v] = np.nan
    return out_p[:m].copy(), out_s[:m].copy(), out_t[:m].copy()
