"""Tables of the fit of the default model: held-out error, range, its coverage; the record.

Used by ``scripts/fit_travel_model.py`` (see its docstring). ``ln r`` below is
``ln(model / real)``; every table counts pairs of areas left out of the fit unless it says
"in sample".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from maillage.travel.calibrated import BANDS_KM, CLASS_EDGES, CLASS_LABELS

if TYPE_CHECKING:
    from pathlib import Path

    from maillage.travel.calibrated import CalibratedModel

N_QUANTILES = 41  # quantiles stored for each error part (inverse CDF for the draws)
MIN_TRIPS = 5  # an origin with at least this many trips gives an origin effect
MIN_AREAS = 3  # a class-and-band cell of the range needs this many areas
AREA_CAP = 400  # pairs an area counts for at most, per band, in the "areas equal" figures
N_BANDS = len(BANDS_KM) - 1
N_CLASSES = len(CLASS_EDGES) + 1


def _r(x: float) -> float:
    return float(f"{x:.5g}") if np.isfinite(x) else float("nan")


def summary(r: np.ndarray) -> dict[str, object]:
    """Return n, median and quantiles of model ÷ real, and the median abs. rel. error."""
    if len(r) == 0:
        return {"n": 0}
    q10, q25, q50, q75, q90 = np.quantile(r, [0.1, 0.25, 0.5, 0.75, 0.9])
    return {
        "n": len(r),
        "median_ratio": _r(q50),
        "q10": _r(q10),
        "q25": _r(q25),
        "q75": _r(q75),
        "q90": _r(q90),
        "median_abs_rel_error": _r(np.median(np.abs(r - 1))),
        "share_within_15pct": _r(np.mean(np.abs(r - 1) <= 0.15)),
    }


def by_band(
    r: np.ndarray, band: np.ndarray, area: np.ndarray | None = None
) -> list[dict[str, object]]:
    """Return :func:`summary` per distance band; with ``area``, also areas weighted equally."""
    rows = []
    for k in range(N_BANDS):
        mine = band == k
        row = {"band_km": [BANDS_KM[k], BANDS_KM[k + 1]], **summary(r[mine])}
        if area is not None and mine.any():
            w = area_weights(band[mine], area[mine])
            row["n_areas"] = len(np.unique(area[mine]))
            row["median_ratio_areas_equal"] = _r(weighted_quantile(r[mine], w, 0.5))
            row["median_abs_rel_error_areas_equal"] = _r(
                weighted_quantile(np.abs(r[mine] - 1), w, 0.5)
            )
        rows.append(row)
    return rows


def by_class(r: np.ndarray, dclass: np.ndarray) -> list[dict[str, object]]:
    """Return :func:`summary` per density class."""
    return [{"class": CLASS_LABELS[c], **summary(r[dclass == c])} for c in range(N_CLASSES)]


def equal_mdape(r: np.ndarray, band: np.ndarray, area: np.ndarray | None = None) -> float:
    """Median abs. rel. error, bands weighted equally (and areas within a band, if given)."""
    if area is None:
        area = np.zeros(len(r), dtype=int)
    w = area_weights(band, area)
    per_band = pd.Series(w).groupby(band).transform("sum").to_numpy()
    return _r(weighted_quantile(np.abs(r - 1), w / per_band, 0.5))


# ------------------------------------------------------------------------ the range


def area_weights(band: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Return a weight per pair: no area counts as more than ``AREA_CAP`` pairs in a band.

    The cap of the fit sample: one area's thousands of pairs between a few hundred points
    do not outweigh the others.
    """
    size = pd.DataFrame({"b": band, "a": area}).groupby(["b", "a"])["b"].transform("size")
    return np.minimum(1.0, AREA_CAP / size.to_numpy(dtype=float))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Return the ``q`` quantile of ``values`` under ``weights``."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    cum = (cum - 0.5 * weights[order]) / cum[-1]
    return float(np.interp(q, cum, values[order]))


def range_table(
    r: np.ndarray, band: np.ndarray, dclass: np.ndarray, area: np.ndarray, nominal: float
) -> np.ndarray:
    """Return (class, band, 2): low and high quantiles of model ÷ real at ``nominal``.

    Areas weigh as in :func:`area_weights`. A cell with fewer than ``MIN_AREAS`` areas takes the
    quantiles of its band, all classes pooled.
    """
    w = area_weights(band, area)
    table = np.empty((N_CLASSES, N_BANDS, 2))
    for k in range(N_BANDS):
        for c in range(N_CLASSES):
            cell = (band == k) & (dclass == c)
            if len(np.unique(area[cell])) < MIN_AREAS:
                cell = band == k
            for j, q in enumerate(((1 - nominal) / 2, (1 + nominal) / 2)):
                table[c, k, j] = weighted_quantile(r[cell], w[cell], q)
    return table


