"""What the engines over a road network share: :class:`NetworkEngine`.

:class:`maillage.travel.graph.RoadNetwork` (maillage's own road graph) and
:class:`maillage.travel.osrm.OSRMModel` (OSRM) place each point on their network when it
lies within ``max_snap_m``; they refuse the same inputs with the same messages, give the
same ``inf`` beyond ``max_time_s`` and sort their tables by origin then time.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from maillage.errors import InputDataError, MaillageWarning, NetworkError
from maillage.travel.engine import Engine

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DEFAULT_MAX_SNAP_M", "NetworkEngine"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_SNAP_M = 2000.0
"""Largest distance between a point and its placement on the road; farther points are unplaced."""


class NetworkEngine(Engine):
    """The placement checks and result rules of an engine over a road network.

    A subclass sets ``_max_snap_m`` and ``_source`` (build metadata, whose ``file`` the
    messages name) and places points itself; it calls :meth:`_keep_placed` on the
    destinations and :meth:`_check_origins` on the origins.
    """

    _network_name: ClassVar[str] = "road network"
    """How the messages call the network."""

    _dest_id_dtype = "object"  # the venue labels as given, NA where none

    _max_snap_m: float
    _source: dict[str, object]

    @staticmethod
    def _refuse_empty(destinations: gpd.GeoSeries, *, name: str = "destinations") -> None:
        """Raise when there is no destination to search from."""
        if len(destinations) == 0:
            msg = f"{name} is empty: pass at least one venue point"
            raise InputDataError(msg)

    def _keep_placed(
        self, points: gpd.GeoSeries, placed: np.ndarray, *, name: str, warn: bool = True
    ) -> np.ndarray:
        """Return the positions of the placed destination-like points.

        With ``warn``, raise when none is placed and warn about those left out (the
        warning points at the caller of the public method, four frames up).
        """
        positions = np.flatnonzero(placed)
        if len(positions) == 0 and warn:
            msg = (
                f"none of the {len(points)} {name} is within max_snap_m={self._max_snap_m:g} m "
                f"of the {self._network_name} ({self._source.get('file')}); does the OSM "
                "extract cover the territory?"
            )
            raise NetworkError(msg)
        if len(positions) < len(points) and warn:
            lost = points.index.delete(positions)
            warnings.warn(
                f"{len(lost)} of {len(points)} {name} are farther than {self._max_snap_m:g} m "
                f"from the {self._network_name} and are ignored: {list(lost[:10])}",
                MaillageWarning,
                stacklevel=5,
            )
        return positions

    def _check_origins(self, origins: gpd.GeoSeries, n_placed: int) -> None:
        """Raise when no origin is placed; log how many are not."""
        if len(origins) and n_placed == 0:
            msg = (
                f"none of the {len(origins)} origins is within max_snap_m={self._max_snap_m:g} m "
                f"of the {self._network_name} ({self._source.get('file')}); the network does "
                "not reach the territory: use an OSM extract that covers it"
            )
            raise NetworkError(msg)
        if n_placed < len(origins):
            logger.info(
                "%d of %d origins are off the %s (NaN time)",
                len(origins) - n_placed,
                len(origins),
                self._network_name,
            )

    @staticmethod
    def _within(
        time_s: np.ndarray, dest_pos: np.ndarray, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Nearest times and positions with ``inf`` and -1 where none is within reach.

        Placed origins (time not NaN) with no destination, or none within ``max_time_s``,
        get ``inf``; unplaced ones keep NaN.
        """
        placed = ~np.isnan(time_s)
        found = placed & (dest_pos >= 0)
        if max_time_s is not None:
            found &= time_s <= max_time_s
        return np.where(placed & ~found, np.inf, time_s), np.where(found, dest_pos, -1)

    @staticmethod
    def _by_origin(
        origin_pos: np.ndarray, dest_pos: np.ndarray, time_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the pairs sorted by origin position, then time."""
        order = np.lexsort((time_s, origin_pos))
        return origin_pos[order], dest_pos[order], time_s[order]
