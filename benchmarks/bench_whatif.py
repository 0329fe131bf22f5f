"""Time the what-if map's click-to-update on Nouvelle-Aquitaine, for two engines.

Nouvelle-Aquitaine's 12 départements (4,293 communes, lattice origins) and the CGET 2019
census of tiers-lieux; the widget of ``maillage.explore`` built on:

* ``default``: the calibrated straight-line default model (``maillage.default_model``);
* ``road_graph``: a synthetic road grid over the région's extent (``tests/road_grid.py``:
  local roads at 50 km/h, every fifth line at 90 km/h, some one-way), its spacing chosen so
  that it has about as many directed edges as the real région's graph (7.5 M,
  ``benchmarks/results/real_size.json``).

A "click" is what the widget runs when the map is clicked: the change on the incremental
state (:mod:`maillage.maps.whatif.state`) and everything sent back to the browser (commune
fills and hover texts, venues, headline, panel, communes that changed side). Each kind of
click (``add`` in a white-zone commune, ``close`` of a venue, ``move`` of a venue by 15 km)
is timed the ``benchmarks/timing.py`` way (one warm-up, best of ``--repeat``, wall and CPU,
load average), at several places; the change is undone, untimed, between runs. The set-up
(origins, each venue's bounded search) is timed once. Usage::

    python benchmarks/bench_whatif.py --out benchmarks/results/whatif.json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from shapely.geometry import Point

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from timing import machine, timed

NOUVELLE_AQUITAINE = ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]
REAL_EDGES = 7_490_298  # the région-size graph of real_size.json


def clicks(widget, communes, n):
    """``n`` places of each kind: white-zone communes to open in, venues to close and move."""
    cov = widget.state.communes_frame()
    white = cov.index[~cov["covered"].to_numpy(dtype=bool)]
    rng = np.random.default_rng(0)
    codes = rng.choice(np.asarray(white), size=n, replace=False)
    spots = [communes.loc[c].geometry.representative_point() for c in codes]
    open_ids = [v.venue_id for _, v in widget.state.open_venues()]
    ids = [str(i) for i in rng.choice(open_ids, size=n, replace=False)]
    return spots, ids


def timed_change(change, undo, *, repeat, warmup=1):
    """``timing.timed`` for a change undone, untimed, after each run."""
    for _ in range(warmup):
        change()
        undo()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        change()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        undo()
    record, _ = timed(lambda: None, repeat=1, warmup=0)  # the record's other fields
    record.update(
        wall_s=round(min(walls), 6),
        cpu_s=round(min(cpus), 6),
        runs_wall_s=[round(w, 6) for w in walls],
        warmup=warmup,
        repeat=repeat,
    )
    return record


def time_clicks(widget, communes, *, n, repeat):
    spots, ids = clicks(widget, communes, n)
    records = {"add": [], "close": [], "move": []}
    for spot, vid in zip(spots, ids, strict=True):
        venue = widget.state.venues[widget.state.key_of(vid)]
        away = Point(venue.x + 15_000, venue.y)
        for kind, change in (
            ("add", lambda s=spot: widget.add(s)),
            ("close", lambda v=vid: widget.close(v)),
            ("move", lambda v=vid, a=away: widget.move(v, a)),
        ):
            records[kind].append(timed_change(change, widget.undo, repeat=repeat))
    summary = {
        kind: {
            "best_wall_s": min(r["wall_s"] for r in recs),
            "median_wall_s": float(np.median([r["wall_s"] for r in recs])),
            "worst_wall_s": max(r["wall_s"] for r in recs),
        }
        for kind, recs in records.items()
    }
    return summary, records


def run_engine(name, communes, venues, model, *, n, repeat):
    import maillage

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        widget = maillage.explore(communes, venues, model=model, threshold_min=20)
    setup_s = time.perf_counter() - start
    summary, records = time_clicks(widget, communes, n=n, repeat=repeat)
    return {
        "engine": name,
        "setup_s": round(setup_s, 2),
        "origins": len(widget.state.origins),
        "venues": int(widget.state.active.sum()),
        "table_rows": int(widget.state.n_rows),
        "horizon_min": widget.state.horizon_min,
        "update_message_bytes": len(
            json.dumps(
                [widget.fills, widget.white, widget.titles, widget.panel, widget.venue_marks]
            )
        ),
        "click_to_update": summary,
        "runs": records,
    }


def road_grid_for(communes):
    from road_grid import grid_network

    x0, y0, x1, y1 = communes.total_bounds
    area = (x1 - x0 + 4000) * (y1 - y0 + 4000)
    step = float(np.sqrt(area * 4 / REAL_EDGES))  # a grid has about 4 directed edges per node
    return grid_network((x0 - 2000, y0 - 2000, x1 + 2000, y1 + 2000), step), step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--places", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="default,road_graph")
    args = parser.parse_args()
    import maillage

    began = machine()
    start = time.perf_counter()
    communes = maillage.load_communes(departements=NOUVELLE_AQUITAINE)
    venues, _ = maillage.load_venues(
        "cget-tiers-lieux-2019", departements=NOUVELLE_AQUITAINE, errors="report"
    )
    out = {
        "area": "Nouvelle-Aquitaine (12 départements)",
        "communes": len(communes),
        "census": "cget-tiers-lieux-2019",
        "threshold_min": 20,
        "load_s": round(time.perf_counter() - start, 1),
        "machine": began,
        "engines": [],
    }
    for name in args.engines.split(","):
        if name == "default":
            model, extra = maillage.default_model(communes), {}
        else:
            t0 = time.perf_counter()
            model, step = road_grid_for(communes)
            extra = {
                "graph": "synthetic grid over the région's extent (tests/road_grid.py)",
                "grid_step_m": round(step),
                "nodes": model.n_nodes,
                "edges": model.n_edges,
                "build_graph_s": round(time.perf_counter() - t0, 1),
            }
        record = run_engine(name, communes, venues, model, n=args.places, repeat=args.repeat)
        record.update(extra)
        record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        out["engines"].append(record)
        print(json.dumps({k: v for k, v in record.items() if k != "runs"}, indent=1))
    out["load_average_after"] = machine()["load_average"]
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
