"""What every engine of maillage shares: :class:`Engine` and the frames it returns.

:meth:`Engine.nearest` and :meth:`Engine.od_table` are the
:class:`~maillage.travel.protocol.TravelTimeModel` methods, written and documented once.
An engine gives positions and times through two hooks (:meth:`Engine._nearest_positions`,
:meth:`Engine._pair_positions`); the frames are built here, so that every engine returns
the same columns and index (``dest_id`` holds the venue labels: inferred by pandas, NaN where
none, for the straight-line engines; as given, NA where none, for the road engines, as in
0.1). The straight-line engines derive from it through
:class:`~maillage.travel.straight.StraightLineEngine`, the road engines through
:class:`~maillage.travel.network.NetworkEngine`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar, NamedTuple

import numpy as np
import pandas as pd

from maillage.errors import InputDataError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "Engine", "PairQuery", "check_k", "check_positive", "nearest_frame", "nearest_k_frame",
    "pairs_frame",
]  # fmt: skip


class PairQuery(NamedTuple):
    """An ``od_table`` request, as :meth:`Engine.od_table` passes it to an engine.

    Examples
    --------
    >>> import geopandas as gpd
    >>> none = gpd.GeoSeries([], crs=2154)
    >>> PairQuery(none, none, 600.0).served_by is None
    True
    """

    origins: gpd.GeoSeries
    """Homes, in the working CRS."""
    destinations: gpd.GeoSeries
    """Venues, in the same CRS."""
    max_time_s: float
    """Time budget, seconds."""
    served_by: gpd.GeoSeries | None = None
    """Existing venues: leave out the origins one of them reaches within the budget."""
    progress: bool = False
    """Show a progress bar, where the engine has one (the road graph's batched searches)."""


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as a float, or raise unless it is a positive number.

    Parameters
    ----------
    name : str
        Argument name, for the error message.
    value : float
        The value to check.

    Returns
    -------
    float
        ``value``.

    Raises
    ------
    InputDataError
        When ``value`` is not a number, is NaN or is not above zero.

    Examples
    --------
    >>> check_positive("max_time_s", 600)
    600.0
    >>> check_positive("max_snap_m", -1)
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: max_snap_m must be a positive number, got -1
    """
    if not isinstance(value, int | float) or not value > 0 or math.isnan(value):
        msg = f"{name} must be a positive number, got {value!r}"
        raise InputDataError(msg)
    return float(value)


def check_k(k: object) -> int:
    """Return ``k`` as an int, or raise unless it is a whole number >= 1.

    Examples
    --------
    >>> check_k(2)
    2
    >>> check_k(0)
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: k must be a whole number >= 1, got 0
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        msg = f"k must be a whole number >= 1, got {k!r}"
        raise InputDataError(msg)
    return int(k)


def nearest_k_frame(
    origins: pd.Index,
    destinations: pd.Index,
    time_s: np.ndarray,
    dest_pos: np.ndarray,
    *,
    dtype: str | None = None,
) -> pd.DataFrame:
    """Return the ``nearest_k`` frame: :func:`nearest_frame`'s columns for each rank.

    ``time_s`` and ``dest_pos`` are ``(n_origins, k)``; the columns are ``dest_id_1,
    travel_time_s_1, ..., dest_id_k, travel_time_s_k``.

    Examples
    --------
    >>> nearest_k_frame(pd.Index(["a"]), pd.Index(["v", "w"]), np.array([[60.0, np.inf]]),
    ...                 np.array([[1, -1]]))
      dest_id_1  travel_time_s_1 dest_id_2  travel_time_s_2
    a         w             60.0      <NA>              inf
    """
    parts = {}
    for j in range(time_s.shape[1]):
        near = nearest_frame(origins, destinations, time_s[:, j], dest_pos[:, j], dtype=dtype)
        parts[f"dest_id_{j + 1}"] = near["dest_id"]
        parts[f"travel_time_s_{j + 1}"] = near["travel_time_s"]
    return pd.DataFrame(parts, index=origins)


def nearest_frame(
    origins: pd.Index,
    destinations: pd.Index,
    time_s: np.ndarray,
    dest_pos: np.ndarray,
    *,
    dtype: str | None = None,
) -> pd.DataFrame:
    """Return the ``nearest`` frame from times and positions of the nearest destinations.

    Parameters
    ----------
    origins, destinations : pandas.Index
        Labels of the origins and of the destinations.
    time_s : numpy.ndarray
        Per origin: seconds to its nearest destination (``inf`` when none, NaN when the
        origin is unplaced).
    dest_pos : numpy.ndarray
        Per origin: position of that destination in ``destinations`` (-1 when none).
    dtype : str, optional
        dtype of ``dest_id``; by default pandas infers it from the labels (``str`` for
        text labels, NaN where none), ``"object"`` keeps the labels as they are (``NA``
        where none).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``origins``: ``travel_time_s`` and ``dest_id`` (NA when none).

    Examples
    --------
    >>> nearest_frame(pd.Index(["a", "b"]), pd.Index(["v"]), np.array([60.0, np.inf]),
    ...               np.array([0, -1]))
       travel_time_s dest_id
    a           60.0       v
    b            inf     NaN
    """
    found = dest_pos >= 0
    dest_id = np.full(len(origins), pd.NA, dtype=object)
    dest_id[found] = destinations.to_numpy(dtype=object)[dest_pos[found]]
    return pd.DataFrame(
        {"travel_time_s": time_s, "dest_id": pd.Series(dest_id, index=origins, dtype=dtype)},
        index=origins,
    )


def pairs_frame(
    origins: pd.Index,
    destinations: pd.Index,
    origin_pos: np.ndarray,
    dest_pos: np.ndarray,
    time_s: np.ndarray,
) -> pd.DataFrame:
    """Return the long ``od_table`` frame from the positions and times of the pairs.

    Parameters
    ----------
    origins, destinations : pandas.Index
        Labels of the origins and of the destinations.
    origin_pos, dest_pos : numpy.ndarray
        Per pair: positions of its origin and of its destination.
    time_s : numpy.ndarray
        Per pair: seconds.

    Returns
    -------
    pandas.DataFrame
        ``origin_id, dest_id, travel_time_s``, one row a pair, in the order given.

    Examples
    --------
    >>> pairs_frame(pd.Index(["a", "b"]), pd.Index(["v"]), np.array([1]), np.array([0]),
    ...             np.array([90.0]))
      origin_id dest_id  travel_time_s
    0         b       v           90.0
    """
    return pd.DataFrame(
        {
            "origin_id": origins.take(origin_pos),
            "dest_id": destinations.take(dest_pos),
            "travel_time_s": time_s,
        }
    )


class Engine:
    """The :class:`~maillage.travel.protocol.TravelTimeModel` queries of an engine.

    A subclass gives :meth:`describe` and the hooks :meth:`_placed_mask`,
    :meth:`_nearest_positions` and :meth:`_pair_positions`; this class turns what they
    return into the protocol's answers.
    """

    _dest_id_dtype: ClassVar[str | None] = None
    """dtype of ``dest_id`` in :meth:`nearest` (see :func:`nearest_frame`)."""

    def _placed_mask(self, points: gpd.GeoSeries) -> np.ndarray:
        """Return, per point, whether the engine can place it."""
        raise NotImplementedError

    def _nearest_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per origin: time to its nearest destination and that destination's position.

        As :func:`nearest_frame` takes them: ``inf`` and -1 when no destination is reached
        within ``max_time_s``, NaN and -1 when the origin is unplaced.
        """
        raise NotImplementedError

    def _pair_positions(self, query: PairQuery) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions of the origin and the destination, and time, of every pair in reach."""
        raise NotImplementedError

    def _nearest_k_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, k: int, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per origin, ``(n, k)``: times to its k nearest distinct destinations, their positions.

        Each row sorted by the engine's choice of the nearest (as :meth:`_nearest_positions`);
        ``inf`` and -1 past the destinations reached, NaN and -1 for an unplaced origin.
        """
        raise NotImplementedError

    def unplaced(self, points: gpd.GeoSeries) -> pd.Index:
        """Return the labels of the points the engine cannot place.

        Missing or empty geometries are never placed; the road engines also leave out the
        points farther than ``max_snap_m`` from their network. No unplaced point ever gets
        a time (NaN in :meth:`nearest`, no row in :meth:`od_table`).

        Parameters
        ----------
        points : geopandas.GeoSeries
            Points in the working CRS (for a RoadNetwork, its ``crs``).

        Returns
        -------
        pandas.Index
            Labels of the unplaced points.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely import Point
        >>> from maillage import CrowFlyModel
        >>> points = gpd.GeoSeries([Point(0, 0), None, Point()], index=["a", "b", "c"], crs=2154)
        >>> list(CrowFlyModel().unplaced(points))
        ['b', 'c']
        """
        return points.index[~self._placed_mask(points)]

    def nearest(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        *,
        max_time_s: float | None = None,
    ) -> pd.DataFrame:
        """Return the travel time from each origin to its nearest destination.

        How each engine finds it is told in its class notes.

        Parameters
        ----------
        origins : geopandas.GeoSeries
            Homes: points in the working CRS (for a RoadNetwork, its ``crs``); their
            labels index the result.
        destinations : geopandas.GeoSeries
            Venues, points in the same CRS; their labels fill ``dest_id``.
        max_time_s : float, optional
            Origins farther than this from every destination get ``inf`` (the road
            engines stop searching there).

        Returns
        -------
        pandas.DataFrame
            Indexed like ``origins``: ``travel_time_s`` (``inf`` when no destination is
            reachable within ``max_time_s``, ``NaN`` when the origin cannot be placed) and
            ``dest_id`` (NA then).

        Raises
        ------
        InputDataError
            Wrong CRS or geometry; for the road engines also empty destinations or a
            ``max_time_s`` that is not a positive number.
        NetworkError
            Road engines: no destination or no origin lies within ``max_snap_m`` of the
            network.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from maillage import CrowFlyModel
        >>> model = CrowFlyModel(circuity=1.0, speed_kph=36.0, access_time_s=0.0)
        >>> homes = gpd.GeoSeries.from_xy([0, 5_000, 20_000], [0, 0, 0], crs=2154)
        >>> venues = gpd.GeoSeries.from_xy([1_000, 6_000], [0, 0], index=["v1", "v2"], crs=2154)
        >>> model.nearest(homes, venues, max_time_s=600)
           travel_time_s dest_id
        0          100.0      v1
        1          100.0      v2
        2            inf     NaN
        """
        time_s, dest_pos = self._nearest_positions(origins, destinations, max_time_s)
        return nearest_frame(
            origins.index, destinations.index, time_s, dest_pos, dtype=self._dest_id_dtype
        )

    def nearest_k(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        k: int = 2,
        *,
        max_time_s: float | None = None,
    ) -> pd.DataFrame:
        """Return the travel times from each origin to its ``k`` nearest distinct destinations.

        The first rank is :meth:`nearest`'s destination (up to ties). The straight-line
        engines rank by distance (their time grows with it), the road graph by its route
        choice (an exact k-nearest search, see its class notes), OSRM by its table.

        Parameters
        ----------
        origins, destinations : geopandas.GeoSeries
            As :meth:`nearest`; destinations are distinct by label.
        k : int, default 2
            How many destinations per origin.
        max_time_s : float, optional
            Destinations farther than this are not reported.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``origins``: ``dest_id_1, travel_time_s_1, ..., dest_id_k,
            travel_time_s_k``; past the destinations reachable (within ``max_time_s``),
            ``inf`` and NA; for an origin that cannot be placed, NaN and NA.

        Raises
        ------
        InputDataError
            As :meth:`nearest`, or ``k`` not a whole number >= 1.
        NetworkError
            As :meth:`nearest`.

        Examples
        --------
        >>> from geopandas import GeoSeries
        >>> from maillage import CrowFlyModel
        >>> at = lambda xs, names: GeoSeries.from_xy(xs, [0] * len(xs), index=names, crs=2154)
        >>> CrowFlyModel(circuity=1.0, speed_kph=36.0, access_time_s=0.0).nearest_k(
        ...     at([0, 5_000], ["h1", "h2"]), at([1_000, 6_000], ["v1", "v2"]), 2)
           dest_id_1  travel_time_s_1 dest_id_2  travel_time_s_2
        h1        v1            100.0        v2            600.0
        h2        v2            100.0        v1            400.0
        """
        k = check_k(k)
        time_s, dest_pos = self._nearest_k_positions(origins, destinations, k, max_time_s)
        return nearest_k_frame(
            origins.index, destinations.index, time_s, dest_pos, dtype=self._dest_id_dtype
        )

    def od_table(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        *,
        max_time_s: float,
        served_by: gpd.GeoSeries | None = None,
        progress: bool = False,
    ) -> pd.DataFrame:
        """Return every origin-destination pair within ``max_time_s``.

        Parameters
        ----------
        origins : geopandas.GeoSeries
            Homes: points in the working CRS (for a RoadNetwork, its ``crs``).
        destinations : geopandas.GeoSeries
            Venues, points in the same CRS.
        max_time_s : float
            Time budget, seconds.
        served_by : geopandas.GeoSeries, optional
            Existing venues: the origins one of them reaches within ``max_time_s`` are left
            out (an engine may use them to prune its searches); the pairs kept are those of
            the full table.
        progress : bool, default False
            Show a progress bar where the engine has one: the road graph's searches, in
            batches of destinations; the other engines answer at once.

        Returns
        -------
        pandas.DataFrame
            Long table ``origin_id, dest_id, travel_time_s`` (the road engines sort it by
            origin then time).

        Raises
        ------
        InputDataError
            As :meth:`nearest`.
        NetworkError
            As :meth:`nearest`.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from maillage import CrowFlyModel
        >>> model = CrowFlyModel(circuity=1.0, speed_kph=36.0, access_time_s=0.0)
        >>> homes = gpd.GeoSeries.from_xy([0, 5_000], [0, 0], index=["h1", "h2"], crs=2154)
        >>> venues = gpd.GeoSeries.from_xy([1_000, 6_000], [0, 0], index=["v1", "v2"], crs=2154)
        >>> model.od_table(homes, venues, max_time_s=500)
          origin_id dest_id  travel_time_s
        0        h1      v1          100.0
        1        h2      v1          400.0
        2        h2      v2          100.0
        >>> model.od_table(homes, venues, max_time_s=500, served_by=venues.iloc[1:])
          origin_id dest_id  travel_time_s
        0        h1      v1          100.0
        """
        query = PairQuery(origins, destinations, max_time_s, served_by, progress)
        pairs = self._pair_positions(query)
        return pairs_frame(origins.index, destinations.index, *pairs)
