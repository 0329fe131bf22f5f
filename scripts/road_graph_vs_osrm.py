"""Measure the road graph (RoadNetwork) against OSRM's car profile, from off-road points.

For each real OpenStreetMap extract of the shared data (catalogue entries ``osm-*``: Monaco and
the neighbouring communes of the Alpes-Maritimes, central Paris, Saint-Barthélemy, Andorra),
the same file is routed by both engines, :class:`maillage.RoadNetwork` and
:class:`maillage.OSRMModel` (``osrm-bindings``, the stock ``car.lua``), with maillage's
definition of a car trip (:mod:`maillage.travel.graph.snap`: access leg + road time from
OSRM's placement on the nearest road segment + access leg, 15 km/h legs in both engines).

**Off-road points** (the default, :func:`measure_offroad`): where homes are: the centroids of
the extract's buildings when it maps at least :data:`MIN_BUILDINGS` of them, else random points
of the extract's road area lying :data:`OFF_ROAD_M` (20 to 500 m) from the nearest road (Paris
and Saint-Barthélemy map almost no building). ``--origins`` origins and ``--venues`` venues are
drawn among them (fixed seed); both engines give the full table and the script reports, over
every pair both join, the ratio graph ÷ OSRM: median, quantiles, and the p90 of
``|ratio - 1|``. Target (issue 16): median in [0.97, 1.03] and p90 error at most 5 % on
every extract.

**Road nodes** (``--on-nodes``, :func:`measure`): ``--nodes`` nodes of the road graph are drawn at
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
        [--origins 300] [--venues 30] [--seed 0 1 2] [--extract monaco ...] \
        [--out benchmarks/results/road_graph_vs_osrm.json]
    MAILLAGE_DATA_DIR=/path/to/data python scripts/road_graph_vs_osrm.py --on-nodes \
        [--nodes 80] [--osrm-profile car|FILE.lua] [--no-turns] [--exact] \
        [--out benchmarks/results/road_graph_vs_osrm_nodes.json]

``measure_offroad(path, origins=..., venues=..., seed=0)`` and ``measure(path, nodes=80,
seed=0)`` are what ``tests/test_graph_osrm.py`` calls.
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
import osmium
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

import maillage
from maillage import OSRMModel, RoadNetwork, fetch
from maillage.travel.graph.snap import TRIP_DEFINITION
from maillage.travel.graph.turns import turn_cost_s

U_TURN_PENALTY_S = 20.0  # car.lua properties.u_turn_penalty

EXTRACTS = {
    "monaco": "osm-monaco-osrm-2016",
    "saint-barthelemy": "osm-saint-barthelemy-2015",
    "paris": "osm-paris-bss-valhalla-2020",
    "andorra": "osm-andorra-2013",
}
"""Short name -> catalogue name of the real extracts (``maillage.sources``)."""

EXTRACT_CRS = {"saint-barthelemy": "EPSG:5490"}
"""Working CRS of an extract outside Lambert-93's domain: Saint-Barthélemy is in UTM zone 20N,
the CRS of Guadeloupe (Lambert-93 would stretch its access legs by 11.7 %). Andorra, between
the Ariège and the Pyrénées-Orientales, is in Lambert-93 (scale factor 1.0014 there)."""

SNAP_TOLERANCE_M = 5.0
"""A node OSRM places farther than this is not on OSRM's car network: left out."""

MIN_PAIR_S = 60.0
"""Pairs at least this far apart (OSRM time) are also summarised on their own."""

OSRM_SMALL_COMPONENT_SIZE = {"paris": 100}
"""``small_component_size`` of OSRM's preparation, where not OSRM's default (1000 nodes).

The central Paris extract is smaller than OSRM's default threshold: every piece of its
network is "tiny" to stock OSRM, which then places each point on its nearest road whatever
piece it lies in (half the pairs come out unreachable, and points land on dead-end
fragments cut by the extract's edge). On any real-size extract the main network is far
larger than 1000 nodes and OSRM places points on it; a threshold of 100 gives central Paris
that behaviour. The road graph keeps its largest strongly connected piece in both cases."""

MIN_BUILDINGS = 200
"""An extract with fewer buildings than this gets random off-road points instead."""

OFF_ROAD_M = (20.0, 500.0)
"""Distance range to the nearest road of the random off-road points, metres."""

