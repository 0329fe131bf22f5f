"""What the straight-line engines share: :class:`StraightLineEngine`.

:class:`maillage.travel.crowfly.CrowFlyModel` and
:class:`maillage.travel.calibrated.CalibratedModel` place every non-empty point and search
destinations by straight-line distance; they differ only in how a distance becomes a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.travel.protocol import placed_xy

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["StraightLineEngine"]


class StraightLineEngine:
    """The :class:`maillage.travel.protocol.TravelTimeModel` methods of a straight-line engine.

    A subclass gives the times: :meth:`_nearest_xy` (nearest destination per placed origin)
    and :meth:`_pairs_xy` (every pair within a time); it may check its inputs first
    (:meth:`_check_inputs`).
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

    def unplaced(self, points: gpd.GeoSeries) -> pd.Index:
        """Return the labels of missing or empty points (every other point is placed)."""
        xy = placed_xy(points, name="points")
        return points.index[np.isnan(xy[:, 0])]

    def nearest(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        *,
        max_time_s: float | None = None,
    ) -> pd.DataFrame:
        """Return the nearest destination by straight line, as the protocol's ``nearest``."""
        self._check_inputs(origins, destinations)
        oxy = placed_xy(origins, name="origins")
        dxy = placed_xy(destinations, name="destinations")
        placed_o = ~np.isnan(oxy[:, 0])
        placed_d = ~np.isnan(dxy[:, 0])
        times = np.full(len(origins), np.inf)
        which = np.full(len(origins), -1)
        if placed_o.any() and placed_d.any():
            t, idx = self._nearest_xy(oxy[placed_o], dxy[placed_d], max_time_s)
            times[placed_o] = t
            which[placed_o] = idx
        times[~placed_o] = np.nan
        dest = np.full(len(origins), pd.NA, dtype=object)
        dest_ids = destinations.index[placed_d].to_numpy(dtype=object)
        dest[which >= 0] = dest_ids[which[which >= 0]]
        return pd.DataFrame({"travel_time_s": times, "dest_id": dest}, index=origins.index)

    def od_table(
        self,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        *,
        max_time_s: float,
        served_by: gpd.GeoSeries | None = None,
    ) -> pd.DataFrame:
        """Return the pairs within ``max_time_s`` by straight line, as the protocol's table."""
        if served_by is not None and len(served_by):
            served = self.nearest(origins, served_by, max_time_s=max_time_s)["travel_time_s"]
            origins = origins[~(served <= max_time_s).to_numpy()]
        self._check_inputs(origins, destinations)
        oxy = placed_xy(origins, name="origins")
        dxy = placed_xy(destinations, name="destinations")
        po = np.flatnonzero(~np.isnan(oxy[:, 0]))
        pdest = np.flatnonzero(~np.isnan(dxy[:, 0]))
        oi = di = np.array([], dtype=np.int64)
        t = np.array([], dtype=float)
        if len(po) and len(pdest):
            oi, di, t = self._pairs_xy(oxy[po], dxy[pdest], max_time_s)
            oi, di = po[oi], pdest[di]
        return pd.DataFrame(
            {
                "origin_id": origins.index[oi],
                "dest_id": destinations.index[di],
                "travel_time_s": t,
            }
        )
