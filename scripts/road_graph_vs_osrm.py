"""Measure the road graph (RoadNetwork) against OSRM's car profile on random road nodes.

For each real OpenStreetMap extract of the shared data (catalogue entries ``osm-*``), the same
file is routed by both engines: :class:`maillage.RoadNetwork` and :class:`maillage.OSRMModel`
(``osrm-bindings``, the stock ``car.lua``). ``--nodes`` nodes of the road graph are drawn at
random (fixed seed, among the graph's nodes sorted by OSM id, so a rule that drops a few
nodes barely changes the draw); both engines give the full table of times between them and
the script reports, over every ordered pair of distinct nodes that both engines join, the
ratio maillage ÷ OSRM: median, quartiles, 10th and 90th percentiles, and the same for the
pairs at least 60 s apart (OSRM's time). Nodes that OSRM places more than
``SNAP_TOLERANCE_M`` away (a road OSRM's profile does not use) are left out and counted.

``scripts/compare_engines.py`` times single random pairs for the engines' comparison; this
script measures the road graph's target (all pairs among random nodes, several seeds), and
``--no-turns`` / ``--osrm-profile FILE.lua`` let one see what each of OSRM's rules weighs.
Nothing in the road graph is fitted to these measurements.

``--exact`` also measures how far the road graph's turn-aware searches are from the exact
answer of the same rules: an edge-based search (one state per directed edge, car.lua's turn
between consecutive edges, U-turns only at dead ends with ``u_turn_penalty``, as OSRM),
built with scipy on the same graph (small extracts only).

Usage::

    MAILLAGE_DATA_DIR=/path/to/data python scripts/road_graph_vs_osrm.py \
        [--nodes 80] [--seed 0 1 2] [--extract monaco ...] [--osrm-profile car|FILE.lua] \
        [--no-turns] [--exact] [--out benchmarks/results/road_graph_vs_osrm.json]

``measure(path, nodes=80, seed=0)`` is what the test of the three medians calls.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

import maillage
from maillage import OSRMModel, RoadNetwork, fetch
from maillage.travel.graph.turns import turn_cost_s

U_TURN_PENALTY_S = 20.0  # car.lua properties.u_turn_penalty

EXTRACTS = {
    "monaco": "osm-monaco-osrm-2016",
    "saint-barthelemy": "osm-saint-barthelemy-2015",
    "paris": "osm-paris-bss-valhalla-2020",
}
"""Short name -> catalogue name of the real extracts (``maillage.sources``)."""

SNAP_TOLERANCE_M = 5.0
"""A node OSRM places farther than this is not on OSRM's car network: left out."""

MIN_PAIR_S = 60.0
"""Pairs at least this far apart (OSRM time) are also summarised on their own."""

OUT = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "road_graph_vs_osrm.json"


def extract_path(name: str) -> Path:
    """Return the path of a shared extract (``EXTRACTS`` key), checked against the catalogue."""
    return fetch(EXTRACTS[name])[0]


def _sample(net: RoadNetwork, nodes: int, seed: int) -> np.ndarray:
    """Positions of ``nodes`` random graph nodes, drawn among the nodes sorted by OSM id."""
    by_id = np.argsort(net.graph.node_ids, kind="stable")
    rng = np.random.default_rng(seed)
    return np.sort(by_id[rng.choice(len(by_id), size=min(nodes, len(by_id)), replace=False)])


def _summary(ratio: np.ndarray) -> dict[str, float | int]:
    if len(ratio) == 0:
        return {"pairs": 0}
    q = np.percentile(ratio, [10, 25, 50, 75, 90])
    return {
        "pairs": len(ratio),
        "median": round(float(q[2]), 4),
        "q25": round(float(q[1]), 4),
        "q75": round(float(q[3]), 4),
        "p10": round(float(q[0]), 4),
        "p90": round(float(q[4]), 4),
    }


def measure(
    path: Path,
    *,
    nodes: int = 80,
    seed: int = 0,
    osrm_profile: str = "car",
    turns: bool = True,
) -> dict[str, Any]:
    """Return the ratio maillage ÷ OSRM on ``nodes`` random road nodes of ``path``.

    Parameters
    ----------
    path : pathlib.Path
        ``.osm.pbf`` extract.
    nodes : int, default 80
        Number of random road-graph nodes.
    seed : int, default 0
        Seed of the draw.
    osrm_profile : str, default "car"
        OSRM profile (name or Lua file) for :meth:`maillage.OSRMModel.from_osm`.
    turns : bool, default True
        Road graph with turn costs (as :meth:`maillage.RoadNetwork.from_osm`), or without.

    Returns
    -------
    dict
        Counts, summaries of the ratio (all pairs, pairs >= ``MIN_PAIR_S``), timings.
    """
    net = RoadNetwork.from_osm(path, turn_costs=turns)
    osrm = OSRMModel.from_osm(path, profile=osrm_profile)
    tight = OSRMModel.from_osm(path, profile=osrm_profile, max_snap_m=SNAP_TOLERANCE_M)
    picked = _sample(net, nodes, seed)
    xy = net.graph.xy[picked]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154)
    start = time.perf_counter()
    ours = net.od_table(points, points, max_time_s=1e7)
    mine = np.full((len(points), len(points)), np.inf)
    mine[ours["origin_id"].to_numpy(), ours["dest_id"].to_numpy()] = ours["travel_time_s"]
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = osrm.time_matrix(points, points).to_numpy()
    osrm_s = time.perf_counter() - start
    near = ~points.index.isin(tight.unplaced(points))
    pair = near[:, None] & near[None, :] & ~np.eye(len(points), dtype=bool)
    pair &= np.isfinite(mine) & np.isfinite(theirs) & (theirs > 0)
    ratio = mine[pair] / theirs[pair]
    return {
        "file": path.name,
        "seed": seed,
        "graph_nodes": net.n_nodes,
        "graph_edges": net.n_edges,
        "nodes": len(points),
        "nodes_off_osrm": int((~near).sum()),
        "pairs_unreachable_osrm": int((~np.isfinite(theirs)).sum()),
        "pairs_unreachable_maillage": int((~np.isfinite(mine)).sum()),
        "osrm_median_s": round(float(np.median(theirs[pair])), 1),
        "all_pairs": _summary(ratio),
        f"pairs_{int(MIN_PAIR_S)}s_or_more": _summary(ratio[theirs[pair] >= MIN_PAIR_S]),
        "maillage_table_s": round(ours_s, 3),
        "osrm_table_s": round(osrm_s, 3),
    }