TARGET_MEDIAN = (0.97, 1.03)
TARGET_P90_ERROR = 0.05
"""Issue 16's target: median graph ÷ OSRM, and p90 of |ratio - 1|, on every extract."""

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
OUT = RESULTS / "road_graph_vs_osrm.json"
OUT_NODES = RESULTS / "road_graph_vs_osrm_nodes.json"


def extract_settings(name: str) -> dict[str, Any]:
    """Working CRS and OSRM preparation of an extract (``EXTRACTS`` key) for :func:`measure_offroad`."""
    return {
        "crs": EXTRACT_CRS.get(name, "EPSG:2154"),
        "small_component_size": OSRM_SMALL_COMPONENT_SIZE.get(name, 1000),
    }


def extract_path(name: str) -> Path:
    """Return the path of a shared extract (``EXTRACTS`` key), checked against the catalogue."""
    return fetch(EXTRACTS[name])[0]


class _Buildings(osmium.SimpleHandler):
    """Centroid (mean of the node locations) of every way tagged ``building``."""

    def __init__(self) -> None:
        super().__init__()
        self.lonlat: list[tuple[float, float]] = []

    def way(self, way: osmium.osm.Way) -> None:
        if "building" not in way.tags:
            return
        spots = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
        if spots:
            self.lonlat.append(tuple(np.mean(spots, axis=0)))


def building_points(path: Path, crs: str) -> gpd.GeoSeries:
    """Return the centroids of the buildings mapped in ``path``, in ``crs``."""
    handler = _Buildings()
    handler.apply_file(str(path), locations=True)
    lonlat = np.array(handler.lonlat, dtype=float).reshape(-1, 2)
    return gpd.GeoSeries.from_xy(lonlat[:, 0], lonlat[:, 1], crs=4326).to_crs(crs)


def _random_offroad(net: RoadNetwork, size: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform points of the road graph's bounding box within :data:`OFF_ROAD_M` of a road."""
    low, high = net.graph.xy.min(axis=0), net.graph.xy.max(axis=0)
    found: list[np.ndarray] = []
    while size and sum(len(f) for f in found) < size:
        xy = rng.uniform(low, high, size=(20 * size, 2))
        distance = net._segments.place(xy, max_snap_m=OFF_ROAD_M[1]).distance_m
        found.append(xy[(distance >= OFF_ROAD_M[0]) & (distance <= OFF_ROAD_M[1])])
    return np.concatenate([np.empty((0, 2)), *found])[:size]


def offroad_points(net: RoadNetwork, path: Path, size: int, seed: int) -> tuple[gpd.GeoSeries, str]:
    """Return ``size`` off-road points of the extract, in random order, and how they were drawn.

    Building centroids within ``max_snap_m`` of the road graph when the extract maps at least
    :data:`MIN_BUILDINGS`, completed when there are fewer than ``size`` by uniform points of
    the road graph's bounding box whose distance to the nearest road segment lies in
    :data:`OFF_ROAD_M`; only such random points when it maps fewer.
    """
    rng = np.random.default_rng(seed)
    buildings = building_points(path, net.crs)
    buildings = buildings[~buildings.index.isin(net.unplaced(buildings))]
    if len(buildings) < MIN_BUILDINGS:
        buildings = buildings.iloc[:0]
    picked = np.sort(rng.choice(len(buildings), size=min(size, len(buildings)), replace=False))
    extra = _random_offroad(net, size - len(picked), rng)
    xy = np.concatenate([buildings.iloc[picked].get_coordinates().to_numpy(), extra])
    xy = xy[rng.permutation(len(xy))]
    how = [f"{len(picked)} building centroids"] if len(picked) else []
    if len(extra):
        how.append(
            f"{len(extra)} random points {OFF_ROAD_M[0]:g}-{OFF_ROAD_M[1]:g} m off the roads"
        )
    return gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=net.crs), " + ".join(how)


def _error_summary(ratio: np.ndarray) -> dict[str, float | int]:
    summary = _summary(ratio)
    if len(ratio):
        error = np.abs(ratio - 1.0)
        summary["p90_error"] = round(float(np.percentile(error, 90)), 4)
        summary["share_within_5pct"] = round(float((error <= 0.05).mean()), 4)
    return summary


def _nearest_gap(nearest: np.ndarray, table_min: np.ndarray) -> dict[str, float]:
    """How the nearest venue of one multi-source search by weight differs from the table's.

    The table gives each pair the time of its least-weight route; the exact nearest time is
    the least of them per origin. ``nearest`` labels each node with its least-weight venue.
    """
    gap = np.abs(nearest - table_min) / table_min
    return {
        "share_differing_over_0_1pct": round(float((gap > 1e-3).mean()), 4),
        "max_relative_gap": round(float(gap.max()), 4),
    }


