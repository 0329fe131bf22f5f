"""Time a national report (metropolitan France) on roads from a cached graph of national size.

No France-size ``.osm.pbf`` can be generated and parsed on this machine in reasonable time,
so the graph is built directly as arrays, then stored with the project's graph cache:

* ``build`` (child process): a road-like graph over the real extent of metropolitan France
  (the grid points whose 1 km cell touches a commune of ``load_communes()``): a jittered
  grid of intersections every ``--spacing`` metres, every 8th line an 80 km/h road and
  every 64th a 110 km/h one, local streets at 30 km/h +- 30 %, 15 % of them missing and 10 %
  one-way (the hierarchy of ``bench_travel_times.synthetic_graph``), ``--shape-nodes``
  two-road nodes on every street (``bench_travel_times._with_shape_nodes``: real OSM ways
  carry most of their nodes between intersections), two ferry lines to Corsica at the
  profile's ferry speed; nodes in Z-order and the turn data, delays and routing weights of
  ``graph_from_ways`` (``bench_travel_times.with_turns``), so the default turn costs are
  on. It is saved with ``save_graph`` under the cache key of a small stand-in file
  (``france-synthetique.osm.pbf``), the key ``RoadNetwork.from_osm`` computes for it;
* ``report`` (child process): ``maillage report --venues france-services-2024-08-01
  --network france-synthetique.osm.pbf --out ...`` (no area: all of metropolitan France),
  through the command line's own ``main``: the graph is read from the cache as an analyst's
  second run reads a parsed France. Wall and CPU time and peak RSS (``ru_maxrss``) are taken
  at each log line of the command (``-v``), which gives them per stage.

The defaults give France's make-up: junctions every 1,000 m over 549,000 km2 make about
1 M km of roads (France has about 1.1 M km), and 38 shape nodes per street put a node every
26 m (real OSM: 21-36 m), 36.6 M graph nodes (the issue's estimate: 35-75 M). Smaller
graphs keep 38 shape nodes and widen the spacing (nodes go as 1 / spacing**2).

One record is appended to ``--out`` (the schema of ``bench_real_size.py``'s, ``stage``
"report", ``from`` "cached synthetic graph", the build in ``graph_build``). A report
stopped at ``--timeout`` is recorded with the stages it reached (``timed_out_after_s``).
``--keep`` copies ``report.html``, ``map.png`` and ``summary.json`` out of the temporary
folder. The graph file (about 100 bytes per node) is written in ``--folder``.

Usage::

    python benchmarks/bench_national.py --spacing 1333 --folder /tmp \
        --out benchmarks/results/real_size.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_travel_times import _with_shape_nodes, with_turns

STAND_IN = "france-synthetique.osm.pbf"
STAGES = "stages.jsonl"
MASK_M = 1000.0
FERRIES = (((1_044_000, 6_298_000), (1_231_000, 6_194_000)),  # Nice - Bastia
           ((892_000, 6_246_000), (1_176_000, 6_103_000)))  # Marseille - Ajaccio  # fmt: skip


def _usage() -> dict:
    """Peak RSS (bytes) and CPU time (user + system, seconds) of this process so far."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss_bytes": use.ru_maxrss * 1024, "cpu_s": round(use.ru_utime + use.ru_stime, 1)}


def france_mask() -> tuple[np.ndarray, tuple[float, float]]:
    """Cells of ``MASK_M`` metres whose centre lies in a commune of metropolitan France."""
    import shapely

    import maillage

    communes = maillage.load_communes()
    x0, y0, x1, y1 = communes.total_bounds
    xs, ys = np.arange(x0, x1, MASK_M) + MASK_M / 2, np.arange(y0, y1, MASK_M) + MASK_M / 2
    gx, gy = np.meshgrid(xs, ys)
    hit = shapely.STRtree(communes.geometry.values).query(
        shapely.points(gx.ravel(), gy.ravel()), predicate="intersects"
    )
    mask = np.zeros(gx.size, dtype=bool)
    mask[hit[0]] = True
    return mask.reshape(gx.shape), (float(x0), float(y0))


def _grid_streets(keep: np.ndarray, rng: np.random.Generator):
    """Streets of the kept grid points: end positions, speed, one-way (hierarchy by line)."""
    ny, nx = keep.shape
    rank = np.full(keep.shape, -1, dtype=np.int64)
    rank[keep] = np.arange(int(keep.sum()))
    kph_y = np.where(np.arange(ny) % 64 == 0, 110.0, np.where(np.arange(ny) % 8 == 0, 80.0, 30.0))
    kph_x = np.where(np.arange(nx) % 64 == 0, 110.0, np.where(np.arange(nx) % 8 == 0, 80.0, 30.0))
    both_h = keep[:, :-1] & keep[:, 1:]
    both_v = keep[:-1, :] & keep[1:, :]
    a = np.concatenate([rank[:, :-1][both_h], rank[:-1, :][both_v]])
    b = np.concatenate([rank[:, 1:][both_h], rank[1:, :][both_v]])
    kph = np.concatenate([
        np.broadcast_to(kph_y[:, None], both_h.shape)[both_h],
        np.broadcast_to(kph_x[None, :], both_v.shape)[both_v],
    ])  # fmt: skip
    del rank, both_h, both_v
    local = kph == 30.0
    kph = kph * np.where(local, rng.uniform(0.7, 1.3, len(kph)), 1.0)
    kept = ~local | (rng.random(len(a)) > 0.15)  # some local streets missing
    a, b, kph, local = a[kept], b[kept], kph[kept], local[kept]
    return a, b, kph, local & (rng.random(len(a)) < 0.1)