def nested_inside(
    r: np.ndarray, band: np.ndarray, dclass: np.ndarray, area: np.ndarray, nominal: float
) -> np.ndarray:
    """Return, per pair, whether its real time is inside a range built without its area."""
    inside = np.zeros(len(r), dtype=bool)
    for name in np.unique(area):
        mine = area == name
        table = range_table(r[~mine], band[~mine], dclass[~mine], area[~mine], nominal)
        lo, hi = table[dclass[mine], band[mine], 0], table[dclass[mine], band[mine], 1]
        inside[mine] = (r[mine] >= lo) & (r[mine] <= hi)
    return inside


def calibrated_range(
    r: np.ndarray, band: np.ndarray, dclass: np.ndarray, area: np.ndarray, level: float
) -> dict[str, object]:
    """Return the range for ``level``: quantiles widened until areas left out reach it.

    The nominal level of the quantiles is the lowest (found by bisection between ``level``
    and 0.99) at which the share of held-out real times inside a range built without their
    area (pairs pooled) is at least ``level``.
    """
    low, high = level, 0.99
    if nested_inside(r, band, dclass, area, low).mean() >= level:
        high = low
    for _ in range(6 if high > low else 0):  # bisection: coverage grows with the nominal level
        mid = round(0.5 * (low + high), 3)
        if nested_inside(r, band, dclass, area, mid).mean() >= level:
            high = mid
        else:
            low = mid
    nominal = high
    inside = nested_inside(r, band, dclass, area, nominal)
    w = area_weights(band, area)
    return {
        "nominal_quantile_level": nominal,
        "ratio": [
            [[_r(v) for v in cell] for cell in row]
            for row in range_table(r, band, dclass, area, nominal)
        ],
        "coverage_held_out": {
            "share_inside": _r(inside.mean()),
            "share_inside_areas_equal": _r(np.average(inside, weights=w)),
            "by_band": [_r(inside[band == k].mean()) for k in range(N_BANDS)],
            "by_class": [_r(inside[dclass == c].mean()) for c in range(N_CLASSES)],
            "by_area": {str(a): _r(inside[area == a].mean()) for a in np.unique(area)},
        },
    }


# ------------------------------------------------------------------------ error parts


def _quantiles(values: np.ndarray) -> list[float]:
    return [_r(v) for v in np.quantile(values, np.linspace(0.0125, 0.9875, N_QUANTILES))]


def error_parts(pairs: pd.DataFrame, held: np.ndarray) -> dict[str, object]:
    """Split held-out ``ln r`` into a centre, an area, an origin and a trip part.

    ``ln r = centre[class][band] + area[band] + origin + trip``: the centre is the median of
    the class-and-band cell (areas weighted as in :func:`area_weights`; the band's median
    when the cell has fewer than ``MIN_AREAS`` areas); the area part the median of what is
    left in each area and band (areas with at least 20 pairs there), whose quantiles are
    kept per band (a territory draws one percentile for all its bands); the origin part the
    median of what is then left over each origin's trips (origins with at least
    ``MIN_TRIPS`` trips); the trip part the rest, per band.
    """
    e = np.log(held)
    band, dclass = pairs["band"].to_numpy(), pairs["dclass"].to_numpy()
    area = pairs["area"].to_numpy().astype(str)
    w = area_weights(band, area)
    centre = np.zeros((N_CLASSES, N_BANDS))
    for k in range(N_BANDS):
        for c in range(N_CLASSES):
            cell = (band == k) & (dclass == c)
            if len(np.unique(area[cell])) < MIN_AREAS:
                cell = band == k
            centre[c, k] = weighted_quantile(e[cell], w[cell], 0.5)
    z = e - centre[dclass, band]
    cells = pd.DataFrame({"z": z, "band": band, "area": area})
    grouped = cells.groupby(["band", "area"])["z"]
    area_part = grouped.transform("median").to_numpy()
    per_cell = grouped.agg(["median", "size"]).reset_index()
    per_cell = per_cell[per_cell["size"] >= 20]
    area_by_band = [
        _quantiles(per_cell.loc[per_cell["band"] == k, "median"].to_numpy()) for k in range(N_BANDS)
    ]
    z2 = z - area_part
    origin = pairs["area"].astype(str) + ":" + pairs["o_lon"].round(5).astype(str)
    origin = origin + "," + pairs["o_lat"].round(5).astype(str)
    by_origin = pd.Series(z2).groupby(origin.to_numpy())
    many = by_origin.transform("size").to_numpy() >= MIN_TRIPS
    origin_part = by_origin.transform("median").to_numpy()
    trip = z2 - origin_part
    origins = pd.Series(origin_part[many]).groupby(origin.to_numpy()[many]).first().to_numpy()
    return {
        "centre_ln_ratio": [[_r(v) for v in row] for row in centre],
        "area_ln_by_band": area_by_band,
        "origin_ln": _quantiles(origins),
        "trip_ln_by_band": [_quantiles(trip[many & (band == k)]) for k in range(N_BANDS)],
        "n_areas_by_band": [int((per_cell["band"] == k).sum()) for k in range(N_BANDS)],
        "n_origins": len(origins),
    }


