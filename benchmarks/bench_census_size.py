"""Benchmark reading a venue census without INSEE codes, from 20,000 to 2 million rows.

The censuses are synthetic but made of real places: the France services of 2024 (catalogue
``france-services-2024-08-01``), each point moved by a random offset (sigma 1 km) and kept
only if it stays inside the venue's own commune polygon (else the offset is drawn again, and
after five draws the venue's own point is used). The CSV has ``venue_id``, ``name``,
``latitude`` and ``longitude`` and no ``code_insee``: every row is placed in its commune by
the point (the path of GoGoCarto exports, which carry no INSEE code).

Each size is read by ``maillage.load_venues(path, errors="report")`` in its own child process,
so that the peak memory (``ru_maxrss``) is that of the reading alone; the child reports wall
and CPU time of the whole call and of its two stages (``read_venues``: the file into a raw
table; ``validate_venues``: the row checks and the location of the rows without codes).

Usage::

    MAILLAGE_DATA_DIR=../shared/data python benchmarks/bench_census_size.py
    python benchmarks/bench_census_size.py --rows 20000 200000 2000000 \
        --out benchmarks/results/census_size.json

The 2 M-row census (about 100 MB) is written and read only when ``--rows`` names it.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SOURCE = "france-services-2024-08-01"


def write_census(path: Path, rows: int, seed: int = 0) -> dict:
    """Write ``rows`` jittered France services points, each inside its own commune."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    import maillage
    from maillage.prepare.communes import load_communes

    venues, _ = maillage.load_venues(SOURCE, errors="report")
    communes = load_communes()
    metro = venues["code_insee"].isin(communes.index) & (venues["code_insee"].str[:2] != "97")
    venues = venues[metro.to_numpy()]  # one CRS (Lambert-93) for the jitter
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(venues), rows)
    x0 = venues.geometry.x.to_numpy()[pick]
    y0 = venues.geometry.y.to_numpy()[pick]
    polygons = communes.geometry.loc[venues["code_insee"].to_numpy()[pick]].to_numpy()
    x, y = x0.copy(), y0.copy()
    todo = np.ones(rows, dtype=bool)
    for _ in range(5):
        n = int(todo.sum())
        tx = x0[todo] + rng.normal(0, 1000, n)
        ty = y0[todo] + rng.normal(0, 1000, n)
        inside = shapely.contains_xy(polygons[todo], tx, ty)
        where = np.flatnonzero(todo)[inside]
        x[where], y[where] = tx[inside], ty[inside]
        todo[where] = False
    lonlat = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=communes.crs).to_crs(4326)
    table = pd.DataFrame(
        {
            "venue_id": [f"v{i}" for i in range(rows)],
            "name": venues["name"].to_numpy()[pick],
            "latitude": np.round(lonlat.y.to_numpy(), 6),
            "longitude": np.round(lonlat.x.to_numpy(), 6),
        }
    )
    table.to_csv(path, index=False)
    return {"rows": rows, "source_venues": len(venues), "own_point": int(todo.sum())}


def child(path: str) -> None:
    """Read the census once; print timings and peak memory as JSON."""
    from maillage.load.census import read_venues
    from maillage.prepare.venue_rows import validate_venues
    from maillage.prepare.venues import _polygons

    polygons = _polygons()  # the commune frame is read once per run anyway; not the census
    t0, c0 = time.perf_counter(), time.process_time()
    raw, schema, _ = read_venues(path)
    t1, c1 = time.perf_counter(), time.process_time()
    venues, rejected = validate_venues(raw, schema, polygons)
    t2, c2 = time.perf_counter(), time.process_time()
    located = int(venues["location_flag"].str.startswith("code_insee missing").sum())
    result = {
        "read_wall_s": round(t1 - t0, 3),
        "read_cpu_s": round(c1 - c0, 3),
        "validate_wall_s": round(t2 - t1, 3),
        "validate_cpu_s": round(c2 - c1, 3),
        "total_wall_s": round(t2 - t0, 3),
        "total_cpu_s": round(c2 - c0, 3),
        "accepted": len(venues),
        "rejected": len(rejected),
        "located_by_point": located,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "census_size.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = Path(tmp) / f"census_{rows}.csv"
            made = write_census(path, rows)
            made["file_mb"] = round(path.stat().st_size / 1e6, 1)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            made |= json.loads(out.stdout.strip().splitlines()[-1])
            made["cpu_us_per_row"] = round(made["total_cpu_s"] / rows * 1e6, 2)
            made["wall_us_per_row"] = round(made["total_wall_s"] / rows * 1e6, 2)
            print(json.dumps(made))
            runs.append(made)
            path.unlink()
    report = {
        "what": "load a census without INSEE codes: read_venues + validate_venues",
        "source": SOURCE,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "runs": runs,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