def _edge_based(net: RoadNetwork) -> tuple[sp.csr_matrix, int]:
    """Return the exact edge-based graph of ``net``'s rules (edge, start, end states)."""
    g = net.graph
    n, m = g.n_nodes, g.n_edges
    tails = np.repeat(np.arange(n), np.diff(g.indptr))
    heads = g.indices.astype(np.int64)
    follow = np.diff(g.indptr)[heads]  # the edges leaving the head of each edge
    first = np.repeat(np.arange(m), follow)
    then = np.concatenate([np.arange(g.indptr[h], g.indptr[h + 1]) for h in heads])
    u_turn = heads[then] == tails[first]
    others = np.bincount(first[~u_turn], minlength=m)
    keep = ~u_turn | (others[first] == 0)  # OSRM: U-turns at dead ends only
    first, then, u_turn = first[keep], then[keep], u_turn[keep]
    ccw = (g.heading[then].astype(float) - g.heading[first] + 180.0) % 360.0 - 180.0
    rb = g.roundabout[first] | g.roundabout[then]
    cost = np.where(rb, turn_cost_s(-ccw, roundabout=True), turn_cost_s(-ccw))
    cost = np.where(g.junction[heads[first]], cost, 0.0)
    cost = np.where(u_turn, turn_cost_s(np.full(len(ccw), 180.0)) + U_TURN_PENALTY_S, cost)
    rows = np.concatenate([first, m + tails, np.arange(m)])
    cols = np.concatenate([then, np.arange(m), m + n + heads])
    data = np.concatenate([g.weights[then] + cost, g.weights, np.full(m, 1e-9)])
    return sp.csr_matrix((data, (rows, cols)), shape=(m + 2 * n, m + 2 * n)), m


def exact_gap(path: Path, *, nodes: int = 80, seed: int = 0) -> dict[str, float]:
    """Return how much the road graph's times exceed the exact edge-based ones, seconds."""
    net = RoadNetwork.from_osm(path)
    matrix, m = _edge_based(net)
    picked = _sample(net, nodes, seed)
    exact = dijkstra(matrix, indices=m + picked)[:, m + net.n_nodes + picked]
    xy = net.graph.xy[picked]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154)
    ours = net.od_table(points, points, max_time_s=1e7)
    mine = np.full((len(points), len(points)), np.inf)
    mine[ours["origin_id"].to_numpy(), ours["dest_id"].to_numpy()] = ours["travel_time_s"]
    both = ~np.eye(len(points), dtype=bool) & np.isfinite(exact) & np.isfinite(mine)
    gap = mine[both] - exact[both] + 0.0
    return {
        "pairs": int(both.sum()),
        "median_s": round(float(np.median(gap)), 3),
        "p90_s": round(float(np.percentile(gap, 90)), 3),
        "p99_s": round(float(np.percentile(gap, 99)), 3),
        "max_s": round(float(gap.max()), 3),
        "share_over_1s": round(float((gap > 1.0).mean()), 4),
        "median_ratio": round(float(np.median(mine[both] / exact[both])), 4),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the comparison on the chosen extracts and write the JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=80)
    parser.add_argument("--seed", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--extract", nargs="+", choices=sorted(EXTRACTS), default=list(EXTRACTS))
    parser.add_argument("--osrm-profile", default="car")
    parser.add_argument("--no-turns", action="store_true", help="road graph without turn costs")
    parser.add_argument("--exact", action="store_true", help="also the gap to exact turn costs")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    for name in args.extract:
        runs = [
            measure(
                extract_path(name),
                nodes=args.nodes,
                seed=s,
                osrm_profile=args.osrm_profile,
                turns=not args.no_turns,
            )
            for s in args.seed
        ]
        results[name] = runs
        if args.exact:
            for run in runs:
                run["gap_to_exact_edge_based"] = exact_gap(
                    extract_path(name), nodes=args.nodes, seed=run["seed"]
                )
        for run in runs:
            a = run["all_pairs"]
            print(
                f"{name:17s} seed {run['seed']}: median {a['median']:.3f} "
                f"[{a['q25']:.3f}, {a['q75']:.3f}] on {a['pairs']} pairs "
                f"({run['nodes_off_osrm']} nodes off OSRM's network)"
            )
            if "gap_to_exact_edge_based" in run:
                print(f"{'':17s}   vs exact edge-based: {run['gap_to_exact_edge_based']}")
    record = {
        "what": "RoadNetwork time / OSRM time between random road-graph nodes, same extract",
        "maillage_version": maillage.__version__,
        "turn_costs": not args.no_turns,
        "osrm_profile": args.osrm_profile,
        "nodes": args.nodes,
        "python": platform.python_version(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
