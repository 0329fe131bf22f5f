"""Where to open for commuters: the sites that save the most commute time.

``suggest_sites(trips, ..., objective="commute")`` (:func:`maillage.suggest_sites`) calls
:func:`commute_sites`. For a home origin *a* served at access time *t*, the time saved per
telework day is ``S_a(t) = Σ 2 × commuters × max(commute − t, 0)`` over its long car
commutes (:func:`maillage.analysis.commutes.commute_trips`), when *t* is within the access
time. ``S_a`` decreases with *t*, so a set of sites saves, at each origin, what its nearest
site (or the nearest existing venue) saves. The value of a set of sites, ``Σ_a max_j
S_a(t_aj)``, is a maximum-benefit facility location objective: it is submodular, and the
greedy choice (the largest marginal gain at each step) is within ``1 - 1/e`` of the optimum
(Nemhauser, Wolsey & Fisher 1978, Mathematical Programming 14:265–294); ``method="exact"``
solves the integer programme with :func:`scipy.optimize.milp` (HiGHS).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import LinearConstraint

from maillage.analysis._milp import ExactChoice, exact_attrs, pick_sites_exactly, ranked
from maillage.schema import check_columns

if TYPE_CHECKING:
    from maillage.travel.protocol import TravelTimeModel

__all__ = ["commute_gains", "commute_sites"]

logger = logging.getLogger(__name__)

_SITE_COLUMNS = (
    "rank",
    "candidate_id",
    "code_insee",
    "nom",
    "gain_min_per_day",
    "cumulative_min_per_day",
    "gain_commuters",
    "geometry",
)


def _current(trips: pd.DataFrame, max_access_s: float) -> pd.DataFrame:
    """Long trips with the one-way times (s) and today's saving per origin."""
    long = trips[trips["status"].to_numpy() == "long"]
    access_s = long["access_min"].to_numpy(dtype=float) * 60.0
    commute_s = long["commute_min"].to_numpy(dtype=float) * 60.0
    served = access_s <= max_access_s
    saving = np.where(served, 2.0 * np.maximum(commute_s - access_s, 0.0), 0.0)
    return pd.DataFrame(
        {
            "origin_id": long["origin_id"].astype(str).to_numpy(),
            "commuters": long["commuters"].to_numpy(dtype=float),
            "commute_s": commute_s,
            "now_s": saving * long["commuters"].to_numpy(dtype=float),
        }
    )


def commute_gains(
    trips: gpd.GeoDataFrame,
    sites: gpd.GeoSeries,
    *,
    model: TravelTimeModel,
    max_access_min: float,
) -> tuple[sparse.csc_array, np.ndarray, np.ndarray, pd.Index]:
    """Return the seconds each site would save at each origin, and what is saved today.

    Parameters
    ----------
    trips : geopandas.GeoDataFrame
        Output of :func:`maillage.analysis.commutes.commute_trips`.
    sites : geopandas.GeoSeries
        Candidate points, indexed by candidate id.
    model : TravelTimeModel
        Travel-time model (the one of the trips).
    max_access_min : float
        Farthest a site may be to be used.

    Returns
    -------
    value : scipy.sparse.csc_array
        ``value[a, j]``: seconds saved per telework day at origin *a* if site *j* served it.
    now : numpy.ndarray
        Seconds saved per telework day at each origin today.
    commuters : numpy.ndarray
        Long commuters at each origin.
    origins : pandas.Index
        The origin ids of the rows.
    """
    check_columns(
        trips, ["origin_id", "status", "commute_min", "access_min", "commuters"], name="trips"
    )
    max_s = float(max_access_min) * 60.0
    long = _current(trips, max_s)
    origins = pd.Index(long["origin_id"].unique(), name="origin_id")
    placed = trips[trips["origin_id"].astype(str).isin(origins)].drop_duplicates("origin_id")
    points = gpd.GeoSeries(
        placed.geometry.to_numpy(), index=placed["origin_id"].astype(str), crs=trips.crs
    ).loc[origins]
    od = model.od_table(points, sites, max_time_s=max_s)
    od = od[od["travel_time_s"] <= max_s]
    rows = long.merge(od, on="origin_id")
    saving = 2.0 * np.maximum(rows["commute_s"] - rows["travel_time_s"], 0.0) * rows["commuters"]
    per_pair = saving.groupby([rows["origin_id"], rows["dest_id"].astype(str)]).sum()
    ai = origins.get_indexer(per_pair.index.get_level_values(0))
    ji = sites.index.astype(str).get_indexer(per_pair.index.get_level_values(1))
    value = sparse.csc_array((per_pair.to_numpy(), (ai, ji)), shape=(len(origins), len(sites)))
    now = long.groupby("origin_id")["now_s"].sum().reindex(origins).to_numpy()
    commuters = long.groupby("origin_id")["commuters"].sum().reindex(origins).to_numpy()
    return value, now, commuters, origins


