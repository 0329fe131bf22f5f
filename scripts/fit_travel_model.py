"""Fit the calibrated straight-line travel-time model on real car times; write its record.

Reads, through the catalogue (:func:`maillage.fetch`, so ``MAILLAGE_DATA_DIR`` or the cache):

* ``mapotempo-optimizer-api-2021``: car time matrices between French addresses (OSRM car
  profile on OpenStreetMap). Only the plain car blocks are used: ``:mode`` car,
  ``:speed_multiplier`` 1, ``:traffic`` false; a block whose matrix does not match its point
  list, or that repeats another block, is skipped;
* ``prefectures-car-distanamo``: car times between the 94 metropolitan prefectures (long
  range);
* the communes of metropolitan France (:func:`maillage.load_communes`), for the population
  density of each origin's commune and its région.

Pairs: origin != destination, real time > 0, straight-line distance 0.3-300 km, origin in a
commune. Fit: least absolute log ratio (a median regression: soft-L1 loss of scale 0.05 on
``ln(model / real)``) on a stratified sample, at most ``CAP`` pairs per matrix and distance
band (fixed seed), so that no single city or matrix outweighs the others in a band.
Measured error: model ÷ real on every pair, by straight-line distance band. Cross-validation:
the fit is repeated leaving out one matrix, then one région of origin, and scored on the
pairs left out.

Writes ``src/maillage/data/travel_model.json`` (coefficients, provenance, error by band,
cross-validation) and prints the tables.

Usage::

    MAILLAGE_DATA_DIR=/path/to/data python scripts/fit_travel_model.py [--out PATH] [--no-cv]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import sys
import warnings
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.optimize import least_squares

from maillage import MaillageWarning, fetch, get_dataset, load_communes
from maillage.sources import sha256_of
from maillage.travel.calibrated import MODEL_FILE, CalibratedModel
from maillage.travel.density import DensityLookup, commune_density

MATRICES = "mapotempo-optimizer-api-2021"
PREFECTURES = "prefectures-car-distanamo"
BANDS_KM = (0.3, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 300.0)
DENSITY_RANGE = (20.0, 20_000.0)  # origin densities of the data: 21 to 28,000 per km2
CAP = 5000  # pairs per matrix and distance band in the fit sample
SEED = 0
LOSS_SCALE = 0.05  # soft-L1 scale on ln(model / real): L1 beyond a 5 % error
THETA0 = (math.log(120.0), 50.0, math.log(100.0), 0.0, 0.0, math.log(5.0), 0.0)
OUT = Path(__file__).resolve().parent.parent / "src" / "maillage" / "data" / MODEL_FILE


# ------------------------------------------------------------------------ reading


def _plain_blocks(path: Path) -> list[dict]:
    blocks = json.loads(zlib.decompress(path.read_bytes()))
    return [
        b
        for b in blocks
        if b.get(":mode") == ":car"
        and float(b.get(":options", {}).get(":speed_multiplier", -1)) == 1.0
        and not b.get(":options", {}).get(":traffic", False)
    ]


def read_matrices(paths: list[Path]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return every pair of the plain car blocks (lon/lat, time) and the blocks skipped."""
    frames, seen, skipped = [], set(), {"shape_mismatch": 0, "duplicate": 0}
    for path in paths:
        for block in _plain_blocks(path):
            dims = block[":dimensions"]
            time = np.asarray(block[":matrices"][dims.index(":time")], dtype=float)
            rows = np.asarray(block[":row"], dtype=float)
            cols = np.asarray(block[":column"], dtype=float)
            if time.shape != (len(rows), len(cols)):
                skipped["shape_mismatch"] += 1
                continue
            key = hashlib.sha256(time.tobytes() + rows.tobytes() + cols.tobytes()).hexdigest()
            if key in seen:
                skipped["duplicate"] += 1
                continue
            seen.add(key)
            i, j = (a.ravel() for a in np.indices(time.shape))
            frames.append(
                pd.DataFrame(
                    {
                        "matrix": path.stem,
                        "o_lon": rows[i, 1],
                        "o_lat": rows[i, 0],
                        "d_lon": cols[j, 1],
                        "d_lat": cols[j, 0],
                        "time_s": time.ravel(),
                    }
                )
            )
    pairs = pd.concat(frames, ignore_index=True)
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    pairs["ox"], pairs["oy"] = to_l93.transform(pairs["o_lon"], pairs["o_lat"])
    pairs["dx"], pairs["dy"] = to_l93.transform(pairs["d_lon"], pairs["d_lat"])
    return pairs[["matrix", "ox", "oy", "dx", "dy", "time_s"]], skipped


