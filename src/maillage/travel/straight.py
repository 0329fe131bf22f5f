"""What the straight-line engines share: :class:`StraightLineEngine`.

:class:`maillage.travel.crowfly.CrowFlyModel` and
:class:`maillage.travel.calibrated.CalibratedModel` place every non-empty point and search
destinations by straight-line distance; they differ only in how a distance becomes a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from maillage.travel.engine import Engine, PairQuery
from maillage.travel.protocol import placed_xy

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["StraightLineEngine"]


class StraightLineEngine(Engine):
    """The :class:`maillage.travel.protocol.TravelTimeModel` methods of a straight-line engine.

    It gives the positions :class:`~maillage.travel.engine.Engine` asks for; a subclass
    gives the times: :meth:`_nearest_xy` (nearest destination per placed origin),
    :meth:`_pairs_xy` (every pair within a time) and :meth:`_times_xy` (the times of given
    distances); it may check its inputs first (:meth:`_check_inputs`).

    :meth:`nearest_k` takes the k nearest destinations by distance (a k-d tree) and times
    them: exact because a model's time grows with the distance for a given origin
    (:mod:`maillage.travel.error_range` keeps it so for the ``bounds()`` variants).
    """

    def _out_of_range(self, *rules: tuple[str, str, float]) -> list[str]:
        """Return a problem for each ``(name, ">" or ">=", bound)`` the parameter breaks.

        A parameter must be finite and above (``>``) or at least (``>=``) its bound.
        """
        problems = []
        for name, op, bound in rules:
            value = getattr(self, name)
            ok = value > bound if op == ">" else value >= bound
            if not (np.isfinite(value) and ok):
                problems.append(f"{name} must be {op} {bound:g} (got {value!r})")
        return problems

    def _check_inputs(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> None:
        """Raise on inputs the engine refuses; by default accept them."""

    def _nearest_xy(
        self, oxy: np.ndarray, dxy: np.ndarray, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the time to, and the row in ``dxy`` of, the nearest destination (-1, inf)."""
        raise NotImplementedError

    def _pairs_xy(
        self, oxy: np.ndarray, dxy: np.ndarray, max_time_s: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the rows in ``oxy`` and ``dxy`` and the times of every pair within reach."""
        raise NotImplementedError

    def _times_xy(self, oxy: np.ndarray, dist_m: np.ndarray) -> np.ndarray:
        """Return the times of the straight-line distances ``dist_m`` (one row per origin)."""
        raise NotImplementedError

    def _placed_mask(self, points: gpd.GeoSeries) -> np.ndarray:
        """Return, per point, whether it is there (every non-empty point is placed)."""
        return ~np.isnan(placed_xy(points, name="points")[:, 0])

    def _placed_pair(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Check the inputs; return both coordinates, the placed origins' mask and destinations."""
        self._check_inputs(origins, destinations)
        oxy = placed_xy(origins, name="origins")
        dxy = placed_xy(destinations, name="destinations")
        return oxy, dxy, ~np.isnan(oxy[:, 0]), np.flatnonzero(~np.isnan(dxy[:, 0]))

    def _nearest_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Time to, and position of, the nearest destination by straight line, per origin."""
        oxy, dxy, placed_o, placed_d = self._placed_pair(origins, destinations)
        times = np.full(len(origins), np.inf)
        which = np.full(len(origins), -1)
        if placed_o.any() and len(placed_d):
            t, idx = self._nearest_xy(oxy[placed_o], dxy[placed_d], max_time_s)
            times[placed_o] = t
            which[placed_o] = np.where(idx >= 0, placed_d[idx], -1)
        times[~placed_o] = np.nan
        return times, which

    def _pair_positions(self, query: PairQuery) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions and times of the pairs within ``max_time_s`` by straight line."""
        origins, destinations, max_time_s, served_by, _ = query
        keep = np.arange(len(origins))
        if served_by is not None and len(served_by):
            served = self.nearest(origins, served_by, max_time_s=max_time_s)["travel_time_s"]
            keep = np.flatnonzero(~(served <= max_time_s).to_numpy())
        self._check_inputs(origins, destinations)
        oxy = placed_xy(origins, name="origins")
        dxy = placed_xy(destinations, name="destinations")
        po = keep[~np.isnan(oxy[keep, 0])]
        pdest = np.flatnonzero(~np.isnan(dxy[:, 0]))
        oi = di = np.array([], dtype=np.int64)
        t = np.array([], dtype=float)
        if len(po) and len(pdest):
            oi, di, t = self._pairs_xy(oxy[po], dxy[pdest], max_time_s)
            oi, di = po[oi], pdest[di]
        return oi, di, t

    def _nearest_k_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, k: int, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the k nearest destinations by distance, timed, per origin (class notes)."""
        oxy, dxy, placed_o, placed_d = self._placed_pair(origins, destinations)
        times = np.full((len(origins), k), np.inf)
        which = np.full((len(origins), k), -1)
        reach = min(k, len(placed_d))
        if placed_o.any() and reach:
            dist, idx = cKDTree(dxy[placed_d]).query(oxy[placed_o], k=reach)
            dist, idx = dist.reshape(-1, reach), idx.reshape(-1, reach)
            t = self._times_xy(oxy[placed_o], dist)
            if max_time_s is not None:
                t = np.where(t <= max_time_s * (1 + 1e-12), t, np.inf)
            times[placed_o, :reach] = t
            which[placed_o, :reach] = np.where(np.isfinite(t), placed_d[idx], -1)
        times[~placed_o] = np.nan
        return times, which
