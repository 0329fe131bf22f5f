# numba kernels take plain arrays positionally; numba types them, not annotations.
# ruff: noqa: ANN001, ANN201, ANN202, PLR0917
"""Compiled Dijkstra kernels (numba) on CSR arrays, with a bucket queue.

The priority queue is a circular array of buckets (Dial's algorithm, CACM 1969, generalised
to real weights): bucket ``k`` holds the nodes whose tentative time lies in
``[k w, (k + 1) w)`` where the width ``w`` is just below the smallest edge time. A node
popped from the current bucket is then final (any edge leads at least one bucket further,
the Δ-stepping argument of Meyer & Sanders 2003 with Δ below the lightest edge), so every
queue operation is O(1) instead of a heap's O(log n); the results are exact Dijkstra labels.

**Weight and time.** The searches take ``costs = (times, weights)`` per edge: they settle
nodes by weight (car.lua's routability, :attr:`maillage.travel.graph.graph.Graph.routing`;
the times again for routes of least time) and carry each route's time, which they report
and which the time budget ``limit`` bounds; the queue's buckets are widths of weight.
Empty buckets cost one test each; there are (largest time) / w of them per search, a few
hundred thousand at most on road graphs (edges are floored at 0.01 s).

Why not ``scipy.sparse.csgraph.dijkstra``: it is 2-3x slower on a 4-million-node
road-like graph (1.9 s against 0.7 s, ``benchmarks/README.md``), and its bounded searches (``limit=``) still
allocate and scan a dense ``n_sources x n_nodes`` array, which rules out thousands of
per-venue searches on a region. These kernels reset only the nodes they touched and release
the GIL, so batches of searches run on several threads.

All kernels search the graph they are given; pass the *reversed* graph to get times
*towards* the sources (home -> venue).

**Turn costs.** A graph with turn data is searched with its *turn plan*
(:func:`turn_plan`): at every intersection (``junction[u]``), the cost of car.lua's turn
(:func:`maillage.travel.graph.turns.turn_cost`) from each edge arriving at ``u`` onto each
edge leaving it, computed once, and for every edge its rank among the edges arriving at its
head. Extending the route of a settled node ``u`` by edge ``j`` then costs the plan's entry
for (the last edge of ``u``'s route, ``j``): one read, next to ``u``'s other entries. The
route's last edge is kept per node as that rank (16 bits). ``sign`` is 1 on a forward
graph (turn from the route's edge to ``j``), -1 on a reversed one (from ``j`` to the
route's edge, which a trip drives after). No turn is charged at a source. Every time is
then the time of a real route, turns included, though not always the cheapest
(:mod:`maillage.travel.graph.turns`). The bucket queue spans the heaviest edge plus the
dearest turn.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from maillage.travel.graph.turns import MAX_TURN_S, TABLE_STEP_DEG

__all__ = ["bounded_pairs", "multi_source", "next_rank", "reach", "turn_plan"]

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
def turn_plan(indptr, indices, heading, junction, roundabout, sign, table):
    """Return ``(cost, offset, rank)``: the turn costs of a graph, laid out for the searches.

    ``rank[i]`` is edge ``i``'s rank among the edges arriving at its head (int16: the
    caller checks that no node has more than 32,767). At an intersection ``u``,
    ``cost[offset[u] + rank[i] * deg(u) + (j - indptr[u])]`` (float32) is the turn from
    edge ``i`` onto the ``j``-th edge of the CSR, leaving ``u``; elsewhere ``offset[u]``
    is -1. The costs are those of :func:`_turn`, rounded to float32 (within 1e-6 s).
    """
    n = len(indptr) - 1
    m = len(indices)
    arriving = np.zeros(n, dtype=np.int64)
    rank = np.empty(m, dtype=np.int16)
    for i in range(m):
        v = indices[i]
        rank[i] = arriving[v]
        arriving[v] += 1
    widest = 0
    for u in range(n):
        widest = max(widest, indptr[u + 1] - indptr[u])
    offset = np.full(n, -1, dtype=np.int64)
    total = widest  # the first entries stay 0: the costs where no turn is charged
    for u in range(n):
        if junction[u]:
            offset[u] = total
            total += arriving[u] * (indptr[u + 1] - indptr[u])
    cost = np.zeros(total, dtype=np.float32)
    for t in range(n):
        for i in range(indptr[t], indptr[t + 1]):
            u = indices[i]
            if offset[u] < 0:
                continue
            base = offset[u] + rank[i] * (indptr[u + 1] - indptr[u]) - indptr[u]
            for j in range(indptr[u], indptr[u + 1]):
                cost[base + j] = _turn(
                    table, sign, heading[i], roundabout[i], heading[j], roundabout[j]
                )
    return cost, offset, rank


@njit(cache=True, nogil=True, inline="always")
def _turn_base(turning, offset, last, indptr, u):
    """Return the shift into the plan's costs of the edges leaving ``u`` (to 0s: no turn)."""
    if not turning or offset[u] < 0 or last[u] < 0:
        return -indptr[u]
    return offset[u] + np.int64(last[u]) * (indptr[u + 1] - indptr[u]) - indptr[u]


