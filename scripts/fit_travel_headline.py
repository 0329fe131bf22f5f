"""How often the stated 80 % range of the headline holds the real figure, on areas left out.

Used by ``scripts/fit_travel_model.py``. For each area, the model refitted without it and
the errors measured without it (:func:`fit_travel_report.error_parts` on the other areas)
give the range of :func:`maillage.analysis.uncertainty.simulate_headline` (the kernel of
:func:`maillage.headline_range`); the real share comes from the reference times:

* on each real extract: ``VENUE_SETS`` random sets of ``VENUES`` of its points as venues, the
  other points as residents (one each); the threshold is the model's median time to the
  nearest venue, so that the share is about one half, where it is the most uncertain;
* on each région of the communes-to-Paris matrix: Paris as the one venue, the région's
  communes within 300 km as residents (one each); thresholds at the model's quartiles.

The stated range is the central span of the draws whose share of held cases first reaches
``LEVEL`` among ``NOMINAL`` (the same calibration as the range of the trips):
:func:`maillage.headline_range` uses it (``nominal_level``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import fit_travel_report as rep
import numpy as np
import pandas as pd
import travel_references as refs

from maillage.analysis.uncertainty import simulate_headline
from maillage.travel.calibrated import BANDS_KM, CLASS_EDGES

if TYPE_CHECKING:
    from collections.abc import Callable

    from maillage.travel.calibrated import CalibratedModel

VENUES = 4
VENUE_SETS = 10
LEVEL = 0.8
NOMINAL = (0.8, 0.85, 0.9, 0.95, 0.98)  # percentile spans tried for the stated 80 % range
SEED = 0


def _case(
    model: CalibratedModel,
    trips: pd.DataFrame,
    threshold_s: float,
    errors: dict[str, object],
) -> dict[str, object]:
    """Return the stated range and the real share for one territory and threshold."""
    d_km = trips["crow_m"].to_numpy() / 1000.0
    density = trips["density"].to_numpy()
    kernel = pd.DataFrame(
        {
            "origin": np.unique(trips["origin"].to_numpy(), return_inverse=True)[1],
            "time_s": model.time_s(trips["crow_m"].to_numpy(), density),
            "band": np.clip(np.searchsorted(BANDS_KM, d_km, side="right") - 1, 0, 6),
            "dclass": np.searchsorted(CLASS_EDGES, density, side="right"),
        }
    )
    origins = trips.groupby("origin")["commune"].first().sort_index()
    frame = pd.DataFrame({"population": 1.0, "commune": origins.to_numpy()})
    sim = simulate_headline(kernel, frame, errors=errors, threshold_s=threshold_s, seed=SEED)
    real = trips.groupby("origin")["time_s"].min().sort_index()
    share = float((real <= threshold_s).mean())
    ranges = {}
    for nominal in NOMINAL:
        low, high = sim["share_within_threshold"].quantile([(1 - nominal) / 2, (1 + nominal) / 2])
        ranges[str(nominal)] = [round(float(low), 4), round(float(high), 4)]
    return {"threshold_min": round(threshold_s / 60, 1), "real_share": round(share, 4), **ranges}


def extract_cases(
    name: str, model: CalibratedModel, errors: dict[str, object], setting: Callable
) -> list[dict[str, object]]:
    """Return the cases of one extract (random venue sets among its points)."""
    raw, _ = setting(refs.extract_pairs(name))
    ids = pd.MultiIndex.from_frame(raw[["o_lon", "o_lat"]]).unique()
    raw["o"] = ids.get_indexer(pd.MultiIndex.from_frame(raw[["o_lon", "o_lat"]]))
    raw["d"] = ids.get_indexer(pd.MultiIndex.from_arrays([raw["d_lon"], raw["d_lat"]]))
    rng = np.random.default_rng(SEED)
    cases = []
    for k in range(VENUE_SETS):
        venues = rng.choice(len(ids), size=VENUES, replace=False)
        trips = raw[raw["d"].isin(venues) & ~raw["o"].isin(venues)].copy()
        trips["origin"] = trips["o"]
        near = model.time_s(trips["crow_m"].to_numpy(), trips["density"].to_numpy())
        threshold = float(pd.Series(near).groupby(trips["origin"].to_numpy()).min().median())
        cases.append({"area": name, "venue_set": k, **_case(model, trips, threshold, errors)})
    return cases


def paris_cases(
    area: str, pairs: pd.DataFrame, model: CalibratedModel, errors: dict[str, object]
) -> list[dict[str, object]]:
    """Return the cases of one région: Paris as the venue, thresholds at the quartiles."""
    trips = pairs[(pairs["area"] == area) & (pairs["source"] == "communes-paris")].copy()
    if len(trips) < 100:
        return []
    trips["origin"] = np.arange(len(trips))
    near = model.time_s(trips["crow_m"].to_numpy(), trips["density"].to_numpy())
    return [
        {"area": area, "quantile": q, **_case(model, trips, float(np.quantile(near, q)), errors)}
        for q in (0.25, 0.5, 0.75)
    ]


def headline_coverage(
    pairs: pd.DataFrame,
    held: np.ndarray,
    fold_models: dict[str, CalibratedModel],
    setting: Callable,
) -> dict[str, object]:
    """Return every case and the share of them whose range holds the real share."""
    cases = []
    for area, model in fold_models.items():
        others = (pairs["area"] != area).to_numpy()
        errors = rep.error_parts(pairs[others].reset_index(drop=True), held[others])
        if area in refs.EXTRACTS:
            cases += extract_cases(area, model, errors, setting)
        else:
            cases += paris_cases(area, pairs, model, errors)
    on_extracts = np.array([c["area"] in refs.EXTRACTS for c in cases])
    share = np.array([c["real_share"] for c in cases])
    inside = {}
    for nominal in NOMINAL:
        span = np.array([c[str(nominal)] for c in cases])
        inside[nominal] = (span[:, 0] <= share) & (share <= span[:, 1])
    nominal = next((n for n in NOMINAL if inside[n].mean() >= LEVEL), NOMINAL[-1])
    held = inside[nominal]
    return {
        "level": LEVEL,
        "nominal_level": nominal,
        "n_cases": len(cases),
        "share_inside": round(float(held.mean()), 4),
        "share_inside_by_nominal": {str(n): round(float(v.mean()), 4) for n, v in inside.items()},
        "share_inside_extracts": round(float(held[on_extracts].mean()), 4),
        "share_inside_communes_to_paris": round(float(held[~on_extracts].mean()), 4),
        "summary": (
            f"the stated {LEVEL:.0%} range of the headline (the {(1 - nominal) / 2:.1%} to "
            f"{(1 + nominal) / 2:.1%} percentiles of the draws) held the real share in "
            f"{held.mean():.0%} of {len(cases)} territories left out of the fit"
        ),
        "cases": cases,
    }
