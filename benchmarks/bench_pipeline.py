"""Benchmark the region-sized pipeline: synthetic PBF of Nouvelle-Aquitaine -> full report.

Issue 3 sets the target "a region-sized pipeline (PBF of a few million nodes -> coverage of
~4,300 communes) under 60 s and 4 GB" on the project's 2-core machine. No real regional
extract is available offline, so this script first writes a synthetic but road-like
``.osm.pbf`` over the real extent of Nouvelle-Aquitaine (région 75, WGS84), clipped to the
région (3 km buffer) like a regional extract:

* a jittered grid of local roads (``residential`` / ``unclassified``, 8 % of the local
  ways missing, 5 % one-way, some ``maxspeed=30/50``);
* every 8th line ``tertiary``, every 24th ``secondary``, every 72nd ``primary`` (some with
  ``maxspeed=70/80/90``);
* a few motorways between the real cities (two one-way carriageways, ``maxspeed=130``),
  joined to the grid by ``motorway_link`` every ~12 km.

Then it times, in one child process per travel-time model (so that each peak ``ru_maxrss``
is its own), the steps an analyst runs: ``RoadNetwork.from_osm`` (cache disabled),
``load_communes(region="75")``, ``load_venues("cget-tiers-lieux-2019", region="75")``,
``coverage``, ``indicators``, ``white_zones``, ``attribution``, ``suggest_sites(k=5)`` and the
whole ``maillage.report.write_report`` into a temporary folder. The crow-fly child runs the
same steps without the parse.

Usage::

    MAILLAGE_DATA_DIR=../shared/data python benchmarks/bench_pipeline.py --nodes 3000000 \
        --out benchmarks/results/pipeline_synthetic_3m.json --keep-pbf /tmp/na3m.osm.pbf
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_S, TARGET_MB = 60.0, 4096.0
BUFFER_M = 3000.0
CITIES = {  # lon, lat
    "bordeaux": (-0.58, 44.84),
    "poitiers": (0.34, 46.58),
    "niort": (-0.46, 46.32),
    "la_rochelle": (-1.15, 46.16),
    "limoges": (1.26, 45.83),
    "brive": (1.53, 45.16),
    "perigueux": (0.72, 45.18),
    "angouleme": (0.16, 45.65),
    "agen": (0.62, 44.20),
    "bayonne": (-1.47, 43.49),
    "pau": (-0.37, 43.30),
}
MOTORWAYS = [
    ("bordeaux", "angouleme", "poitiers"),
    ("la_rochelle", "niort", "poitiers"),
    ("bordeaux", "bayonne"),
    ("bayonne", "pau"),
    ("bordeaux", "agen"),
    ("bordeaux", "perigueux", "brive"),
    ("poitiers", "limoges", "brive"),
]


def _rss_mb() -> tuple[float, float]:
    """(peak ru_maxrss, current RSS) in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    current = pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return round(peak), round(current)


def region_mask():
    """Nouvelle-Aquitaine (région 75) grown by BUFFER_M, simplified, in WGS84 (prepared)."""
    import geopandas as gpd
    import shapely

    import maillage

    communes = maillage.load_communes(region="75")
    shape = shapely.union_all(communes.geometry.to_numpy()).buffer(BUFFER_M).simplify(500)
    shape = gpd.GeoSeries([shape], crs=2154).to_crs(4326).iloc[0]
    shapely.prepare(shape)
    return shape


def _grid(n_nodes: int, mask, rng: np.random.Generator):
    """Jittered lon/lat grid over the mask's bounds, sized to keep ~n_nodes inside it."""
    import shapely

    lon0, lat0, lon1, lat1 = mask.bounds
    km_x = (lon1 - lon0) * 111.32 * math.cos(math.radians((lat0 + lat1) / 2))
    km_y = (lat1 - lat0) * 110.57
    probe_x, probe_y = np.meshgrid(np.linspace(lon0, lon1, 200), np.linspace(lat0, lat1, 200))
    inside = float(shapely.contains_xy(mask, probe_x, probe_y).mean())
    spacing_km = math.sqrt(km_x * km_y * inside / n_nodes)
    nx, ny = int(km_x / spacing_km) + 1, int(km_y / spacing_km) + 1
    lon = np.linspace(lon0, lon1, nx)
    lat = np.linspace(lat0, lat1, ny)
    jitter = rng.normal(0.0, 0.15, (ny, nx, 2))
    grid_lon = lon[None, :] + jitter[..., 0] * (lon[1] - lon[0])
    grid_lat = lat[:, None] + jitter[..., 1] * (lat[1] - lat[0])
    keep = shapely.contains_xy(mask, grid_lon, grid_lat)
    node_id = np.zeros((ny, nx), dtype=np.int64)
    node_id[keep] = np.arange(1, int(keep.sum()) + 1)
    return grid_lon, grid_lat, node_id, spacing_km


def _line_tags(line: int) -> dict[str, str]:
    if line % 72 == 0:
        return {"highway": "primary"}
    if line % 24 == 0:
        return {"highway": "secondary"}
    if line % 8 == 0:
        return {"highway": "tertiary"}
    return {"highway": "residential" if line % 3 == 0 else "unclassified"}


