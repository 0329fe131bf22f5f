"""Travel times from one venue to the origins within a time, for the what-if map.

The what-if state (:mod:`maillage.maps.whatif.state`) keeps, for every venue, its time to
each origin it reaches within a horizon (seconds). Adding or moving a venue asks only for
that venue's times:

* straight-line models (:class:`~maillage.CalibratedModel`, :class:`~maillage.CrowFlyModel`)
  give a time that grows with the straight-line distance, so only the origins within the
  distance the horizon allows can be reached: a k-d tree of the origins finds them, and the
  model times those alone (a few thousand points, not a région's 40,000);
* a road graph (:class:`~maillage.RoadNetwork`) cannot go faster than its fastest edge:
  only the origins within that speed times the horizon (plus twice the snap distance) can
  be reached; the model searches from the venue and stops at the horizon (``od_table``
  with one destination: one bounded search), for those origins alone;
* any other model (OSRM) is asked for every origin.

The times come from the model's own ``od_table``, so they are the figures
:func:`maillage.coverage` would give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["Reach"]

_DENSITY_PROBES = np.geomspace(0.1, 1e6, 241)  # inhabitants per km², every class and beyond


def reach_radius_m(model: TravelTimeModel, max_time_s: float) -> float | None:
    """Return the straight-line distance beyond which ``model`` needs more than ``max_time_s``.

    ``None`` when the model's time does not follow the straight-line distance (a road
    graph, OSRM): then every origin has to be searched.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> round(reach_radius_m(CrowFlyModel(circuity=1.0, speed_kph=36.0, access_time_s=0.0), 100.0))
    1011
    """
    reach = getattr(model, "reach_m", None)
    if model.describe().get("engine") != "straight_line" or not callable(reach):
        return None
    try:
        far = np.max(reach(max_time_s, _DENSITY_PROBES))  # CalibratedModel: per density
    except TypeError:
        far = reach(max_time_s)  # CrowFlyModel: one reach
    return float(far) * 1.01 + 1.0  # a margin: reach_m never falls short, keep it so


def graph_speed_m_per_s(model: TravelTimeModel) -> float | None:
    """Return the fastest straight-line speed along any edge of a road graph model (m/s).

    ``None`` when the model has no graph, or an edge takes no time.

    Examples
    --------
    >>> from maillage import RoadNetwork
    >>> from maillage.travel.graph.graph import line_graph
    >>> graph_speed_m_per_s(RoadNetwork(line_graph([60.0])))  # 1000 m in 60 s
    16.666666666666668
    """
    graph = getattr(model, "graph", None)
    if graph is None or not hasattr(graph, "weights") or graph.n_edges == 0:
        return None
    tails = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
    length = np.hypot(*(graph.xy[tails] - graph.xy[graph.indices]).T)
    ok = graph.weights > 0
    if (length[~ok] > 0).any():
        return None
    return float(np.max(length[ok] / graph.weights[ok]))


class Reach:
    """Times from a venue to the origins, within a horizon, on one model.

    Parameters
    ----------
    model : TravelTimeModel
        The travel-time model.
    origins : geopandas.GeoSeries
        The origins (points in the working CRS), in the order of the state's arrays.
    """

    def __init__(self, model: TravelTimeModel, origins: gpd.GeoSeries) -> None:
        self.model = model
        self.origins = origins.reset_index(drop=True)
        xy = np.column_stack([self.origins.x.to_numpy(), self.origins.y.to_numpy()])
        self._ok = np.flatnonzero(np.isfinite(xy).all(axis=1))
        self._tree = cKDTree(xy[self._ok])
        self._speed = graph_speed_m_per_s(model)
        self._snap_m = float(model.describe().get("max_snap_m", 0.0))  # type: ignore[arg-type]

    def radius_m(self, max_time_s: float) -> float | None:
        """Return how far (straight line) the model can go within ``max_time_s``; None: no bound."""
        if self._speed is not None:
            return max_time_s * self._speed * 1.01 + 2 * self._snap_m + 1.0
        return reach_radius_m(self.model, max_time_s)

    def within(self, point: gpd.GeoSeries, max_time_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Return the positions of the origins ``point`` reaches within ``max_time_s``, and the times.

        ``point`` is a one-row GeoSeries whose label is the venue's id.
        """
        radius = self.radius_m(max_time_s)
        if radius is None:
            candidates = np.arange(len(self.origins))
        else:
            x, y = float(point.iloc[0].x), float(point.iloc[0].y)
            hits = self._tree.query_ball_point([x, y], radius)
            candidates = np.sort(self._ok[np.asarray(hits, dtype=np.int64)])
        if len(candidates) == 0:
            return np.array([], dtype=np.int64), np.array([], dtype=float)
        return self.table(candidates, point, max_time_s)

    def table(
        self, positions: np.ndarray, points: gpd.GeoSeries, max_time_s: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (origin position, time) of ``od_table`` from ``positions`` to one point."""
        sub = self.origins.iloc[positions]
        sub.index = pd.RangeIndex(len(sub))
        od = self.model.od_table(sub, points, max_time_s=max_time_s)
        rows = positions[od["origin_id"].to_numpy(dtype=np.int64)]
        return rows, od["travel_time_s"].to_numpy(dtype=float)

    def nearest(
        self, positions: np.ndarray, venues: gpd.GeoSeries, max_time_s: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the time to, and the label of, the nearest of ``venues`` (within a bound)."""
        sub = self.origins.iloc[positions]
        sub.index = pd.RangeIndex(len(sub))
        near = self.model.nearest(sub, venues, max_time_s=max_time_s)
        return near["travel_time_s"].to_numpy(dtype=float), near["dest_id"].to_numpy(dtype=object)
