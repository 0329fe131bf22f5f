"""The travel-time model interface shared by every model.

Coverage code only talks to a :class:`TravelTimeModel`; it does not care whether the times
come from a road network (:class:`maillage.travel.graph.RoadNetwork`) or from the straight-line
model (:class:`CrowFlyModel`). Every model describes itself (:meth:`describe`) so that each
output records which model and parameters produced it.

Conventions
-----------
* Points are ``geopandas.GeoSeries`` of points in the working CRS (EPSG:2154, or an overseas
  région's CRS: :data:`maillage.schema.WORKING_CRS`), origins and destinations in the same
  one; their index labels are the ids used in the outputs (``origin_id``, ``dest_id``).
* Times are seconds, from origin (home) to destination (venue).
* ``nearest`` returns, for each origin, ``travel_time_s`` (``inf`` when no destination is
  reachable within ``max_time_s``; ``NaN`` when the origin cannot be placed on the model,
  e.g. farther than the snap distance from any road) and ``dest_id``.
* ``od_table`` returns the long table ``origin_id, dest_id, travel_time_s`` of every pair
  reachable within ``max_time_s``.
* ``nearest_k`` (:class:`KNearestModel`, every engine of maillage) returns, per origin,
  ``dest_id_j, travel_time_s_j`` for ranks ``j = 1..k`` (``inf`` and NA past the
  destinations reachable, NaN and NA for an unplaced origin).
* ``unplaced`` returns the ids of points the model cannot place (never given a false zero).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import shapely

from maillage.errors import InputDataError
from maillage.schema import check_crs

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["KNearestModel", "NetworkReach", "TravelTimeModel", "check_same_crs", "placed_xy"]


@runtime_checkable
class TravelTimeModel(Protocol):
    """What coverage needs from a travel-time model.

    Examples
    --------
    >>> from maillage import CrowFlyModel, TravelTimeModel
    >>> isinstance(CrowFlyModel(), TravelTimeModel)
    True
    """

    def describe(self) -> dict[str, object]:
        """Return what produced the times, JSON-serialisable.

        Every engine gives ``model`` (its class name), ``engine`` (``"straight_line"``,
        ``"road_graph"`` or ``"osrm"``), ``label_fr`` (its name in plain French, for
        reports), ``sources`` (list of str) and its own parameters.
        """
        ...

    def unplaced(self, points: gpd.GeoSeries) -> pd.Index:
        """Return the index labels of ``points`` the model cannot place."""
        ...

    def nearest(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        *,
        max_time_s: float | None = None,
    ) -> pd.DataFrame:
        """Return ``travel_time_s`` and ``dest_id`` of the nearest destination, per origin."""
        ...

    def od_table(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        *,
        max_time_s: float,
        served_by: gpd.GeoSeries | None = None,
    ) -> pd.DataFrame:
        """Return ``origin_id, dest_id, travel_time_s`` for every pair within ``max_time_s``.

        With ``served_by`` (existing venues), the origins that one of them reaches within
        ``max_time_s`` are left out; an engine may use them to prune its searches (siting
        asks only for what is still uncovered). The pairs kept are those of the full table.
        """
        ...


@runtime_checkable
class KNearestModel(Protocol):
    """A model that finds the k nearest distinct destinations of every origin at once.

    Every engine of maillage is one (:meth:`maillage.travel.engine.Engine.nearest_k`);
    :func:`maillage.analysis.resilience.nearest_k` asks a model that is not for its
    ``od_table`` instead. Kept apart from :class:`TravelTimeModel` so that a model written
    for it before stays one.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> isinstance(CrowFlyModel(), KNearestModel)
    True
    """

    def nearest_k(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        k: int = 2,
        *,
        max_time_s: float | None = None,
    ) -> pd.DataFrame:
        """Return ``dest_id_j, travel_time_s_j`` of the ``k`` nearest destinations, per origin."""
        ...


def check_same_crs(origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> None:
    """Raise unless origins and destinations share their CRS (distances would be nonsense).

    Examples
    --------
    >>> import geopandas as gpd
    >>> check_same_crs(gpd.GeoSeries([], crs=2154), gpd.GeoSeries([], crs=2975))
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: origins are in EPSG:2154 and destinations in EPSG:2975; bring them to one working CRS with .to_crs(...)
    """
    both = origins.crs is not None and destinations.crs is not None
    if both and not origins.crs.equals(destinations.crs):
        msg = (
            f"origins are in {origins.crs.to_string()} and destinations in "
            f"{destinations.crs.to_string()}; bring them to one working CRS with .to_crs(...)"
        )
        raise InputDataError(msg)


@runtime_checkable
class ErrorBounded(Protocol):
    """A model that knows its measured error and can give a faster and a slower variant.

    Examples
    --------
    >>> from maillage import CalibratedModel, CrowFlyModel
    >>> isinstance(CalibratedModel.fitted(), ErrorBounded), isinstance(CrowFlyModel(), ErrorBounded)
    (True, False)
    """

    def bounds(self, level: float = 0.8) -> tuple[TravelTimeModel, TravelTimeModel]:
        """Return ``(low, high)``: faster and slower variants, ``level`` of real times between."""
        ...


@runtime_checkable
class NetworkReach(Protocol):
    """A model over a road graph that lists the road nodes reached within a time.

    :func:`maillage.analysis.catchments.isochrones` draws its polygons around these nodes,
    so that a polygon contains every node reached (a lattice alone misses the nodes between
    its points).

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> isinstance(CrowFlyModel(), NetworkReach)
    False
    """

    def reached_nodes(self, destination: shapely.Point, max_time_s: float) -> np.ndarray:
        """Return the (k, 2) coordinates of the nodes within ``max_time_s`` of ``destination``."""
        ...


def placed_xy(points: gpd.GeoSeries, *, name: str, crs: str | None = None) -> np.ndarray:
    """Return the (n, 2) coordinates of ``points``; NaN rows for missing or empty points.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points in a working CRS (other shapes stand for their centroid).
    name : str
        Argument name, for error messages.
    crs : str, optional
        The one CRS an engine accepts (e.g. ``"EPSG:2154"``); by default any working CRS.

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        Coordinates, NaN where a point is missing or empty.

    Raises
    ------
    InputDataError
        When ``points`` is not in a working CRS (or not in ``crs``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> placed_xy(gpd.GeoSeries([Point(1, 2), None], crs=2154), name="origins").tolist()
    [[1.0, 2.0], [nan, nan]]
    """
    check_crs(points, name=name, crs=crs)
    geoms = points.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = np.full((len(points), 2), np.nan)
    if ok.any():
        xy[ok] = shapely.get_coordinates(shapely.centroid(geoms[ok]))
    return xy