def france_graph(spacing_m: float, *, shape_nodes: int = 38, seed: int = 0):
    """The synthetic road graph of metropolitan France (see the module's docstring)."""
    from maillage.travel.graph.graph import graph_from_edges, spatial_order
    from maillage.travel.graph.profile import FERRY_SPEED_KPH

    rng = np.random.default_rng(seed)
    mask, (x0, y0) = france_mask()
    xs = np.arange(x0, x0 + mask.shape[1] * MASK_M, spacing_m)
    ys = np.arange(y0, y0 + mask.shape[0] * MASK_M, spacing_m)
    cell_x, cell_y = ((xs - x0) // MASK_M).astype(int), ((ys - y0) // MASK_M).astype(int)
    keep = mask[cell_y[:, None], cell_x[None, :]]
    jy, ix = np.nonzero(keep)
    jitter = rng.normal(0, spacing_m / 6, (len(ix), 2))
    xy = np.column_stack([xs[ix], ys[jy]]) + jitter
    del ix, jy, jitter
    a, b, kph, one_way = _grid_streets(keep, rng)
    ports = [np.argmin(np.hypot(*(xy - p).T)) for line in FERRIES for p in line]
    a, b = np.r_[a, ports[0::2]], np.r_[b, ports[1::2]]
    kph, one_way = np.r_[kph, [FERRY_SPEED_KPH] * len(FERRIES)], np.r_[one_way, [False] * 2]
    if shape_nodes:
        a, b, kph, one_way, xy = _with_shape_nodes(a, b, kph, one_way, xy, shape_nodes, rng)
    seconds = np.hypot(*(xy[a] - xy[b]).T) / (kph / 3.6)
    del kph
    tails, heads = np.r_[a, b[~one_way]], np.r_[b, a[~one_way]]
    times = np.r_[seconds, seconds[~one_way]]
    del a, b, seconds, one_way
    order = spatial_order(xy)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    graph = graph_from_edges(rank[tails], rank[heads], times, xy[order], order)
    del tails, heads, times, rank
    # what graph_from_ways gives too: no obstacle delays here, routing weight = time
    graph = replace(graph, delay=np.zeros(graph.n_edges), routing=graph.weights.astype(np.float32))
    return with_turns(graph)


def road_km(graph, chunk: int = 1 << 22) -> float:
    """Half the length of the directed edges, km: two-way roads once, one-ways half."""
    total = 0.0
    for start in range(0, graph.n_nodes, chunk):
        stop = min(start + chunk, graph.n_nodes)
        span = graph.indptr[start : stop + 1]
        tails = np.repeat(np.arange(start, stop), np.diff(span))
        heads = graph.indices[span[0] : span[-1]]
        total += float(np.hypot(*(graph.xy[tails] - graph.xy[heads]).T).sum())
    return total / 2e3


def write_stand_in(path: Path, spacing_m: float, n_nodes: int) -> Path:
    """A valid PBF of one untagged-road node: the file whose hash keys the cached graph.

    Were the cache entry missing or stale, the command would parse it and stop on a network
    without road, never run on something else.
    """
    import osmium

    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    note = f"graphe synthétique de la France métropolitaine, {n_nodes} nœuds, pas {spacing_m:g} m"
    writer.add_node(osmium.osm.mutable.Node(id=1, location=(2.35, 48.85), tags={"note": note}))
    writer.close()
    return path


def build_worker(spacing_m: float, shape_nodes: int, folder: Path) -> dict:
    """Build the graph, cache it under the stand-in file's key; return counts and costs."""
    from maillage.schema import CRS
    from maillage.sources import sha256_of
    from maillage.travel.graph.cache import GRAPH_FORMAT, cache_key, save_graph

    start = time.perf_counter()
    graph = france_graph(spacing_m, shape_nodes=shape_nodes)
    built = {"wall_s": round(time.perf_counter() - start, 1), **_usage()}
    stand_in = write_stand_in(folder / STAND_IN, spacing_m, graph.n_nodes)
    sha = sha256_of(stand_in)
    target = folder / "cache" / "road-graphs" / f"{cache_key([sha], 'car', crs=CRS)}.npz"
    meta = {
        "file": STAND_IN, "sha256": sha, "files": [STAND_IN], "profile": "car",
        "turn_costs": True, "crs": CRS, "graph_format": GRAPH_FORMAT,
    }  # fmt: skip  # what RoadNetwork.from_osm stores for a parsed file
    t0 = time.perf_counter()
    save_graph(target, graph, meta)
    return {
        "spacing_m": spacing_m,
        "shape_nodes": shape_nodes,
        "road_nodes": graph.n_nodes,
        "road_edges": graph.n_edges,
        "junctions": int(graph.junction.sum()),
        "road_km": round(road_km(graph)),
        "build": built,
        "save_wall_s": round(time.perf_counter() - t0, 1),
        "cache_file_bytes": target.stat().st_size,
        "wall_s": round(time.perf_counter() - start, 1),
        **_usage(),
    }


class _Stages(logging.Handler):
    """Wall, CPU time and peak RSS at each log line of the command: the stages' ends."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.DEBUG)
        self.start = time.perf_counter()
        self.events: list[dict] = []
        self.path = path  # one JSON line per event, kept if the run is stopped

    def emit(self, record: logging.LogRecord) -> None:
        event = {
            "after": record.getMessage()[:90],
            "t_s": round(time.perf_counter() - self.start, 1),
            **_usage(),
        }
        self.events.append(event)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\n")


def report_worker(folder: Path, venues: str, keep: Path | None) -> dict:
    """Run ``maillage report`` on all of metropolitan France, the graph from the cache."""
    from maillage.cli import main

    stages = _Stages(folder / STAGES)
    logging.getLogger("maillage").addHandler(stages)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rapport"
        start = time.perf_counter()
        code = main([
            "report", "-v", "--venues", venues, "--out", str(out),
            "--network", str(folder / STAND_IN),
        ])  # fmt: skip
        wall = time.perf_counter() - start
        if keep is not None and out.is_dir():
            keep.mkdir(parents=True, exist_ok=True)
            for name in ("report.html", "map.png", "summary.json"):
                if (out / name).is_file():
                    shutil.copy2(out / name, keep / name)
    return {"wall_s": round(wall, 1), **_usage(), "exit_code": code, "stages": stages.events}


def _child(folder: Path, *args: str, timeout_s: float | None = None) -> dict:
    """Run this file as a child process (its own peak RSS); return its JSON result.

    Both children share the cache in ``folder``: the report finds the graph and the
    communes the build read there, as an analyst's second run does.
    """
    env = {**os.environ, "MAILLAGE_CACHE_DIR": str(folder / "cache")}
    try:
        done = subprocess.run(
            [sys.executable, __file__, *args, "--folder", str(folder)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:  # the stages reached are still a measurement
        lines = (folder / STAGES).read_text().splitlines() if (folder / STAGES).exists() else []
        stages = [json.loads(line) for line in lines]
        last = stages[-1] if stages else {}
        return {
            "wall_s": None, "timed_out_after_s": timeout_s, "exit_code": None,
            "peak_rss_bytes": last.get("peak_rss_bytes"), "cpu_s": last.get("cpu_s"),
            "stages": stages,
        }  # fmt: skip
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def run(args: argparse.Namespace, folder: Path) -> dict:
    """Build then report, each in a child; return the record."""
    load_before = [round(x, 2) for x in os.getloadavg()]
    built = _child(folder, "--worker", "build", "--spacing", str(args.spacing),
                   "--shape-nodes", str(args.shape_nodes))  # fmt: skip
    load_between = [round(x, 2) for x in os.getloadavg()]
    start = time.perf_counter()
    keep = [] if args.keep is None else ["--keep", str(args.keep)]
    result = _child(
        folder, "--worker", "report", "--venues", args.venues, *keep, timeout_s=args.timeout
    )
    return {
        "scale": "france",
        "stage": "report",
        "from": "cached synthetic graph",
        "files": [STAND_IN],
        "input_bytes": built["cache_file_bytes"],
        "nodes": built["road_nodes"],
        "ways": None,
        "road_nodes": built["road_nodes"],
        "road_edges": built["road_edges"],
        "venues": args.venues,
        **result,
        "child_wall_s": round(time.perf_counter() - start, 1),
        "graph_build": built,
        "load_average_before": load_between,
        "load_average_before_build": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "machine": _machine(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "note": args.note,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacing", type=float, default=1000.0, help="junctions, metres")
    parser.add_argument("--shape-nodes", type=int, default=38, help="per street")
    parser.add_argument("--venues", default="france-services-2024-08-01")
    parser.add_argument("--folder", type=Path, help="graph and stand-in file (default: temporary)")
    parser.add_argument("--keep", type=Path, help="copy report.html and map.png there")
    parser.add_argument("--note", default="")
    parser.add_argument("--timeout", type=float, default=1200.0, help="report, seconds")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", choices=["build", "report"])
    args = parser.parse_args(argv)
    if args.worker == "build":
        print(json.dumps(build_worker(args.spacing, args.shape_nodes, args.folder)))
        return
    if args.worker == "report":
        result = report_worker(args.folder, args.venues, args.keep)
        print(json.dumps(result))
        raise SystemExit(result["exit_code"])  # a failed report is no measurement
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        record = run(args, Path(tmp))
    print(json.dumps(record, indent=2))
    if args.out:
        records = json.loads(args.out.read_text()) if args.out.exists() else []
        args.out.write_text(json.dumps([*records, record], indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
