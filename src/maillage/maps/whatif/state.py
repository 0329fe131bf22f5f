"""The what-if state: venues opened, closed or moved, and coverage updated incrementally.

:class:`WhatIfState` holds, for every origin (the residents' points of
:func:`maillage.coverage`), its nearest and second-nearest venues and their times, and for
every venue ever placed its time to each origin it reaches within a horizon (``horizon_min``,
at least the largest threshold the map offers): a long table ``origin, venue, time``.
Each change recomputes only what it can change:

* **add**: one search from the new venue, bounded by the horizon (a k-d tree of the origins
  on the straight-line models, a bounded graph search on a road graph,
  :mod:`maillage.maps.whatif.reach`); only the origins it beats change;
* **close**: only the origins whose nearest or second-nearest it was: their two best venues
  are read again from the table, without any search;
* **move** = close + add, one step of the history.

An origin no venue reaches within the horizon keeps an exact time, searched without bound
(few origins, only when a change touches them). The second time is exact up to the horizon
(beyond it, it only counts as "no second choice within the threshold"). The updated figures
equal a full :func:`maillage.coverage` (tests/test_whatif.py checks it for add, close, move).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from maillage.analysis._checks import check_model, check_threshold
from maillage.analysis.coverage import aggregate, build_origins, venue_points
from maillage.errors import InputDataError
from maillage.maps._style import supported_mask
from maillage.maps.whatif.reach import Reach

if TYPE_CHECKING:
    import shapely

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["Venue", "WhatIfState"]

_NONE = -1


@dataclass
class Venue:
    """One venue of the scenario, as placed (a moved venue gets a new record)."""

    venue_id: str
    name: str
    x: float
    y: float
    supported: bool
    hypothetical: bool
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Snapshot:
    t1: np.ndarray
    v1: np.ndarray
    t2: np.ndarray
    v2: np.ndarray
    active: np.ndarray
    n_rows: int
    n_venues: int
    label: str


def _top_two(o: np.ndarray, k: np.ndarray, t: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Return per origin (0..n-1) the two least times and their venues of rows ``o, k, t``."""
    t1 = np.full(n, np.inf)
    t2 = np.full(n, np.inf)
    v1 = np.full(n, _NONE, dtype=np.int64)
    v2 = np.full(n, _NONE, dtype=np.int64)
    if len(o) == 0:
        return t1, v1, t2, v2
    order = np.lexsort((k, t, o))
    o, k, t = o[order], k[order], t[order]
    first = np.r_[True, o[1:] != o[:-1]]
    i1 = np.flatnonzero(first)
    t1[o[i1]], v1[o[i1]] = t[i1], k[i1]
    nxt = i1 + 1
    has = nxt < len(o)
    has[has] = ~first[nxt[has]]
    i2 = nxt[has]
    t2[o[i2]], v2[o[i2]] = t[i2], k[i2]
    return t1, v1, t2, v2


