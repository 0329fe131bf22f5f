"""The commute a venue can save: car trips to work replaced by telework days at a tiers-lieu.

A worker who drives to a job in another commune, far from home, may work some days in a
tiers-lieu near home instead. From the commutes table (:func:`maillage.load_commutes`),
per *home origin* (population-weighted points of the home commune,
:func:`maillage.origins_from_communes`) and work commune:

* **car commuters**: workers who drive (mode ``car``; flows of unknown mode are counted
  as car, an upper bound stated in a warning) to **another** commune;
* **commute time**: the travel-time model's time from the home origin to the work
  commune's centre (its representative point, where the bourg and most jobs are); commuters
  are spread over the home origins in proportion to their population;
* **long commuters**: commute longer than ``min_commute_min``. A commute longer than
  ``max_commute_min`` is not taken for a daily one (weekly commuters, second homes) and
  left out of the savings (``beyond``);
* **eligible commuters**: long commuters with a venue within ``max_access_min``;
* **time saved** per eligible commuter and telework day: ``2 × (commute − access)`` (both
  ways, never negative), per year ``× telework_days_per_week ×`` :data:`WORKING_WEEKS_PER_YEAR`;
* **kilometres avoided**: the same difference of road distances, estimated as the
  straight-line distance × :data:`ROAD_CIRCUITY`; **CO₂** at :data:`CAR_KG_CO2E_PER_KM`.

:func:`commute_trips` returns the detail (one row per home origin × work commune);
:mod:`maillage.analysis.commute_totals` sums it per home commune and per nearest venue
(:func:`maillage.commute_savings`, :func:`maillage.commute_savings_by_venue`).
"""

from __future__ import annotations

import logging
import warnings
from itertools import pairwise
from typing import TYPE_CHECKING, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.analysis._checks import check_model
from maillage.analysis.coverage import venue_points
from maillage.analysis.origins import origins_from_communes
from maillage.errors import MaillageWarning, OptionError
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "CAR_EMISSION_SOURCE",
    "CAR_KG_CO2E_PER_KM",
    "ROAD_CIRCUITY",
    "WORKING_WEEKS_PER_YEAR",
    "TripOptions",
    "check_commute_options",
    "commute_trips",
]

logger = logging.getLogger(__name__)

CAR_KG_CO2E_PER_KM = 0.2156
"""Emissions of a car per kilometre driven, kg CO₂e (one person per car)."""
CAR_EMISSION_SOURCE = (
    "ADEME, Base Empreinte (formerly Base Carbone), element 'Voiture - motorisation moyenne "
    "- 2018' (France continentale): 0.2156 kgCO2e per vehicle-km, total of the element "
    "(combustion, upstream fuel production, vehicle manufacturing); the average of the petrol "
    "(0.2234) and diesel (0.2121) cars of the 2018 fleet"
)
"""Where :data:`CAR_KG_CO2E_PER_KM` comes from."""
ROAD_CIRCUITY = 1.3
"""Road distance ÷ straight-line distance, the middle of the 1.2–1.4 range of Ballou,
Rahardja & Sakai (2002), Transportation Research Part A 36(9):843–848 (as
:class:`maillage.CrowFlyModel`)."""
WORKING_WEEKS_PER_YEAR = 45.0
"""Weeks worked in a year: 52 weeks less 5 weeks of paid leave (Code du travail,
art. L3141-3) and about 2 weeks of public holidays."""


class TripOptions(TypedDict, total=False):
    """The options of :func:`commute_trips` that the functions built on it pass on unchanged.

    Their meaning and defaults are those of :func:`commute_trips`; a function taking
    ``**options: Unpack[TripOptions]`` accepts exactly these keywords (checked by mypy).
    """

    work_communes: gpd.GeoDataFrame | None
    origins: gpd.GeoDataFrame | None
    min_commute_min: float
    max_access_min: float
    max_commute_min: float


_TRIP_COLUMNS = (
    "origin_id",
    "home_code",
    "work_code",
    "pcs",
    "commuters",
    "status",
    "commute_min",
    "commute_km",
    "venue_id",
    "access_min",
    "access_km",
    "eligible",
    "saved_min_per_day",
    "km_avoided_per_day",
    "geometry",
)
_STATUSES = ("long", "short", "beyond", "unplaced")
_PAIR_BUDGET = 2_000_000


