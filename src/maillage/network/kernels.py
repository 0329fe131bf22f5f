# numba kernels take plain arrays positionally; numba types them, not annotations.
# ruff: noqa: ANN001, ANN201, ANN202, PLR0917
"""Compiled Dijkstra kernels (numba) on CSR arrays.

Why numba rather than ``scipy.sparse.csgraph.dijkstra``: scipy's search (Fibonacci heap)
takes ~3.5 s for a multi-source search on a 4-million-node grid on the project's 2-core
machine, and its bounded searches (``limit=``) still allocate and scan a dense
``n_sources x n_nodes`` array, which rules out thousands of per-venue searches on a region.
These kernels use a binary heap with lazy deletion, reset only the nodes they touched, and
release the GIL so that batches of searches run on several threads.

All kernels search the graph they are given; pass the *reversed* graph to get times
*towards* the sources (home -> venue).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["bounded_pairs", "multi_source", "reach"]


@njit(cache=True, nogil=True)
def _push(keys, vals, size, key, val):
    """Insert ``(key, val)`` in the binary heap of ``size`` entries; return the new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val
    return size + 1


@njit(cache=True, nogil=True)
def _pop(keys, vals, size):
    """Remove the smallest entry; return ``(key, val, new size)``."""
    top_k, top_v = keys[0], vals[0]
    size -= 1
    last_k, last_v = keys[size], vals[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= last_k:
            break
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
    keys[i] = last_k
    vals[i] = last_v
    return top_k, top_v, size


@njit(cache=True, nogil=True)
def multi_source(indptr, indices, weights, sources, init, labels, limit):
    """Return (time, label) of the nearest source for every node, within ``limit``.

    ``sources[i]`` starts at time ``init[i]`` with label ``labels[i]``. Unreached nodes
    have time ``inf`` and label ``-1``.
    """
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    label = np.full(n, -1, dtype=np.int64)
    # Lazy deletion: at most one entry per source and per edge relaxation.
    keys = np.empty(len(indices) + len(sources) + 1, dtype=np.float64)
    vals = np.empty(len(keys), dtype=np.int64)
    size = 0
    for i in range(len(sources)):
        s = sources[i]
        if init[i] < dist[s] and init[i] <= limit:
            dist[s] = init[i]
            label[s] = labels[i]
            size = _push(keys, vals, size, init[i], s)
    while size > 0:
        d, u, size = _pop(keys, vals, size)
        if d > dist[u]:
            continue
        lab = label[u]
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            nd = d + weights[e]
            if nd < dist[v] and nd <= limit:
                dist[v] = nd
                label[v] = lab
                size = _push(keys, vals, size, nd, v)
    return dist, label


@njit(cache=True, nogil=True)
def _bounded(indptr, indices, weights, source, start, limit, dist, touched, keys, vals):
    """Settle nodes within ``limit`` of ``source``; return how many were touched.

    ``dist`` must be all-inf on entry for the nodes to be touched; the caller resets the
    touched ones (``touched[:count]``) afterwards.
    """
    count = 0
    dist[source] = start
    touched[count] = source
    count += 1
    size = _push(keys, vals, 0, start, source)
    while size > 0:
        d, u, size = _pop(keys, vals, size)
        if d > dist[u]:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            nd = d + weights[e]
            if nd < dist[v] and nd <= limit:
                if dist[v] == np.inf:
                    touched[count] = v
                    count += 1
                dist[v] = nd
                size = _push(keys, vals, size, nd, v)
    return count


@njit(cache=True, nogil=True)
def reach(indptr, indices, weights, source, start, limit):
    """Return (nodes, times) of every node within ``limit`` of ``source`` (start time ``start``)."""
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    keys = np.empty(len(indices) + 1, dtype=np.float64)
    vals = np.empty(len(keys), dtype=np.int64)
    count = _bounded(indptr, indices, weights, source, start, limit, dist, touched, keys, vals)
    nodes = touched[:count].copy()
    return nodes, dist[nodes]


@njit(cache=True, nogil=True)
def bounded_pairs(
    indptr,
    indices,
    weights,
    sources,
    starts,
    limit,
    node_ptr,
    point_idx,
    point_extra,
):
    """Return (point, source position, time) of every pair within ``limit``.

    One bounded search per source. Points are grouped by node: those at node ``v`` are
    ``point_idx[node_ptr[v]:node_ptr[v + 1]]`` with extra times ``point_extra`` (their
    access leg); a pair is kept when ``dist[v] + extra <= limit``.
    """
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    keys = np.empty(len(indices) + 1, dtype=np.float64)
    vals = np.empty(len(keys), dtype=np.int64)
    cap = 1024
    out_p = np.empty(cap, dtype=np.int64)
    out_s = np.empty(cap, dtype=np.int64)
    out_t = np.empty(cap, dtype=np.float64)
    m = 0
    for k in range(len(sources)):
        count = _bounded(
            indptr, indices, weights, sources[k], starts[k], limit, dist, touched, keys, vals
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
    return out_p[:m].copy(), out_s[:m].copy(), out_t[:m].copy()