class WhatIfState:
    """Coverage of a set of venues that changes one venue at a time.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population`` (as :func:`maillage.coverage`).
    venues : geopandas.GeoDataFrame
        The venues of the starting state (``venue_id``, points; ``name`` and ``supported``
        used when present).
    model : TravelTimeModel
        Any travel-time model.
    threshold_min : float
        Access threshold (minutes), changeable with :meth:`set_threshold`.
    horizon_min : float, optional
        Up to which time each venue's times are kept (default: twice the threshold, at
        least 60 min); the threshold cannot go beyond it.
    grid : geopandas.GeoDataFrame, optional
        Population grid, as in :func:`maillage.coverage`.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> state = WhatIfState(communes, venues.iloc[:1], model=CrowFlyModel(), threshold_min=20)
    >>> state.headline()["share_within_threshold"]
    0.5
    >>> key = state.add(venues.geometry.iloc[1], name="Nouveau lieu")
    >>> state.headline()["share_within_threshold"]
    1.0
    >>> state.undo()
    True
    >>> state.headline()["share_within_threshold"]
    0.5
    """

    def __init__(
        self,
        communes: gpd.GeoDataFrame,
        venues: gpd.GeoDataFrame,
        *,
        model: TravelTimeModel,
        threshold_min: float = 20.0,
        horizon_min: float | None = None,
        grid: gpd.GeoDataFrame | None = None,
    ) -> None:
        self.model = check_model(model)
        self.threshold_min = check_threshold(threshold_min)
        self.horizon_min = float(horizon_min or max(60.0, 2 * self.threshold_min))
        self._check_horizon(self.threshold_min)
        self.communes = communes
        self.crs = communes.crs
        self.venues_in = venues
        origins = build_origins(communes, grid)
        self.origins = origins
        self.population = origins["population"].to_numpy(dtype=float)
        self.codes = origins["code_insee"].astype(str).to_numpy()
        self._reach = Reach(self.model, origins.geometry)
        self.straight_line = self.model.describe().get("engine") == "straight_line"
        self.unplaced = origins.index.isin(self.model.unplaced(origins.geometry))
        self.venues: list[Venue] = []
        points = venue_points(venues, model=self.model)
        self._start_venues(venues, points)
        self._initial_table(points)
        self.history: list[_Snapshot] = []
        self._start = self._snapshot("départ")

    # ------------------------------------------------------------------ set-up

    def _check_horizon(self, threshold_min: float) -> None:
        if threshold_min > self.horizon_min:
            msg = (
                f"threshold_min={threshold_min:g} is beyond horizon_min={self.horizon_min:g}: "
                "start the map with a larger horizon_min"
            )
            raise InputDataError(msg)

    def _start_venues(self, venues: gpd.GeoDataFrame, points: gpd.GeoSeries) -> None:
        rows = venues.assign(
            _id=venues["venue_id"].astype(str), _supported=supported_mask(venues).to_numpy()
        ).set_index("_id")
        for vid, geom in points.items():
            row = rows.loc[vid]
            attrs = {k: v for k, v in row.items() if k not in {"geometry", "_supported"}}
            self.venues.append(
                Venue(
                    venue_id=str(vid),
                    name=str(row.get("name", vid)),
                    x=float(geom.x),
                    y=float(geom.y),
                    supported=bool(row["_supported"]),
                    hypothetical=bool(row.get("hypothetical", False) is True),
                    attributes=attrs,
                )
            )
        self.active = np.ones(len(self.venues), dtype=bool)

    def _initial_table(self, points: gpd.GeoSeries) -> None:
        keyed = gpd.GeoSeries(
            points.to_numpy(), index=[str(i) for i in range(len(points))], crs=points.crs
        )
        n = len(self.origins)
        od = self.model.od_table(self._reach.origins, keyed, max_time_s=self.horizon_min * 60.0)
        self.rows_o = od["origin_id"].to_numpy(dtype=np.int64)
        self.rows_k = od["dest_id"].astype(int).to_numpy(dtype=np.int64)
        self.rows_t = od["travel_time_s"].to_numpy(dtype=float)
        self.n_rows = len(self.rows_o)
        self.t1, self.v1, self.t2, self.v2 = _top_two(self.rows_o, self.rows_k, self.rows_t, n)
        self._search_far(np.flatnonzero((self.v1 == _NONE) & ~self.unplaced))
        self._retime(np.flatnonzero(~self.unplaced))
        self.t1[self.unplaced] = np.nan

    # ------------------------------------------------------------------ helpers

    def _points(self, keys: np.ndarray) -> gpd.GeoSeries:
        xy = np.array([[self.venues[k].x, self.venues[k].y] for k in keys]).reshape(-1, 2)
        return gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], index=[str(k) for k in keys], crs=self.crs)

    def _search_far(self, positions: np.ndarray) -> None:
        """Nearest venue, without bound, of origins no venue reaches within the horizon."""
        keys = np.flatnonzero(self.active)
        if len(positions) == 0 or len(keys) == 0:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unplaced origins: reported once, at the start
            t, dest = self._reach.nearest(positions, self._points(keys))
        found = pd.notna(dest)
        self.t1[positions] = t
        self.v1[positions] = [int(d) if ok else _NONE for d, ok in zip(dest, found, strict=True)]
        self.t2[positions], self.v2[positions] = np.inf, _NONE

    def _retime(self, positions: np.ndarray, keys: np.ndarray | None = None) -> None:
        """Nearest venue of ``positions`` by the model's own ``nearest`` (road engines only).

        A road graph's pair times (``od_table``, one search per venue) can differ by a
        second or so from the time of the route ``nearest`` picks among all venues (it
        ranks routes by routability weight); so that the figures are
        :func:`maillage.coverage`'s, the origins a change touched get their nearest venue
        from ``nearest``, searched from ``keys`` only (the venues that can be theirs: the
        new one and their former nearest, or those the table lists near them) and bounded
        a little beyond their best time in the table; an origin that finds none within the
        bound is searched again from every open venue, without bound. The straight-line
        models give the same times both ways: nothing to do.
        """
        if self.straight_line or len(positions) == 0:
            return
        active = np.flatnonzero(self.active)
        keys = active if keys is None else np.unique(keys[keys >= 0])
        if len(keys) == 0:
            keys = active
        best = self.t1[positions]
        finite = best[np.isfinite(best)]
        bound = float(finite.max()) * 1.2 + 120.0 if len(finite) else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, dest = self._reach.nearest(positions, self._points(keys), bound)
            lost = ~np.isfinite(t)
            if lost.any() and bound is not None:
                t[lost], dest[lost] = self._reach.nearest(positions[lost], self._points(active))
        self.t1[positions] = t
        self.v1[positions] = [int(d) if pd.notna(d) else _NONE for d in dest]

    def _snapshot(self, label: str) -> _Snapshot:
        return _Snapshot(
            self.t1.copy(), self.v1.copy(), self.t2.copy(), self.v2.copy(),
            self.active.copy(), self.n_rows, len(self.venues), label,
        )  # fmt: skip

    def _restore(self, snap: _Snapshot) -> None:
        self.t1, self.v1 = snap.t1.copy(), snap.v1.copy()
        self.t2, self.v2 = snap.t2.copy(), snap.v2.copy()
        self.active = snap.active.copy()
        self.n_rows = snap.n_rows
        del self.venues[snap.n_venues :]
        self.rows_o = self.rows_o[: self.n_rows]
        self.rows_k = self.rows_k[: self.n_rows]
        self.rows_t = self.rows_t[: self.n_rows]

    def key_of(self, venue_id: str) -> int:
        """Return the record of the open venue ``venue_id``.

        Raises
        ------
        InputDataError
            When no open venue has that id.
        """
        for k in np.flatnonzero(self.active):
            if self.venues[k].venue_id == str(venue_id):
                return int(k)
        msg = f"venue_id={venue_id!r}: no open venue has this id (see .scenario)"
        raise InputDataError(msg)

    # ------------------------------------------------------------------ changes

    def _place(self, venue: Venue) -> int:
        """Open ``venue``: its bounded search, then the origins it beats."""
        key = len(self.venues)
        self.venues.append(venue)
        self.active = np.r_[self.active, True]
        pos, t = self._reach.within(self._points(np.array([key])), self.horizon_min * 60.0)
        self.rows_o = np.r_[self.rows_o, pos]
        self.rows_k = np.r_[self.rows_k, np.full(len(pos), key, dtype=np.int64)]
        self.rows_t = np.r_[self.rows_t, t]
        self.n_rows = len(self.rows_o)
        former = self.v1[pos].copy()
        beats = t < self.t1[pos]
        p, q = pos[beats], pos[~beats]
        self.t2[p], self.v2[p] = self.t1[p], self.v1[p]
        self.t1[p], self.v1[p] = t[beats], key
        second = t[~beats] < self.t2[q]
        q = q[second]
        self.t2[q], self.v2[q] = t[~beats][second], key
        horizon = self.horizon_min * 60.0
        far = self.t2 > horizon
        self.t2[far], self.v2[far] = np.inf, _NONE
        self._refresh_far(key, pos)
        if not self.straight_line:  # near ties of route weight and time: a margin
            near = t < self.t1[pos] * 1.1 + 60.0
            self._retime(pos[near], np.r_[former[near], key])
        return key

    def _refresh_far(self, key: int, reached: np.ndarray) -> None:
        """Check whether ``key`` is nearer for the origins beyond the horizon.

        The search stops at their longest time (none when one of them reaches no venue).
        """
        mask = ~(self.t1 <= self.horizon_min * 60.0) & ~self.unplaced
        mask[reached] = False
        far = np.flatnonzero(mask)
        if len(far) == 0:
            return
        longest = float(np.max(self.t1[far]))
        bound = longest if np.isfinite(longest) else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, _ = self._reach.nearest(far, self._points(np.array([key])), bound)
        nearer = t < self.t1[far]
        self.t1[far[nearer]], self.v1[far[nearer]] = t[nearer], key

    def _remove(self, key: int) -> None:
        """Close ``key``: the origins it served first or second take their next venues."""
        self.active[key] = False
        hit = (self.v1 == key) | (self.v2 == key)
        sel = hit[self.rows_o] & self.active[self.rows_k]
        t1, v1, t2, v2 = _top_two(
            self.rows_o[sel], self.rows_k[sel], self.rows_t[sel], len(self.t1)
        )
        where = np.flatnonzero(hit)
        self.t1[where], self.v1[where] = t1[where], v1[where]
        self.t2[where], self.v2[where] = t2[where], v2[where]
        self._search_far(where[(v1[where] == _NONE) & ~self.unplaced[where]])
        placed = where[~self.unplaced[where]]
        near = (
            sel
            & hit[self.rows_o]
            & (self.rows_t <= np.nan_to_num(self.t1, posinf=0.0)[self.rows_o] * 1.2 + 120.0)
        )
        self._retime(placed, self.rows_k[near])
        self.t1[self.unplaced] = np.nan

    def add(
        self, point: shapely.Point, *, name: str | None = None, venue_id: str | None = None
    ) -> str:
        """Open a hypothetical venue at ``point`` (working CRS); return its ``venue_id``."""
        self._check_point(point)
        n = sum(v.hypothetical for v in self.venues) + 1
        vid = venue_id or f"hypothetique-{n}"
        if any(v.venue_id == vid for v, a in zip(self.venues, self.active, strict=True) if a):
            raise InputDataError(f"venue_id={vid!r} is already open; give another id")
        venue = Venue(vid, name or f"Lieu hypothétique {n}", point.x, point.y, False, True)
        self.history.append(self._snapshot(f"ouverture : {venue.name}"))
        self._place(venue)
        return vid

    def close(self, venue_id: str) -> None:
        """Close the open venue ``venue_id``."""
        key = self.key_of(venue_id)
        if self.active.sum() <= 1:
            raise InputDataError("the last open venue cannot be closed")
        self.history.append(self._snapshot(f"fermeture : {self.venues[key].name}"))
        self._remove(key)

    def move(self, venue_id: str, point: shapely.Point) -> None:
        """Move the open venue ``venue_id`` to ``point`` (close it there, open it here)."""
        key = self.key_of(venue_id)
        self._check_point(point)
        old = self.venues[key]
        self.history.append(self._snapshot(f"déplacement : {old.name}"))
        self._remove(key)
        self._place(
            Venue(old.venue_id, old.name, point.x, point.y, old.supported, old.hypothetical,
                  dict(old.attributes))
        )  # fmt: skip

    def undo(self) -> bool:
        """Undo the last change; return False when there is none."""
        if not self.history:
            return False
        self._restore(self.history.pop())
        return True

    def reset(self) -> None:
        """Go back to the starting state (the history is emptied)."""
        self.history.clear()
        self._restore(self._start)

    def set_threshold(self, threshold_min: float) -> None:
        """Change the threshold (minutes, up to ``horizon_min``)."""
        threshold = check_threshold(threshold_min)
        self._check_horizon(threshold)
        self.threshold_min = threshold

    def _check_point(self, point: shapely.Point) -> None:
        if point is None or point.is_empty or point.geom_type != "Point":
            raise InputDataError(f"point must be a shapely Point, got {point!r}")
        placed = self.model.unplaced(gpd.GeoSeries([point], crs=self.crs))
        if len(placed):
            raise InputDataError("the travel-time model cannot place this point (off its roads)")

    # ------------------------------------------------------------------ figures

    def origin_frame(self) -> pd.DataFrame:
        """Return the origins with ``time_min``, ``nearest_venue``, ``covered`` (as coverage)."""
        time_min = self.t1 / 60.0
        ids = np.array([v.venue_id for v in self.venues] + [None], dtype=object)
        return pd.DataFrame(
            {
                "code_insee": self.codes,
                "population": self.population,
                "time_min": time_min,
                "nearest_venue": ids[self.v1],
                "covered": time_min <= self.threshold_min,
                "second_min": self.t2 / 60.0,
            },
            index=self.origins.index,
        )

    def communes_frame(self) -> gpd.GeoDataFrame:
        """Return the communes with :func:`maillage.coverage`'s figures for this state."""
        return aggregate(self.communes, self.origin_frame(), threshold_min=self.threshold_min)

    def commune_figures(self) -> pd.DataFrame:
        """Return per commune what the map and the headline need, fast.

        ``time_min`` (population-weighted mean over reachable origins), ``covered``,
        ``population`` and ``population_within_threshold``, the same numbers as
        :meth:`communes_frame` (:func:`maillage.coverage`'s) without the medians and
        majority venues that take most of its time; ``nom`` when the communes have it.
        """
        if not hasattr(self, "_commune_of"):
            pos = self.communes.index.astype(str).get_indexer(self.codes)
            self._commune_of = pos
        pos = self._commune_of
        keep = pos >= 0
        n = len(self.communes)
        t = self.t1 / 60.0
        w = self.population
        finite = np.isfinite(t)
        sums = [
            np.bincount(pos[keep], weights=v[keep], minlength=n)
            for v in (
                np.where(finite, w * np.where(finite, t, 0.0), 0.0),
                np.where(finite, w, 0.0),
                np.where(t <= self.threshold_min, w, 0.0),
            )
        ]
        has = np.bincount(pos[keep], minlength=n) > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            time_min = np.where(has, sums[0] / sums[1], np.nan)
        out = pd.DataFrame(
            {
                "time_min": time_min,
                "covered": time_min <= self.threshold_min,
                "population": self.communes["population"].to_numpy(),
                "population_within_threshold": np.where(has, sums[2], 0.0),
            },
            index=self.communes.index,
        )
        if "nom" in self.communes:
            out["nom"] = self.communes["nom"].to_numpy()
        return out

    def headline(self, communes_cov: pd.DataFrame | None = None) -> dict[str, float]:
        """Return the headline figures of this state (see :attr:`WhatIf.headline`)."""
        cov = self.commune_figures() if communes_cov is None else communes_cov
        total = float(cov["population"].sum())
        within = float(cov["population_within_threshold"].sum())
        second = float(self.population[self.t2 / 60.0 <= self.threshold_min].sum())
        white = ~cov["covered"].to_numpy(dtype=bool)
        return {
            "threshold_min": self.threshold_min,
            "population": total,
            "population_within_threshold": within,
            "share_within_threshold": within / total if total > 0 else float("nan"),
            "residents_beyond": total - within,
            "residents_second_choice": second,
            "white_zone_communes": int(white.sum()),
            "white_zone_population": float(cov["population"].to_numpy(dtype=float)[white].sum()),
            "venues_open": int(self.active.sum()),
        }

    def open_venues(self) -> list[tuple[int, Venue]]:
        """Return ``(record, venue)`` of every open venue."""
        return [(int(k), self.venues[k]) for k in np.flatnonzero(self.active)]
