"""Catchments (who each venue serves) and isochrone polygons for display."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.analysis._checks import merged_credits
from maillage.analysis.coverage import venue_points
from maillage.errors import OptionError
from maillage.schema import check_columns, check_crs
from maillage.travel.protocol import NetworkReach

if TYPE_CHECKING:
    from collections.abc import Iterable

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["catchments", "isochrones"]

logger = logging.getLogger(__name__)

_MAX_SPEED_KPH = 130.0
"""Upper bound on road speed (French motorway limit), to size the isochrone lattice."""


def _areas(origins_cov: pd.DataFrame, communes: gpd.GeoDataFrame | None) -> gpd.GeoSeries:
    """Area of each origin: its commune when one venue serves it whole, else a Voronoi cell."""
    if communes is None:
        return gpd.GeoSeries(
            origins_cov.geometry.to_numpy(), index=origins_cov.index, crs=origins_cov.crs
        )
    polys = communes.geometry.copy()
    polys.index = polys.index.astype(str)
    venues_per = origins_cov.groupby("code_insee")["nearest_venue"].nunique()
    split = set(venues_per.index[venues_per > 1])
    whole = ~origins_cov["code_insee"].isin(split)
    areas = pd.Series(None, index=origins_cov.index, dtype=object)
    areas[whole] = polys.reindex(origins_cov.loc[whole, "code_insee"]).to_numpy()
    split_origins = origins_cov[~whole]
    for code, members in split_origins.groupby("code_insee", sort=False):
        poly = polys.get(code)
        if poly is None:
            continue
        cells = shapely.voronoi_polygons(shapely.multipoints(members.geometry.to_numpy()))
        parts = shapely.get_parts(cells)
        tree = shapely.STRtree(parts)
        idx = tree.query(members.geometry.to_numpy(), predicate="within")
        own = np.empty(len(members), dtype=object)
        own[idx[0]] = shapely.intersection(parts[idx[1]], poly)
        areas[members.index] = own
    return gpd.GeoSeries(areas.to_numpy(), index=origins_cov.index, crs=origins_cov.crs)


def catchments(
    origins_cov: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Each venue's service area: the residents for whom it is the nearest venue.

    Parameters
    ----------
    origins_cov : geopandas.GeoDataFrame
        Origin-level coverage (``coverage(..., detail=True)[1]``).
    venues : geopandas.GeoDataFrame
        The venues (every venue gets a row, served or not).
    communes : geopandas.GeoDataFrame, optional
        Commune polygons: the area is then the union of the communes (or, for a commune
        split between venues, the Voronoi parts of its origins) a venue serves; without
        it, the concave hull of the origins served.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``venue_id``: ``population_served``, ``population_within_threshold``,
        ``communes_served``, ``geometry`` (empty when it serves nobody).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> o = gpd.GeoDataFrame({"code_insee": ["1", "1", "2"], "population": [5.0, 5.0, 7.0],
    ...     "nearest_venue": ["a", "a", "b"], "covered": [True, False, True]},
    ...     geometry=[Point(0, 0), Point(1, 0), Point(9, 0)], crs=2154)
    >>> v = gpd.GeoDataFrame({"venue_id": ["a", "b", "c"]},
    ...     geometry=[Point(0, 0), Point(9, 0), Point(5, 5)], crs=2154)
    >>> catchments(o, v)[["population_served", "communes_served"]].values.tolist()
    [[10.0, 1.0], [7.0, 1.0], [0.0, 0.0]]
    """
    check_columns(origins_cov, ["code_insee", "population", "nearest_venue"], name="origins_cov")
    check_columns(venues, ["venue_id"], name="venues")
    ids = pd.Index(venues["venue_id"].astype(str), name="venue_id")
    served = origins_cov[origins_cov["nearest_venue"].notna()].copy()
    served["nearest_venue"] = served["nearest_venue"].astype(str)
    covered = served["covered"] if "covered" in served else pd.Series(False, index=served.index)
    served["_within"] = np.where(covered.fillna(False).astype(bool), served["population"], 0.0)
    groups = served.groupby("nearest_venue")
    stats = pd.DataFrame(
        {
            "population_served": groups["population"].sum(),
            "population_within_threshold": groups["_within"].sum(),
            "communes_served": groups["code_insee"].nunique(),
        }
    ).reindex(ids)
    stats = stats.fillna(0.0)
    areas = _areas(served, communes)
    by_venue = areas.groupby(served["nearest_venue"].to_numpy())
    geoms = {}
    for venue, part in by_venue:
        geom = part.to_numpy()
        geom = geom[~shapely.is_missing(geom)]
        if communes is None:
            geoms[venue] = shapely.concave_hull(shapely.multipoints(geom), ratio=0.3)
        else:
            geoms[venue] = shapely.union_all(shapely.make_valid(geom))
    geometry = [geoms.get(v, shapely.Polygon()) for v in ids]
    out = gpd.GeoDataFrame(stats, geometry=geometry, crs=origins_cov.crs)
    out.attrs.update(origins_cov.attrs)
    out.attrs["data_credits"] = merged_credits(origins_cov, venues, communes)
    return out


