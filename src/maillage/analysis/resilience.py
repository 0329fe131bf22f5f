"""Resilience of a network of venues: the k nearest, a second choice, the venues it cannot lose.

* :func:`nearest_k`: for every origin, the times to its k nearest distinct venues, on any
  engine (its ``nearest_k`` method: an exact k-nearest search on the road graph, a k-d
  tree on the straight-line models, the table on OSRM).
* :func:`second_choice`: the residents with at least two venues within the threshold
  (« une alternative à moins de 20 min »), by commune, EPCI, département or area.
* :func:`closure_impact`: for every venue at once, from the second-nearest times, the
  residents who would fall beyond the threshold if it closed and the minutes they would
  add (« lieux indispensables »); the publicly supported venues as a group come from
  :func:`~maillage.analysis.attribution.attribution`.

Conventions are :func:`~maillage.coverage`'s: minutes, ``inf`` when no venue is reachable,
NaN (and no venue) for an origin the model cannot place, which counts as not covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.analysis._checks import check_model, check_threshold, stamp
from maillage.analysis.attribution import attribution
from maillage.analysis.coverage import build_origins, venue_points
from maillage.errors import ColumnError, InputDataError
from maillage.schema import check_choice, check_columns, check_crs
from maillage.travel.engine import check_k
from maillage.travel.protocol import KNearestModel

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["closure_impact", "nearest_k", "second_choice"]

_LEVELS = ("commune", "epci", "departement", None)


def _k_table(
    model: TravelTimeModel, origins: gpd.GeoSeries, points: gpd.GeoSeries, k: int
) -> pd.DataFrame:
    """Engine frame ``dest_id_j, travel_time_s_j``; through ``od_table`` for other models."""
    if isinstance(model, KNearestModel):
        return model.nearest_k(origins, points, k)
    od = model.od_table(origins, points, max_time_s=1e9)  # a model of another package
    od = od.sort_values(["origin_id", "travel_time_s"], kind="stable")
    od["rank"] = od.groupby("origin_id", sort=False).cumcount() + 1
    out = pd.DataFrame(index=origins.index)
    for j in range(1, k + 1):
        top = od[od["rank"] == j].set_index("origin_id")
        out[f"dest_id_{j}"] = top["dest_id"].reindex(origins.index).astype(object)
        out[f"travel_time_s_{j}"] = top["travel_time_s"].reindex(origins.index).fillna(np.inf)
    out.loc[origins.index.isin(model.unplaced(origins)), out.columns[1::2]] = np.nan
    return out


def nearest_k(
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    venues: gpd.GeoDataFrame,
    k: int = 2,
    *,
    model: TravelTimeModel,
) -> pd.DataFrame:
    """Return the times from every origin to its ``k`` nearest distinct venues.

    Parameters
    ----------
    origins : geopandas.GeoDataFrame or GeoSeries
        Residents' points (e.g. the second frame of ``coverage(..., detail=True)``), in the
        working CRS; their index labels the result.
    venues : geopandas.GeoDataFrame
        Canonical venues frame (``venue_id``, points); venues the model cannot place are
        left out with a warning, as in :func:`~maillage.coverage`.
    k : int, default 2
        How many venues per origin.
    model : TravelTimeModel
        Any engine; each ranks venues as its ``nearest`` does (the road graph by its route
        choice, which is the least time with ``route_by="duration"``; by routing weight, the
        default, a later rank can rarely be a little faster than an earlier one, as a venue
        added can lengthen ``nearest``'s time).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``venue_1, time_min_1, ..., venue_k, time_min_k``. Past
        the venues reachable (fewer than ``k`` venues, or none reachable): ``time_min_j``
        is ``inf`` and ``venue_j`` NA; an origin the model cannot place has NaN times and NA
        venues. ``venue_1, time_min_1`` are :func:`~maillage.coverage`'s ``nearest_venue,
        time_min`` (up to ties). ``.attrs`` records the model and ``k``.

    Raises
    ------
    InputDataError
        ``k`` not a whole number >= 1, empty census, wrong CRS.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.analysis.coverage import build_origins
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> model = CrowFlyModel(circuity=1, speed_kph=60)
    >>> near = nearest_k(build_origins(communes), venues, 2, model=model)
    >>> list(near.columns)
    ['venue_1', 'time_min_1', 'venue_2', 'time_min_2']
    >>> bool((near["time_min_1"] <= near["time_min_2"]).all())
    True
    """
    model = check_model(model)
    k = check_k(k)
    check_crs(origins, name="origins")
    geometry = origins.geometry if hasattr(origins, "geometry") else origins
    points = venue_points(venues, model=model)
    table = _k_table(model, geometry, points, k)
    out = pd.DataFrame(index=origins.index)
    for j in range(1, k + 1):
        out[f"venue_{j}"] = (
            table[f"dest_id_{j}"].astype(object).where(table[f"dest_id_{j}"].notna(), pd.NA)
        )
        out[f"time_min_{j}"] = table[f"travel_time_s_{j}"].to_numpy(dtype=float) / 60.0
    out.attrs["travel_time_model"] = model.describe()
    out.attrs["k"] = k
    return out


def _inputs(  # noqa: PLR0917 - private: the public functions' arguments, in order
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    model: TravelTimeModel,
    origins: gpd.GeoDataFrame | None,
    times: pd.DataFrame | None,
    grid: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the origins and their two nearest venues, reusing those given."""
    check_columns(communes, ["population", "geometry"], name="communes")
    if origins is None:
        origins = build_origins(communes, grid)
    check_columns(origins, ["code_insee", "population", "geometry"], name="origins")
    if times is None:
        times = nearest_k(origins, venues, 2, model=model)
    check_columns(times, ["venue_1", "time_min_1", "venue_2", "time_min_2"], name="times")
    if not times.index.equals(origins.index):
        msg = "times must be indexed like origins: compute them with nearest_k(origins, ...)"
        raise InputDataError(msg)
    return origins, times


def second_choice(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    by: str | None = "commune",
    grid: gpd.GeoDataFrame | None = None,
    origins: gpd.GeoDataFrame | None = None,
    times: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Residents with a second venue within the threshold, by commune, EPCI or département.

    « Une alternative à moins de 20 min »: a resident has a second choice when the second
    nearest venue (:func:`nearest_k`, ``k=2``) is within ``threshold_min``, i.e. at least
    two distinct venues are.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, with ``population`` (and ``epci``, ``departement`` to
        group by them).
    venues : geopandas.GeoDataFrame
        Canonical venues frame.
    model : TravelTimeModel
        Travel-time model.
    threshold_min : float, optional
        Access threshold in minutes (default 20, or the one ``origins`` records).
    by : {"commune", "epci", "departement", None}, default "commune"
        Level; ``None`` gives one row for the whole area.
    grid : geopandas.GeoDataFrame, optional
        Population grid, when ``origins`` is not given.
    origins : geopandas.GeoDataFrame, optional
        Origins already built (``code_insee, population, geometry``), e.g. the second frame
        of ``coverage(..., detail=True)``.
    times : pandas.DataFrame, optional
        ``nearest_k(origins, venues, 2, model=model)`` already computed: no search again.

    Returns
    -------
    pandas.DataFrame
        One row per commune (indexed by ``code_insee``), or ``level, code`` rows:
        ``population``, ``population_within_threshold`` (one venue or more),
        ``population_two_within`` (two or more), ``share_within_threshold`` and
        ``share_two_within`` (of the population; NaN for an empty group). Communes with no
        ``epci`` are grouped under ``"(none)"``.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> sc = second_choice(communes, venues, model=CrowFlyModel(circuity=1, speed_kph=60),
    ...                    threshold_min=20, by=None)
    >>> sc[["population_within_threshold", "population_two_within"]].iloc[0].tolist()
    [200.0, 0.0]
    """
    check_choice("by", by, _LEVELS)
    model = check_model(model)
    threshold = check_threshold(threshold_min, origins)
    origins, times = _inputs(communes, venues, model, origins, times, grid)
    pop = origins["population"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "population": pop,
            "population_within_threshold": np.where(times["time_min_1"] <= threshold, pop, 0.0),
            "population_two_within": np.where(times["time_min_2"] <= threshold, pop, 0.0),
        },
        index=origins.index,
    )
    sums = frame.groupby(origins["code_insee"].astype(str).to_numpy()).sum()
    sums = sums.reindex(communes.index.astype(str), fill_value=0.0)
    sums["population"] = communes["population"].to_numpy(dtype=float)
    if by is None or by != "commune":
        if by is not None and by not in communes.columns:
            raise ColumnError(f"communes has no column {by!r} to group by")
        codes = "all" if by is None else communes[by].astype("string").fillna("(none)")
        sums = sums.groupby(np.broadcast_to(np.asarray(codes, dtype=object), len(sums))).sum()
        sums = sums.rename_axis("code").reset_index()
        sums.insert(0, "level", by or "area")
    else:
        sums.index.name = "code_insee"
    with np.errstate(invalid="ignore", divide="ignore"):
        for part in ("within_threshold", "two_within"):
            sums[f"share_{part}"] = sums[f"population_{part}"] / sums["population"]
    stamp(sums, model, threshold, inputs=(communes, venues, grid))
    return sums


def closure_impact(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    origins: gpd.GeoDataFrame | None = None,
    times: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return what closing each venue would cost its residents (« lieux indispensables »).

    For every venue at once, from each origin's two nearest venues (:func:`nearest_k`):
    if venue ``v`` closed, the residents whose nearest it is would go to their second
    nearest, the others keep theirs. This equals closing ``v`` and computing the coverage
    again (up to ties between venues at the same time).

    Parameters
    ----------
    communes, venues, model, threshold_min, grid, origins, times
        As :func:`second_choice`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``venue_id`` (every venue placed), sorted by ``residents_beyond`` then
        ``added_minutes`` (both decreasing):

        * ``residents_served``: residents whose nearest venue it is;
        * ``residents_beyond``: of them, those within the threshold now and beyond it
          without the venue (second nearest beyond the threshold, or none);
        * ``added_minutes``: resident-minutes added, the sum over the residents served of
          population × (second nearest time − nearest time), over those who have a second
          venue (``inf`` never enters it);
        * ``added_minutes_per_resident``: ``added_minutes`` ÷ the residents served who have
          a second venue (NaN when none): the mean minutes each would add;
        * ``residents_without_alternative``: residents served with no other venue reachable.

        ``.attrs["supported_group"]``: the same question for all publicly supported venues
        closed together, from :func:`~maillage.analysis.attribution.attribution`
        (``population_thanks_to_supported`` is their ``residents_beyond``); present when
        ``venues`` has a ``supported`` column.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> impact = closure_impact(communes, venues, model=CrowFlyModel(circuity=1, speed_kph=60),
    ...                         threshold_min=20)
    >>> impact["residents_beyond"].tolist()
    [100.0, 100.0]
    """
    model = check_model(model)
    threshold = check_threshold(threshold_min, origins)
    origins, times = _inputs(communes, venues, model, origins, times, grid)
    pop = origins["population"].to_numpy(dtype=float)
    t1, t2 = times["time_min_1"].to_numpy(float), times["time_min_2"].to_numpy(float)
    served = times["venue_1"].notna().to_numpy()
    has_second = np.isfinite(t2)
    frame = pd.DataFrame(
        {
            "venue_id": times["venue_1"].to_numpy(dtype=object)[served],
            "residents_served": pop[served],
            "residents_beyond": np.where((t1 <= threshold) & ~(t2 <= threshold), pop, 0.0)[served],
            "added_minutes": np.where(has_second, pop * np.where(has_second, t2 - t1, 0.0), 0.0)[
                served
            ],
            "with_second": np.where(has_second, pop, 0.0)[served],
            "residents_without_alternative": np.where(has_second, 0.0, pop)[served],
        }
    )
    ids = venue_points(venues, model=model).index
    out = frame.groupby("venue_id").sum().reindex(ids, fill_value=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = out["added_minutes"] / out["with_second"]
    out.insert(3, "added_minutes_per_resident", per.where(out["with_second"] > 0))
    out = out.drop(columns="with_second").rename_axis("venue_id")
    out = out.sort_values(["residents_beyond", "added_minutes"], ascending=False, kind="stable")
    stamp(out, model, threshold, inputs=(communes, venues, grid))
    if "supported" in venues.columns:
        group = attribution(communes, venues, model=model, threshold_min=threshold, origins=origins)
        out.attrs["supported_group"] = group.attrs["supported_contribution"]
    return out
