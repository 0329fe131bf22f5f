"""Benchmark the commute analyses: a national FD_MOBPRO file for one région, then the savings.

Issue 12 sets two targets on the project's 2-core machine:

* ``load_commutes`` of a national FD_MOBPRO file (about 8 million rows) for one région in
  at most 60 s and 4 GB: the reader must keep only the needed columns and rows;
* ``commute_savings`` for Nouvelle-Aquitaine (about 2.5 million workers) with the default
  model in at most 30 s.

No real national file is available offline, so the script first writes a synthetic one with
INSEE's layout (``;``-separated, the 32 columns of ``FD_MOBPRO_2019.csv``, one row per
sampled worker, ``IPONDI`` weights): homes spread over the real COG 2026 communes in
proportion to their population, work places drawn like real commutes (a third in the home
commune, most among the 60 nearest communes with a weight falling with the rank, a few
anywhere in the département or in France, some abroad ``99999``), modes with national
shares. Each step then runs in its own child process, so that its peak ``ru_maxrss`` is its
own: ``load_commutes(path, region="75")``; then ``commute_savings`` for the région with the
CGET 2019 tiers-lieux and the default model (work communes: all of metropolitan France).

Usage::

    MAILLAGE_DATA_DIR=../shared/data python benchmarks/bench_commutes.py --rows 8000000 \
        --out benchmarks/results/commutes_synthetic_8m.json --keep-file /tmp/FD_MOBPRO_2019.csv
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

LOAD_TARGET_S, LOAD_TARGET_MB, SAVINGS_TARGET_S = 60.0, 4096.0, 30.0
COLUMNS = [
    "COMMUNE",
    "ARM",
    "DCFLT",
    "DCLT",
    "AGEREVQ",
    "CS1",
    "DIPL",
    "EMPL",
    "ILT",
    "INATC",
    "INEEM",
    "INPOM",
    "INPSM",
    "IPONDI",
    "LPRM",
    "METRODOM",
    "MOCO",
    "NA17",
    "NA5",
    "NPERR",
    "REGION",
    "REGLT",
    "SEXE",
    "STAT",
    "STOCD",
    "TP",
    "TRANS",
    "TYPL",
    "TYPMR",
    "VOIT",
    "DEROU",
    "CATL",
]
# TRANS from vintage 2017: no transport, walk, bicycle, two-wheeler, car, public transport
TRANS_SHARES = (0.04, 0.06, 0.03, 0.02, 0.70, 0.15)
CHUNK = 1_000_000


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _geography() -> dict[str, np.ndarray]:
    """Metropolitan communes: codes, départements, population, centres and 60 neighbours."""
    from scipy.spatial import cKDTree

    import maillage

    communes = maillage.load_communes()
    placed = communes[communes.geometry.notna()]
    xy = np.c_[placed.geometry.representative_point().x, placed.geometry.representative_point().y]
    _, near = cKDTree(xy).query(xy, k=61)
    return {
        "code": placed.index.to_numpy(dtype=object),
        "dep": placed["departement"].to_numpy(dtype=object),
        "pop": placed["population"].to_numpy(dtype=float),
        "near": near[:, 1:],
    }


def _work_places(
    home: np.ndarray, geo: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """Index of the work commune of each row (-1 abroad)."""
    n = len(home)
    kind = rng.choice(5, size=n, p=(0.33, 0.58, 0.05, 0.03, 0.01))
    work = home.copy()
    rank = np.minimum(rng.geometric(0.08, size=n) - 1, 59)
    near = kind == 1
    work[near] = geo["near"][home[near], rank[near]]
    same_dep = np.flatnonzero(kind == 2)
    deps = geo["dep"]
    by_dep = {d: np.flatnonzero(deps == d) for d in np.unique(deps)}
    for d, rows in _group(deps[home[same_dep]], same_dep).items():
        work[rows] = rng.choice(by_dep[d], size=len(rows))
    anywhere = kind == 3
    weight = geo["pop"] / geo["pop"].sum()
    work[anywhere] = rng.choice(len(weight), size=int(anywhere.sum()), p=weight)
    work[kind == 4] = -1
    return work


def _group(keys: np.ndarray, rows: np.ndarray) -> dict[object, np.ndarray]:
    if not len(keys):
        return {}
    order = np.argsort(keys, kind="stable")
    keys, rows = keys[order], rows[order]
    cut = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
    return {keys[a]: rows[a:b] for a, b in itertools.pairwise(cut)}


def _chunk_table(home: np.ndarray, geo: dict[str, np.ndarray], rng: np.random.Generator):
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(home)
    codes = pa.array(geo["code"].astype(str))
    work = _work_places(home, geo, rng)
    dclt = codes.take(pa.array(np.maximum(work, 0)))
    abroad = pa.array(work < 0)
    dclt = pc.if_else(abroad, pa.scalar("99999"), dclt)
    columns = {}
    for name in COLUMNS:
        if name == "COMMUNE":
            columns[name] = codes.take(pa.array(home))
        elif name == "DCLT":
            columns[name] = dclt
        elif name == "ARM":
            columns[name] = pa.array(np.full(n, "ZZZZZ"))
        elif name == "TRANS":
            columns[name] = pa.array(rng.choice(6, size=n, p=TRANS_SHARES) + 1)
        elif name == "IPONDI":
            columns[name] = pa.array(np.round(rng.gamma(9.0, 3.4 / 9.0, size=n), 6))
        else:  # the other variables: small categorical codes, as in the real file
            columns[name] = pa.array(rng.integers(1, 10, size=n))
    return pa.table(columns)


def write_synthetic(path: Path, rows: int, seed: int = 2019) -> dict[str, object]:
    """Write a synthetic FD_MOBPRO of ``rows`` rows with INSEE's layout."""
    from pyarrow import csv

    t0 = time.perf_counter()
    geo = _geography()
    rng = np.random.default_rng(seed)
    weight = geo["pop"] / geo["pop"].sum()
    with csv.CSVWriter(
        path,
        _chunk_table(np.zeros(1, int), geo, rng).schema,
        write_options=csv.WriteOptions(delimiter=";", quoting_style="none"),
    ) as out:
        for start in range(0, rows, CHUNK):
            home = rng.choice(len(weight), size=min(CHUNK, rows - start), p=weight)
            out.write_table(_chunk_table(home, geo, rng))
    return {
        "rows": rows,
        "bytes": path.stat().st_size,
        "columns": len(COLUMNS),
        "seconds_to_write": round(time.perf_counter() - t0, 1),
    }


