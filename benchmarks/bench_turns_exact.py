"""Turn-aware nearest-venue search: maillage against networkx and SciPy on the same problem.

networkx and SciPy cannot charge turn costs on a node graph. Here they get the problem with
the turns in it: the *edge-based* graph of the same synthetic road graph (one state per
directed road edge, one per venue node to start from; moving from edge ``i`` into edge ``j``
costs ``j``'s time plus car.lua's turn between them, read from maillage's own turn plan; no
U-turn but at a dead end, as in OSRM), on which a plain Dijkstra is exact. maillage's node-based search charges the same turns greedily
(:mod:`maillage.travel.graph.turns`), so its times are compared too: how many equal the exact
ones, how many are longer and by how much.

Times are wall seconds of the search alone (best of 3 for maillage; graph building excluded),
the peak is the process's ``ru_maxrss``. Usage::

    python benchmarks/bench_turns_exact.py --nodes 1000000 --shape-nodes 3 \\
        --out benchmarks/results/turns_exact_synthetic_1m.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from bench_travel_times import synthetic_graph, with_turns
from edge_based import edge_based, node_times


def run_networkx(tails, heads, costs, starts, n_states):
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(n_states))
    g.add_weighted_edges_from(zip(tails.tolist(), heads.tolist(), costs.tolist(), strict=True))
    start = time.perf_counter()
    lengths = nx.multi_source_dijkstra_path_length(g, set(starts.tolist()))
    elapsed = time.perf_counter() - start
    dist = np.full(n_states, np.inf)
    dist[np.fromiter(lengths.keys(), dtype=np.int64)] = np.fromiter(lengths.values(), float)
    return elapsed, dist


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--shape-nodes", type=int, default=0)
    parser.add_argument("--skip", nargs="*", default=[], choices=["networkx"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    from maillage.travel.graph.search import graph_turn_plan, nearest_sources

    graph = with_turns(synthetic_graph(args.nodes, shape_nodes=args.shape_nodes)).reversed()
    venues = np.sort(
        np.random.default_rng(1).choice(graph.n_nodes, max(10, graph.n_nodes // 10_000), False)
    )
    zeros, labels = np.zeros(len(venues)), np.arange(len(venues))
    start = time.perf_counter()
    graph_turn_plan(graph)
    plan_s = time.perf_counter() - start
    nearest_sources(graph, venues[:1], zeros[:1], labels[:1])  # numba's first call
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        mine, _ = nearest_sources(graph, venues, zeros, labels)
        runs.append(time.perf_counter() - start)
    maillage_s = min(runs)

    start = time.perf_counter()
    tails, heads, costs, starts = edge_based(graph, venues)
    n_states = len(graph.indices) + len(venues)
    build_s = time.perf_counter() - start
    matrix = sp.csr_matrix((costs, (tails, heads)), shape=(n_states, n_states))
    start = time.perf_counter()
    state_dist = dijkstra(matrix, indices=starts, min_only=True)
    scipy_s = time.perf_counter() - start
    exact = node_times(state_dist, graph, venues)
    reached = np.isfinite(exact)
    gap = mine[reached] - exact[reached]
    result = {
        "graph": "synthetic",
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "shape_nodes_per_side": args.shape_nodes,
        "venues": len(venues),
        "edge_based_states": n_states,
        "edge_based_transitions": len(tails),
        "maillage_s": round(maillage_s, 5),
        "maillage_runs_s": [round(r, 5) for r in runs],
        "turn_plan_s": round(plan_s, 5),
        "edge_based_build_s": round(build_s, 5),
        "scipy_edge_based_s": round(scipy_s, 5),
        "greedy_vs_exact": {
            "nodes_compared": int(reached.sum()),
            "never_shorter": bool((gap >= -1e-6).all()),
            "share_equal": round(float(np.mean(np.abs(gap) <= 1e-3)), 4),
            "share_over_1s": round(float(np.mean(gap > 1.0)), 4),
            "share_over_5s": round(float(np.mean(gap > 5.0)), 4),
            "median_gap_s": round(float(np.median(gap)), 4),
            "max_gap_s": round(float(gap.max()), 3),
        },
    }
    print(f"maillage {maillage_s:.3f} s, scipy edge-based {scipy_s:.2f} s")
    if "networkx" not in args.skip:
        del matrix
        nx_s, nx_state = run_networkx(tails, heads, costs, starts, n_states)
        nx_exact = node_times(nx_state, graph, venues)
        both = np.isfinite(nx_exact) & reached
        result["networkx_edge_based_s"] = round(nx_s, 5)
        result["networkx_vs_scipy_max_abs_diff_s"] = float(
            np.max(np.abs(nx_exact[both] - exact[both]))
        )
        result["speedup_vs_networkx_edge_based"] = round(nx_s / maillage_s, 1)
        print(f"networkx edge-based {nx_s:.1f} s")
    result["speedup_vs_scipy_edge_based"] = round(scipy_s / maillage_s, 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