def measure_offroad(
    path: Path,
    *,
    origins: int = 300,
    venues: int = 30,
    seed: int = 0,
    crs: str = "EPSG:2154",
    small_component_size: int = 1000,
    osrm_profile: str = "car",
) -> dict[str, Any]:
    """Return the ratio graph ÷ OSRM between off-road origins and venues of ``path``.

    Parameters
    ----------
    path : pathlib.Path
        ``.osm.pbf`` extract.
    origins, venues : int, default 300 and 30
        Number of off-road origins and venues (:func:`offroad_points`, disjoint draws).
    seed : int, default 0
        Seed of the draw.
    crs : str, default "EPSG:2154"
        Working CRS of the road graph and the points (:data:`EXTRACT_CRS`).
    small_component_size : int, default 1000
        OSRM's preparation (:data:`OSRM_SMALL_COMPONENT_SIZE`).
    osrm_profile : str, default "car"
        OSRM profile (name or Lua file) for :meth:`maillage.OSRMModel.from_osm`.

    Returns
    -------
    dict
        How the points were drawn, counts, summaries of the ratio (all pairs, pairs of
        at least ``MIN_PAIR_S``), median access legs, timings.
    """
    net = RoadNetwork.from_osm(path, crs=crs)
    osrm = OSRMModel.from_osm(path, small_component_size=small_component_size, profile=osrm_profile)
    points, how = offroad_points(net, path, origins + venues, seed)
    homes = points.iloc[:origins].set_axis([f"o{i}" for i in range(min(origins, len(points)))])
    sites = points.iloc[origins:].set_axis([f"v{i}" for i in range(len(points) - origins)])
    start = time.perf_counter()
    table = net.od_table(homes, sites, max_time_s=1e7)
    mine = np.full((len(homes), len(sites)), np.inf)
    rows, cols = (
        homes.index.get_indexer(table["origin_id"]),
        sites.index.get_indexer(table["dest_id"]),
    )
    mine[rows, cols] = table["travel_time_s"].to_numpy()
    ours_s = time.perf_counter() - start
    nearest = net.nearest(homes, sites)["travel_time_s"].to_numpy()
    start = time.perf_counter()
    theirs = osrm.time_matrix(homes, sites).to_numpy()
    osrm_s = time.perf_counter() - start
    pair = np.isfinite(mine) & np.isfinite(theirs) & (theirs > 0)
    ratio = mine[pair] / theirs[pair]
    graph_m = net._segments.place(points_xy_of(homes), max_snap_m=2000.0).distance_m
    osrm_m = osrm._snap_m(osrm_engine_lonlat(homes))
    return {
        "file": path.name,
        "seed": seed,
        "crs": crs,
        "osrm_small_component_size": small_component_size,
        "points": how,
        "graph_nodes": net.n_nodes,
        "origins": len(homes),
        "venues": len(sites),
        "pairs_unreachable_osrm": int((~np.isfinite(theirs)).sum()),
        "pairs_unreachable_maillage": int((~np.isfinite(mine)).sum()),
        "median_access_m": round(float(np.median(graph_m)), 1),
        "origins_placed_apart_over_5m": int((np.abs(graph_m - osrm_m) > SNAP_TOLERANCE_M).sum()),
        "osrm_median_s": round(float(np.median(theirs[pair])), 1),
        "all_pairs": _error_summary(ratio),
        f"pairs_{int(MIN_PAIR_S)}s_or_more": _error_summary(ratio[theirs[pair] >= MIN_PAIR_S]),
        "nearest_vs_table": _nearest_gap(nearest, mine.min(axis=1)),
        "maillage_table_s": round(ours_s, 3),
        "osrm_table_s": round(osrm_s, 3),
    }


def points_xy_of(points: gpd.GeoSeries) -> np.ndarray:
    """Coordinates of a GeoSeries of points."""
    return points.get_coordinates().to_numpy()