def step_load(path: str, region: str) -> dict[str, object]:
    import maillage

    t0 = time.perf_counter()
    commutes = maillage.load_commutes(path, region=region, errors="report")[0]
    seconds = time.perf_counter() - t0
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": _rss_mb(),
        "flows": len(commutes),
        "workers": round(float(commutes["workers"].sum())),
        "workers_read": round(float(commutes.attrs["workers_read"])),
        "target_seconds": LOAD_TARGET_S,
        "target_mb": LOAD_TARGET_MB,
        "within_target": seconds <= LOAD_TARGET_S and _rss_mb() <= LOAD_TARGET_MB,
    }


def _model(communes):  # the library's default model; the crow-fly model before it existed
    import maillage

    if hasattr(maillage, "default_model"):
        return maillage.default_model(communes)
    from maillage.travel.calibrated import default_model

    return default_model(communes)


def step_savings(path: str, region: str) -> dict[str, object]:
    import warnings

    import maillage

    commutes = maillage.load_commutes(path, region=region, errors="report")[0]
    national = maillage.load_communes()
    communes = national[national["region"] == region]
    venues = maillage.load_venues("cget-tiers-lieux-2019", region=region, errors="report")[0]
    model = _model(national)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = maillage.commute_savings(
            communes, venues, commutes, model=model, work_communes=national
        )
    seconds = time.perf_counter() - t0
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": _rss_mb(),
        "model": model.describe().get("model"),
        "communes": len(out),
        "workers": round(float(commutes["workers"].sum())),
        "car_commuters": round(float(out["car_commuters"].sum())),
        "long_commuters": round(float(out["long_commuters"].sum())),
        "eligible_commuters": round(float(out["eligible_commuters"].sum())),
        "saved_hours_per_year": round(float(out["saved_hours_per_year"].sum())),
        "target_seconds": SAVINGS_TARGET_S,
        "within_target": seconds <= SAVINGS_TARGET_S,
    }


def _child(step: str, path: Path, region: str) -> dict[str, object]:
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import bench_commutes as b; "
        f"print(json.dumps(b.step_{step}({str(path)!r}, {region!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8_000_000)
    parser.add_argument("--region", default="75")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/commutes.json"))
    parser.add_argument("--keep-file", type=Path, help="write (or reuse) the synthetic file here")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.keep_file or Path(folder.name) / "FD_MOBPRO_2019.csv"
    synthetic = None
    if path.is_file():
        synthetic = {"rows": args.rows, "bytes": path.stat().st_size, "reused": str(path)}
    if synthetic is None:
        synthetic = write_synthetic(path, args.rows)
    print("synthetic file:", synthetic, flush=True)
    load = _child("load", path, args.region)
    print("load_commutes:", load, flush=True)
    savings = _child("savings", path, args.region)
    print("commute_savings:", savings, flush=True)
    result = {
        "benchmark": "commutes",
        "machine": f"{os.cpu_count()} cores",
        "region": args.region,
        "synthetic_fd_mobpro": synthetic,
        "load_commutes": load,
        "commute_savings": savings,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    folder.cleanup()


if __name__ == "__main__":
    main()
