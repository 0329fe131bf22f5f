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
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["bounded_pairs", "multi_source", "reach"]

_SLACK = 0.999  # bucket width = 0.999 x the lightest edge: robust to rounding


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
def multi_source(indptr, indices, weights, sources, init, labels, limit):
    """Return (time, label) of the nearest source for every node, within ``limit``.

    ``sources[i]`` starts at time ``init[i]`` with label ``labels[i]``. Unreached nodes
    have time ``inf`` and label ``-1``.
    """
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    label = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    spread = init.max() - init.min() if len(init) else 0.0
    width, heads, entry_node, entry_next = _queue(weights, spread, len(indices) + len(sources) + 1)
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
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            nd = d + weights[j]
            if nd < dist[v] and nd <= limit:
                dist[v] = nd
                label[v] = lab
                slot_v = np.int64(nd / width) % n_buckets
                entry_node[used] = v
                entry_next[used] = heads[slot_v]
                heads[slot_v] = used
                used += 1
                live += 1
    return dist, label


@njit(cache=True, nogil=True)
def _bounded(indptr, indices, weights, seeds, start, limit, dist, done, touched, queue, floor):
    """Settle the states within ``limit`` of the ``seeds`` (all at ``start``); count them.

    Returns how many states were touched. ``dist`` (all inf) and ``done`` (all False) must be clean for the states to be touched;
    the caller resets ``touched[:count]`` afterwards. The queue comes back empty. When
    ``floor`` is not empty, a settled state ``u`` with ``floor[u] <= dist[u]`` is not
    expanded (see :func:`bounded_pairs`).
    """
    pruning = len(floor) > 0
    width, heads, entry_node, entry_next = queue
    n_buckets = len(heads)
    count = 0
    used = 0
    bucket = np.int64(start / width)
    for i in range(len(seeds)):
        s = seeds[i]
        if dist[s] == np.inf:
            dist[s] = start
            touched[count] = s
            count += 1
            entry_node[used] = s
            entry_next[used] = heads[bucket % n_buckets]
            heads[bucket % n_buckets] = used
            used += 1
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
        if pruning and floor[u] <= d:
            continue
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            nd = d + weights[j]
            if nd < dist[v] and nd <= limit:
                if dist[v] == np.inf:
                    touched[count] = v
                    count += 1
                dist[v] = nd
                slot_v = np.int64(nd / width) % n_buckets
                entry_node[used] = v
                entry_next[used] = heads[slot_v]
                heads[slot_v] = used
                used += 1
                live += 1
    return count


@njit(cache=True, nogil=True)
def reach(indptr, indices, weights, seeds, start, limit):
    """Return (states, times) of every state within ``limit`` of the ``seeds`` (start time ``start``)."""
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    queue = _queue(weights, 0.0, len(indices) + len(seeds) + 1)
    floor = np.empty(0)
    count = _bounded(
        indptr, indices, weights, seeds, start, limit, dist, done, touched, queue, floor
    )
    nodes = touched[:count].copy()
    return nodes, dist[nodes]


@njit(cache=True, nogil=True)
def bounded_pairs(
    indptr, indices, weights, seed_ptr, seeds, starts, limit, node_ptr, point_idx, point_extra,
    floor,
):  # fmt: skip
    """Return (point, source position, time) of every pair within ``limit``.

    One bounded search per source ``k``, from its states ``seeds[seed_ptr[k]:seed_ptr[k + 1]]``
    at time ``starts[k]``. Points are grouped by state: those at state ``v`` are
    ``point_idx[node_ptr[v]:node_ptr[v + 1]]`` with extra times ``point_extra`` (their
    access leg); a pair is kept when ``dist[v] + extra <= limit``.

    ``floor`` (empty, or one time per state) prunes the searches: a state whose ``floor``
    is at most its time from the source is settled but not expanded. With ``floor`` the
    time from each state to the nearest *incumbent* source, the pairs of every point
    farther than ``limit`` from all incumbents stay exact: a shortest path through such a
    state would put the point at most as far from an incumbent as from this source.
    """
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    queue = _queue(weights, 0.0, len(indices) + len(seeds) + 1)
    cap = 1024
    out_p = np.empty(cap, dtype=np.int64)
    out_s = np.empty(cap, dtype=np.int64)
    out_t = np.empty(cap, dtype=np.float64)
    m = 0
    for k in range(len(starts)):
        count = _bounded(
            indptr, indices, weights, seeds[seed_ptr[k] : seed_ptr[k + 1]], starts[k], limit,
            dist, done, touched, queue, floor,
        )  # fmt: skip
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
    return out_p[:m].copy(), out_s[:m].copy(), out_t[:m].copy()
