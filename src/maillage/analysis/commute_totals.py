"""Sums of the commute trips per home commune and per venue: :func:`commute_savings`.

:func:`maillage.analysis.commutes.commute_trips` gives the detail (one row per home origin ×
work commune); :func:`savings_by_commune` and :func:`savings_by_venue` sum it, and
:func:`commute_savings` and :func:`commute_savings_by_venue` run both steps. The yearly
figures use :data:`~maillage.analysis.commutes.WORKING_WEEKS_PER_YEAR` and the CO₂ figures
:data:`~maillage.analysis.commutes.CAR_KG_CO2E_PER_KM`
(:data:`~maillage.analysis.commutes.CAR_EMISSION_SOURCE`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

import numpy as np
import pandas as pd

from maillage.analysis.commutes import (
    CAR_EMISSION_SOURCE,
    CAR_KG_CO2E_PER_KM,
    ROAD_CIRCUITY,
    WORKING_WEEKS_PER_YEAR,
    TripOptions,
    check_commute_options,
    commute_trips,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "commute_savings",
    "commute_savings_by_venue",
    "savings_by_commune",
    "savings_by_venue",
]


def _yearly(frame: pd.DataFrame, days: float) -> pd.DataFrame:
    """Replace the kilometres per day by the yearly columns."""
    factor = days * WORKING_WEEKS_PER_YEAR
    frame["saved_hours_per_year"] = frame["saved_min_per_day"] * factor / 60.0
    frame["km_avoided_per_year"] = frame["km_avoided_per_day"] * factor
    frame["co2_avoided_t_per_year"] = frame["km_avoided_per_year"] * CAR_KG_CO2E_PER_KM / 1000.0
    return frame.drop(columns=["km_avoided_per_day"])


def _weighted(trips: pd.DataFrame, mask: np.ndarray, column: str, by: str) -> pd.Series:
    part = trips[mask]
    weight = part["commuters"].to_numpy(dtype=float)
    num = pd.Series(part[column].to_numpy(dtype=float) * weight).groupby(part[by].to_numpy()).sum()
    den = pd.Series(weight).groupby(part[by].to_numpy()).sum()
    return num / den.where(den > 0)


def _stamp(out: pd.DataFrame, trips: pd.DataFrame, days: float) -> pd.DataFrame:
    out.attrs = {k: v for k, v in trips.attrs.items() if not k.endswith("_by_home")}
    out.attrs.update(
        telework_days_per_week=float(days),
        working_weeks_per_year=WORKING_WEEKS_PER_YEAR,
        car_kg_co2e_per_km=CAR_KG_CO2E_PER_KM,
        emission_source=CAR_EMISSION_SOURCE,
        road_circuity=ROAD_CIRCUITY,
    )
    return out


def savings_by_commune(
    trips: pd.DataFrame, *, telework_days_per_week: float = 1.0, index: pd.Index | None = None
) -> pd.DataFrame:
    """Sum the trips of :func:`commute_trips` per home commune.

    Parameters
    ----------
    trips : pandas.DataFrame
        Output of :func:`commute_trips`.
    telework_days_per_week : float
        Telework days at the venue per week and eligible commuter (0 < days <= 5).
    index : pandas.Index, optional
        Home communes to report (default: those with car commuters); absent ones get zeros.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code_insee``: ``workers`` (all modes), ``car_commuters`` (by car to
        another commune), ``long_commuters``, ``beyond_daily``, ``unplaced``,
        ``eligible_commuters``, ``commute_min`` (mean one-way commute of the long
        commuters), ``access_min`` (mean access of the eligible), ``saved_min_per_day``,
        ``saved_hours_per_year``, ``km_avoided_per_year``, ``co2_avoided_t_per_year``.
        ``attrs`` records every parameter and source.

    Examples
    --------
    >>> trips = pd.DataFrame({"home_code": ["a", "a"], "commuters": [2.0, 1.0],
    ...     "status": ["long", "short"], "eligible": [True, False],
    ...     "commute_min": [40.0, 10.0], "access_min": [5.0, 5.0],
    ...     "saved_min_per_day": [140.0, 0.0], "km_avoided_per_day": [100.0, 0.0]})
    >>> out = savings_by_commune(trips)
    >>> out.loc["a", ["long_commuters", "eligible_commuters", "saved_hours_per_year"]].tolist()
    [2.0, 2.0, 105.0]
    """
    check_commute_options(telework_days_per_week, 0.0, 1.0, 1.0)
    by = trips.groupby(trips["home_code"].astype(str).to_numpy())
    status = trips["status"].to_numpy()
    out = pd.DataFrame({"car_commuters": by["commuters"].sum()})
    for name, status_name in (
        ("long_commuters", "long"),
        ("beyond_daily", "beyond"),
        ("unplaced", "unplaced"),
    ):
        out[name] = (
            trips["commuters"]
            .where(status == status_name, 0.0)
            .groupby(by.ngroup())
            .sum()
            .to_numpy()
        )
    eligible = trips["eligible"].to_numpy(dtype=bool)
    out["eligible_commuters"] = (
        trips["commuters"].where(eligible, 0.0).groupby(by.ngroup()).sum().to_numpy()
    )
    out["commute_min"] = _weighted(trips, status == "long", "commute_min", "home_code")
    out["access_min"] = _weighted(trips, eligible, "access_min", "home_code")
    out["saved_min_per_day"] = by["saved_min_per_day"].sum()
    out["km_avoided_per_day"] = by["km_avoided_per_day"].sum()
    workers = pd.Series(trips.attrs.get("workers_by_home", {}), dtype=float)
    out.insert(0, "workers", workers.reindex(out.index))
    if index is not None:
        out = out.reindex(pd.Index(index.astype(str)))
        out = out.fillna({c: 0.0 for c in out.columns if c not in ("commute_min", "access_min")})
        out["workers"] = workers.reindex(out.index).fillna(0.0).to_numpy()
    out.index.name = "code_insee"
    return _stamp(_yearly(out, telework_days_per_week), trips, telework_days_per_week)


def savings_by_venue(
    trips: pd.DataFrame, *, telework_days_per_week: float = 1.0, index: pd.Index | None = None
) -> pd.DataFrame:
    """Sum the eligible trips of :func:`commute_trips` per nearest venue.

    The commuter counterpart of :func:`maillage.attribution`: the long commuters each
    venue is the nearest venue to (within the access time), and what it could save them.

    Parameters
    ----------
    trips : pandas.DataFrame
        Output of :func:`commute_trips`.
    telework_days_per_week : float
        Telework days at the venue per week and eligible commuter.
    index : pandas.Index, optional
        Venue ids to report (default: those nearest to someone); absent ones get zeros.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``venue_id``: ``eligible_commuters``, ``home_communes`` (number of home
        communes they come from), ``commute_min``, ``access_min``, ``saved_min_per_day``,
        ``saved_hours_per_year``, ``km_avoided_per_year``, ``co2_avoided_t_per_year``.

    Examples
    --------
    >>> trips = pd.DataFrame({"home_code": ["a", "b"], "venue_id": ["v", "v"],
    ...     "commuters": [2.0, 1.0], "eligible": [True, True], "commute_min": [40.0, 50.0],
    ...     "access_min": [5.0, 10.0], "saved_min_per_day": [140.0, 80.0],
    ...     "km_avoided_per_day": [100.0, 60.0]})
    >>> savings_by_venue(trips).loc["v", ["eligible_commuters", "home_communes"]].tolist()
    [3.0, 2.0]
    """
    check_commute_options(telework_days_per_week, 0.0, 1.0, 1.0)
    part = trips[trips["eligible"].to_numpy(dtype=bool)].copy()
    part["venue_id"] = part["venue_id"].astype(str)
    by = part.groupby("venue_id")
    out = pd.DataFrame(
        {
            "eligible_commuters": by["commuters"].sum(),
            "home_communes": by["home_code"].nunique().astype(float),
            "commute_min": _weighted(part, np.ones(len(part), bool), "commute_min", "venue_id"),
            "access_min": _weighted(part, np.ones(len(part), bool), "access_min", "venue_id"),
            "saved_min_per_day": by["saved_min_per_day"].sum(),
            "km_avoided_per_day": by["km_avoided_per_day"].sum(),
        }
    )
    if index is not None:
        out = out.reindex(pd.Index(index.astype(str)))
        out = out.fillna({c: 0.0 for c in out.columns if c not in ("commute_min", "access_min")})
    out.index.name = "venue_id"
    return _stamp(_yearly(out, telework_days_per_week), trips, telework_days_per_week)


def commute_savings(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    commutes: pd.DataFrame,
    *,
    model: TravelTimeModel,
    telework_days_per_week: float = 1.0,
    **options: Unpack[TripOptions],
) -> pd.DataFrame:
    """Return, per home commune, the car commute its residents could save at a nearby venue.

    See the module docstring for the method and :func:`commute_trips` for the parameters
    shared with it.

    Parameters
    ----------
    communes, venues, commutes, model
        As in :func:`commute_trips`.
    telework_days_per_week : float
        Days a week an eligible commuter works at the venue instead of the workplace.
    **options
        ``min_commute_min``, ``max_access_min``, ``max_commute_min``, ``work_communes``,
        ``origins``: as in :func:`commute_trips` (:class:`TripOptions`).

    Returns
    -------
    pandas.DataFrame
        One row per commune of ``communes``: see :func:`savings_by_commune`.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()  # two communes 30 km apart, a venue in each
    >>> flows = pd.DataFrame({"home_code": ["00001"], "work_code": ["00002"],
    ...     "mode": pd.array(["car"], dtype="string"), "workers": [10.0]})
    >>> model = CrowFlyModel(circuity=1.0, speed_kph=45.0, access_time_s=0.0)
    >>> out = commute_savings(communes, venues, flows, model=model)
    >>> out[["car_commuters", "eligible_commuters"]].values.tolist()
    [[10.0, 10.0], [0.0, 0.0]]
    """
    check_commute_options(telework_days_per_week, 0.0, 1.0, 1.0)  # before the slow work
    trips = commute_trips(communes, venues, commutes, model=model, **options)
    return savings_by_commune(
        trips, telework_days_per_week=telework_days_per_week, index=communes.index
    )


def commute_savings_by_venue(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    commutes: pd.DataFrame,
    *,
    model: TravelTimeModel,
    telework_days_per_week: float = 1.0,
    **options: Unpack[TripOptions],
) -> pd.DataFrame:
    """Return, per venue, the long commuters it is nearest to and the time it could save them.

    Parameters
    ----------
    communes, venues, commutes, model, telework_days_per_week, **options
        As in :func:`commute_savings`.

    Returns
    -------
    pandas.DataFrame
        One row per venue of ``venues``: see :func:`savings_by_venue`.

    Examples
    --------
    Commuters both ways between the two communes of the toy territory, each with a venue
    at home:

    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> flows = pd.DataFrame({"home_code": ["00001", "00002"], "work_code": ["00002", "00001"],
    ...     "mode": pd.array(["car", "car"], dtype="string"), "workers": [10.0, 4.0]})
    >>> out = commute_savings_by_venue(communes, venues, flows, model=CrowFlyModel())
    >>> out["eligible_commuters"].tolist()
    [10.0, 4.0]
    """
    check_commute_options(telework_days_per_week, 0.0, 1.0, 1.0)  # before the slow work
    trips = commute_trips(communes, venues, commutes, model=model, **options)
    ids = pd.Index(venues["venue_id"].astype(str)) if len(venues) else None
    return savings_by_venue(trips, telework_days_per_week=telework_days_per_week, index=ids)
