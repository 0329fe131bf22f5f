"""The travel-time model interface shared by every model.

Coverage code only talks to a :class:`TravelTimeModel`; it does not care whether the times
come from a road network (:class:`maillage.network.RoadNetwork`) or from the straight-line
model (:class:`CrowFlyModel`). Every model describes itself (:meth:`describe`) so that each
output records which model and parameters produced it.

Conventions
-----------
* Points are ``geopandas.GeoSeries`` of points in EPSG:2154; their index labels are the ids
  used in the outputs (``origin_id``, ``dest_id``).
* Times are seconds, from origin (home) to destination (venue).
* ``nearest`` returns, for each origin, ``travel_time_s`` (``inf`` when no destination is
  reachable within ``max_time_s``; ``NaN`` when the origin cannot be placed on the model,
  e.g. farther than the snap distance from any road) and ``dest_id``.
* ``od_table`` returns the long table ``origin_id, dest_id, travel_time_s`` of every pair
  reachable within ``max_time_s``.
* ``unplaced`` returns the ids of points the model cannot place (never given a false zero).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["TravelTimeModel"]


@runtime_checkable
class TravelTimeModel(Protocol):
    """What coverage needs from a travel-time model."""

    def describe(self) -> dict[str, object]:
        """Return the model name (key ``"model"``) and its parameters, JSON-serialisable."""
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
    ) -> pd.DataFrame:
        """Return ``origin_id, dest_id, travel_time_s`` for every pair within ``max_time_s``."""
        ...
