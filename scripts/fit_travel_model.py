"""Fit the default straight-line model on stock-OSRM car times, judged on areas left out.

The definition of a car trip: an access leg at each end (point to its road, 15 km/h) plus the
free-flow time on OpenStreetMap roads as stock OSRM's car profile computes it. The references
(``scripts/travel_references.py``, all read through the catalogue):

* OSRM (``osrm-bindings``) between random points of every real extract (Monaco and its French
  neighbours, central Paris, Andorra, Saint-Barthélemy), access legs included;
* the matrix between the 94 metropolitan prefectures;
* the matrix from every commune of metropolitan France to Paris (stock OSRM, 2021);
* apart, never fitted: Mapotempo's matrices between real addresses (an OSRM profile that
  slows urban roads by land use), reported as model ÷ that reference by band and density.

Pairs: straight line 0.3-300 km, real time > 0, origin density known (the commune under the
origin; a territory's density for Andorra and Saint-Barthélemy). Fit: median regression of
``ln(model / real)`` (soft-L1 loss) on a sample of at most ``CAP`` pairs per area and band,
with the local part no faster and no shorter in a denser commune (the only short trips out
of sparse communes are the hairpins above Monaco: they must not make every village slow).
The communes-to-Paris matrix also gives each commune's remoteness from the main roads
(:mod:`maillage.travel.remoteness`); ``remoteness_check`` measures whether it explains the
held-out error of the other references' trips (it does not: the formula leaves it out).

Judged by **leave one area out** (areas: each extract; each région of origin for the
prefecture and communes-to-Paris matrices): the model is refitted without the area and
scored on every pair of it. The held-out ratios give the error by distance band and density
class, the range of :meth:`maillage.CalibratedModel.bounds` (quantiles of model ÷ real per band
and class) and the errors :func:`maillage.headline_range` draws (area, commune and trip parts).
The coverage of the range is itself measured on areas left out (nested: the quantiles applied
to an area come from the other areas only).

Writes ``src/maillage/data/travel_model.json`` and prints the tables. Usage::

    MAILLAGE_DATA_DIR=/path/to/data python scripts/fit_travel_model.py [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.optimize import least_squares

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fit_travel_headline as headline
import fit_travel_report as rep
import travel_references as refs

from maillage import MaillageWarning, OptionError, get_dataset, load_communes
from maillage.sources import fetch, sha256_of
from maillage.travel.calibrated import (
    BANDS_KM,
    CLASS_EDGES,
    MODEL_FILE,
    CalibratedModel,
)
from maillage.travel.density import DensityLookup, commune_density
from maillage.travel.remoteness import commune_remoteness

if TYPE_CHECKING:
    from collections.abc import Callable

DENSITY_RANGE = (5.0, 20_000.0)
CAP = 400  # pairs per area and distance band in the fit sample
SEED = 0
LOSS_SCALE = 0.05  # soft-L1 scale on ln(model / real): L1 beyond a 5 % error
THETA0 = (math.log(60.0), 45.0, math.log(100.0), 0.5, 0.0, math.log(3.0), 0.1)
LEVELS = (0.5, 0.8, 0.9)
OUT = Path(__file__).resolve().parent.parent / "src" / "maillage" / "data" / MODEL_FILE
FIT_SOURCES = ("osrm-extract", "prefectures", "communes-paris")


# ------------------------------------------------------------------------ the pairs


def add_setting(
    pairs: pd.DataFrame, lookup: DensityLookup, regions: pd.Series
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Add origin density, commune, région, band and class; keep the usable pairs."""
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(
        pairs["o_lon"].to_numpy(), pairs["o_lat"].to_numpy()
    )
    pos = lookup.positions(np.column_stack([x, y]))
    pairs = pairs.assign(
        density=np.where(pos >= 0, lookup.density_per_km2[np.maximum(pos, 0)], np.nan),
        commune=np.where(pos >= 0, lookup.codes.to_numpy(dtype=object)[np.maximum(pos, 0)], None),
    )
    for area, density in refs.TERRITORY_DENSITY.items():
        mine = (pairs["area"] == area).to_numpy()
        pairs.loc[mine, "density"] = density
        pairs.loc[mine, "commune"] = area
    pairs["region"] = regions.reindex(pairs["commune"]).to_numpy(dtype=object)
    by_region = pairs["source"].isin(["prefectures", "communes-paris"])
    pairs.loc[by_region, "area"] = "région " + pairs.loc[by_region, "region"].astype(str)
    lo, hi = BANDS_KM[0] * 1000, BANDS_KM[-1] * 1000
    rules = {
        "time_not_positive": pairs["time_s"] <= 0,
        "distance_out_of_0.3_300_km": ~pairs["crow_m"].between(lo, hi),
        "origin_density_unknown": pairs["density"].isna(),
    }
    dropped, bad = {}, pd.Series(False, index=pairs.index)
    for reason, mask in rules.items():
        dropped[reason] = int((mask & ~bad).sum())
        bad |= mask
    pairs = pairs[~bad].reset_index(drop=True)
    pairs["band"] = np.searchsorted(BANDS_KM, pairs["crow_m"] / 1000, side="right") - 1
    pairs["band"] = pairs["band"].clip(0, len(BANDS_KM) - 2)
    pairs["dclass"] = np.searchsorted(CLASS_EDGES, pairs["density"], side="right")
    return pairs, dropped