@njit(cache=True, nogil=True)
def _queue(weights, spread, capacity):
    """Return (width, heads, entry nodes, entry links) of an empty bucket queue.

    The live entries of the queue always lie within the heaviest edge plus ``spread``
    (the spread of the start times and the dearest turn) of the bucket being emptied: the
    circular array spans that much. Entries are 32-bit: the callers check that nodes and
    edges number below 2**31.
    """
    width = weights.min() * _SLACK if len(weights) else 1.0
    n_buckets = int(((weights.max() if len(weights) else 0.0) + spread) / width) + 2
    heads = np.full(n_buckets, -1, dtype=np.int32)
    entry_node = np.empty(capacity, dtype=np.int32)
    entry_next = np.empty(capacity, dtype=np.int32)
    return width, heads, entry_node, entry_next


@njit(cache=True, nogil=True)
def _seed(state, label, sources, init, labels, limit, queue, seed_last):
    """Queue the sources (the least-weight start per node); return (entries used, first bucket).

    ``init`` is ``(times, weights)`` of the sources' starts. ``seed_last`` (empty, or one
    per source) is the rank of the edge each source's route is taken to end with
    (:func:`turn_plan`), -1 for none: the turn from it is charged.
    """
    dist, done, last, dur = state
    start_s, start_w = init
    width, heads, entry_node, entry_next = queue
    n_buckets = len(heads)
    for i in range(len(sources)):
        s = sources[i]
        if start_s[i] <= limit and start_w[i] < dist[s]:
            dist[s], dur[s] = start_w[i], start_s[i]
            label[s] = labels[i]
            if len(last) and len(seed_last):
                last[s] = seed_last[i]
    used = 0
    bucket = np.int64(1) << 62
    for i in range(len(sources)):
        s = sources[i]
        if dist[s] == start_w[i] and not done[s]:
            done[s] = True  # queued once; cleared below
            k = np.int64(start_w[i] / width)
            bucket = min(bucket, k)
            slot = k % n_buckets
            entry_node[used] = s
            entry_next[used] = heads[slot]
            heads[slot] = used
            used += 1
    done[:] = False
    return used, bucket


@njit(cache=True, nogil=True)
def multi_source(indptr, indices, costs, sources, init, labels, limit, turns, seed_last):
    """Return (time, label, last, weight) of the least-weight source of every node.

    ``costs`` is ``(times, weights)`` of the edges; routes are chosen by weight and timed
    (:mod:`maillage.travel.graph.search`). ``sources[i]`` starts at time ``init[0][i]``
    and weight ``init[1][i]`` with label ``labels[i]``, its route ending with the edge of
    rank ``seed_last[i]`` (-1: none; empty: no source has one). Nodes whose route takes
    longer than ``limit`` (or none) have time and weight ``inf`` and label ``-1``.
    ``turns`` is the graph's :func:`turn_plan` (empty arrays: no turn costs); ``last`` is
    the rank of the last edge of each node's route (empty without turn costs), for the
    turns of trips that leave from a node.
    """
    n = len(indptr) - 1
    turning = len(turns[1]) > 0
    state = _work(n, turning)
    dist, done, last, dur = state[0], state[1], state[3], state[4]
    label = np.full(n, -1, dtype=np.int64)
    start_w = init[1]
    spread = start_w.max() - start_w.min() if len(start_w) else 0.0
    queue = _queue(
        costs[1], spread + (MAX_TURN_S if turning else 0.0), len(indices) + len(sources) + 1
    )
    state = (dist, done, last, dur)
    used, bucket = _seed(state, label, sources, init, labels, limit, queue, seed_last)
    start = (used, bucket, 0)
    _settle(indptr, indices, costs, limit, state, None, label, queue, start, None, turns)
    for v in range(n):
        if dur[v] > limit:
            dist[v], dur[v], label[v] = np.inf, np.inf, -1
    return dur, label, last, dist


