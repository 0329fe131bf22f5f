"""Time the road graph at the size of real extracts: parse to a cached graph, then a report.

Each stage runs in its own child process, so that its peak ``ru_maxrss`` is its own:

* ``parse``: ``read_ways`` (pyosmium) -> ``graph_from_ways`` (CSR graph with car.lua's rules
  and turn data) -> ``save_graph`` (the ``.npz`` cache), with wall time and peak RSS after
  each sub-stage (``substages``);
* ``report``: ``maillage report --region 75 --venues ... --network FILES`` into a temporary
  folder and an empty cache (the parse included: what an analyst runs on fresh downloads).

One JSON record per stage is appended to ``--out`` (a JSON list), with the make-up of the
input files (``--make-up``: the JSON lines ``synthetic_osm.py`` printed), the load average
before and after, and the machine.

Usage::

    python benchmarks/bench_real_size.py --scale nouvelle-aquitaine --stage parse \
        --files /tmp/na/*.osm.pbf --make-up /tmp/na/make_up.jsonl \
        --out benchmarks/results/real_size.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _status(field: str) -> int:
    """``VmRSS`` or ``VmHWM`` (peak since the last reset) of this process, bytes."""
    with Path("/proc/self/status").open() as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def _start_stage() -> tuple[float, int]:
    """Reset the process's peak RSS (Linux ``clear_refs``) and return the time and RSS."""
    with contextlib.suppress(OSError):  # else the stage's own peak is the process's
        Path("/proc/self/clear_refs").write_text("5")
    return time.perf_counter(), _status("VmRSS")


def _stage(start: tuple[float, int], earlier: dict) -> dict:
    """Wall time, the stage's own peak RSS and RSS at its start, and the process's peak.

    ``earlier``: the stages before (the reset of ``clear_refs`` also resets ``ru_maxrss``).
    """
    own = _status("VmHWM")
    return {
        "wall_s": round(time.perf_counter() - start[0], 1),
        "peak_rss_bytes": max([own, *(s["own_peak_rss_bytes"] for s in earlier.values())]),
        "own_peak_rss_bytes": own,
        "rss_at_start_bytes": start[1],
    }


def parse_worker(files: list[Path], cache: Path) -> dict:
    """Parse ``files`` to a cached graph, timing each sub-stage."""
    from maillage.travel.graph.cache import save_graph
    from maillage.travel.graph.osm import read_ways
    from maillage.travel.graph.ways import graph_from_ways

    substages = {}
    start = time.perf_counter()
    stage = _start_stage()
    raw = read_ways(files if len(files) > 1 else files[0])
    substages["read_ways"] = _stage(stage, substages)
    way_nodes, n_ways = len(raw.node_ids), raw.n_ways
    stage = _start_stage()
    graph = graph_from_ways(raw)
    del raw
    substages["graph_from_ways"] = _stage(stage, substages)
    stage = _start_stage()
    save_graph(cache / "graph.npz", graph, {"profile": "car"})
    substages["save_graph"] = _stage(stage, substages)
    return {
        "wall_s": round(time.perf_counter() - start, 1),
        "peak_rss_bytes": substages["save_graph"]["peak_rss_bytes"],
        "road_nodes": graph.n_nodes,
        "road_edges": graph.n_edges,
        "drivable_ways": n_ways,
        "drivable_way_nodes": way_nodes,
        "graph_bytes": sum(
            a.nbytes
            for a in (
                graph.indptr,
                graph.indices,
                graph.weights,
                graph.xy,
                graph.node_ids,
                graph.heading,
                graph.junction,
                graph.roundabout,
                graph.delay,
            )
        ),
        "substages": substages,
    }


def report_worker(files: list[Path], venues: str, region: str, keep: Path | None = None) -> dict:
    """Run ``maillage report`` on ``files`` into a temporary folder (empty cache).

    ``keep``: write the report there instead, to look at it (the cache stays temporary).
    """
    from maillage.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MAILLAGE_CACHE_DIR"] = str(Path(tmp) / "cache")
        out = keep or Path(tmp) / "out"
        start = time.perf_counter()
        code = main([
            "report", "--venues", venues, "--region", region, "--out", str(out),
            "--network", *map(str, files),
        ])  # fmt: skip
        wall = time.perf_counter() - start
        graphs = sorted((Path(tmp) / "cache" / "road-graphs").glob("*.npz"))
        road_nodes = len(np.load(graphs[0])["indptr"]) - 1 if graphs else None
    return {
        "wall_s": round(wall, 1),
        "peak_rss_bytes": _peak(),
        "exit_code": code,
        "road_nodes": road_nodes,  # of the graph the report ran on (its cache file)
    }


def run(args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        __file__,
        "--worker",
        args.stage,
        "--files",
        *map(str, args.files),
        "--venues",
        args.venues,
        "--region",
        args.region,
        *(["--keep-report", str(args.keep_report)] if args.keep_report else []),
    ]
    load_before = os.getloadavg()
    start = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(done.returncode)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    make_up = [
        json.loads(line)
        for p in args.make_up
        for line in p.read_text().splitlines()
        if line.strip()
    ]
    return {
        "scale": args.scale,
        "stage": args.stage,
        "files": [f.name for f in args.files],
        "input_bytes": sum(f.stat().st_size for f in args.files),
        "nodes": sum(m["nodes"] for m in make_up) if make_up else None,
        "ways": sum(m["ways"] for m in make_up) if make_up else None,
        "relations": sum(m["relations"] for m in make_up) if make_up else None,
        "highway_nodes": sum(m["highway_nodes"] for m in make_up) if make_up else None,
        **result,
        "child_wall_s": round(time.perf_counter() - start, 1),
        "child_cpu_s": round(
            child_cpu, 1
        ),  # user + system, every thread: what load does not inflate
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **({"note": args.note} if args.note else {}),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=Path, nargs="+", required=True)
    parser.add_argument("--stage", choices=["parse", "report"], default="parse")
    parser.add_argument("--scale", default="nouvelle-aquitaine")
    parser.add_argument("--make-up", type=Path, nargs="*", default=[])
    parser.add_argument("--venues", default="cget-tiers-lieux-2019")
    parser.add_argument("--region", default="75")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--note", help="free text stored with the record")
    parser.add_argument("--keep-report", type=Path, help="report stage: write the report here")
    parser.add_argument("--worker", choices=["parse", "report"])
    args = parser.parse_args(argv)
    if args.worker == "parse":
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(parse_worker(args.files, Path(tmp))))
        return
    if args.worker == "report":
        print(json.dumps(report_worker(args.files, args.venues, args.region, args.keep_report)))
        return
    record = run(args)
    print(json.dumps(record, indent=2))
    if args.out:
        records = json.loads(args.out.read_text()) if args.out.exists() else []
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps([*records, record], indent=2) + "\n")


if __name__ == "__main__":
    main()
