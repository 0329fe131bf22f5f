"""Benchmark the k-nearest search (``nearest_k``) against the nearest-venue search.

On the road-like synthetic graphs of ``bench_travel_times.py`` (1 venue per 10,000 nodes,
as there), times the multi-source search on the reversed graph:

* ``nearest_s``: the nearest venue (``search_from``, what ``RoadNetwork.nearest`` runs);
* ``k1_s``, ``k2_s`` (and ``k3_s`` with ``--k 3``): the k-nearest search
  (``search_from_k``, what ``RoadNetwork.nearest_k`` runs) for k = 1, 2, ...: the nearest
  search, then one search per further rank (``kernels.next_rank``);

each with :func:`timing.timed` (one warm-up call, best of ``--repeat``, wall and CPU), and
checks that k = 1 gives the nearest search's times and labels. ``--turns`` gives the graph
car.lua's turn costs. The target: k = 2 costs less than twice the nearest search. Usage::

    python benchmarks/bench_nearest_k.py --nodes 1000000 4000000 --out benchmarks/results/nearest_k.json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_travel_times import synthetic_graph, with_turns
from timing import machine, timed


def run(n_nodes: int, *, ks: list[int], repeat: int, turns: bool) -> dict:
    """Time the searches on one synthetic graph; return its JSON record."""
    from maillage.travel.graph.search import search_from, search_from_k

    start = time.perf_counter()
    graph = synthetic_graph(n_nodes)
    graph = with_turns(graph) if turns else graph
    rev = graph.reversed()
    build_s = time.perf_counter() - start
    n_venues = max(10, graph.n_nodes // 10_000)
    venues = np.sort(np.random.default_rng(1).choice(graph.n_nodes, n_venues, replace=False))
    zeros, labels = np.zeros(n_venues), np.arange(n_venues)
    search_from(rev, venues[:1], zeros[:1], labels[:1])  # compile or load numba's cache
    search_from_k(rev, venues[:2], zeros[:2], labels[:2], 2)
    timing = {}
    timing["nearest"], (near_s, near_label, _, _) = timed(
        lambda: search_from(rev, venues, zeros, labels), repeat=repeat
    )
    record = {"nodes": graph.n_nodes, "edges": graph.n_edges, "venues": n_venues,
              "turn_costs": graph.turn_costs, "build_s": round(build_s, 2)}  # fmt: skip
    for k in ks:
        timing[f"k{k}"], (k_s, k_label, _, _) = timed(
            lambda k=k: search_from_k(rev, venues, zeros, labels, k), repeat=repeat
        )
        if k == 1:
            record["k1_equals_nearest"] = bool(
                np.array_equal(k_s[:, 0], near_s) and np.array_equal(k_label[:, 0], near_label)
            )
        else:
            record[f"k{k}_rank1_equals_nearest_time"] = bool(np.allclose(k_s[:, 0], near_s))
        del k_s, k_label
    for name, rec in timing.items():
        record[f"{name}_s"] = rec["wall_s"]
        record[f"{name}_cpu_s"] = rec["cpu_s"]
    for k in ks:
        record[f"k{k}_over_nearest"] = round(record[f"k{k}_s"] / record["nearest_s"], 3)
    if 1 in ks and 2 in ks:
        record["k2_over_k1"] = round(record["k2_s"] / record["k1_s"], 3)
    record["timing"] = timing
    record["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps({k: v for k, v in record.items() if k != "timing"}), flush=True)
    return record


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[1_000_000, 4_000_000])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--turns", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    result = {"machine": machine(), "graphs": []}
    for n in args.nodes:
        result["graphs"].append(run(n, ks=args.k, repeat=args.repeat, turns=args.turns))
        if args.out:  # written after each graph: a long run keeps what it measured
            args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