def _runs(ids: np.ndarray, chunk: int):
    """Consecutive runs of kept nodes (id > 0), split every ``chunk`` segments."""
    kept = np.r_[False, ids > 0, False]
    edges = np.flatnonzero(np.diff(kept.astype(np.int8)))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        for a in range(start, stop - 1, chunk):
            yield ids[a : min(a + chunk + 1, stop)]


def _grid_ways(node_id: np.ndarray, rng: np.random.Generator):
    """(node ids, tags) of the grid's ways: rows then columns."""
    major_speed = {"primary": "90", "secondary": "80", "tertiary": "70"}
    for lines in (node_id, node_id.T):
        for index, ids in enumerate(lines):
            base = _line_tags(index)
            local = base["highway"] in ("residential", "unclassified")
            for nodes in _runs(ids, 10 if local else 50):
                draw = rng.random()
                if local and draw < 0.08:
                    continue  # missing street: the grid is not complete
                tags = dict(base)
                if local and draw < 0.13:
                    tags["oneway"] = "yes"
                elif local and draw < 0.25:
                    tags["maxspeed"] = "30" if draw < 0.19 else "50"
                elif not local and draw < 0.4:
                    tags["maxspeed"] = major_speed[base["highway"]]
                yield nodes.tolist(), tags


def _motorway_ways(grid_lon, grid_lat, node_id, first_id: int):
    """Motorway nodes and ways (two carriageways) with links to the nearest grid node."""
    from scipy.spatial import cKDTree

    keep = node_id > 0
    coslat = math.cos(math.radians(45.5))
    tree = cKDTree(np.c_[grid_lon[keep] * coslat, grid_lat[keep]])
    kept_ids = node_id[keep]
    nodes: list[tuple[int, float, float]] = []
    ways: list[tuple[list[int], dict[str, str]]] = []
    next_id = first_id
    for route in MOTORWAYS:
        ids: list[int] = []
        for a, b in itertools.pairwise(route):
            (x0, y0), (x1, y1) = CITIES[a], CITIES[b]
            km = math.hypot((x1 - x0) * 111.32 * coslat, (y1 - y0) * 110.57)
            steps = max(2, int(km / 0.4))
            for t in np.linspace(0, 1, steps + 1)[(1 if ids else 0) :]:
                nodes.append((next_id, x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
                ids.append(next_id)
                next_id += 1
        tags = {"highway": "motorway", "maxspeed": "130", "ref": "-".join(route)}
        for start in range(0, len(ids) - 1, 50):
            part = ids[start : start + 51]
            ways.append((part, tags))
            ways.append((part[::-1], tags))
        by_id = {n[0]: n for n in nodes}
        for junction in ids[::30]:  # a junction every ~12 km
            _, lon, lat = by_id[junction]
            _, pos = tree.query([lon * coslat, lat])
            link = {"highway": "motorway_link", "oneway": "no"}
            ways.append(([junction, int(kept_ids[pos])], link))
    return nodes, ways


def write_region_pbf(path: Path, n_nodes: int, seed: int = 0) -> dict:
    """Write the synthetic Nouvelle-Aquitaine extract; return its counts."""
    import osmium

    rng = np.random.default_rng(seed)
    mask = region_mask()
    grid_lon, grid_lat, node_id, spacing_km = _grid(n_nodes, mask, rng)
    keep = node_id > 0
    motorway_nodes, motorway_ways = _motorway_ways(
        grid_lon, grid_lat, node_id, int(node_id.max()) + 1
    )
    n_ways = 0
    path.unlink(missing_ok=True)  # SimpleWriter refuses to overwrite
    with osmium.SimpleWriter(str(path)) as writer:
        for nid, lon, lat in zip(
            node_id[keep].tolist(), grid_lon[keep].tolist(), grid_lat[keep].tolist(), strict=True
        ):
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat)))
        for nid, lon, lat in motorway_nodes:
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat)))
        ways = _grid_ways(node_id, rng)
        for n_ways, (nodes, tags) in enumerate([*ways, *motorway_ways], start=1):
            writer.add_way(osmium.osm.mutable.Way(id=n_ways, nodes=nodes, tags=tags))
    return {
        "pbf_nodes": int(keep.sum()) + len(motorway_nodes),
        "pbf_ways": n_ways,
        "grid_spacing_m": round(spacing_km * 1000),
        "motorway_nodes": len(motorway_nodes),
    }


def _timed(steps: list, name: str, func):
    start = time.perf_counter()
    value = func()
    peak, current = _rss_mb()
    steps.append(
        {
            "step": name,
            "seconds": round(time.perf_counter() - start, 3),
            "peak_rss_mb": peak,
            "rss_mb": current,
        }
    )
    print(f"  {name}: {steps[-1]}", file=sys.stderr, flush=True)
    return value