def _lattice_around(points: np.ndarray, radius_m: float, spacing_m: float) -> np.ndarray:
    """Regular lattice covering the bounding box of ``points`` grown by ``radius_m``."""
    lo = points.min(axis=0) - radius_m
    hi = points.max(axis=0) + radius_m
    xs = np.arange(lo[0], hi[0] + spacing_m, spacing_m)
    ys = np.arange(lo[1], hi[1] + spacing_m, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    return np.c_[gx.ravel(), gy.ravel()]


def _nodes_reached(
    model: NetworkReach, point: shapely.Point, limit_min: float, spacing_m: float
) -> np.ndarray:
    """Road nodes within ``limit_min`` of ``point``, thinned to a grid of ``spacing_m / 4``.

    A node moves at most ``spacing_m / (4 * sqrt(2))`` to its grid point, well inside the
    half-spacing the polygon is grown by.
    """
    nodes = np.asarray(model.reached_nodes(point, limit_min * 60.0), dtype=float).reshape(-1, 2)
    step = spacing_m / 4.0
    return np.unique(np.round(nodes / step) * step, axis=0)


def isochrones(
    venues: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    minutes: Iterable[float] = (10, 20, 30),
    spacing_m: float = 1000.0,
    ratio: float = 0.2,
) -> gpd.GeoDataFrame:
    """Isochrone polygons per venue: concave hull of the points reached in time.

    A regular lattice (``spacing_m``) is laid around the venues out to the distance a car
    could cover at 130 km/h; the model gives each point's time to each venue. With a road
    network (a :class:`~maillage.travel.protocol.NetworkReach` model such as
    :class:`~maillage.RoadNetwork`) the road nodes reached within ``m`` minutes are added
    to the lattice points reached, rounded to a quarter of ``spacing_m``. The polygon for
    ``m`` minutes is the concave hull of these points grown by half the spacing, so it
    contains every road node reached (on Saint-Barthélemy at 4 minutes and the default
    1 km spacing the lattice alone left a quarter of them outside, up to 1.5 km away).
    For display only: coverage figures come from :func:`maillage.coverage`.

    Parameters
    ----------
    venues : geopandas.GeoDataFrame
        Canonical venues frame.
    model : TravelTimeModel
        Travel-time model.
    minutes : iterable of float
        Time limits.
    spacing_m : float
        Lattice spacing; smaller is finer and slower. The polygons reach up to half of it
        beyond the outermost point reached.
    ratio : float
        Concave hull ratio (0 = most concave, 1 = convex hull).

    Returns
    -------
    geopandas.GeoDataFrame
        ``venue_id``, ``minutes``, ``geometry`` (empty when no lattice point is reached).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from maillage import CrowFlyModel
    >>> v = gpd.GeoDataFrame({"venue_id": ["a"]}, geometry=[Point(0, 0)], crs=2154)
    >>> iso = isochrones(v, model=CrowFlyModel(circuity=1, speed_kph=60, access_time_s=0),
    ...                  minutes=(5,), spacing_m=250)
    >>> round(float(iso.geometry.area.iloc[0]) / (3.14159 * 5000**2), 1)  # close to the 5 km disc
    1.0
    """
    check_crs(venues, name="venues")
    limits = sorted({float(m) for m in minutes})
    if not limits or min(limits) <= 0:
        raise OptionError(f"minutes must be positive numbers (got {list(minutes)!r})")
    if spacing_m <= 0:
        raise OptionError(f"spacing_m must be > 0 (got {spacing_m!r})")
    points = venue_points(venues, model=model)
    xy = shapely.get_coordinates(points.to_numpy())
    radius = max(limits) * 60.0 * _MAX_SPEED_KPH / 3.6
    lattice = _lattice_around(xy, radius, spacing_m)
    samples = gpd.GeoSeries(shapely.points(lattice), crs=points.crs)
    od = model.od_table(samples, points, max_time_s=max(limits) * 60.0)
    rows = []
    by_venue = dict(tuple(od.groupby("dest_id", sort=False)))
    for venue, point in points.items():
        reached = by_venue.get(venue, od.iloc[:0])
        for limit in limits:
            inside = reached.loc[reached["travel_time_s"] <= limit * 60.0, "origin_id"]
            pts = lattice[inside.to_numpy(dtype=np.int64)]
            if isinstance(model, NetworkReach):
                pts = np.vstack([pts, _nodes_reached(model, point, limit, spacing_m)])
            if len(pts) >= 3:
                geom = shapely.concave_hull(shapely.multipoints(pts), ratio=ratio)
                geom = geom.buffer(spacing_m / 2.0, join_style="mitre")
            elif len(pts):
                geom = shapely.union_all(
                    shapely.buffer(shapely.points(pts), spacing_m / 2.0, cap_style="square")
                )
            else:
                geom = shapely.Polygon()
            rows.append((venue, limit, geom))
    out = gpd.GeoDataFrame(
        {"venue_id": [r[0] for r in rows], "minutes": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=points.crs,
    )
    out.attrs["travel_time_model"] = model.describe()
    out.attrs["data_credits"] = merged_credits(venues, model=model)
    return out