def load_pairs() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object], float, Callable]:
    """Return the fit pairs, the land-use pairs, what was read, fallback density, setting.

    The setting is the function that adds density, commune, band and class to raw pairs.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MaillageWarning)  # communes without geometry
        communes = load_communes()
    lookup = DensityLookup.from_communes(communes)
    raw = pd.concat(
        [
            *(refs.extract_pairs(name) for name in refs.EXTRACTS),
            refs.prefecture_pairs(),
            refs.paris_pairs(),
        ],
        ignore_index=True,
    )
    pairs, dropped = add_setting(raw, lookup, communes["region"])
    mapo_raw, skipped = refs.mapotempo_pairs()
    mapo, _ = add_setting(mapo_raw, lookup, communes["region"])
    read = {
        "datasets": provenance(),
        "dropped": dropped,
        "land_use_reference_blocks_skipped": skipped,
    }
    setting = functools.partial(add_setting, lookup=lookup, regions=communes["region"])
    return pairs, mapo, read, typical_density(communes), setting


def provenance() -> list[dict[str, object]]:
    """Return name, upstream, licence and each file's sha256 for the datasets read."""
    names = [
        "osrm-france-communes-to-paris-2021",
        "prefectures-car-distanamo",
        *(entry for entry, _, _ in refs.EXTRACTS.values()),
        "mapotempo-optimizer-api-2021",
    ]
    out = []
    for name in names:
        role = "fit" if name != "mapotempo-optimizer-api-2021" else "land-use reference, not fitted"
        try:
            entry, paths = get_dataset(name), fetch(name)
        except OptionError:  # an extract read by path (catalogue entry to come)
            key = next(k for k, v in refs.EXTRACTS.items() if v[0] == name)
            path = refs.extract_path(key)
            files = [{"path": path.name, "sha256": sha256_of(path)}]
            out.append({"name": name, "role": role, "files": files})
            continue
        files = [{"path": p.name, "sha256": sha256_of(p)} for p in paths]
        out.append(
            {
                "name": name,
                "role": role,
                "upstream": entry.upstream,
                "licence": entry.licence,
                "files": files,
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
    """Return at most ``CAP`` random pairs per area and band (seed ``SEED``)."""
    key = np.random.default_rng(SEED).random(len(pairs))
    rank = pd.Series(key, index=pairs.index).groupby([pairs["area"], pairs["band"]]).rank()
    return pairs[rank <= CAP]


def fit(sample: pd.DataFrame, fallback: float, theta0: np.ndarray) -> np.ndarray:
    """Return the parameters minimising the soft-L1 loss of ln(model / real)."""
    d, rho, t = (sample[c].to_numpy(dtype=float) for c in ("crow_m", "density", "time_s"))

    def residuals(theta: np.ndarray) -> np.ndarray:
        return np.log(model_from(theta, fallback).time_s(d, rho) / t)

    # the local roads are no faster, and no shorter, in a denser commune (c1 >= 0, c2 = 0,
    # l1 >= 0): the few short trips out of sparse communes (hairpins above Monaco) must not
    # make every village slow
    lower = [-np.inf, 1.0, -np.inf, 0.0, -1e-9, -np.inf, 0.0]
    upper = [math.log(600.0), np.inf, np.inf, np.inf, 1e-9, math.log(50.0), np.inf]
    result = least_squares(
        residuals, theta0, loss="soft_l1", f_scale=LOSS_SCALE, x_scale="jac", bounds=(lower, upper)
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


def leave_one_area_out(
    pairs: pd.DataFrame, sample: pd.DataFrame, fallback: float, theta: np.ndarray
) -> tuple[np.ndarray, list[dict[str, object]], dict[str, CalibratedModel]]:
    """Refit without each area in turn; return held-out ratios, folds and fold models.

    The held-out ratio of every pair, one summary per area, and the model fitted without
    each area.
    """
    held = np.full(len(pairs), np.nan)
    folds, models = [], {}
    for name in sorted(pairs["area"].unique()):
        out = (pairs["area"] == name).to_numpy()
        theta_k = fit(sample[sample["area"] != name], fallback, theta)
        models[str(name)] = model_from(theta_k, fallback)
        held[out] = ratios(models[str(name)], pairs[out])
        r = held[out]
        folds.append(
            {
                "area": str(name),
                "n": int(out.sum()),
                "median_ratio": _r(np.median(r)),
                "median_abs_rel_error": _r(np.median(np.abs(r - 1))),
            }
        )
    return held, folds, models


# ------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    """Fit, cross-validate, measure the range, compare with the land-use reference, write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output JSON (default {OUT})")
    args = parser.parse_args(argv)
    pairs, mapo, read, fallback, setting = load_pairs()
    sample = stratified_sample(pairs)
    theta = fit(sample, fallback, np.asarray(THETA0))
    model = rounded(theta, fallback)
    held, folds, fold_models = leave_one_area_out(pairs, sample, fallback, theta)
    record = rep.build_record(
        model=model,
        pairs=pairs,
        sample=sample,
        held=held,
        folds=folds,
        in_sample=ratios(model, pairs),
        land_use=ratios(model, mapo),
        mapo=mapo,
        read=read,
        settings={
            "date": dt.datetime.now(dt.UTC).date().isoformat(),
            "criterion": (
                f"least absolute ln(model / real): soft-L1 loss of scale {LOSS_SCALE} "
                "(scipy.optimize.least_squares), i.e. a median regression"
            ),
            "sample": f"at most {CAP} pairs per area and distance band, seed {SEED}",
            "density_range_per_km2": list(DENSITY_RANGE),
            "fallback_density_per_km2": fallback,
            "levels": LEVELS,
        },
    )
    record["remoteness_check"] = rep.remoteness_check(pairs, held, commune_remoteness())
    record["headline_coverage"] = headline.headline_coverage(pairs, held, fold_models, setting)
    print("\n" + record["headline_coverage"]["summary"])
    rep.print_record(record)
    rep.write_record(record, args.out)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
