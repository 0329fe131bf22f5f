"""Benchmark the travel-time engines on one synthetic regional extract: road graph, OSRM, networkx.

The same ``.osm.pbf`` (the synthetic Nouvelle-Aquitaine of ``bench_pipeline.py``, written by
its ``write_region_pbf``: a jittered street grid with a road hierarchy and motorways, over
the real extent of région 75) serves three engines, each in its own child process so that
its peak memory (``ru_maxrss``) is its own:

* ``graph``: ``maillage.RoadNetwork.from_osm(path, cache=False)`` then ``nearest`` (with
  turn costs, the default); ``graph_plain``: the same with ``turn_costs=False``;
* ``osrm``: ``maillage.OSRMModel.from_osm(path)`` into an empty cache (``osrm-extract`` then
  ``osrm-contract`` for ``ch``, or ``osrm-partition`` + ``osrm-customize`` for ``mld``; the
  peak of these programs is ``children_peak_rss_mb``), a second, cached ``from_osm``, then
  ``nearest`` with OSRM's durations alone and with the road graph's access legs added;
* ``networkx``: the plain road graph parsed by maillage, loaded into a
  ``networkx.DiGraph``, and one ``single_source_dijkstra`` from a super-source joined to
  every venue node (edge weight = the venue's access leg): the same problem as
  ``graph_plain``'s ``nearest``.

Query: the nearest venue for every origin. Origins and venues are random nodes of the PBF
(on a real extract also the nodes of buildings, paths...) moved by up to ``--jitter-m``
metres, so every engine snaps; drawn once by a child and shared.
The parent compares the answers: plain road graph vs networkx (must be equal), road graph
vs OSRM (two models of the same roads: ratio and differences, share of same nearest venue).

Usage (about 4 minutes on 2 cores for the first, 20 s for the second)::

    MAILLAGE_DATA_DIR=../shared/data python benchmarks/bench_engines.py --nodes 30000 \
        --origins 5000 --algorithm mld --out benchmarks/results/engines_synthetic_30k_mld.json
    python benchmarks/bench_engines.py --pbf ../shared/data/osm/monaco-osrm-2016/monaco.osm.pbf \
        --origins 20000 --out benchmarks/results/engines_monaco.json

OSRM's preparation does not scale on these uniform street grids (see benchmarks/README.md):
keep ``--nodes`` small, and ``--algorithm mld`` (contraction hierarchies did not finish on a
10,000-node grid in 6 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import timed

PIPELINE = Path(__file__).with_name("bench_pipeline.py")  # owns the synthetic extract
ENGINES = ("graph", "graph_plain", "osrm", "networkx")


def _peaks() -> dict[str, int]:
    return {
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "children_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ),
    }


def _timed(result: dict, name: str, func):
    start = time.perf_counter()
    value = func()
    result[name] = round(time.perf_counter() - start, 3)
    print(f"  {name}: {result[name]} s", file=sys.stderr, flush=True)
    return value


def _query(result: dict, name: str, func, repeat: int = 3):
    """Time a query as every engine is: its first (cold) call apart, then warm, best of N."""
    value = _timed(result, f"{name}_first_s", func)
    result[f"{name}_timing"], _ = timed(func, repeat=repeat, warmup=0)
    result[f"{name}_s"] = result[f"{name}_timing"]["wall_s"]
    print(f"  {name} warm: {result[f'{name}_s']} s", file=sys.stderr, flush=True)
    return value


def draw_points(pbf: Path, out: Path, n_origins: int, n_venues: int, jitter_m: float) -> dict:
    """Random road nodes of the extract, moved by up to ``jitter_m``; saved to ``out``."""
    import geopandas as gpd
    import osmium

    lonlat = np.array(
        [(n.location.lon, n.location.lat) for n in osmium.FileProcessor(str(pbf), osmium.osm.NODE)]
    )
    xy = gpd.GeoSeries.from_xy(lonlat[:, 0], lonlat[:, 1], crs=4326).to_crs(2154)
    xy = xy.get_coordinates().to_numpy()
    rng = np.random.default_rng(0)
    picked = rng.choice(len(xy), n_origins + n_venues, replace=False)
    angle = rng.uniform(0, 2 * np.pi, len(picked))
    radius = jitter_m * np.sqrt(rng.uniform(0, 1, len(picked)))
    moved = xy[picked] + np.c_[np.cos(angle), np.sin(angle)] * radius[:, None]
    np.savez(out, origins=moved[:n_origins], venues=moved[n_origins:])
    return {"pbf_nodes_read": len(xy), "origins": n_origins, "venues": n_venues}


def _points(path: Path):
    import geopandas as gpd

    data = np.load(path)
    origins = gpd.GeoSeries.from_xy(*data["origins"].T, crs=2154)
    venues = gpd.GeoSeries.from_xy(*data["venues"].T, crs=2154)
    return origins, venues.set_axis([f"v{i}" for i in range(len(venues))])


def _save(out: Path, near) -> None:
    dest = near["dest_id"].astype(object).where(near["dest_id"].notna(), "")
    np.savez(out, time_s=near["travel_time_s"].to_numpy(float), dest=dest.to_numpy(str))


def run_graph(pbf: Path, points: Path, out: Path, *, turn_costs: bool = True) -> dict:
    import maillage

    result: dict = {"turn_costs": turn_costs}
    net = _timed(
        result,
        "prepare_s",
        lambda: maillage.RoadNetwork.from_osm(pbf, cache=False, turn_costs=turn_costs),
    )
    result |= {"nodes": net.n_nodes, "edges": net.n_edges}
    origins, venues = _points(points)
    _save(out, _query(result, "query", lambda: net.nearest(origins, venues)))
    return result | _peaks()


def run_osrm(pbf: Path, points: Path, out: Path, algorithm: str, cache: Path) -> dict:
    """OSRM cold preparation, cached reopening, then ``nearest`` without and with access legs.

    The second query adds the road graph's access legs (15 km/h between each point and
    where it is placed), so that the comparison with the road graph is about the roads.
    """
    import maillage
    from maillage.travel.graph.snap import ACCESS_SPEED_KPH

    result: dict = {"algorithm": algorithm}
    with maillage.options.set(cache_dir=cache):
        model = _timed(
            result, "prepare_s", lambda: maillage.OSRMModel.from_osm(pbf, algorithm=algorithm)
        )
        walked = _timed(
            result,
            "cached_open_s",
            lambda: maillage.OSRMModel.from_osm(
                pbf, algorithm=algorithm, access_speed_kph=ACCESS_SPEED_KPH
            ),
        )
    result["osrm_version"] = model.describe()["osrm_version"]
    origins, venues = _points(points)
    _save(out, _query(result, "query", lambda: model.nearest(origins, venues)))
    near = _query(result, "query_access_legs", lambda: walked.nearest(origins, venues))
    _save(out.with_name(f"{out.stem}_access.npz"), near)
    return result | _peaks()


def run_networkx(pbf: Path, points: Path, out: Path) -> dict:
    """The search of ``RoadNetwork.nearest`` by networkx, on the plain graph (no turn costs).

    Reversed graph; a super-source joined to each venue's node (weight: the venue's access
    leg); an origin reads its node's time plus its own access leg. Compared with
    ``RoadNetwork.from_osm(turn_costs=False).nearest``: the same exact Dijkstra problem.
    """
    import networkx as nx
    import pandas as pd

    import maillage
    from maillage.travel.graph.snap import ACCESS_SPEED_KPH, points_xy, snap_xy

    result: dict = {}
    start = time.perf_counter()
    graph = maillage.RoadNetwork.from_osm(pbf, cache=False, turn_costs=False).graph
    digraph = nx.from_scipy_sparse_array(graph.matrix().T.tocsr(), create_using=nx.DiGraph)
    result["prepare_s"] = round(time.perf_counter() - start, 3)
    result["nodes"], result["edges"] = digraph.number_of_nodes(), digraph.number_of_edges()
    origins, venues = _points(points)

    def query():  # again: the super-source's edges are already there, unchanged
        o_snap = snap_xy(graph.xy, points_xy(origins, name="origins"), max_snap_m=2000.0)
        v_snap = snap_xy(graph.xy, points_xy(venues, name="venues"), max_snap_m=2000.0)
        v_access = v_snap.access_s(ACCESS_SPEED_KPH)
        source = -1
        for venue in np.flatnonzero(v_snap.placed).tolist():
            node, weight = int(v_snap.node[venue]), float(v_access[venue])
            if not digraph.has_edge(source, node) or digraph[source][node]["weight"] > weight:
                digraph.add_edge(source, node, weight=weight, venue=venue)
        dist, paths = nx.single_source_dijkstra(digraph, source)
        time_s = np.full(len(origins), np.nan)
        dest = np.full(len(origins), "", dtype=object)
        o_access = o_snap.access_s(ACCESS_SPEED_KPH)
        for i in np.flatnonzero(o_snap.placed):
            node = int(o_snap.node[i])
            if node in dist:
                time_s[i] = dist[node] + o_access[i]
                dest[i] = venues.index[digraph[source][paths[node][1]]["venue"]]
            else:
                time_s[i] = np.inf
        return time_s, dest

    time_s, dest = _query(result, "query", query)
    frame = pd.DataFrame({"travel_time_s": time_s, "dest_id": dest})
    _save(out, frame.replace({"dest_id": {"": None}}))
    return result | _peaks()


def _load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    data = np.load(path)
    return data["time_s"], data["dest"]


def agreement(a: Path, b: Path) -> dict:
    """How far two engines' nearest-venue answers are apart (b relative to a)."""
    ta, da = _load(a)
    tb, db = _load(b)
    both = np.isfinite(ta) & np.isfinite(tb)
    diff = np.abs(ta[both] - tb[both])
    ratio = ta[both & (tb > 0)] / tb[both & (tb > 0)]
    return {
        "origins_compared": int(both.sum()),
        "placed_only_in_first": int((np.isfinite(ta) & ~np.isfinite(tb)).sum()),
        "placed_only_in_second": int((~np.isfinite(ta) & np.isfinite(tb)).sum()),
        "max_abs_diff_s": round(float(diff.max()), 3) if both.any() else None,
        "median_abs_diff_s": round(float(np.median(diff)), 3) if both.any() else None,
        "median_ratio_first_over_second": round(float(np.median(ratio)), 4) if len(ratio) else None,
        "same_nearest_venue_share": round(float((da[both] == db[both]).mean()), 4),
        "median_time_s": [
            round(float(np.median(ta[both])), 1),
            round(float(np.median(tb[both])), 1),
        ],
    }


