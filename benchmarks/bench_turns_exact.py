"""Turn-aware nearest-venue search: maillage against networkx and SciPy on the same problem.

networkx and SciPy cannot charge turn costs on a node graph. Here they get the problem with
the turns in it: the *edge-based* graph of the same synthetic road graph (one state per
directed road edge, one per venue node to start from; moving from edge ``i`` into edge ``j``
costs ``j``'s time plus car.lua's turn between them, read from maillage's own turn plan; no
U-turn but at a dead end, as in OSRM), on which a plain Dijkstra is exact. maillage's node-based search charges the same turns greedily
(:mod:`maillage.travel.graph.turns`), so its times are compared too: how many equal the exact
ones, how many are longer and by how much.

Every engine is timed the same way (``timing.timed``: a warm-up call, then the best of
``--repeat`` runs of the search alone, wall and CPU; graph building excluded); the peak is
the process's ``ru_maxrss``. The greedy rule's excess over the exact time is reported per
node as a distribution (shares, quantiles). ``--extract`` runs on a real catalogue extract
(``--seeds`` draws several sets of venues). Usage::

    python benchmarks/bench_turns_exact.py --nodes 1000000 --shape-nodes 3 \\
        --out benchmarks/results/turns_exact_synthetic_1m.json
    python benchmarks/bench_turns_exact.py --extract osm-monaco-osrm-2016 --venues 10 \\
        --seeds 0 1 2 --out benchmarks/results/turns_exact_monaco.json
"""

from __future__ import annotations

import argparse
import json
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
from timing import machine, timed


def run_networkx(tails, heads, costs, starts, n_states, repeat):  # noqa: PLR0917
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(n_states))
    g.add_weighted_edges_from(zip(tails.tolist(), heads.tolist(), costs.tolist(), strict=True))
    seeds = set(starts.tolist())
    record, lengths = timed(
        lambda: nx.multi_source_dijkstra_path_length(g, seeds),
        repeat=repeat,
        warmup=1 if repeat > 1 else 0,
    )
    dist = np.full(n_states, np.inf)
    dist[np.fromiter(lengths.keys(), dtype=np.int64)] = np.fromiter(lengths.values(), float)
    return record, dist


def gap_distribution(mine, exact):
    """The greedy rule's excess over the exact time, per node: shares and quantiles."""
    reached = np.isfinite(exact)
    gap = mine[reached] - exact[reached]
    quantiles = (0.5, 0.9, 0.95, 0.99, 0.999, 1.0)
    return {
        "nodes_compared": int(reached.sum()),
        "never_shorter": bool((gap >= -1e-6).all()),
        "share_equal": round(float(np.mean(np.abs(gap) <= 1e-3)), 4),
        "share_over_1s": round(float(np.mean(gap > 1.0)), 4),
        "share_over_5s": round(float(np.mean(gap > 5.0)), 4),
        "gap_quantiles_s": {f"q{q:g}": round(float(np.quantile(gap, q)), 3) for q in quantiles},
        "max_gap_s": round(float(gap.max()), 3),
        "max_relative_gap": round(float((gap / np.maximum(exact[reached], 60.0)).max()), 4),
    }


def load_graph(args):
    """The reversed graph with turn costs: a real extract (``--extract``) or synthetic."""
    if args.extract:
        from maillage import RoadNetwork, fetch

        return RoadNetwork.from_osm(
            fetch(args.extract)[0], cache=False, route_by="duration"
        )._reversed
    return with_turns(synthetic_graph(args.nodes, shape_nodes=args.shape_nodes)).reversed()


def run_seed(args, graph, seed):
    """Time the three engines on one draw of venues; compare the greedy and exact times."""
    from maillage.travel.graph.search import nearest_sources

    n_venues = args.venues or max(10, graph.n_nodes // 10_000)
    venues = np.sort(np.random.default_rng(seed).choice(graph.n_nodes, n_venues, False))
    zeros, labels = np.zeros(len(venues)), np.arange(len(venues))
    timing = {}
    timing["maillage"], (mine, _) = timed(
        lambda: nearest_sources(graph, venues, zeros, labels), repeat=args.repeat
    )
    start = time.perf_counter()
    tails, heads, costs, starts = edge_based(graph, venues)
    n_states = len(graph.indices) + len(venues)
    build_s = time.perf_counter() - start
    matrix = sp.csr_matrix((costs, (tails, heads)), shape=(n_states, n_states))
    timing["scipy_edge_based"], state_dist = timed(
        lambda: dijkstra(matrix, indices=starts, min_only=True), repeat=args.repeat
    )
    exact = node_times(state_dist, graph, venues)
    run = {
        "seed": seed,
        "venues": len(venues),
        "edge_based_states": n_states,
        "edge_based_transitions": len(tails),
        "edge_based_build_s": round(build_s, 5),
        "maillage_s": timing["maillage"]["wall_s"],
        "scipy_edge_based_s": timing["scipy_edge_based"]["wall_s"],
        "greedy_vs_exact": gap_distribution(mine, exact),
        "timing": timing,
    }
    if "networkx" not in args.skip:
        del matrix
        timing["networkx_edge_based"], nx_state = run_networkx(
            tails, heads, costs, starts, n_states, args.repeat
        )
        nx_exact = node_times(nx_state, graph, venues)
        both = np.isfinite(nx_exact) & np.isfinite(exact)
        run["networkx_edge_based_s"] = timing["networkx_edge_based"]["wall_s"]
        run["networkx_vs_scipy_max_abs_diff_s"] = float(
            np.max(np.abs(nx_exact[both] - exact[both]))
        )
    for peer in ("scipy_edge_based", "networkx_edge_based"):
        if peer in timing:  # greedy against exact: not the same problem, said so
            run[f"{peer}_over_maillage_greedy"] = round(
                timing[peer]["wall_s"] / timing["maillage"]["wall_s"], 1
            )
    print(json.dumps({k: v for k, v in run.items() if k != "timing"}, indent=1), flush=True)
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--extract", default=None, help="a catalogue OSM extract instead")
    parser.add_argument("--venues", type=int, default=None, help="default: 1 per 10,000 nodes")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--shape-nodes", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], choices=["networkx"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    from maillage.travel.graph.search import graph_turn_plan

    graph = load_graph(args)
    start = time.perf_counter()
    graph_turn_plan(graph)
    plan_s = time.perf_counter() - start
    result = {
        "graph": args.extract or "synthetic",
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "shape_nodes_per_side": args.shape_nodes,
        "machine": machine(),
        "turn_plan_s": round(plan_s, 5),
        "problem": "nearest venue of every node with car.lua's turn costs; maillage greedy "
        "node-based, scipy and networkx exact on the edge-based graph",
        "runs": [],
    }
    for seed in args.seeds:
        result["runs"].append(run_seed(args, graph, seed))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["load_average_end"] = machine()["load_average"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