# ------------------------------------------------------------------------ remoteness


def remoteness_check(
    pairs: pd.DataFrame, held: np.ndarray, remoteness: pd.Series | None
) -> dict[str, object]:
    """Return whether the origin's remoteness explains the held-out error of other trips.

    Spearman correlation of ``ln r`` with the remoteness of the origin's commune
    (:func:`maillage.travel.remoteness.commune_remoteness`), on the prefecture matrix and on
    the extracts' French communes: trips that are not those the feature comes from.
    """
    if remoteness is None:
        return {"available": False}
    out: dict[str, object] = {"available": True}
    for source in ("prefectures", "osrm-extract"):
        mine = (pairs["source"] == source).to_numpy()
        r = remoteness.reindex(pairs.loc[mine, "commune"].astype(str)).to_numpy()
        ok = ~np.isnan(r)
        rho = pd.Series(np.log(held[mine][ok])).corr(pd.Series(r[ok]), method="spearman")
        out[source] = {"n": int(ok.sum()), "spearman": _r(float(rho))}
    out["used_in_formula"] = False
    return out


# ------------------------------------------------------------------------ the record


def land_use_gap(ratio: np.ndarray, mapo: pd.DataFrame) -> dict[str, object]:
    """Model ÷ the land-use reference (Mapotempo), by band and by density class."""
    band, dclass = mapo["band"].to_numpy(), mapo["dclass"].to_numpy()
    paris = mapo["commune"].astype(str).str.startswith("75").to_numpy()
    return {
        "what": (
            "model / Mapotempo time: real addresses routed by an OSRM profile that slows "
            "urban roads by land use (not the definition; never fitted)"
        ),
        "bands": by_band(ratio, band),
        "classes": by_class(ratio, dclass),
        "inside_paris": summary(ratio[paris]),
    }


