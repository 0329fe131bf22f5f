"""Benchmark the travel-time engines on one OSM extract: road graph, OSRM, networkx.

The same ``.osm.pbf`` (a real extract of the catalogue with ``--extract``, any file with
``--pbf``, else the synthetic Nouvelle-Aquitaine of ``bench_pipeline.py``, written by its
``write_region_pbf``) serves every engine, each in its own child process so that its peak
memory (``ru_maxrss``) is its own. Every engine answers the same question, the nearest venue
of every origin, and is timed the same way (``timing.timed``): its preparation apart from its
queries, each query's first call apart, then the best of ``--repeat`` warm calls (wall and
CPU time, load average):

* ``graph``: ``maillage.RoadNetwork.from_osm(path, cache=False)`` (the parse, best of
  ``--repeat``), then its public call ``nearest`` with turn costs (car.lua's, the default);
  ``graph_plain``: the same with ``turn_costs=False``;
* ``osrm_ch`` / ``osrm_mld`` (one per ``--algorithm``): OSRM's preparation, best of
  ``--repeat`` uncached builds, each step (``osrm-extract``, then ``osrm-contract`` or
  ``osrm-partition`` + ``osrm-customize``) timed apart (wall, and CPU of the OSRM programs);
  then two queries on the prepared files, both with turn costs (car.lua's) and the access legs
  of maillage's trip definition (15 km/h between each point and its road): maillage's public
  call ``OSRMModel.nearest`` and OSRM's best call for the question, one ``Table`` of origins x
  venues through ``osrm-bindings`` (coordinates in, durations and snap distances out, each
  row's minimum);
* ``networkx``: the plain road graph parsed by maillage, loaded into a
  ``networkx.DiGraph``, and one ``single_source_dijkstra`` from a super-source joined to
  every venue node (edge weight = the venue's access leg): the problem of ``graph_plain``
  (no turn costs), points placed on the nearest node.

Like for like: ``graph`` against OSRM (turn costs on both sides), ``graph_plain`` against
networkx (none on either). Origins and venues are random nodes of the PBF (on a real extract
also the nodes of buildings, paths...) moved by up to ``--jitter-m`` metres, so every engine
places them; drawn once by a child and shared. The parent compares the answers: plain road
graph vs networkx, road graph vs each OSRM call (ratio and differences, share of same nearest
venue). The road graph and OSRM's ``Table`` are timed again on the origins they placed
(``*_placed_origins``: without the points that have no road within 2 km, many on extracts
with sea or mountains), since refusing those points is part of the first query's cost.

Usage::

    MAILLAGE_DATA_DIR=../shared/data python benchmarks/bench_engines.py --extract monaco \
        --algorithm ch mld --origins 5000 --out benchmarks/results/engines_monaco_warm.json
    MAILLAGE_DATA_DIR=../shared/data python benchmarks/bench_engines.py --nodes 30000 \
        --origins 5000 --algorithm mld --out benchmarks/results/engines_synthetic_30k_mld.json
    python benchmarks/bench_engines.py --pbf ../shared/data/osm/monaco-osrm-2016/monaco.osm.pbf \
        --origins 20000 --out benchmarks/results/engines_monaco.json

``--extract`` takes the short names of ``scripts/road_graph_vs_osrm.py`` (``monaco``,
``saint-barthelemy``, ``paris``, ``andorra``) with their working CRS and OSRM's
``small_component_size`` there. OSRM's preparation does not scale on uniform street grids
(see benchmarks/README.md): on the synthetic file keep ``--nodes`` small, and ``--algorithm
mld`` (contraction hierarchies did not finish on a 10,000-node grid in 6 minutes).
"""

from __future__ import annotations

import argparse
import json
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

PIPELINE = Path(__file__).with_name("bench_pipeline.py")  # owns the synthetic extract
SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"  # owns the real extracts' settings
ENGINES = ("graph", "graph_plain", "osrm", "networkx")