def _greedy(value: sparse.csc_array, now: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Pick sites one at a time by largest marginal gain; return (site, gain in s)."""
    best = now.astype(float).copy()
    coo = value.tocoo()
    rows, cols, vals = coo.row, coo.col, coo.data
    chosen: list[tuple[int, float]] = []
    for _ in range(k):
        gains = np.bincount(
            cols, weights=np.maximum(vals - best[rows], 0.0), minlength=value.shape[1]
        )
        if chosen:
            gains[[c for c, _ in chosen]] = -1.0
        pick = int(np.argmax(gains)) if len(gains) else -1
        if pick < 0 or gains[pick] <= 0:
            break
        chosen.append((pick, float(gains[pick])))
        mine = cols == pick
        best[rows[mine]] = np.maximum(best[rows[mine]], vals[mine])
    return chosen


def _exact(
    value: sparse.csc_array,
    now: np.ndarray,
    k: int,
    *,
    time_limit_s: float | None = None,
    progress: bool = False,
) -> tuple[list[tuple[int, float]], ExactChoice | None]:
    """Solve the maximum-benefit location problem exactly; order the sites greedily."""
    coo = value.tocoo()
    gain = np.maximum(coo.data - now[coo.row], 0.0)
    keep = gain > 0
    rows, cols, gain = coo.row[keep], coo.col[keep], gain[keep]
    n_o, n_c, n_y = value.shape[0], value.shape[1], len(gain)
    if n_y == 0:
        return [], None
    y = np.arange(n_y)
    # variables: x (sites, binary) then y (origin a served by site j, 0..1)
    one_site = sparse.csr_array((np.ones(n_y), (rows, n_c + y)), shape=(n_o, n_c + n_y))
    link = sparse.csr_array(
        (np.r_[np.ones(n_y), -np.ones(n_y)], (np.r_[y, y], np.r_[n_c + y, cols])),
        shape=(n_y, n_c + n_y),
    )
    objective = np.r_[np.zeros(n_c), -gain]
    constraints = [LinearConstraint(one_site, 0, 1), LinearConstraint(link, -np.inf, 0)]
    choice = pick_sites_exactly(
        objective, constraints, n_sites=n_c, k=k, time_limit_s=time_limit_s, progress=progress
    )
    return ranked(choice, _greedy, value, now, k)


def _new_commuters(
    value: sparse.csc_array, now: np.ndarray, commuters: np.ndarray, picks: list[int]
) -> np.ndarray:
    """Long commuters at origins with no saving today that each pick (in order) serves."""
    served = now > 0
    out = []
    for pick in picks:
        column = value[:, [pick]].toarray().ravel() > 0
        fresh = column & ~served
        out.append(float(commuters[fresh].sum()))
        served |= column
    return np.array(out, dtype=float)


def commute_sites(
    trips: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    k: int,
    *,
    model: TravelTimeModel,
    max_access_min: float,
    method: str = "greedy",
    time_limit_s: float | None = None,
    progress: bool = False,
) -> gpd.GeoDataFrame:
    """Choose ``k`` of ``sites`` that save the most commute time per telework day.

    Parameters
    ----------
    trips : geopandas.GeoDataFrame
        Output of :func:`maillage.analysis.commutes.commute_trips` (with today's venues).
    sites : geopandas.GeoDataFrame
        Candidates indexed by ``candidate_id`` with ``code_insee``, ``nom``, ``geometry``.
    k : int
        Number of sites.
    model : TravelTimeModel
        Travel-time model.
    max_access_min : float
        Farthest a site may be from home to be used.
    method : {"greedy", "exact"}
        Greedy marginal gains, or the exact integer programme.
    time_limit_s : float, optional
        With ``method="exact"``: stop the solver after this many seconds, keeping the best
        choice found (``attrs["exact"]`` reports the gap reached).
    progress : bool
        With ``method="exact"``: print the solver's log as it goes.

    Returns
    -------
    geopandas.GeoDataFrame
        ``rank``, ``candidate_id``, ``code_insee``, ``nom``, ``gain_min_per_day``
        (minutes saved per telework day, both ways, all commuters), ``cumulative_min_per_day``,
        ``gain_commuters`` (long commuters with no venue within reach today that the site
        serves), ``geometry``. Fewer than ``k`` rows when no further site saves anything.
    """
    value, now, commuters, _ = commute_gains(
        trips, sites.geometry, model=model, max_access_min=max_access_min
    )
    picks: list[tuple[int, float]] = []
    solved: ExactChoice | None = None
    if value.shape[0] and value.shape[1] and method == "greedy":
        picks = _greedy(value, now, int(k))
    elif value.shape[0] and value.shape[1]:
        picks, solved = _exact(value, now, int(k), time_limit_s=time_limit_s, progress=progress)
    if len(picks) < int(k):
        logger.info("only %d site(s) save commute time", len(picks))
    gains = np.array([g for _, g in picks], dtype=float) / 60.0
    out = sites.iloc[[p for p, _ in picks]].reset_index()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["gain_min_per_day"] = gains
    out["cumulative_min_per_day"] = np.cumsum(gains)
    out["gain_commuters"] = _new_commuters(value, now, commuters, [p for p, _ in picks])
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=sites.crs)[list(_SITE_COLUMNS)]
    out.attrs["travel_time_model"] = model.describe()
    out.attrs.update(objective="commute", max_access_min=float(max_access_min), method=method)
    if method == "exact":
        out.attrs["exact"] = exact_attrs(solved, time_limit_s)
    out.attrs["saved_min_per_day_now"] = float(now.sum() / 60.0)
    return out
