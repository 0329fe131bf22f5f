"""Benchmark PBF parsing: maillage (pyosmium) against pyrosm on the same file.

Each tool runs in its own child process, so that peak memory (``ru_maxrss``) is its own:

* ``maillage``: ``RoadNetwork.from_osm(path, cache=False)`` (parse, build the CSR graph,
  keep the largest strongly connected component), then the same call reading the ``.npz``
  cache written by a first cached call;
* ``pyrosm``: ``pyrosm.OSM(path).get_network("driving")`` (a GeoDataFrame of whole ways,
  no routable graph yet: ``parse_s``), then ``get_network("driving", nodes=True)`` (ways
  split at nodes, the input of its graph export: ``parse_with_nodes_s``).

The maillage child then times coverage-like queries on the network it parsed: nearest venue
for 50,000 homes among 300 venues, and the 20-minute ``od_table`` of the same points.

``--synthetic N`` first writes a region-sized synthetic ``.osm.pbf`` (a perturbed grid of
about N nodes with named road classes, some one-way streets) with ``osmium.SimpleWriter``.
Usage::

    python benchmarks/bench_parse.py --file path.osm.pbf --out benchmarks/results/parse_x.json
    python benchmarks/bench_parse.py --synthetic 3000000 --out benchmarks/results/parse_3m.json
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CLASSES = ["residential", "unclassified", "tertiary", "secondary", "primary"]


def write_synthetic_pbf(path: Path, n_nodes: int, seed: int = 0) -> None:
    """Grid of ways near Poitiers: each row and column is one way split every 50 nodes."""
    import osmium

    rng = np.random.default_rng(seed)
    side = math.isqrt(n_nodes)
    lon0, lat0, step = -0.9, 46.0, 0.0015  # ~115 m x 167 m blocks
    lon = lon0 + np.arange(side) * step
    lat = lat0 + np.arange(side) * step
    node_id = np.arange(side * side).reshape(side, side) + 1
    jitter = rng.normal(0, step / 8, (side, side, 2))
    way_id = 0
    with osmium.SimpleWriter(str(path)) as writer:
        for i in range(side):
            for j in range(side):
                location = (float(lon[j] + jitter[i, j, 0]), float(lat[i] + jitter[i, j, 1]))
                writer.add_node(osmium.osm.mutable.Node(id=int(node_id[i, j]), location=location))
        for line in range(side):
            tags = {"highway": CLASSES[min(4, int(line % 64 == 0) * 4 + int(line % 8 == 0) * 2)]}
            for nodes in (node_id[line, :], node_id[:, line]):
                for start in range(0, side - 1, 50):
                    way_id += 1
                    chunk = nodes[start : start + 51].tolist()
                    extra = {"oneway": "yes"} if rng.random() < 0.05 else {}
                    writer.add_way(
                        osmium.osm.mutable.Way(id=way_id, nodes=chunk, tags=tags | extra)
                    )


def pipeline(net) -> dict:
    """Coverage-like queries on the parsed network, timed (first call includes snapping set-up)."""
    import geopandas as gpd

    rng = np.random.default_rng(4)
    low, high = net.graph.xy.min(axis=0), net.graph.xy.max(axis=0)
    homes = rng.uniform(low, high, (50_000, 2))  # ~12 points per commune for 4,300 communes
    venues = rng.uniform(low, high, (300, 2))
    homes = gpd.GeoSeries.from_xy(homes[:, 0], homes[:, 1], crs=2154)
    venues = gpd.GeoSeries.from_xy(venues[:, 0], venues[:, 1], crs=2154)
    start = time.perf_counter()
    near = net.nearest(homes, venues)
    nearest_s = time.perf_counter() - start
    start = time.perf_counter()
    table = net.od_table(homes, venues, max_time_s=1200.0)
    od_s = time.perf_counter() - start
    return {
        "nearest_50k_homes_300_venues_s": round(nearest_s, 3),
        "median_time_min": round(float(near["travel_time_s"].median()) / 60, 1),
        "od_table_50k_homes_300_venues_20min_s": round(od_s, 3),
        "od_pairs": len(table),
    }


def worker(tool: str, path: Path, cache_dir: Path) -> dict:
    result: dict = {"tool": tool}
    if tool == "maillage":
        from maillage import RoadNetwork, options

        start = time.perf_counter()
        net = RoadNetwork.from_osm(path, cache=False)
        result["parse_s"] = round(time.perf_counter() - start, 3)
        result["nodes"], result["edges"] = net.n_nodes, net.n_edges
        with options.set(cache_dir=cache_dir):
            RoadNetwork.from_osm(path)  # writes the cache
            start = time.perf_counter()
            net = RoadNetwork.from_osm(path)
            result["cached_load_s"] = round(time.perf_counter() - start, 3)
        result |= pipeline(net)
    else:
        import warnings

        warnings.simplefilter("ignore")
        import pyrosm

        start = time.perf_counter()
        edges = pyrosm.OSM(str(path)).get_network("driving")
        result["parse_s"] = round(time.perf_counter() - start, 3)
        result["edges"] = len(edges)
        del edges
        start = time.perf_counter()
        nodes, edges = pyrosm.OSM(str(path)).get_network("driving", nodes=True)
        result["parse_with_nodes_s"] = round(time.perf_counter() - start, 3)
        result["split_edges"], result["nodes"] = len(edges), len(nodes)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def run_child(tool: str, path: Path, cache_dir: Path) -> dict:
    command = [
        sys.executable,
        __file__,
        "--worker",
        tool,
        "--file",
        str(path),
        "--cache",
        str(cache_dir),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--synthetic", type=int, default=None)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", choices=["maillage", "pyrosm"])
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--skip-pyrosm", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.file, args.cache)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        result: dict = {}
        if args.synthetic:
            path = Path(tmp) / f"synthetic_{args.synthetic}.osm.pbf"
            start = time.perf_counter()
            write_synthetic_pbf(path, args.synthetic)
            result["write_pbf_s"] = round(time.perf_counter() - start, 1)
        result |= {"file": path.name, "file_mb": round(path.stat().st_size / 2**20, 1)}
        result["maillage"] = run_child("maillage", path, Path(tmp) / "cache")
        print(result)
        if not args.skip_pyrosm:
            result["pyrosm"] = run_child("pyrosm", path, Path(tmp) / "cache")
            mine = result["maillage"]["parse_s"]
            result["speedup_vs_pyrosm"] = round(result["pyrosm"]["parse_s"] / mine, 1)
            result["speedup_vs_pyrosm_with_nodes"] = round(
                result["pyrosm"]["parse_with_nodes_s"] / mine, 1
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