@njit(cache=True, nogil=True, inline="always")
def _settle(indptr, indices, costs, limit, state, touched, label, queue, start, floor, turns):
    """Run the bucket queue, seeded with its first ``start[0]`` entries, until it is empty.

    Nodes are settled by weight (``costs[1]``) and carry the time (``costs[0]``) of their
    route. ``start`` is ``(entries, first bucket, nodes already in touched)``. ``state`` is
    ``(dist, done, last, dur)``: weight, settled flag, last edge rank and time per node.
    A node whose route takes longer than ``limit`` is labelled (a route of more weight
    does not replace it) but not queued. ``touched`` (unless None) records the nodes whose
    weight leaves ``inf``, after the ones it already holds (the seeds); ``label`` (unless
    None) passes each node's label on to the nodes it reaches. When ``floor`` is not None
    nor empty, a settled node ``u`` with ``floor[u] <= time[u]`` is not expanded (see
    :func:`bounded_pairs`). Return how many nodes ``touched`` holds. The None arguments
    are typed by numba, which compiles their branches away.
    """
    dist, done, last, dur = state
    times, weights = costs
    cost, offset, rank = turns
    turning = len(offset) > 0
    width, heads, entry_node, entry_next = queue
    n_buckets = len(heads)
    used, bucket, count = start
    live, lab = used, 0
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
        d, t = dist[u], dur[u]
        if floor is not None and len(floor) and floor[u] <= t:
            continue
        if label is not None:
            lab = label[u]
        base = _turn_base(turning, offset, last, indptr, u)
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            turn = cost[base + j] if turning else 0.0
            nd = d + weights[j] + turn
            if nd < dist[v]:
                if touched is not None and dist[v] == np.inf:
                    touched[count] = v
                    count += 1
                dist[v] = nd
                dur[v] = t + times[j] + turn
                if label is not None:
                    label[v] = lab
                if turning:
                    last[v] = rank[j]
                if dur[v] <= limit:
                    slot_v = np.int64(nd / width) % n_buckets
                    entry_node[used] = v
                    entry_next[used] = heads[slot_v]
                    heads[slot_v] = used
                    used += 1
                    live += 1
    return count


@njit(cache=True, nogil=True)
def _bounded(indptr, indices, costs, seeds, limit, work, queue, floor, turns):
    """Settle nodes within ``limit`` of one search's seeds; return how many were touched.

    The search starts at every node of ``seeds = (nodes, times, weights, ranks)`` at once,
    each at its start time and weight, its route ending with the edge of that rank (-1:
    none; empty: no seed has one): a point placed part-way along an edge starts at both
    ends of it. ``work`` is ``(dist, done, touched, last, dur)`` (see :func:`_work`): it
    must be clean for the nodes to be touched; the caller resets ``touched[:count]``
    afterwards (some may take longer than ``limit``). The queue comes back empty.
    ``floor`` prunes as in :func:`_settle`.
    """
    dist, touched, last, dur = work[0], work[2], work[3], work[4]
    nodes, starts, starts_w, ranks = seeds
    width, heads, entry_node, entry_next = queue
    used, count = 0, 0
    bucket = np.int64(1) << 62
    for i in range(len(nodes)):
        s, time, weight = nodes[i], starts[i], starts_w[i]
        if time <= limit and weight < dist[s]:
            if dist[s] == np.inf:
                touched[count] = s
                count += 1
            dist[s], dur[s] = weight, time
            if len(last) and len(ranks):
                last[s] = ranks[i]
            k = np.int64(weight / width)
            bucket = min(bucket, k)
            entry_node[used] = s
            entry_next[used] = heads[k % len(heads)]
            heads[k % len(heads)] = used
            used += 1
    if used == 0:
        return 0
    state = (dist, work[1], last, dur)
    start = (used, bucket, count)
    return _settle(indptr, indices, costs, limit, state, touched, None, queue, start, floor, turns)