def _child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=30_000, help="synthetic PBF nodes")
    parser.add_argument("--origins", type=int, default=20_000)
    parser.add_argument("--venues", type=int, default=200)
    parser.add_argument("--jitter-m", type=float, default=300.0)
    parser.add_argument("--algorithm", default="ch", choices=["ch", "mld"])
    parser.add_argument("--skip", nargs="*", default=[], choices=list(ENGINES))
    parser.add_argument("--pbf", type=Path, help="use this PBF instead of writing one")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", choices=["points", *ENGINES])
    parser.add_argument("--points", type=Path)
    parser.add_argument("--answer", type=Path)
    parser.add_argument("--cache", type=Path)
    return parser.parse_args(argv)


def _work(args) -> dict:
    """Run one child's part."""
    if args.worker == "points":
        return draw_points(args.pbf, args.points, args.origins, args.venues, args.jitter_m)
    if args.worker == "osrm":
        return run_osrm(args.pbf, args.points, args.answer, args.algorithm, args.cache)
    if args.worker == "networkx":
        return run_networkx(args.pbf, args.points, args.answer)
    return run_graph(args.pbf, args.points, args.answer, turn_costs=args.worker == "graph")


def _write_pbf(pbf: Path, nodes: int) -> dict:
    """The synthetic extract, written by bench_pipeline.py's own worker."""
    start = time.perf_counter()
    command = [sys.executable, str(PIPELINE), "--worker", "write", "--pbf", str(pbf)]
    done = subprocess.run(
        [*command, "--nodes", str(nodes)], stdout=subprocess.PIPE, text=True, check=True
    )
    written = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "nodes_asked": nodes,
        "pbf": written,
        "write_pbf_s": round(time.perf_counter() - start, 1),
    }