def build_record(
    *,
    model: CalibratedModel,
    pairs: pd.DataFrame,
    sample: pd.DataFrame,
    held: np.ndarray,
    folds: list[dict[str, object]],
    in_sample: np.ndarray,
    land_use: np.ndarray,
    mapo: pd.DataFrame,
    read: dict[str, object],
    settings: dict[str, Any],
) -> dict[str, object]:
    """Return the JSON record of the fit."""
    band, dclass = pairs["band"].to_numpy(), pairs["dclass"].to_numpy()
    area = pairs["area"].to_numpy().astype(str)
    levels = settings["levels"]
    held_out = {
        "scheme": "leave one area out (each extract; each région of origin of the matrices)",
        "median_abs_rel_error": _r(np.median(np.abs(held - 1))),
        "median_abs_rel_error_bands_equal": equal_mdape(held, band),
        "median_abs_rel_error_bands_and_areas_equal": equal_mdape(held, band, area),
        "bands": by_band(held, band, area),
        "classes": by_class(held, dclass),
        "band_by_class": [by_band(held[dclass == c], band[dclass == c]) for c in range(N_CLASSES)],
        "sources": {s: summary(held[pairs["source"] == s]) for s in pairs["source"].unique()},
        "folds": folds,
    }
    return {
        "model": "CalibratedModel",
        "definition": (
            "car trip = access leg at each end (point to its place on the nearest road, "
            "15 km/h) + free-flow time on OpenStreetMap roads with stock OSRM's car profile"
        ),
        "formula": model.describe()["formula"],
        "coefficients": {
            "access_time_s": model.access_time_s,
            "main_pace_s_per_km": model.main_pace_s_per_km,
            "local_pace_coefs": list(model.local_pace_coefs),
            "local_length_coefs": list(model.local_length_coefs),
            "density_range_per_km2": settings["density_range_per_km2"],
            "fallback_density_per_km2": settings["fallback_density_per_km2"],
        },
        "fit": {
            "summary": (
                f"fitted on {len(pairs)} stock-OSRM car trips ("
                + ", ".join(f"{s}: {n}" for s, n in pairs["source"].value_counts().items())
                + f"), 0.3-300 km; held-out (leave one area out) median abs. rel. error "
                f"{held_out['median_abs_rel_error']:.1%}"
            ),
            "script": "scripts/fit_travel_model.py",
            "date": settings["date"],
            "communes": "maillage.load_communes(): metropolitan France, COG 2026, populations 2023",
            "criterion": settings["criterion"],
            "sample": settings["sample"],
            "n_pairs": len(pairs),
            "n_pairs_fit": len(sample),
            "pairs_by_source": {k: int(v) for k, v in pairs["source"].value_counts().items()},
            "pairs_by_area": {k: int(v) for k, v in pairs["area"].value_counts().items()},
            **read,
        },
        "error": {
            "ratio": "model time / real time, in sample",
            "bands": by_band(in_sample, band),
            "median_abs_rel_error": _r(np.median(np.abs(in_sample - 1))),
        },
        "held_out": held_out,
        "range": {
            "what": "quantiles of held-out model / real time, per density class and band",
            "bands_km": list(BANDS_KM),
            "class_edges_per_km2": list(CLASS_EDGES),
            "levels": {str(lv): calibrated_range(held, band, dclass, area, lv) for lv in levels},
        },
        "errors": error_parts(pairs, held),
        "land_use_reference": land_use_gap(land_use, mapo),
    }


def print_bands(title: str, rows: list[dict[str, Any]], key: str = "band_km") -> None:
    """Print a table of :func:`summary` rows."""
    print(f"\n{title}")
    head = f"{'':>28} {'n':>7} {'median':>7} {'q10':>6} {'q90':>6} {'MdAPE':>6} {'<15%':>5}"
    print(head + "  areas-equal: median MdAPE")
    for row in rows:
        label = row[key] if key != "band_km" else "{:g}-{:g} km".format(*row[key])
        if not row["n"]:
            print(f"{label:>28} {0:>7}")
            continue
        print(
            f"{label:>28} {row['n']:>7} {row['median_ratio']:>7.3f} {row['q10']:>6.3f} "
            f"{row['q90']:>6.3f} {row['median_abs_rel_error']:>6.3f} "
            f"{row['share_within_15pct']:>5.2f}"
            + (
                f"  {row['median_ratio_areas_equal']:.3f} {row['median_abs_rel_error_areas_equal']:.3f}"
                f" ({row['n_areas']} areas)"
                if "n_areas" in row
                else ""
            )
        )


def print_record(record: dict[str, Any]) -> None:
    """Print the tables of the record."""
    held = record["held_out"]
    print_bands("in sample", record["error"]["bands"])
    print_bands(f"held out, {held['scheme']}", held["bands"])
    print_bands("held out, by density class", held["classes"], key="class")
    for label, rows in zip(CLASS_LABELS, held["band_by_class"], strict=True):
        print_bands(f"held out, {label}", rows)
    print(
        "\nheld-out median abs. rel. error:",
        held["median_abs_rel_error"],
        "bands equal:",
        held["median_abs_rel_error_bands_equal"],
        "bands and areas equal:",
        held["median_abs_rel_error_bands_and_areas_equal"],
    )
    for fold in held["folds"]:
        print("  ", fold)
    for level, rng in record["range"]["levels"].items():
        cov = rng["coverage_held_out"]
        print(
            f"\nrange {level} (quantiles at {rng['nominal_quantile_level']}): held-out share "
            f"inside {cov['share_inside']} (areas equal {cov['share_inside_areas_equal']})"
        )
        print("   by band", cov["by_band"], "by class", cov["by_class"])
        print("   by area", cov["by_area"])
    land = record["land_use_reference"]
    print_bands("model / land-use reference (Mapotempo), by band", land["bands"])
    print_bands("model / land-use reference, by density class", land["classes"], key="class")
    print("inside Paris:", land["inside_paris"])


def write_record(record: dict[str, Any], out: Path) -> None:
    """Write the record as JSON (UTF-8, indented)."""
    out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
