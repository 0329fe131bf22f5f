"""The k-nearest query of :class:`~maillage.travel.graph.RoadNetwork` (:meth:`nearest_k`).

One multi-source search from all destinations on the reversed graph where every node keeps
its k least-weight routes from distinct destinations
(:func:`maillage.travel.graph.search.search_from_k`, exact), then, per origin, the k
lightest venues over its exit nodes' routes and the venues on its own segment, as
:meth:`RoadNetwork.nearest` does for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from maillage.travel.engine import check_positive
from maillage.travel.graph import search

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.travel.graph.graph import Graph
    from maillage.travel.graph.snap import Placement, Segments

__all__ = ["KNearestSearch"]

_ToVenueK = tuple["np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray", "Placement", "np.ndarray"]
"""Per node and rank: time, venue position, last edge, weight; venues' placement, positions."""


class KNearestSearch:
    """The k-nearest hook of the road graph engine (mixed into ``RoadNetwork``)."""

    _access_speed_kph: float

    if TYPE_CHECKING:  # given by RoadNetwork

        @property
        def _reversed(self) -> Graph: ...

        @property
        def _segments(self) -> Segments: ...

        def _destinations(self, destinations: gpd.GeoSeries) -> tuple[Placement, np.ndarray]: ...

        def _origins(self, origins: gpd.GeoSeries) -> Placement: ...

        def _seeds(
            self, placement: Placement, positions: np.ndarray, *, leaving: bool
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...

        @staticmethod
        def _within(
            time_s: np.ndarray, dest_pos: np.ndarray, max_time_s: float | None
        ) -> tuple[np.ndarray, np.ndarray]: ...

    def _nearest_k_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, k: int, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One k-nearest multi-source search from all destinations on the reversed graph."""
        if max_time_s is not None:
            max_time_s = check_positive("max_time_s", max_time_s)
        dest_place, placed = self._destinations(destinations)
        origin_place = self._origins(origins)
        position, node, start_s, edge, start_w = self._seeds(dest_place, placed, leaving=False)
        reached = search.search_from_k(
            self._reversed, node, start_s, position, k,
            max_time_s=max_time_s, seed_edges=edge, start_w=start_w,
        )  # fmt: skip
        keep = np.flatnonzero(origin_place.placed)
        total = np.full((len(origins), k), np.nan)
        which = np.full((len(origins), k), -1)
        total[keep], which[keep] = self._best_k(origin_place, keep, (*reached, dest_place, placed))
        for j in range(k):
            total[:, j], which[:, j] = self._within(total[:, j], which[:, j], max_time_s)
        return total, which

    def _best_k(
        self, origins: Placement, keep: np.ndarray, to_venue: _ToVenueK
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_best` for the ``k`` columns of a k-nearest search: (time, venue) per rank.

        Each origin's candidates are its exit nodes' k routes (each with the turn onto it)
        and the venues on its own segment; per venue the least-weight one is kept, then
        the k lightest venues (ties: by time, then venue position).
        """
        node_s, label, last, node_w, venues, venue_pos = to_venue
        k = node_s.shape[1]
        position, node, start_s, edge, start_w = self._seeds(origins, keep, leaving=True)
        same_o, same_v, road_s = self._segments.along(origins, keep, venues, venue_pos)
        access = self._access_speed_kph
        same_s = road_s + (origins.access_s(access)[same_o] + venues.access_s(access)[same_v])
        parts: list[tuple[np.ndarray, ...]] = [(same_o, same_s, same_s, same_v)]
        for j in range(k):
            turn_s = search.exit_turns(
                self._reversed, last[:, j] if len(last) else last, node, edge
            )
            total, weight = start_s + turn_s + node_s[node, j], start_w + turn_s + node_w[node, j]
            parts.append((position, total, weight, label[node, j]))
        origin, total, weight, which = (np.concatenate(p) for p in zip(*parts, strict=True))
        ok = (which >= 0) & np.isfinite(weight)
        origin, total, weight, which = origin[ok], total[ok], weight[ok], which[ok]
        order = np.lexsort((total, weight, which, origin))  # the least-weight route per venue
        origin, total, weight, which = origin[order], total[order], weight[order], which[order]
        first = np.ones(len(origin), dtype=bool)
        first[1:] = (origin[1:] != origin[:-1]) | (which[1:] != which[:-1])
        origin, total, weight, which = origin[first], total[first], weight[first], which[first]
        order = np.lexsort((which, total, weight, origin))
        origin, total, which = origin[order], total[order], which[order]
        rank = np.arange(len(origin)) - np.searchsorted(origin, origin, side="left")
        top = rank < k
        best_s = np.full((len(origins.segment), k), np.inf)
        best_v = np.full((len(origins.segment), k), -1)
        best_s[origin[top], rank[top]], best_v[origin[top], rank[top]] = total[top], which[top]
        return best_s[keep], best_v[keep]