def _run_engines(args, pbf: Path, tmp_dir: Path) -> dict:
    result: dict = {"pbf_mb": round(pbf.stat().st_size / 2**20, 1)}
    points = tmp_dir / "points.npz"
    common = ["--pbf", str(pbf), "--points", str(points)]
    result["points"] = _child(
        "--worker", "points", *common, "--origins", str(args.origins),
        "--venues", str(args.venues), "--jitter-m", str(args.jitter_m),
    )  # fmt: skip
    answers = {}
    for engine in ENGINES:
        if engine in args.skip:
            continue
        answers[engine] = tmp_dir / f"{engine}.npz"
        extra = ["--algorithm", args.algorithm, "--cache", str(tmp_dir / "cache")]
        print(f"{engine}:", file=sys.stderr, flush=True)
        result[engine] = _child(
            "--worker", engine, *common, "--answer", str(answers[engine]), *extra
        )
    if {"graph_plain", "networkx"} <= set(answers):
        result["graph_plain_vs_networkx"] = agreement(answers["graph_plain"], answers["networkx"])
    if {"graph", "osrm"} <= set(answers):
        result["graph_vs_osrm"] = agreement(answers["graph"], answers["osrm"])
        result["graph_vs_osrm_with_access_legs"] = agreement(
            answers["graph"], answers["osrm"].with_name("osrm_access.npz")
        )
    return result


def main(argv=None) -> None:
    args = _parse(argv)
    if args.worker:
        print(json.dumps(_work(args)))
        return
    result: dict = {
        "machine_cpus": os.cpu_count(),
        "pbf_name": (args.pbf or Path("synthetic")).name,
    }
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        pbf = args.pbf or tmp_dir / "synthetic.osm.pbf"
        if args.pbf is None:
            result |= _write_pbf(pbf, args.nodes)
        result |= _run_engines(args, pbf, tmp_dir)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
