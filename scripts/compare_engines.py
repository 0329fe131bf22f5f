"""Compare the road graph with OSRM on random pairs of road nodes of the same extract.

For each OSM extract, draw ``--pairs`` random (origin, destination) pairs of distinct nodes
of the routable :class:`maillage.RoadNetwork` graph (points exactly on the road: neither
engine adds an access leg or snaps far), time each pair with the road graph and with
:class:`maillage.OSRMModel` (stock ``car.lua``), and print the ratio road graph ÷ OSRM:
median and quartiles. A median below 1: the road graph is faster than OSRM.

``scripts/road_graph_vs_osrm.py`` is the road graph's full measurement (every pair among
random nodes, several seeds, OSRM profile variants); this script is the quick check on
independent pairs, for any extract.

Usage (offline, on the shared extracts)::

    MAILLAGE_DATA_DIR=../shared/data python scripts/compare_engines.py
    python scripts/compare_engines.py monaco paris --pairs 200 --seed 1 --out ratios.json
    python scripts/compare_engines.py path/to/extract.osm.pbf --no-turns

Names ``monaco``, ``saint-barthelemy`` and ``paris`` stand for the shared extracts of
``$MAILLAGE_DATA_DIR/osm`` (Monaco and its Alpes-Maritimes neighbours, Saint-Barthélemy,
central Paris); without names, all three are compared.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

import maillage

SHARED = {
    "monaco": "osm-monaco-osrm-2016",
    "saint-barthelemy": "osm-saint-barthelemy-2015",
    "paris": "osm-paris-bss-valhalla-2020",
}
"""Short name -> catalogue name of the shared extracts (``maillage.sources``)."""


def extract_path(name: str) -> Path:
    """Path of a shared extract (``monaco``, ``saint-barthelemy``, ``paris``) or of a file."""
    if name in SHARED:
        return maillage.fetch(SHARED[name])[0]
    return Path(name)


def random_pairs(n_nodes: int, pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Node positions of ``pairs`` random (origin, destination) pairs, origin != destination."""
    rng = np.random.default_rng(seed)
    origins = rng.integers(0, n_nodes, pairs)
    return origins, (origins + rng.integers(1, n_nodes, pairs)) % n_nodes


def _graph_times(net: maillage.RoadNetwork, o: gpd.GeoSeries, d: gpd.GeoSeries) -> np.ndarray:
    table = net.od_table(o, d, max_time_s=1e9)  # every reachable pair
    full = np.full((len(o), len(d)), np.inf)
    full[table["origin_id"].to_numpy(int), table["dest_id"].to_numpy(int)] = table["travel_time_s"]
    return np.diag(full)


def compare(path: Path, *, pairs: int = 80, seed: int = 0, turns: bool = True) -> dict:
    """Road graph ÷ OSRM on random node pairs of one extract."""
    net = maillage.RoadNetwork.from_osm(path, turn_costs=turns)
    osrm = maillage.OSRMModel.from_osm(path)
    origins, dests = random_pairs(net.n_nodes, pairs, seed)
    xy = net.graph.xy
    o = gpd.GeoSeries.from_xy(xy[origins, 0], xy[origins, 1], crs=2154)
    d = gpd.GeoSeries.from_xy(xy[dests, 0], xy[dests, 1], crs=2154)
    start = time.perf_counter()
    graph_s = _graph_times(net, o, d)
    graph_time = time.perf_counter() - start
    start = time.perf_counter()
    osrm_s = np.diag(osrm.time_matrix(o, d).to_numpy())
    osrm_time = time.perf_counter() - start
    ok = np.isfinite(graph_s) & np.isfinite(osrm_s) & (osrm_s > 0)
    ratio = graph_s[ok] / osrm_s[ok]
    q25, q50, q75 = np.percentile(ratio, [25, 50, 75])
    info = osrm.describe()
    return {
        "file": path.name,
        "turn_costs": turns,
        "graph_nodes": net.n_nodes,
        "pairs": pairs,
        "pairs_compared": int(ok.sum()),
        "pairs_unroutable_osrm": int((~np.isfinite(osrm_s)).sum()),
        "median_ratio": round(float(q50), 4),
        "q25": round(float(q25), 4),
        "q75": round(float(q75), 4),
        "median_graph_s": round(float(np.median(graph_s[ok])), 1),
        "median_osrm_s": round(float(np.median(osrm_s[ok])), 1),
        "graph_pairs_s": round(graph_time, 3),
        "osrm_pairs_s": round(osrm_time, 3),
        "osrm": f"OSRM {info['osrm_version']}, {info['profile']}, {info['algorithm']}",
        "seed": seed,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the median ratio of every extract; optionally write the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extracts", nargs="*", help="shared extract names or .osm.pbf paths")
    parser.add_argument("--pairs", type=int, default=80, help="random node pairs (default 80)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-turns", action="store_true", help="road graph without turn costs")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    names = args.extracts or list(SHARED)
    missing = [name for name in names if not extract_path(name).is_file()]
    if missing:
        print(f"no such extract: {', '.join(missing)} (set MAILLAGE_DATA_DIR?)", file=sys.stderr)
        return 2
    results = []
    for name in names:
        run = compare(extract_path(name), pairs=args.pairs, seed=args.seed, turns=not args.no_turns)
        results.append(run)
        print(
            f"{run['file']}: median road graph ÷ OSRM {run['median_ratio']:.3f} "
            f"(quartiles {run['q25']:.3f}-{run['q75']:.3f}, {run['pairs_compared']} pairs; "
            f"median {run['median_graph_s']:.0f} s vs {run['median_osrm_s']:.0f} s)"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