@njit(cache=True, nogil=True)
def _work(n, turning):
    """Clean work arrays of a bounded search: dist (weight), done, touched, last, dur (time)."""
    return (
        np.full(n, np.inf),
        np.zeros(n, dtype=np.bool_),
        np.empty(n, dtype=np.int64),
        np.full(n if turning else 0, -1, dtype=np.int16),
        np.full(n, np.inf),
    )


@njit(cache=True, nogil=True)
def _spread(weights, turning):
    """Spread of a bounded search's queue: its seeds lie within one edge, plus a turn."""
    return (weights.max() if len(weights) else 0.0) + (MAX_TURN_S if turning else 0.0)


@njit(cache=True, nogil=True)
def reach(indptr, indices, costs, seeds, limit, turns):
    """Return (nodes, times) of every node within ``limit`` of the seeds (see :func:`_bounded`)."""
    n = len(indptr) - 1
    turning = len(turns[1]) > 0
    work = _work(n, turning)
    queue = _queue(costs[1], _spread(costs[1], turning), len(indices) + len(seeds[0]) + 1)
    floor = np.empty(0)
    count = _bounded(indptr, indices, costs, seeds, limit, work, queue, floor, turns)
    nodes = work[2][:count].copy()
    nodes = nodes[work[4][nodes] <= limit]
    return nodes, work[4][nodes]


@njit(cache=True, nogil=True)
def _point_rows(v, work, points, turns, best, hit, n_hit):
    """Offer node ``v``'s route to the points leaving by it; return the new ``n_hit``.

    Each point keeps its least-weight route (``best = (weights, times)``); ``turns`` is
    ``(turning, shift into the turn costs, turn costs)`` (:func:`_turn_base`).
    """
    turning, base, cost = turns
    dist, dur = work[0], work[4]
    node_ptr, point_idx, point_extra, point_extra_w, point_edge = points
    best_w, best_t = best
    for q in range(node_ptr[v], node_ptr[v + 1]):
        p = point_idx[q]
        turn = cost[base + point_edge[q]] if turning and point_edge[q] >= 0 else 0.0
        w = dist[v] + point_extra_w[q] + turn
        if w < best_w[p]:
            if best_w[p] == np.inf:
                hit[n_hit] = p
                n_hit += 1
            best_w[p], best_t[p] = w, dur[v] + point_extra[q] + turn
    return n_hit