def worker(model_name: str, pbf: Path, out_dir: Path) -> dict:
    """Run the pipeline steps with one model in this process; return timings."""
    import warnings

    warnings.simplefilter("ignore")  # benchmark output: warnings are counted in the report
    import maillage
    from maillage.report import write_report

    steps: list[dict] = []
    result: dict = {"model": model_name}
    if model_name == "road_network":
        net = _timed(steps, "from_osm", lambda: maillage.RoadNetwork.from_osm(pbf, cache=False))
        result |= {"nodes": net.n_nodes, "edges": net.n_edges}
        model = net
    else:
        model = maillage.CrowFlyModel()
    communes = _timed(steps, "load_communes", lambda: maillage.load_communes(region="75"))
    venues, rejected = _timed(
        steps,
        "load_venues",
        lambda: maillage.load_venues("cget-tiers-lieux-2019", region="75", errors="report"),
    )
    cov, origins = _timed(
        steps,
        "coverage",
        lambda: maillage.coverage(communes, venues, model=model, threshold_min=20, detail=True),
    )
    overall = _timed(steps, "indicators", lambda: maillage.indicators(cov, origins=origins))
    zones = _timed(steps, "white_zones", lambda: maillage.white_zones(cov))
    _timed(
        steps,
        "attribution",
        lambda: maillage.attribution(
            communes, venues, model=model, threshold_min=20, origins=origins
        ),
    )
    sites = _timed(
        steps,
        "suggest_sites",
        lambda: maillage.suggest_sites(origins, k=5, model=model, communes=communes, venues=venues),
    )
    credits = maillage.credits(["cget-tiers-lieux-2019"])
    _timed(
        steps,
        "write_report",
        lambda: write_report(
            out_dir / model_name,
            communes=communes,
            venues=venues,
            model=model,
            threshold_min=20,
            area="Nouvelle-Aquitaine (région 75)",
            data_credits=credits,
        ),
    )
    summary = json.loads((out_dir / model_name / "summary.json").read_text(encoding="utf-8"))
    cli_steps = {"from_osm", "load_communes", "load_venues", "write_report"}
    return result | {
        "steps": steps,
        "total_s": round(sum(s["seconds"] for s in steps), 2),
        "report_path_s": round(sum(s["seconds"] for s in steps if s["step"] in cli_steps), 2),
        "peak_rss_mb": _rss_mb()[0],
        "communes": len(cov),
        "origins": len(origins),
        "venues": len(venues),
        "venues_rejected": len(rejected),
        "share_within_20_min": round(float(overall["share_within_threshold"].iloc[0]), 4),
        "median_time_min": round(float(overall["median_time_min"].iloc[0]), 2),
        "white_zones": len(zones),
        "sites_gain_population": [round(float(g)) for g in sites["gain_population"]],
        "summary_share_within_threshold": summary["share_within_threshold"],
        "unplaced_origins": int(cov["time_min"].isna().sum()),
    }


def _run(command: list[str]) -> dict:
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(model_name: str, pbf: Path, out_dir: Path) -> dict:
    command = [sys.executable, __file__, "--worker", model_name, "--pbf", str(pbf)]
    return _run([*command, "--report-dir", str(out_dir)])


def verdict(run: dict) -> str:
    ok_time, ok_mem = run["total_s"] <= TARGET_S, run["peak_rss_mb"] <= TARGET_MB
    state = "met" if ok_time and ok_mem else "NOT met"
    return (
        f"target {state}: all steps {run['total_s']:.1f} s (limit {TARGET_S:.0f} s), "
        f"peak {run['peak_rss_mb']} MB (limit {TARGET_MB:.0f} MB); the CLI path "
        f"(parse + loads + write_report) {run['report_path_s']:.1f} s"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3_000_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep-pbf", type=Path, help="also keep the synthetic PBF here")
    parser.add_argument("--pbf", type=Path, help="use this PBF instead of writing one")
    parser.add_argument("--worker", choices=["road_network", "crow_fly", "write"])
    parser.add_argument("--report-dir", type=Path)
    args = parser.parse_args(argv)
    if args.worker == "write":
        print(json.dumps(write_region_pbf(args.pbf, args.nodes)))
        return
    if args.worker:
        print(json.dumps(worker(args.worker, args.pbf, args.report_dir)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        pbf = args.pbf or args.keep_pbf or Path(tmp) / "nouvelle-aquitaine-synthetic.osm.pbf"
        result: dict = {"nodes_asked": args.nodes, "machine_cpus": os.cpu_count()}
        if args.pbf is None:  # in a child: a child's ru_maxrss starts at its parent's
            start = time.perf_counter()
            result |= _run([sys.executable, __file__, "--worker", "write", "--pbf", str(pbf),
                            "--nodes", str(args.nodes)])  # fmt: skip
            result["write_pbf_s"] = round(time.perf_counter() - start, 1)
        result["pbf_mb"] = round(pbf.stat().st_size / 2**20, 1)
        print(result, file=sys.stderr)
        result["road_network"] = _child("road_network", pbf, Path(tmp))
        result["crow_fly"] = _child("crow_fly", pbf, Path(tmp))
    result["verdict"] = verdict(result["road_network"])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