def check_commute_options(
    telework_days_per_week: float,
    min_commute_min: float,
    max_access_min: float,
    max_commute_min: float,
) -> None:
    """Raise :class:`~maillage.errors.OptionError` naming every bad commute parameter.

    Examples
    --------
    >>> check_commute_options(1, 45, 15, 30)
    Traceback (most recent call last):
    ...
    maillage.errors.OptionError: max_commute_min (30) must be > min_commute_min (45)
    """
    problems = []
    if not 0 < telework_days_per_week <= 5:
        problems.append(f"telework_days_per_week must be in (0, 5], got {telework_days_per_week!r}")
    if not min_commute_min >= 0:
        problems.append(f"min_commute_min must be >= 0, got {min_commute_min!r}")
    if not max_access_min > 0:
        problems.append(f"max_access_min must be > 0, got {max_access_min!r}")
    if not max_commute_min > min_commute_min:
        problems.append(
            f"max_commute_min ({max_commute_min!r}) must be > min_commute_min ({min_commute_min!r})"
        )
    if problems:
        raise OptionError("; ".join(problems))


def _car_flows(commutes: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Flows by car (or of unknown mode) to another commune; and the unknown-mode workers.

    With a ``pcs`` column (occupational group), one flow per group (NA kept).
    """
    check_columns(commutes, ["home_code", "work_code", "mode", "workers"], name="commutes")
    mode = commutes["mode"].astype("string")
    other = (commutes["home_code"] != commutes["work_code"]).to_numpy()
    unknown = mode.isna().to_numpy() & other
    car = (mode == "car").fillna(False).to_numpy() & other
    keys = ["home_code", "work_code", *(["pcs"] if "pcs" in commutes.columns else [])]
    flows = commutes.loc[car | unknown, [*keys, "workers"]]
    flows = flows.groupby(keys, sort=True, dropna=False)["workers"].sum().reset_index()
    if "pcs" not in flows.columns:
        flows["pcs"] = pd.array([pd.NA] * len(flows), dtype="string")
    return flows[flows["workers"] > 0], float(commutes.loc[unknown, "workers"].sum())


def _home_origins(communes: gpd.GeoDataFrame, origins: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Origins with ``share``: the part of its commune's residents each one holds."""
    if origins is None:
        origins = origins_from_communes(communes[communes.geometry.notna()])
    else:
        check_columns(origins, ["code_insee", "population", "geometry"], name="origins")
        check_crs(origins, name="origins")
    frame = pd.DataFrame(
        {
            "code_insee": origins["code_insee"].astype(str).to_numpy(),
            "population": origins["population"].to_numpy(dtype=float),
        },
        index=pd.Index(origins.index.astype(str), name="origin_id"),
    )
    total = frame.groupby("code_insee")["population"].transform("sum")
    count = frame.groupby("code_insee")["population"].transform("size")
    frame["share"] = np.where(total > 0, frame["population"] / total.where(total > 0, 1), 1 / count)
    frame["geometry"] = origins.geometry.to_numpy()
    return frame


def _work_points(work_communes: gpd.GeoDataFrame, codes: pd.Index) -> gpd.GeoSeries:
    """Return the representative point of each work commune that has a geometry."""
    known = work_communes[work_communes.index.isin(codes) & work_communes.geometry.notna()]
    points = shapely.point_on_surface(known.geometry.to_numpy())
    return gpd.GeoSeries(
        points, index=pd.Index(known.index.astype(str), name="work_code"), crs=work_communes.crs
    )


def _pairs(
    flows: pd.DataFrame, origins: pd.DataFrame, points: gpd.GeoSeries, usable: np.ndarray
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Expand the flows over the usable home origins: integer arrays, one entry per pair.

    A flow is lost when its home has no usable origin or its work commune no point.
    """
    kept = origins[usable]
    homes = pd.Index(pd.unique(kept["code_insee"].to_numpy(dtype=object)), dtype=object)
    code = homes.get_indexer(kept["code_insee"].to_numpy(dtype=object))
    by_home = np.argsort(code, kind="stable")
    count = np.bincount(code, minlength=len(homes))
    start = np.cumsum(count) - count
    fh = homes.get_indexer(flows["home_code"].to_numpy(dtype=object))
    fw = pd.Index(points.index, dtype=object).get_indexer(flows["work_code"].to_numpy(dtype=object))
    ok = (fh >= 0) & (fw >= 0)
    flow = np.flatnonzero(ok)
    n = count[fh[flow]]
    pair_flow = np.repeat(flow, n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    pair_origin = np.flatnonzero(usable)[by_home[np.repeat(start[fh[flow]], n) + offset]]
    pairs = {"flow": pair_flow, "origin": pair_origin, "work": np.repeat(fw[flow], n)}
    return pairs, flows[~ok]


def _chunks(origin: np.ndarray, work: np.ndarray, n_work: int) -> list[np.ndarray]:
    """Split the pairs (sorted by origin) in groups whose origins × work points stay small.

    A group grows while its full table (origins × work points) stays under the pair budget
    and at most three times the pairs it needs, so little is computed for nothing.
    """
    bounds = np.flatnonzero(np.r_[True, origin[1:] != origin[:-1], True])
    groups: list[np.ndarray] = []
    seen = np.zeros(n_work, dtype=bool)
    first = needed = n_origins = n_seen = 0
    for lo, hi in pairwise(bounds.tolist()):
        new = np.unique(work[lo:hi])
        union = n_seen + int((~seen[new]).sum())
        table = (n_origins + 1) * union
        if n_origins and (table > max(3 * (needed + hi - lo), 20_000) or table > _PAIR_BUDGET):
            groups.append(np.arange(first, lo))
            seen[:] = False
            first, needed, n_origins, union = lo, 0, 0, len(new)
        seen[new] = True
        n_seen, needed, n_origins = union, needed + hi - lo, n_origins + 1
    if first < len(origin):
        groups.append(np.arange(first, len(origin)))
    return groups


def _commute_times(
    model: TravelTimeModel,
    geometry: gpd.GeoSeries,
    points: gpd.GeoSeries,
    pairs: dict[str, np.ndarray],
    max_s: float,
) -> np.ndarray:
    """One-way time (s) of each pair (home origin, work commune); NaN beyond ``max_s``."""
    origin, work = pairs["origin"], pairs["work"]
    order = np.lexsort((work, origin))
    times = np.full(len(origin), np.nan)
    # positions as labels: the model's table comes back in integers, no string lookups
    origins_at = gpd.GeoSeries(geometry.to_numpy(), crs=geometry.crs)
    points_at = gpd.GeoSeries(points.to_numpy(), crs=points.crs)
    for group in _chunks(origin[order], work[order], len(points)):
        rows = order[group]
        o_set, w_set = np.unique(origin[rows]), np.unique(work[rows])
        od = model.od_table(origins_at.iloc[o_set], points_at.iloc[w_set], max_time_s=max_s)
        if not len(od):
            continue
        key = od["origin_id"].to_numpy(dtype=np.int64) * len(points) + od["dest_id"].to_numpy(
            dtype=np.int64
        )
        sorter = np.argsort(key)
        want = origin[rows].astype(np.int64) * len(points) + work[rows]
        at = np.clip(np.searchsorted(key, want, sorter=sorter), 0, len(key) - 1)
        hit = key[sorter[at]] == want
        times[rows[hit]] = od["travel_time_s"].to_numpy(dtype=float)[sorter[at[hit]]]
    return times


def _distance_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.hypot(*(a - b).T) / 1000.0 * ROAD_CIRCUITY


def _access(
    model: TravelTimeModel, geometry: gpd.GeoSeries, venues: gpd.GeoSeries, max_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest venue of each origin: ids (object, None), time (s, inf) and road km (NaN)."""
    near = model.nearest(geometry, venues, max_time_s=max_s)
    ids = np.array(near["dest_id"].to_numpy(dtype=object), dtype=object)
    found = pd.notna(ids)
    access_km = np.full(len(near), np.nan)
    if found.any():
        dest = shapely.get_coordinates(venues.loc[ids[found]].to_numpy())
        origin = shapely.get_coordinates(geometry.to_numpy()[found])
        access_km[found] = _distance_km(origin, dest)
    ids[~found] = None
    return ids, near["travel_time_s"].to_numpy(dtype=float), access_km


def _status(commute_s: np.ndarray, min_s: float) -> np.ndarray:
    status = np.where(np.isnan(commute_s), "beyond", np.where(commute_s > min_s, "long", "short"))
    return status.astype(object)


def _trip_rows(
    flows: pd.DataFrame,
    origins: pd.DataFrame,
    points: gpd.GeoSeries,
    pairs: dict[str, np.ndarray],
    measures: dict[str, np.ndarray],
    *,
    min_s: float,
    max_access_s: float,
) -> pd.DataFrame:
    """Assemble the placed trips: times, distances, status, eligibility and savings."""
    f, o, w = pairs["flow"], pairs["origin"], pairs["work"]
    commute_s, access_s = measures["commute_s"], measures["access_s"][o]
    origin_xy = shapely.get_coordinates(origins["geometry"].to_numpy())
    commute_km = _distance_km(origin_xy[o], shapely.get_coordinates(points.to_numpy())[w])
    access_km = measures["access_km"][o]
    status = _status(commute_s, min_s)
    eligible = (status == "long") & (access_s <= max_access_s)
    commuters = flows["workers"].to_numpy(dtype=float)[f] * origins["share"].to_numpy()[o]
    gain_s = np.where(eligible, 2.0 * np.maximum(commute_s - access_s, 0.0), 0.0)
    gain_km = np.where(eligible, 2.0 * np.maximum(commute_km - np.nan_to_num(access_km), 0.0), 0.0)
    venue = measures["venue"][o]
    return pd.DataFrame(
        {
            "origin_id": origins.index.to_numpy(dtype=object)[o],
            "home_code": flows["home_code"].to_numpy(dtype=object)[f],
            "work_code": flows["work_code"].to_numpy(dtype=object)[f],
            "pcs": pd.array(flows["pcs"].to_numpy(dtype=object)[f], dtype="string"),
            "commuters": commuters,
            "status": status,
            "commute_min": commute_s / 60.0,
            "commute_km": commute_km,
            "venue_id": pd.array(venue, dtype="string"),
            "access_min": access_s / 60.0,
            "access_km": access_km,
            "eligible": eligible,
            "saved_min_per_day": commuters * gain_s / 60.0,
            "km_avoided_per_day": commuters * gain_km,
            "geometry": origins["geometry"].to_numpy()[o],
        }
    )


def _unplaced_rows(lost: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "home_code": lost["home_code"].to_numpy(),
            "work_code": lost["work_code"].to_numpy(),
            "pcs": pd.array(lost["pcs"].to_numpy(dtype=object), dtype="string"),
            "commuters": lost["workers"].to_numpy(dtype=float),
        }
    )
    rows["status"] = "unplaced"
    rows["eligible"] = False
    rows["saved_min_per_day"] = 0.0
    rows["km_avoided_per_day"] = 0.0
    return rows


def commute_trips(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    commutes: pd.DataFrame,
    *,
    model: TravelTimeModel,
    work_communes: gpd.GeoDataFrame | None = None,
    origins: gpd.GeoDataFrame | None = None,
    min_commute_min: float = 30.0,
    max_access_min: float = 15.0,
    max_commute_min: float = 120.0,
) -> gpd.GeoDataFrame:
    """Return the car commutes of the residents, one row per home origin × work commune.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Home communes: indexed by ``code_insee``, with ``population`` and ``geometry``,
        in the working CRS. Flows from other communes are left out (``attrs``).
    venues : geopandas.GeoDataFrame
        Canonical venues (``venue_id``, ``geometry``); may be empty.
    commutes : pandas.DataFrame
        Canonical commutes (:func:`maillage.load_commutes`).
    model : TravelTimeModel
        Travel-time model for the commute and the access to the venue.
    work_communes : geopandas.GeoDataFrame, optional
        Where the work communes are (default ``communes``); flows to a work commune it
        lacks, or that has no geometry, are ``unplaced``.
    origins : geopandas.GeoDataFrame, optional
        Population-weighted origins (``code_insee``, ``population``, ``geometry``); default
        :func:`maillage.origins_from_communes` of the home communes.
    min_commute_min : float
        One-way commute above which a commuter is a long commuter.
    max_access_min : float
        Farthest a venue may be (one way) to be used instead of the workplace.
    max_commute_min : float
        Longest one-way commute taken for a daily one; longer ones are ``beyond``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``origin_id``, ``home_code``, ``work_code``, ``pcs`` (occupational group when
        ``commutes`` has one, NA otherwise), ``commuters``, ``status`` (``long``,
        ``short``, ``beyond``, ``unplaced``), ``commute_min``, ``commute_km``,
        ``venue_id`` (nearest venue within ``max_access_min``, NA otherwise),
        ``access_min`` (``inf`` without one), ``access_km``, ``eligible``,
        ``saved_min_per_day`` and ``km_avoided_per_day`` (all the row's commuters, one
        telework day, both ways), ``geometry`` (the home origin; None when unplaced).
        ``attrs`` holds the parameters, the model and the workers left out.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> from maillage import CrowFlyModel
    >>> communes = gpd.GeoDataFrame({"population": [100, 100]},
    ...     geometry=[box(0, 0, 1000, 1000), box(60_000, 0, 61_000, 1000)],
    ...     index=pd.Index(["00001", "00002"], name="code_insee"), crs=2154)
    >>> venues = gpd.GeoDataFrame({"venue_id": ["v"]}, geometry=[Point(2000, 500)], crs=2154)
    >>> flows = pd.DataFrame({"home_code": ["00001"], "work_code": ["00002"],
    ...     "mode": pd.array(["car"], dtype="string"), "workers": [10.0]})
    >>> model = CrowFlyModel(circuity=1.0, speed_kph=60.0, access_time_s=0.0)
    >>> trips = commute_trips(communes, venues, flows, model=model, origins=
    ...     gpd.GeoDataFrame({"code_insee": ["00001"], "population": [100.0]},
    ...     geometry=[Point(500, 500)], index=pd.Index(["o"], name="origin_id"), crs=2154))
    >>> trips[["status", "commute_min", "access_min", "saved_min_per_day"]].round(6).values.tolist()
    [['long', 60.0, 1.5, 1170.0]]
    """
    model = check_model(model)
    check_commute_options(1.0, min_commute_min, max_access_min, max_commute_min)
    check_columns(communes, ["population", "geometry"], name="communes")
    check_crs(communes, name="communes")
    work_communes = communes if work_communes is None else work_communes
    check_crs(work_communes, name="work_communes")
    flows, unknown = _car_flows(commutes)
    codes = pd.Index(communes.index.astype(str).to_numpy(dtype=object), dtype=object)
    inside = codes.get_indexer(flows["home_code"].to_numpy(dtype=object)) >= 0
    wanted = pd.Index(pd.unique(flows["home_code"].to_numpy(dtype=object)[inside]), dtype=object)
    homes = communes[wanted.get_indexer(codes) >= 0]
    if origins is not None:
        at = wanted.get_indexer(origins["code_insee"].astype(str).to_numpy(dtype=object))
        origins = origins[at >= 0]
    home_origins = _home_origins(homes, origins)
    geometry = gpd.GeoSeries(
        home_origins["geometry"].to_numpy(), index=home_origins.index, crs=communes.crs
    )
    usable = np.ones(len(geometry), dtype=bool)
    usable[model.unplaced(gpd.GeoSeries(geometry.to_numpy(), crs=communes.crs))] = False
    points = _work_points(work_communes, pd.Index(flows["work_code"].unique()))
    pairs, lost = _pairs(flows[inside], home_origins, points, usable)
    placed = flows[inside]
    venue, access_s, access_km = _access(
        model, geometry, venue_points(venues, model=model, allow_empty=True), max_access_min * 60.0
    )
    measures = {
        "commute_s": _commute_times(model, geometry, points, pairs, max_commute_min * 60.0),
        "venue": venue,
        "access_s": access_s,
        "access_km": access_km,
    }
    trips = _trip_rows(
        placed,
        home_origins,
        points,
        pairs,
        measures,
        min_s=min_commute_min * 60.0,
        max_access_s=max_access_min * 60.0,
    )
    trips = pd.concat([trips, _unplaced_rows(lost)], ignore_index=True)[list(_TRIP_COLUMNS)]
    out = gpd.GeoDataFrame(trips, geometry="geometry", crs=communes.crs)
    out.attrs.update(
        min_commute_min=float(min_commute_min),
        max_access_min=float(max_access_min),
        max_commute_min=float(max_commute_min),
        travel_time_model=model.describe(),
        workers_unknown_mode=unknown,
        workers_home_outside=float(flows.loc[~inside, "workers"].sum()),
        workers_by_home={
            str(k): float(v) for k, v in commutes.groupby("home_code")["workers"].sum().items()
        },
        car_workers_by_home={
            str(k): float(v) for k, v in flows.groupby("home_code")["workers"].sum().items()
        },
    )
    if unknown > 0:
        warnings.warn(
            f"commutes: {unknown:,.0f} workers going to another commune have no known mode "
            "and are counted as car commuters (an upper bound on the savings)",
            MaillageWarning,
            stacklevel=2,
        )
    return out