PROBLEM = (
    "nearest venue of every origin; origins and venues: random nodes of the PBF moved by up "
    "to jitter_m metres; time = access leg at 15 km/h + road time + access leg (maillage's "
    "TRIP_DEFINITION)"
)
SOLVED = {
    "graph": "with car.lua's turn costs (greedy node-based search); RoadNetwork.nearest",
    "graph_plain": "without turn costs; RoadNetwork.from_osm(turn_costs=False).nearest",
    "osrm": "with car.lua's turn costs (OSRM's edge-based search); OSRMModel.nearest "
    "(maillage's call) and one osrm-bindings Table of origins x venues (OSRM's best call)",
    "networkx": "without turn costs (graph_plain's problem), points placed on the nearest "
    "node; single_source_dijkstra from a super-source joined to the venues",
}
TIMING = (
    "preparation (parse, or OSRM's extract + contract / partition + customize): best of "
    "`repeat` cold runs, wall and CPU (OSRM's programs: their own CPU); query: first call "
    "apart, then best of `repeat` warm calls (timing.timed: wall, CPU of the process and "
    "its threads, load average); each engine in its own process"
)


def _peaks() -> dict[str, int]:
    return {
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "children_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def _prepare(result: dict, func, repeat: int):
    """Time a preparation (cold: nothing cached), best of ``repeat``; return the last."""
    result["prepare_timing"], value = timed(func, repeat=repeat, warmup=0)
    result["prepare_s"] = result["prepare_timing"]["wall_s"]
    print(f"  prepare: {result['prepare_s']} s", file=sys.stderr, flush=True)
    return value


def draw_points(  # noqa: PLR0917
    pbf: Path, out: Path, n_origins: int, n_venues: int, jitter_m: float, crs: str
) -> dict:
    """Random nodes of the extract, moved by up to ``jitter_m`` in ``crs``; saved to ``out``."""
    import geopandas as gpd
    import osmium

    lonlat = np.array(
        [(n.location.lon, n.location.lat) for n in osmium.FileProcessor(str(pbf), osmium.osm.NODE)]
    )
    xy = gpd.GeoSeries.from_xy(lonlat[:, 0], lonlat[:, 1], crs=4326).to_crs(crs)
    xy = xy.get_coordinates().to_numpy()
    rng = np.random.default_rng(0)
    picked = rng.choice(len(xy), n_origins + n_venues, replace=False)
    angle = rng.uniform(0, 2 * np.pi, len(picked))
    radius = jitter_m * np.sqrt(rng.uniform(0, 1, len(picked)))
    moved = xy[picked] + np.c_[np.cos(angle), np.sin(angle)] * radius[:, None]
    np.savez(out, origins=moved[:n_origins], venues=moved[n_origins:])
    return {"pbf_nodes_read": len(xy), "origins": n_origins, "venues": n_venues, "crs": crs}


def _points(path: Path, crs: str):
    import geopandas as gpd

    data = np.load(path)
    origins = gpd.GeoSeries.from_xy(*data["origins"].T, crs=crs)
    venues = gpd.GeoSeries.from_xy(*data["venues"].T, crs=crs)
    return origins, venues.set_axis([f"v{i}" for i in range(len(venues))])


def _save(out: Path, near) -> None:
    dest = near["dest_id"].astype(object).where(near["dest_id"].notna(), "")
    np.savez(out, time_s=near["travel_time_s"].to_numpy(float), dest=dest.to_numpy(str))


def run_graph(pbf: Path, points: Path, out: Path, args, *, turn_costs: bool = True) -> dict:
    """The road graph: its parse (best of ``args.repeat``), then its public ``nearest``."""
    import maillage

    result: dict = {
        "turn_costs": turn_costs,
        "problem": SOLVED["graph" if turn_costs else "graph_plain"],
    }
    net = _prepare(
        result,
        lambda: maillage.RoadNetwork.from_osm(
            pbf, cache=False, turn_costs=turn_costs, crs=args.crs
        ),
        args.repeat,
    )
    result |= {"nodes": net.n_nodes, "edges": net.n_edges}
    origins, venues = _points(points, args.crs)

    def nearest(origins):  # every run places its points afresh, as OSRM's queries do
        net._segments._placements.clear()
        return net.nearest(origins, venues)

    near = _query(result, "query", lambda: nearest(origins), args.repeat)
    _save(out, near)
    placed = near["travel_time_s"].notna().to_numpy()  # the others: no road within 2 km
    result["origins_placed"] = int(placed.sum())
    _query(result, "query_placed_origins", lambda: nearest(origins[placed]), args.repeat)
    return result | _peaks()


def _osrm_builds(pbf: Path, algorithm: str, small: int, repeat: int):
    """Best of ``repeat`` uncached OSRM builds, each program timed apart; the last build kept.

    ``osrm_build._run`` (which runs one OSRM program) is wrapped for the time of the builds
    so that each step's wall time and CPU time (the program's own, every thread) are read.
    """
    from maillage.travel import osrm_build

    run_step, runs, prepared = osrm_build._run, [], None

    def timed_step(step: str, step_args: list[str], label: str) -> None:
        wall, cpu = time.perf_counter(), _children_cpu()
        run_step(step, step_args, label)
        runs[-1]["steps"][step] = {
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(_children_cpu() - cpu, 3),
        }

    osrm_build._run = timed_step
    try:
        for _ in range(repeat):
            if prepared is not None:
                shutil.rmtree(prepared.base.parent, ignore_errors=True)
            runs.append({"steps": {}})
            wall, cpu = time.perf_counter(), _children_cpu() + time.process_time()
            prepared = osrm_build.prepare_osrm(
                pbf, algorithm=algorithm, small_component_size=small, cache=False
            )
            runs[-1]["wall_s"] = round(time.perf_counter() - wall, 3)
            runs[-1]["cpu_s"] = round(_children_cpu() + time.process_time() - cpu, 3)
    finally:
        osrm_build._run = run_step
    best = min(runs, key=lambda run: run["wall_s"])
    record = best | {
        "runs_wall_s": [run["wall_s"] for run in runs],
        "repeat": repeat,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    return record, prepared


def table_nearest(
    engine, origin_ll: np.ndarray, venue_ll: np.ndarray, *, access_kph: float, max_snap_m: float
):
    """OSRM's best call for the question: ``Table`` of origins x venues, each row's minimum.

    One call per block of at most ``maillage.travel.osrm.TABLE_CELLS`` cells (a single call
    for 5,000 x 200); both ends' access legs added from OSRM's snap distances, as in
    ``OSRMModel``; points placed farther than ``max_snap_m`` from a road left out, as there.
    Returns each origin's time (inf: no venue reachable, NaN: origin not placed) and venue
    position (-1: none).
    """
    import osrm

    from maillage.travel.osrm import TABLE_CELLS

    n_venues = len(venue_ll)
    height = max(1, TABLE_CELLS // n_venues)
    time_s, which = np.full(len(origin_ll), np.inf), np.full(len(origin_ll), -1)
    for start in range(0, len(origin_ll), height):
        block = origin_ll[start : start + height]
        coordinates = [tuple(pair) for pair in np.vstack([block, venue_ll]).tolist()]
        answer = engine.Table(
            osrm.TableParameters(
                coordinates=coordinates,
                sources=list(range(len(block))),
                destinations=list(range(len(block), len(coordinates))),
                annotations=["duration"],
                generate_hints=False,
            )
        )
        times = np.array([list(row) for row in answer["durations"]], dtype=float)
        snap_o = np.array([way["distance"] for way in answer["sources"]], dtype=float)
        snap_v = np.array([way["distance"] for way in answer["destinations"]], dtype=float)
        times = np.where(np.isnan(times) | (snap_v > max_snap_m), np.inf, times)
        times += (snap_o[:, None] + snap_v[None, :]) / (access_kph / 3.6)
        col = times.argmin(axis=1)
        best = np.where(snap_o <= max_snap_m, times[np.arange(len(col)), col], np.nan)
        time_s[start : start + len(block)] = best
        which[start : start + len(block)] = np.where(np.isfinite(best), col, -1)
    return time_s, which


def run_osrm(pbf: Path, points: Path, out: Path, args) -> dict:
    """OSRM: preparation (best of N, per program), then two warm queries with access legs.

    ``nearest``: maillage's public call ``OSRMModel.nearest`` (checks, placement of the
    venues, blocks of ``Table`` calls, frame). ``table``: :func:`table_nearest`, OSRM's own
    call on coordinates converted beforehand. Both with turn costs (car.lua's).
    """
    import osrm

    import maillage
    from maillage.travel.graph.snap import ACCESS_SPEED_KPH
    from maillage.travel.network import DEFAULT_MAX_SNAP_M

    algorithm = args.algorithm[0]
    result: dict = {"algorithm": algorithm, "problem": SOLVED["osrm"]}
    result["small_component_size"] = args.small_component_size
    result["prepare_timing"], prepared = _osrm_builds(
        pbf, algorithm, args.small_component_size, args.repeat
    )
    result["prepare_s"] = result["prepare_timing"]["wall_s"]
    print(f"  prepare: {result['prepare_s']} s", file=sys.stderr, flush=True)
    result["osrm_version"] = prepared.meta["osrm_version"]
    origins, venues = _points(points, args.crs)
    model = maillage.OSRMModel(prepared.base, algorithm=algorithm, source=prepared.meta)
    _save(out, _query(result, "nearest", lambda: model.nearest(origins, venues), args.repeat))
    engine = _timed(
        result,
        "table_open_s",
        lambda: osrm.OSRM(
            storage_config=str(prepared.base),
            algorithm=algorithm.upper(),
            use_shared_memory=False,
        ),
    )
    origin_ll = origins.to_crs(4326).get_coordinates().to_numpy()
    venue_ll = venues.to_crs(4326).get_coordinates().to_numpy()

    def table(rows=slice(None)):
        return table_nearest(
            engine,
            origin_ll[rows],
            venue_ll,
            access_kph=ACCESS_SPEED_KPH,
            max_snap_m=DEFAULT_MAX_SNAP_M,
        )

    time_s, which = _query(result, "table", table, args.repeat)
    dest = np.where(which >= 0, venues.index.to_numpy(str)[which], "")
    np.savez(out.with_name(f"{out.stem}_table.npz"), time_s=time_s, dest=dest)
    placed = ~np.isnan(time_s)  # the others: no road within 2 km
    result["origins_placed"] = int(placed.sum())
    _query(result, "table_placed_origins", lambda: table(placed), args.repeat)
    shutil.rmtree(prepared.base.parent, ignore_errors=True)
    return result | _peaks()


def run_networkx(pbf: Path, points: Path, out: Path, args) -> dict:
    """The search of ``RoadNetwork.nearest`` by networkx, on the plain graph (no turn costs).

    Reversed graph; a super-source joined to each venue's node (weight: the venue's access
    leg); an origin reads its node's time plus its own access leg. Compared with
    ``RoadNetwork.from_osm(turn_costs=False).nearest``: the same Dijkstra problem, points
    placed on the nearest node.
    """
    import networkx as nx
    import pandas as pd

    import maillage
    from maillage.travel.graph.snap import ACCESS_SPEED_KPH, points_xy, snap_xy

    result: dict = {"problem": SOLVED["networkx"]}
    start = time.perf_counter()
    graph = maillage.RoadNetwork.from_osm(pbf, cache=False, turn_costs=False, crs=args.crs).graph
    digraph = nx.from_scipy_sparse_array(graph.matrix().T.tocsr(), create_using=nx.DiGraph)
    result["prepare_s"] = round(time.perf_counter() - start, 3)
    result["nodes"], result["edges"] = digraph.number_of_nodes(), digraph.number_of_edges()
    origins, venues = _points(points, args.crs)

    def query():  # again: the super-source's edges are already there, unchanged
        o_snap = snap_xy(
            graph.xy, points_xy(origins, name="origins", crs=args.crs), max_snap_m=2000.0
        )
        v_snap = snap_xy(
            graph.xy, points_xy(venues, name="venues", crs=args.crs), max_snap_m=2000.0
        )
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

    time_s, dest = _query(result, "query", query, args.repeat)
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
    parser.add_argument("--algorithm", nargs="+", default=["ch"], choices=["ch", "mld"])
    parser.add_argument("--skip", nargs="*", default=[], choices=list(ENGINES))
    parser.add_argument("--repeat", type=int, default=3, help="best of N, every engine")
    parser.add_argument(
        "--extract", help="a real extract: monaco, saint-barthelemy, paris, andorra"
    )
    parser.add_argument("--pbf", type=Path, help="use this PBF instead of writing one")
    parser.add_argument("--crs", default="EPSG:2154", help="working CRS (set by --extract)")
    parser.add_argument("--small-component-size", type=int, default=1000, help="OSRM's")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", choices=["points", *ENGINES])
    parser.add_argument("--points", type=Path)
    parser.add_argument("--answer", type=Path)
    return parser.parse_args(argv)


def _work(args) -> dict:
    """Run one child's part."""
    if args.worker == "points":
        return draw_points(
            args.pbf, args.points, args.origins, args.venues, args.jitter_m, args.crs
        )
    if args.worker == "osrm":
        return run_osrm(args.pbf, args.points, args.answer, args)
    if args.worker == "networkx":
        return run_networkx(args.pbf, args.points, args.answer, args)
    return run_graph(args.pbf, args.points, args.answer, args, turn_costs=args.worker == "graph")


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


def use_extract(args) -> dict:
    """Point ``args`` at a real extract of the catalogue, with its CRS and OSRM settings."""
    sys.path.insert(0, str(SCRIPTS))
    from road_graph_vs_osrm import EXTRACTS, extract_path, extract_settings

    settings = extract_settings(args.extract)
    args.pbf = extract_path(args.extract)
    args.crs, args.small_component_size = settings["crs"], settings["small_component_size"]
    return {"extract": args.extract, "catalogue_name": EXTRACTS[args.extract]} | settings


def _engine_runs(args) -> list[tuple[str, list[str]]]:
    """(result key, child options) of every engine asked, one OSRM run per algorithm."""
    runs = []
    for engine in ENGINES:
        if engine in args.skip:
            continue
        if engine != "osrm":
            runs.append((engine, ["--worker", engine]))
            continue
        runs += [
            (f"osrm_{alg}", ["--worker", "osrm", "--algorithm", alg]) for alg in args.algorithm
        ]
    return runs


def _run_engines(args, pbf: Path, tmp_dir: Path) -> dict:
    result: dict = {"pbf_mb": round(pbf.stat().st_size / 2**20, 2)}
    points = tmp_dir / "points.npz"
    common = ["--pbf", str(pbf), "--points", str(points), "--crs", args.crs]
    common += [
        "--repeat",
        str(args.repeat),
        "--small-component-size",
        str(args.small_component_size),
    ]
    result["points"] = _child(
        "--worker", "points", *common, "--origins", str(args.origins),
        "--venues", str(args.venues), "--jitter-m", str(args.jitter_m),
    )  # fmt: skip
    answers = {}
    for key, options in _engine_runs(args):
        answers[key] = tmp_dir / f"{key}.npz"
        print(f"{key}:", file=sys.stderr, flush=True)
        result[key] = _child(*options, *common, "--answer", str(answers[key]))
    if {"graph_plain", "networkx"} <= set(answers):
        result["graph_plain_vs_networkx"] = agreement(answers["graph_plain"], answers["networkx"])
    for key in [key for key in answers if key.startswith("osrm_")]:
        if "graph" in answers:
            result[f"graph_vs_{key}_nearest"] = agreement(answers["graph"], answers[key])
            table = answers[key].with_name(f"{key}_table.npz")
            result[f"graph_vs_{key}_table"] = agreement(answers["graph"], table)
    return result


def main(argv=None) -> None:
    args = _parse(argv)
    if args.worker:
        print(json.dumps(_work(args)))
        return
    result: dict = {"machine": machine(), "problem": PROBLEM, "timing": TIMING}
    result |= {"jitter_m": args.jitter_m, "repeat": args.repeat}
    if args.extract:
        result |= use_extract(args)
    result["pbf_name"] = (args.pbf or Path("synthetic")).name
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