def osrm_engine_lonlat(points: gpd.GeoSeries) -> np.ndarray:
    """WGS84 coordinates of points, as OSRMModel sends them."""
    return points.to_crs(4326).get_coordinates().to_numpy()


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
    crs: str = "EPSG:2154",
    small_component_size: int = 1000,
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
    crs, small_component_size
        As in :func:`measure_offroad`.

    Returns
    -------
    dict
        Counts, summaries of the ratio (all pairs, pairs >= ``MIN_PAIR_S``), timings.
    """
    net = RoadNetwork.from_osm(path, turn_costs=turns, crs=crs)
    prepared = {"profile": osrm_profile, "small_component_size": small_component_size}
    osrm = OSRMModel.from_osm(path, **prepared, access_speed_kph=None)
    tight = OSRMModel.from_osm(path, **prepared, max_snap_m=SNAP_TOLERANCE_M)
    picked = _sample(net, nodes, seed)
    xy = net.graph.xy[picked]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=crs)
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


def _on_nodes(args: argparse.Namespace) -> dict[str, Any]:
    """Run the comparison on random road nodes (``--on-nodes``)."""
    results: dict[str, Any] = {}
    for name in args.extract:
        runs = [
            measure(
                extract_path(name),
                nodes=args.nodes,
                seed=s,
                osrm_profile=args.osrm_profile,
                turns=not args.no_turns,
                **extract_settings(name),
            )
            for s in args.seed
        ]
        results[name] = runs
        for run in runs:
            if args.exact:
                run["gap_to_exact_edge_based"] = exact_gap(
                    extract_path(name), nodes=args.nodes, seed=run["seed"]
                )
            a = run["all_pairs"]
            print(
                f"{name:17s} seed {run['seed']}: median {a['median']:.3f} "
                f"[{a['q25']:.3f}, {a['q75']:.3f}] on {a['pairs']} pairs "
                f"({run['nodes_off_osrm']} nodes off OSRM's network)"
            )
    return {
        "what": "RoadNetwork time / OSRM time between random road-graph nodes, same extract",
        "turn_costs": not args.no_turns,
        "osrm_profile": args.osrm_profile,
        "nodes": args.nodes,
        "results": results,
    }


def _off_road(args: argparse.Namespace) -> dict[str, Any]:
    """Run the comparison from off-road points (the default)."""
    results: dict[str, Any] = {}
    met = True
    for name in args.extract:
        runs = [
            measure_offroad(
                extract_path(name),
                origins=args.origins,
                venues=args.venues,
                seed=s,
                osrm_profile=args.osrm_profile,
                **extract_settings(name),
            )
            for s in args.seed
        ]
        medians = [run["all_pairs"]["median"] for run in runs]
        errors = [run["all_pairs"]["p90_error"] for run in runs]
        ok = all(TARGET_MEDIAN[0] <= m <= TARGET_MEDIAN[1] for m in medians)
        ok &= all(e <= TARGET_P90_ERROR for e in errors)
        met &= ok
        results[name] = {"target_met": ok, "runs": runs}
        for run in runs:
            a = run["all_pairs"]
            print(
                f"{name:17s} seed {run['seed']}: median {a['median']:.4f}, p90 |ratio-1| "
                f"{a['p90_error']:.4f} on {a['pairs']} pairs ({run['points']}; median access "
                f"{run['median_access_m']} m)"
            )
    return {
        "what": (
            "RoadNetwork time / OSRM time from off-road origins to off-road venues, same "
            "extract, both with access legs at 15 km/h (maillage's trip definition)"
        ),
        "trip_definition": TRIP_DEFINITION,
        "target": {"median": list(TARGET_MEDIAN), "p90_error_at_most": TARGET_P90_ERROR},
        "target_met_on_every_extract": met,
        "osrm_profile": args.osrm_profile,
        "origins": args.origins,
        "venues": args.venues,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the comparison on the chosen extracts and write the JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--on-nodes", action="store_true", help="random road nodes, no access")
    parser.add_argument("--origins", type=int, default=300)
    parser.add_argument("--venues", type=int, default=30)
    parser.add_argument("--nodes", type=int, default=80)
    parser.add_argument("--seed", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--extract", nargs="+", choices=sorted(EXTRACTS), default=list(EXTRACTS))
    parser.add_argument("--osrm-profile", default="car")
    parser.add_argument("--no-turns", action="store_true", help="road graph without turn costs")
    parser.add_argument("--exact", action="store_true", help="also the gap to exact turn costs")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    body = _on_nodes(args) if args.on_nodes else _off_road(args)
    record = {
        "what": body.pop("what"),
        "maillage_version": maillage.__version__,
        "python": platform.python_version(),
        **body,
    }
    out = args.out or (OUT_NODES if args.on_nodes else OUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
