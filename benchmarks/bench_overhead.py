"""The public call against the bare search on a small real graph (issue 18, item 5).

On a graph of ~15,000 nodes the search itself takes a millisecond or two, so whatever the
public ``RoadNetwork.nearest`` adds (input checks, placing the points on the road segments,
the seeds and the final choice per origin, building the frame) shows. Timed the same way
(``timing.timed``: warm-up, best of N, wall and CPU), on the same points:

* ``public``: ``RoadNetwork.nearest(origins, venues)``, the whole call;
* ``search``: the bare multi-source search from the venues' placements
  (``RoadNetwork._from_nearest``: seeds with partial edges, the compiled search);
* ``scipy_script``: what a bare SciPy script does for the same question: KD-tree of the
  nodes, origins and venues snapped to their nearest node, ``dijkstra(min_only=True)`` on
  the reversed graph, time read per origin (no turn costs, no segment placement);
* the parts of the public call: ``points_xy`` (checks), ``place`` (placement of the origins).

``public`` places the origins and venues afresh on every run (the placements the network
keeps are cleared first), as a first call does; ``public_same_points`` is the same call
again with the same points, whose placements the network kept (what a report's second
figure on the same origins costs). The SciPy script snaps its points on every run.

Usage::

    MAILLAGE_DATA_DIR=../shared/data python benchmarks/bench_overhead.py \\
        --out benchmarks/results/overhead_monaco.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import machine, timed


def _points(net, n: int, rng, jitter_m: float):
    import geopandas as gpd

    xy = net.graph.xy[rng.choice(net.n_nodes, n)] + rng.uniform(-jitter_m, jitter_m, (n, 2))
    return gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=net.crs)


def scipy_script(net, origins, venues):
    """Snap to nodes with a KD-tree, one SciPy multi-source Dijkstra, read each origin's time."""
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    matrix = net._reversed.matrix()
    tree = cKDTree(net.graph.xy)

    def run():
        _, o_node = tree.query(origins.get_coordinates().to_numpy())
        _, v_node = tree.query(venues.get_coordinates().to_numpy())
        dist = dijkstra(matrix, indices=np.unique(v_node), min_only=True)
        return dist[o_node]

    return run


def measure(net, n_origins: int, n_venues: int, repeat: int) -> dict:
    from maillage.travel.graph.snap import points_xy

    rng = np.random.default_rng(0)
    origins = _points(net, n_origins, rng, 100.0)
    venues = _points(net, n_venues, rng, 20.0).set_axis([f"v{i}" for i in range(n_venues)])
    place = net._place(venues, name="venues")
    placed = np.flatnonzero(place.placed)
    xy = points_xy(origins, name="origins", crs=net.crs)

    def public():  # every run places its points afresh, as a first call does
        net._segments._placements.clear()
        return net.nearest(origins, venues)

    parts = {
        "public": public,
        "public_same_points": lambda: net.nearest(origins, venues),
        "search": lambda: net._from_nearest(place, placed, None),
        "scipy_script": scipy_script(net, origins, venues),
        "points_xy": lambda: points_xy(origins, name="origins", crs=net.crs),
        "place": lambda: net._segments._place(xy, max_snap_m=net._max_snap_m),
    }
    out: dict = {"origins": n_origins, "venues": n_venues}
    for name, func in parts.items():
        out[name] = timed(func, repeat=repeat, warmup=2)[0]
    out["public_over_search"] = round(out["public"]["wall_s"] / out["search"]["wall_s"], 2)
    out["public_over_scipy_script"] = round(
        out["public"]["wall_s"] / out["scipy_script"]["wall_s"], 2
    )
    print(
        f"{n_origins} origins: public {out['public']['wall_s'] * 1e3:.2f} ms, search "
        f"{out['search']['wall_s'] * 1e3:.2f} ms, scipy script "
        f"{out['scipy_script']['wall_s'] * 1e3:.2f} ms",
        flush=True,
    )
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", default="osm-monaco-osrm-2016")
    parser.add_argument("--origins", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--venues", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    from maillage import RoadNetwork, fetch

    record = {"extract": args.extract, "machine": machine()}
    net = RoadNetwork.from_osm(fetch(args.extract)[0], cache=False)
    record |= {"nodes": net.n_nodes, "edges": net.n_edges, "turn_costs": True}
    record["runs"] = [measure(net, n, args.venues, args.repeat) for n in args.origins]
    record["load_average_end"] = machine()["load_average"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