@njit(cache=True, nogil=True)
def bounded_pairs(
    indptr, indices, costs, sources, limit, points, floor, turns
):  # fmt: skip
    """Return (point, source position, time) of every pair within ``limit``.

    One bounded search per source, by weight (``costs = (times, weights)``, see
    :func:`_settle`). ``sources`` is ``(seed_ptr, seed_node, seed_start, seed_start_w,
    seed_rank)``: source ``k`` starts at the nodes ``seed_node[seed_ptr[k]:seed_ptr[k +
    1]]`` at times ``seed_start`` and weights ``seed_start_w`` (both ends of its edge),
    routes ending with the edges of ranks ``seed_rank`` (see :func:`_bounded`). ``points``
    is ``(node_ptr, point_idx, point_extra, point_extra_w, point_edge)``: the points
    leaving by node ``v`` are ``point_idx[node_ptr[v]:node_ptr[v + 1]]`` with extra times
    and weights (the partial edge and their access leg), having driven the edge
    ``point_edge`` into ``v`` (its position in the searched graph, leaving ``v``; -1:
    none), whose turn onto the route is charged; a point may leave by two nodes: its route
    to a source is the least-weight one over them, kept when its time is within ``limit``.

    ``floor`` (empty, or one time per node) prunes the searches: a node whose ``floor``
    is at most its time from the source is settled but not expanded. With ``floor`` the
    time from each node to the nearest *incumbent* source, the pairs of every point
    farther than ``limit`` from all incumbents stay exact when routes are chosen by time
    (a shortest path through such a node would put the point at most as far from an
    incumbent as from this source); by weight, nearly so.
    """
    seed_ptr, seed_node, seed_start, seed_start_w, seed_rank = sources
    cost, offset = turns[0], turns[1]
    n = len(indptr) - 1
    turning = len(turns[1]) > 0
    work = _work(n, turning)
    dist, done, touched, last = work[0], work[1], work[2], work[3]
    widest = 0
    for k in range(len(seed_ptr) - 1):
        widest = max(widest, seed_ptr[k + 1] - seed_ptr[k])
    queue = _queue(costs[1], _spread(costs[1], turning), len(indices) + widest + 1)
    n_points = points[1].max() + 1 if len(points[1]) else 0
    best = (np.full(n_points, np.inf), np.full(n_points, np.inf))
    hit = np.empty(n_points, dtype=np.int64)
    cap = 1024
    out_p = np.empty(cap, dtype=np.int64)
    out_s = np.empty(cap, dtype=np.int64)
    out_t = np.empty(cap, dtype=np.float64)
    m = 0
    for k in range(len(seed_ptr) - 1):
        rows = slice(seed_ptr[k], seed_ptr[k + 1])
        ranks = seed_rank[rows] if len(seed_rank) else seed_rank
        seeds = (seed_node[rows], seed_start[rows], seed_start_w[rows], ranks)
        count = _bounded(indptr, indices, costs, seeds, limit, work, queue, floor, turns)
        n_hit = 0
        for j in range(count):
            v = touched[j]
            base = _turn_base(turning, offset, last, indptr, v)
            n_hit = _point_rows(v, work, points, (turning, base, cost), best, hit, n_hit)
            dist[v] = np.inf
            done[v] = False
            if turning:
                last[v] = -1
        if m + n_hit > cap:
            cap = max(2 * cap, m + n_hit)
            out_p = np.resize(out_p, cap)
            out_s = np.resize(out_s, cap)
            out_t = np.resize(out_t, cap)
        for i in range(n_hit):
            p = hit[i]
            if best[1][p] <= limit:
                out_p[m], out_s[m], out_t[m] = p, k, best[1][p]
                m += 1
            best[0][p], best[1][p] = np.inf, np.inf
    return out_p[:m].copy(), out_s[:m].copy(), out_t[:m].copy()


@njit(cache=True, nogil=True, inline="always")
def _taken(label, v, lab, j):
    """Whether ``lab`` is one of node ``v``'s first ``j`` labels (ranks 0..j-1)."""
    for i in range(j):  # noqa: SIM110 - a loop: numba compiles no generator in any()
        if label[i, v] == lab:
            return True
    return False


@njit(cache=True, nogil=True, inline="always")
def _extend(graph, costs, turns, ranks, row, u, route):
    """Offer ``route = (weight, time, label, last edge)`` at ``u``, one edge further, to ``row``.

    ``row = (j, time, label, last, weight)``: the rank filled and its views of ``ranks``. A
    node takes the route when it is lighter than its row-``j`` route and the label is not
    one of its lower ranks.
    """
    indptr, indices = graph
    times, weights = costs
    cost, offset, rank = turns
    turning = len(offset) > 0
    j, dur, lab_j, last_j, dist = row
    d, t, lab, last_edge = route
    base = -indptr[u]
    if turning and offset[u] >= 0 and last_edge >= 0:
        base = offset[u] + np.int64(last_edge) * (indptr[u + 1] - indptr[u]) - indptr[u]
    for f in range(indptr[u], indptr[u + 1]):
        v = indices[f]
        turn = cost[base + f] if turning else 0.0
        nd = d + weights[f] + turn
        if not _taken(ranks[1], v, lab, j) and nd < dist[v]:  # most neighbours share labels
            dist[v], dur[v], lab_j[v] = nd, t + times[f] + turn, lab
            if turning:
                last_j[v] = rank[f]