def read_prefectures(paths: list[Path]) -> pd.DataFrame:
    """Return the prefecture pairs (Lambert-93 points, time in s)."""
    import geopandas as gpd  # noqa: PLC0415 - script helper, kept next to its only use

    csv, gpkg = sorted(paths, key=lambda p: p.suffix != ".csv")
    minutes = pd.read_csv(csv, index_col=0)
    points = gpd.read_file(gpkg, layer="prefecture").set_index("NOM_COM").geometry
    long = (
        minutes.rename_axis("o").reset_index().melt(id_vars="o", var_name="d", value_name="minutes")
    ).dropna()
    o, d = points.loc[long["o"]], points.loc[long["d"]]
    return pd.DataFrame(
        {
            "matrix": "prefectures",
            "ox": o.x.to_numpy(),
            "oy": o.y.to_numpy(),
            "dx": d.x.to_numpy(),
            "dy": d.y.to_numpy(),
            "time_s": long["minutes"].to_numpy() * 60.0,
        }
    )


def prepare_pairs(
    raw: pd.DataFrame, lookup: DensityLookup, regions: pd.Series
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Add distance, origin density, région and band; keep the usable pairs."""
    pairs = raw.copy()
    pairs["crow_m"] = np.hypot(pairs["ox"] - pairs["dx"], pairs["oy"] - pairs["dy"])
    pos = lookup.positions(pairs[["ox", "oy"]].to_numpy())
    pairs["density"] = np.where(pos >= 0, lookup.density_per_km2[np.maximum(pos, 0)], np.nan)
    codes = lookup.codes.to_numpy(dtype=object)[np.maximum(pos, 0)]
    pairs["region"] = np.where(pos >= 0, regions.reindex(codes).to_numpy(dtype=object), None)
    lo, hi = BANDS_KM[0] * 1000, BANDS_KM[-1] * 1000
    rules = {
        "time_not_positive": pairs["time_s"] <= 0,
        "distance_out_of_0.3_300_km": ~pairs["crow_m"].between(lo, hi),
        "origin_outside_communes": pairs["density"].isna(),
    }
    dropped, bad = {}, pd.Series(False, index=pairs.index)
    for reason, mask in rules.items():
        dropped[reason] = int((mask & ~bad).sum())
        bad |= mask
    pairs = pairs[~bad].reset_index(drop=True)
    pairs["band"] = pd.cut(pairs["crow_m"] / 1000, BANDS_KM, labels=False, include_lowest=True)
    return pairs, dropped


# ------------------------------------------------------------------------ fitting


def _r(x: float) -> float:
    return float(f"{x:.5g}")


def model_from(theta: np.ndarray, fallback: float) -> CalibratedModel:
    """Return the model of parameter vector ``theta`` (ln a, p, c0, c1, c2, l0, l1)."""
    return CalibratedModel(
        access_time_s=float(np.exp(theta[0])),
        main_pace_s_per_km=float(theta[1]),
        local_pace_coefs=(float(theta[2]), float(theta[3]), float(theta[4])),
        local_length_coefs=(float(theta[5]), float(theta[6])),
        density_range_per_km2=DENSITY_RANGE,
        fallback_density_per_km2=fallback,
    )


def stratified_sample(pairs: pd.DataFrame) -> pd.DataFrame:
    """Return at most ``CAP`` random pairs per matrix and band (seed ``SEED``)."""
    key = np.random.default_rng(SEED).random(len(pairs))
    rank = pd.Series(key, index=pairs.index).groupby([pairs["matrix"], pairs["band"]]).rank()
    return pairs[rank <= CAP]


def fit(sample: pd.DataFrame, fallback: float, theta0: np.ndarray) -> np.ndarray:
    """Return the parameters minimising the soft-L1 loss of ln(model / real)."""
    d, rho, t = (sample[c].to_numpy(dtype=float) for c in ("crow_m", "density", "time_s"))

    def residuals(theta: np.ndarray) -> np.ndarray:
        if theta[1] <= 0:
            return np.full(len(t), 10.0)
        return np.log(model_from(theta, fallback).time_s(d, rho) / t)

    lower = [-np.inf, 1e-3, -np.inf, -np.inf, -np.inf, -np.inf, -np.inf]
    result = least_squares(
        residuals,
        theta0,
        loss="soft_l1",
        f_scale=LOSS_SCALE,
        x_scale="jac",
        bounds=(lower, np.inf),
    )
    return result.x


def ratios(model: CalibratedModel, pairs: pd.DataFrame) -> np.ndarray:
    """Return model ÷ real time for every pair."""
    time_s = model.time_s(pairs["crow_m"].to_numpy(), pairs["density"].to_numpy())
    return time_s / pairs["time_s"].to_numpy(dtype=float)


def rounded(theta: np.ndarray, fallback: float) -> CalibratedModel:
    """Return the model of ``theta`` with its coefficients rounded as they are written."""
    model = model_from(theta, fallback)
    return replace(
        model,
        access_time_s=_r(model.access_time_s),
        main_pace_s_per_km=_r(model.main_pace_s_per_km),
        local_pace_coefs=tuple(_r(v) for v in model.local_pace_coefs),
        local_length_coefs=tuple(_r(v) for v in model.local_length_coefs),
    )


# ------------------------------------------------------------------------ scoring


def band_table(ratio: np.ndarray, band: np.ndarray) -> list[dict[str, object]]:
    """Return n, median, q25 and q75 of model ÷ real per distance band."""
    rows = []
    for k in range(len(BANDS_KM) - 1):
        r = ratio[band == k]
        q25, med, q75 = np.quantile(r, [0.25, 0.5, 0.75]) if len(r) else (np.nan,) * 3
        rows.append(
            {
                "band_km": [BANDS_KM[k], BANDS_KM[k + 1]],
                "n": len(r),
                "median_ratio": _r(med),
                "q25": _r(q25),
                "q75": _r(q75),
                "median_abs_rel_error": _r(np.median(np.abs(r - 1))) if len(r) else None,
            }
        )
    return rows


def pooled_quartiles(ratio: np.ndarray, band: np.ndarray) -> dict[str, float]:
    """Return the quartiles of model ÷ real, each band weighted equally."""
    counts = np.bincount(band, minlength=len(BANDS_KM) - 1)
    weight = 1.0 / counts[band]
    order = np.argsort(ratio)
    cum = np.cumsum(weight[order]) / weight.sum()
    pick = {q: float(ratio[order][np.searchsorted(cum, q)]) for q in (0.25, 0.5, 0.75)}
    return {"q25": _r(pick[0.25]), "median": _r(pick[0.5]), "q75": _r(pick[0.75])}


def cross_validate(
    pairs: pd.DataFrame, sample: pd.DataFrame, groups: str, fallback: float, theta: np.ndarray
) -> dict[str, object]:
    """Refit without each group in turn; score on every pair of the group left out."""
    held = np.full(len(pairs), np.nan)
    folds = []
    for name in sorted(pairs[groups].dropna().unique()):
        out = (pairs[groups] == name).to_numpy()
        theta_k = fit(sample[sample[groups] != name], fallback, theta)
        held[out] = ratios(model_from(theta_k, fallback), pairs[out])
        r = held[out]
        folds.append(
            {
                groups: str(name),
                "n": int(out.sum()),
                "median_ratio": _r(np.median(r)),
                "median_abs_rel_error": _r(np.median(np.abs(r - 1))),
            }
        )
    ok = ~np.isnan(held)
    return {
        "scheme": f"leave one {groups} out",
        "median_abs_rel_error": _r(np.median(np.abs(held[ok] - 1))),
        "bands": band_table(held[ok], pairs["band"].to_numpy()[ok]),
        "folds": folds,
    }


# ------------------------------------------------------------------------ record


def provenance(names: tuple[str, ...], paths: dict[str, list[Path]]) -> list[dict[str, object]]:
    """Return name, upstream, licence and each file's sha256 for the datasets read."""
    out = []
    for name in names:
        entry = get_dataset(name)
        out.append(
            {
                "name": name,
                "upstream": entry.upstream,
                "licence": entry.licence,
                "files": [{"path": p.name, "sha256": sha256_of(p)} for p in paths[name]],
            }
        )
    return out


def typical_density(communes: pd.DataFrame) -> float:
    """Return the population-weighted median commune density, to 2 significant digits."""
    frame = pd.DataFrame(
        {"density": commune_density(communes), "population": communes["population"]}
    ).dropna()
    frame = frame.sort_values("density")
    cum = frame["population"].cumsum() / frame["population"].sum()
    return float(f"{frame['density'][cum >= 0.5].iloc[0]:.2g}")


def print_bands(title: str, rows: list[dict[str, Any]]) -> None:
    """Print a band table."""
    print(f"\n{title}")
    print(f"{'band km':>10} {'n':>8} {'median':>7} {'q25':>6} {'q75':>6} {'MdAPE':>6}")
    for row in rows:
        lo, hi = row["band_km"]
        print(
            f"{lo:>4g}-{hi:<5g} {row['n']:>8} {row['median_ratio']:>7.3f} {row['q25']:>6.3f} "
            f"{row['q75']:>6.3f} {row['median_abs_rel_error']:>6.3f}"
        )


def load_pairs() -> tuple[pd.DataFrame, dict[str, object], float]:
    """Return the usable pairs, what was read and left out, and the fallback density."""
    paths = {name: fetch(name) for name in (MATRICES, PREFECTURES)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MaillageWarning)  # 4 communes without geometry
        communes = load_communes()
    matrices, skipped = read_matrices(paths[MATRICES])
    raw = pd.concat([matrices, read_prefectures(paths[PREFECTURES])], ignore_index=True)
    raw = raw[(raw["ox"] != raw["dx"]) | (raw["oy"] != raw["dy"])]
    lookup = DensityLookup.from_communes(communes)
    pairs, dropped = prepare_pairs(raw, lookup, communes["region"])
    read = {
        "datasets": provenance((MATRICES, PREFECTURES), paths),
        "dropped": dropped,
        "blocks_skipped": skipped,
    }
    return pairs, read, typical_density(communes)


def measure(model: CalibratedModel, pairs: pd.DataFrame) -> dict[str, object]:
    """Return model ÷ real by distance band, overall error and pooled quartiles."""
    ratio = ratios(model, pairs)
    band = pairs["band"].to_numpy()
    return {
        "ratio": "model time / real time",
        "bands": band_table(ratio, band),
        "median_abs_rel_error": _r(np.median(np.abs(ratio - 1))),
        "median_ratio": _r(np.median(ratio)),
        "quartiles_all_bands": pooled_quartiles(ratio, band),
    }


def validate(
    pairs: pd.DataFrame, sample: pd.DataFrame, fallback: float, theta: np.ndarray
) -> dict[str, object]:
    """Return both cross-validations (by matrix, by région of origin) and their summary."""
    cv: dict[str, dict[str, object]] = {}
    for groups in ("matrix", "region"):
        cv[f"leave_one_{groups}_out"] = cross_validate(pairs, sample, groups, fallback, theta)
    summary = "; ".join(
        f"{r['scheme']}: held-out median abs. rel. error {r['median_abs_rel_error']:.1%}"
        for r in cv.values()
    )
    return {**cv, "summary": summary}


def fit_record(
    model: CalibratedModel, pairs: pd.DataFrame, sample: pd.DataFrame, read: dict[str, object]
) -> dict[str, object]:
    """Return the provenance part of the record."""
    n_mat = int(pairs["matrix"].ne("prefectures").sum())
    mdape = np.median(np.abs(ratios(model, pairs) - 1))
    return {
        "summary": (
            f"fitted on {len(pairs)} real car trips (OSRM car profile between French "
            f"addresses, {n_mat} pairs; prefecture matrix, {len(pairs) - n_mat} pairs), "
            f"0.3-300 km; median abs. rel. error {mdape:.1%}"
        ),
        "script": "scripts/fit_travel_model.py",
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "communes": "maillage.load_communes(): metropolitan France, COG 2026, populations 2023",
        "criterion": (
            f"least absolute ln(model / real): soft-L1 loss of scale {LOSS_SCALE} "
            "(scipy.optimize.least_squares), i.e. a median regression"
        ),
        "sample": f"at most {CAP} pairs per matrix and distance band, seed {SEED}",
        "n_pairs": len(pairs),
        "n_pairs_fit": len(sample),
        "pairs_by_matrix": {k: int(v) for k, v in pairs["matrix"].value_counts().items()},
        **read,
    }


def report(record: dict[str, Any]) -> None:
    """Print the band tables and the cross-validation folds."""
    print_bands(f"model / real on {record['fit']['n_pairs']} pairs", record["error"]["bands"])
    print("overall median abs. rel. error", record["error"]["median_abs_rel_error"])
    for key, result in record["cross_validation"].items():
        if key == "summary":
            continue
        print_bands(f"held out, {result['scheme']}", result["bands"])
        print("held-out median abs. rel. error", result["median_abs_rel_error"])
        for fold in result["folds"]:
            print("  ", fold)


def main(argv: list[str] | None = None) -> int:
    """Fit, score, cross-validate and write the record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output JSON (default {OUT})")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    args = parser.parse_args(argv)
    pairs, read, fallback = load_pairs()
    sample = stratified_sample(pairs)
    theta = fit(sample, fallback, np.asarray(THETA0))
    model = rounded(theta, fallback)
    record = {
        "model": "CalibratedModel",
        "formula": model.describe()["formula"],
        "coefficients": {
            "access_time_s": model.access_time_s,
            "main_pace_s_per_km": model.main_pace_s_per_km,
            "local_pace_coefs": list(model.local_pace_coefs),
            "local_length_coefs": list(model.local_length_coefs),
            "density_range_per_km2": list(DENSITY_RANGE),
            "fallback_density_per_km2": fallback,
        },
        "fit": fit_record(model, pairs, sample, read),
        "error": measure(model, pairs),
        "cross_validation": {} if args.no_cv else validate(pairs, sample, fallback, theta),
    }
    report(record)
    args.out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