@njit(cache=True, nogil=True)
def _seed_rank(graph, costs, turns, ranks, j, seeds):
    """Start row ``j``: the sources themselves, and every route of a lower rank one edge further."""
    time, label, last, weight = ranks
    turning = len(turns[1]) > 0
    sources, (start_s, start_w), labels, seed_last = seeds
    row = (j, time[j], label[j], last[j], weight[j])
    for i in range(len(sources)):
        v, lab = sources[i], labels[i]
        if start_w[i] < weight[j, v] and not _taken(label, v, lab, j):
            weight[j, v], time[j, v], label[j, v] = start_w[i], start_s[i], lab
            if turning:
                last[j, v] = seed_last[i] if len(seed_last) else -1
    for u in range(len(graph[0]) - 1):
        for i in range(j):
            if label[i, u] < 0:
                break
            route = (weight[i, u], time[i, u], label[i, u], last[i, u] if turning else -1)
            _extend(graph, costs, turns, ranks, row, u, route)


@njit(cache=True, nogil=True)
def _rank_queue(weights, dist, dur, limit, turning):
    """Return (queue, entries, first bucket): the nodes a rank starts from, queued."""
    queued = np.flatnonzero((dur <= limit) & (dur < np.inf))
    lo = dist[queued].min() if len(queued) else 0.0
    spread = dist[queued].max() - lo if len(queued) else 0.0
    capacity = len(dist) + len(weights) + 1
    queue = _queue(weights, spread + (MAX_TURN_S if turning else 0.0), capacity)
    width, heads, entry_node, entry_next = queue
    for used in range(len(queued)):
        slot = np.int64(dist[queued[used]] / width) % len(heads)
        entry_node[used], entry_next[used] = queued[used], heads[slot]
        heads[slot] = used
    return queue, len(queued), np.int64(lo / width)


@njit(cache=True, nogil=True)
def next_rank(indptr, indices, costs, ranks, j, limit, turns, seeds):
    """Fill row ``j`` of ``ranks = (time, label, last, weight)``: each node's next source.

    The arrays are ``(k, n)``; rows ``0..j-1`` hold each node's least-weight routes from
    ``j`` distinct sources (row 0: :func:`multi_source`); ``last`` is ``(k, 0)`` without
    turn costs. The route of a node's next source ``s`` runs through nodes where ``s`` is
    among the first ``j + 1`` (else ``j + 1`` other sources would be nearer): it starts
    there (``seeds = (sources, (times, weights), labels, ranks of their last edges)``, as
    :func:`multi_source` takes them), or its last edge leaves a node where ``s`` has a
    rank below ``j`` (:func:`_seed_rank`: every edge scanned once) or rank ``j`` (this
    search). So one Dijkstra per rank, whose label may not enter a node that already has
    it, gives the exact k nearest. With turn costs, each route turns from its own last
    edge, as in :func:`multi_source`. Nodes past ``limit`` get ``inf`` and -1. Return the
    queue entries used.
    """
    graph = (indptr, indices)
    time, label, last, weight = ranks
    times, weights = costs
    cost, offset, rank = turns
    n = len(indptr) - 1
    turning = len(turns[1]) > 0
    _seed_rank(graph, costs, turns, ranks, j, seeds)
    queue, used, bucket = _rank_queue(weights, weight[j], time[j], limit, turning)
    width, heads, entry_node, entry_next = queue
    # the loop below is _extend, queueing too, written out: 1.7 times faster than the call
    done = np.zeros(n, dtype=np.bool_)
    dur, lab_j, last_j, dist = time[j], label[j], last[j], weight[j]
    live = used
    while live > 0:
        slot = bucket % len(heads)
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
        d, t, lab = dist[u], dur[u], lab_j[u]
        base = -indptr[u]
        if turning and offset[u] >= 0 and last_j[u] >= 0:
            base = offset[u] + np.int64(last_j[u]) * (indptr[u + 1] - indptr[u]) - indptr[u]
        for f in range(indptr[u], indptr[u + 1]):
            v = indices[f]
            turn = cost[base + f] if turning else 0.0
            nd = d + weights[f] + turn
            if nd < dist[v] and not _taken(label, v, lab, j):
                dist[v], dur[v], lab_j[v] = nd, t + times[f] + turn, lab
                if turning:
                    last_j[v] = rank[f]
                if dur[v] <= limit:
                    slot_v = np.int64(nd / width) % len(heads)
                    entry_node[used], entry_next[used] = v, heads[slot_v]
                    heads[slot_v] = used
                    used += 1
                    live += 1
    lost = time[j] > limit
    weight[j][lost], time[j][lost], label[j][lost] = np.inf, np.inf, -1
    return used
