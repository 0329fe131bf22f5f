"""Why coverage changed between two dates: an exact split of the change into four parts.

Between two dates the share of residents within the threshold moves for four reasons, the
four *factors*:

* ``opened``: venues of the later date that the earlier one did not have;
* ``closed``: venues of the earlier date gone at the later one, or moved (a site kept by
  :func:`~maillage.analysis.vintages.site_pairs` whose point changed leaves its old place and
  takes its new one in this factor);
* ``population``: the populations of the communes;
* ``geography``: the communes themselves (mergers into communes nouvelles, splits, new
  codes, redrawn polygons): where the residents' origins lie.

Each factor is at its earlier or later state: the 2^4 = 16 combinations are 16 exact
coverage figures. :func:`decompose_change` splits the change with the symmetric **Shapley**
split: the part of a factor is the change it causes when switched from the earlier to the
later state, averaged over the 4! = 24 orders of switching the four factors. The parts add up
to the change (to float precision) whatever the order, and no factor is favoured by coming
first.

The times are not searched 16 times: opening or closing venues only changes the minimum
over venues, so the origins of each geography are searched once per group of venues (kept,
opened, gone, moved to) and an origin is covered in a state when a group present in that
state reaches it within the threshold; a population only changes the origins' weights.

Examples
--------
>>> from maillage import CrowFlyModel
>>> from maillage.prepare.toy import toy_territory
>>> communes, venues = toy_territory()
>>> model = CrowFlyModel(circuity=1, speed_kph=60)
>>> before = (communes, venues.iloc[:1])
>>> after = (communes.assign(population=[100, 300]), venues)
>>> change = decompose_change(before, after, model=model, threshold_min=20)
>>> round(change.before_share, 9), round(change.after_share, 9), round(change.change, 9)
(0.5, 1.0, 50.0)
>>> change.parts["points"].round(9).to_dict()
{'opened': 62.5, 'closed': 0.0, 'population': -12.5, 'geography': 0.0}
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
import shapely

from maillage.analysis._checks import check_model, check_threshold
from maillage.analysis.coverage import venue_points
from maillage.analysis.geography import OriginLayout, TwoGeographies, two_geographies
from maillage.analysis.vintages import site_pairs
from maillage.errors import InputDataError, MaillageWarning, OptionError
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "PARTS",
    "SHAPLEY_DEFINITION",
    "CoverageChange",
    "Snapshot",
    "changes_table",
    "decompose_change",
    "decompose_series",
    "series_changes",
    "shapley_split",
]

PARTS = ("opened", "closed", "population", "geography")
"""The four factors, in the order of the parts (and of the state flags)."""

SHAPLEY_DEFINITION = (
    "Shapley: the part of a factor is the change of the share it causes when switched from the "
    "earlier to the later date, averaged over the 24 orders of switching the four factors; the "
    "parts add up to the change whatever the order, and no factor is favoured."
)
"""The order-free definition recorded in every :class:`CoverageChange`."""

_GROUPS = ("kept", "opened", "gone", "arrived")
"""Groups of venues searched once each: unchanged, new, closed or left, moved-to places."""


class Snapshot(NamedTuple):
    """One date of a territory: its communes and the venues open then.

    Attributes
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population`` (that date's).
    venues : geopandas.GeoDataFrame
        Canonical venues open at that date (``venue_id``, ``name``, Point ``geometry``).
    """

    communes: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame


@dataclass(frozen=True, eq=False)
class CoverageChange:
    """The change of coverage between two dates, split into :data:`PARTS` (Shapley).

    Attributes
    ----------
    before_share, after_share : float
        Share of residents within the threshold at each date (0..1).
    change : float
        ``after_share - before_share`` in percentage points.
    before_residents, after_residents, change_residents : float
        Residents within the threshold at each date, and the change.
    parts : pandas.DataFrame
        Indexed by :data:`PARTS`, columns ``points`` and ``residents``: each column adds up
        to ``change`` and ``change_residents`` (to float precision).
    states : pandas.DataFrame
        The 16 states: one boolean column per factor of :data:`PARTS` (True: at the later
        date), ``total_population``, ``residents`` (within the threshold) and ``share``.
    venues_opened, venues_closed, venues_moved, venues_kept : int
        Sites of the matching (:func:`~maillage.analysis.vintages.site_pairs`): opened,
        closed, kept sites whose point moved more than ``moved_m`` and the other kept
        sites (their point may have moved less: a coordinate rounded or re-geocoded).
    communes_merged : int
        Communes of the earlier date merged with others into one commune of the later date.
    communes_split : int
        Communes of the later date cut out of a commune of the earlier date.
    threshold_min : float
        Access threshold in minutes.
    travel_time_model : dict
        ``describe()`` of the model.
    method : str
        ``"Shapley"``.
    definition : str
        :data:`SHAPLEY_DEFINITION`.
    """

    before_share: float
    after_share: float
    change: float
    before_residents: float
    after_residents: float
    change_residents: float
    parts: pd.DataFrame
    states: pd.DataFrame
    venues_opened: int
    venues_closed: int
    venues_moved: int
    venues_kept: int
    communes_merged: int
    communes_split: int
    threshold_min: float
    travel_time_model: dict[str, Any] = field(default_factory=dict)
    method: str = "Shapley"
    definition: str = SHAPLEY_DEFINITION

    def figures(self) -> dict[str, float | int]:
        """Return the shares, the change and its parts (points, residents) and the counts.

        Returns
        -------
        dict
            ``before_share``, ``after_share``, ``change``, the parts in points (keys of
            :data:`PARTS`), ``change_residents``, ``<part>_residents`` and :meth:`counts`.
        """
        points = self.parts["points"].to_dict()
        residents = {f"{k}_residents": v for k, v in self.parts["residents"].to_dict().items()}
        figures = {
            "before_share": self.before_share,
            "after_share": self.after_share,
            "change": self.change,
            **points,
            "change_residents": self.change_residents,
            **residents,
        }
        return figures | self.counts()

    def counts(self) -> dict[str, int]:
        """Return the counts of venues and communes that changed.

        Returns
        -------
        dict
            ``venues_opened, venues_closed, venues_moved, venues_kept, communes_merged,
            communes_split``.
        """
        names = ("opened", "closed", "moved", "kept")
        out = {f"venues_{n}": int(getattr(self, f"venues_{n}")) for n in names}
        return out | {
            "communes_merged": self.communes_merged,
            "communes_split": self.communes_split,
        }


def shapley_split(values: Mapping[tuple[bool, ...], float]) -> list[float]:
    """Return the Shapley part of each factor from the value of every state.

    Parameters
    ----------
    values : dict of {tuple of bool: float}
        The value of each of the ``2**n`` states; ``True`` at position ``i``: factor ``i``
        at its later state.

    Returns
    -------
    list of float
        ``n`` parts adding up to ``values[all True] - values[all False]``.

    Examples
    --------
    >>> shapley_split({(False, False): 0.5, (True, False): 1.0, (False, True): 0.25,
    ...                (True, True): 1.0})
    [0.625, -0.125]
    """
    n = len(next(iter(values)))
    if len(values) != 2**n:
        msg = f"values must give the 2**{n} = {2**n} states, got {len(values)}"
        raise InputDataError(msg)
    parts = []
    for i in range(n):
        total = 0.0
        for state, value in values.items():
            if not state[i]:
                k = sum(state)
                weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                total += weight * (values[(*state[:i], True, *state[i + 1 :])] - value)
        parts.append(total)
    return parts


def _check_snapshot(snapshot: Snapshot | tuple[Any, Any], name: str) -> Snapshot:
    if not isinstance(snapshot, tuple) or len(snapshot) != 2:
        msg = f"{name} must be a (communes, venues) pair or a Snapshot, got {type(snapshot)}"
        raise InputDataError(msg)
    communes, venues = snapshot
    check_columns(communes, ["population", "geometry"], name=f"{name}.communes")
    check_crs(communes, name=f"{name}.communes")
    check_columns(venues, ["venue_id", "name", "geometry"], name=f"{name}.venues")
    check_crs(venues, name=f"{name}.venues")
    return Snapshot(communes, venues)


def _venue_groups(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    stable_ids: bool,
    distance_m: float,
    moved_m: float,
) -> tuple[dict[str, gpd.GeoSeries], dict[str, int]]:
    """Return the four groups of placed venues and the counts of the matching."""
    old = venue_points(before, model=model, allow_empty=True)
    new = venue_points(after, model=model, allow_empty=True)
    pairs = site_pairs(before, after, by_id=stable_ids, distance_m=distance_m)
    b_geom = before.geometry.to_numpy()[pairs["earlier"].to_numpy()]
    a_geom = after.geometry.to_numpy()[pairs["later"].to_numpy()]
    moved = ~shapely.equals_exact(b_geom, a_geom, tolerance=0.0)
    far = int((shapely.distance(b_geom, a_geom) > moved_m).sum())
    closed = np.setdiff1d(np.arange(len(before)), pairs["earlier"])
    opened = np.setdiff1d(np.arange(len(after)), pairs["later"])

    def pick(frame: gpd.GeoDataFrame, points: gpd.GeoSeries, rows: np.ndarray) -> gpd.GeoSeries:
        ids = frame["venue_id"].astype(str).to_numpy()[np.asarray(rows, dtype=np.int64)]
        return points[points.index.isin(ids)]

    groups = {
        "kept": pick(before, old, pairs["earlier"].to_numpy()[~moved]),
        "opened": pick(after, new, opened),
        "gone": pick(before, old, np.r_[closed, pairs["earlier"].to_numpy()[moved]]),
        "arrived": pick(after, new, pairs["later"].to_numpy()[moved]),
    }
    counts = {"opened": len(opened), "closed": len(closed), "moved": far}
    return groups, counts | {"kept": len(pairs) - far}


def _reach(
    layout: OriginLayout, groups: dict[str, gpd.GeoSeries], model: TravelTimeModel, threshold: float
) -> dict[str, np.ndarray]:
    """For each group, which origins it reaches within the threshold (one search a group)."""
    out, unplaced = {}, 0
    for name in _GROUPS:
        points = groups[name]
        if len(points) == 0:
            out[name] = np.zeros(len(layout.weight), dtype=bool)
            continue
        time_s = model.nearest(layout.geometry, points)["travel_time_s"].to_numpy(dtype=float)
        out[name] = time_s / 60.0 <= threshold
        unplaced = int(np.isnan(time_s).sum())
    if unplaced:
        warnings.warn(
            f"{unplaced} origin(s) cannot be placed by the travel-time model: they count as "
            "not covered, as in maillage.coverage",
            MaillageWarning,
            stacklevel=4,
        )
    return out


def _states(
    reach: list[dict[str, np.ndarray]], weights: dict[tuple[int, int], np.ndarray]
) -> pd.DataFrame:
    """Return the 16 states: flags (opened, closed, population, geography) and figures."""
    rows = []
    for state in np.ndindex(2, 2, 2, 2):
        opened, closed, population, geography = (bool(s) for s in state)
        r = reach[geography]
        covered = r["kept"] | (r["arrived"] if closed else r["gone"])
        if opened:
            covered = covered | r["opened"]
        w = weights[(geography, population)]
        total, within = float(w.sum()), float(w[covered].sum())
        share = within / total if total > 0 else float("nan")
        rows.append((opened, closed, population, geography, total, within, share))
    return pd.DataFrame(rows, columns=[*PARTS, "total_population", "residents", "share"])


def _result(states: pd.DataFrame, counts: dict[str, int], **extra: Any) -> CoverageChange:
    flags = [tuple(bool(v) for v in row) for row in states[list(PARTS)].itertuples(index=False)]
    share = dict(zip(flags, states["share"], strict=True))
    residents = dict(zip(flags, states["residents"], strict=True))
    first, last = (False,) * 4, (True,) * 4
    parts = pd.DataFrame(
        {
            "points": [100.0 * p for p in shapley_split(share)],
            "residents": shapley_split(residents),
        },
        index=pd.Index(PARTS, name="part"),
    )
    return CoverageChange(
        before_share=float(share[first]),
        after_share=float(share[last]),
        change=100.0 * (float(share[last]) - float(share[first])),
        before_residents=float(residents[first]),
        after_residents=float(residents[last]),
        change_residents=float(residents[last]) - float(residents[first]),
        parts=parts,
        states=states,
        venues_opened=counts["opened"],
        venues_closed=counts["closed"],
        venues_moved=counts["moved"],
        venues_kept=counts["kept"],
        **extra,
    )


def _stable(*censuses: gpd.GeoDataFrame) -> bool:
    """Ids are stable unless a census named its venues after their rows."""
    return not any((c.attrs.get("census") or {}).get("row_ids", False) for c in censuses)


def _split(
    geo: TwoGeographies,
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    model: TravelTimeModel,
    threshold: float,
    stable_ids: bool | None,
    distance_m: float,
    moved_m: float,
) -> CoverageChange:
    if not np.isfinite(moved_m) or moved_m < 0:
        msg = f"moved_m must be a distance >= 0 in metres, got {moved_m!r}"
        raise OptionError(msg)
    stable = _stable(before, after) if stable_ids is None else bool(stable_ids)
    groups, counts = _venue_groups(
        before, after, model=model, stable_ids=stable, distance_m=distance_m, moved_m=moved_m
    )
    reach_b = _reach(geo.layouts[0], groups, model, threshold)
    reach_a = reach_b if geo.same else _reach(geo.layouts[1], groups, model, threshold)
    states = _states([reach_b, reach_a], geo.weights)
    return _result(
        states,
        counts,
        communes_merged=geo.merged,
        communes_split=geo.split,
        threshold_min=threshold,
        travel_time_model=dict(model.describe()),
    )


def decompose_change(
    before: Snapshot | tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    after: Snapshot | tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    stable_ids: bool | None = None,
    distance_m: float = 300.0,
    moved_m: float = 100.0,
) -> CoverageChange:
    """Split the change of the share within the threshold into four parts that add up to it.

    The parts are :data:`PARTS`: venues opened, venues closed or moved, population change
    and commune-geography change. They are the **Shapley** split over the four factors: the
    part of a factor is the change it causes when switched from ``before`` to ``after``,
    averaged over the 24 orders of switching the four factors (the 16 states are exact
    coverage figures, listed in ``states``). The parts add up to the change to float
    precision, whatever the order. Every date's share is the one :func:`maillage.coverage`
    gives (origins' population within the threshold over the population).

    Parameters
    ----------
    before, after : Snapshot or (communes, venues)
        The two dates: communes indexed by ``code_insee`` (EPSG:2154, ``population``) and
        the venues open then (``venue_id``, ``name``, Point ``geometry``). The communes may
        differ (mergers, splits, new codes: paired by :func:`~maillage.analysis.geography.commune_crosswalk`) but must
        cover the same area; a commune's population is carried to the communes of the other
        date in proportion to their populations (states mixing the two dates only).
    model : TravelTimeModel
        Travel-time model, used for both dates.
    threshold_min : float, optional
        Access threshold in minutes; default ``options.threshold_min`` (20).
    grid : geopandas.GeoDataFrame, optional
        Population grid, for both dates; else lattice origins per commune.
    stable_ids : bool, optional
        Whether ``venue_id`` names the same site at both dates; default: unless a census
        named its venues after their rows (``attrs["census"]["row_ids"]``).
    distance_m : float
        Largest distance of a site matched by place
        (:func:`~maillage.analysis.vintages.site_pairs`), in metres.
    moved_m : float
        A kept site counts as moved in ``venues_moved`` when its point moved farther, in
        metres. Only the count: every change of point, even a coordinate rounded or
        re-geocoded, is in the ``closed`` part (its effect, however small, is real).

    Returns
    -------
    CoverageChange
        Shares, change (percentage points), residents, ``parts`` (points and residents),
        the 16 ``states``, the counts of venues opened / closed / moved / kept and of
        communes merged / split, ``method="Shapley"`` and its ``definition``.

    Raises
    ------
    InputDataError
        Missing columns, or communes of one date without counterpart in the other.
    OptionError
        For a bad model, threshold, ``distance_m`` or ``moved_m``.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> change = decompose_change((communes, venues.iloc[:1]), (communes, venues),
    ...     model=CrowFlyModel(circuity=1, speed_kph=60), threshold_min=20)
    >>> round(change.change, 9), round(float(change.parts.loc["opened", "points"]), 9)
    (50.0, 50.0)
    >>> change.counts()["venues_opened"], change.method
    (1, 'Shapley')
    """
    model = check_model(model)
    threshold = check_threshold(threshold_min)
    first = _check_snapshot(before, "before")
    last = _check_snapshot(after, "after")
    geo = two_geographies(first.communes, last.communes, grid)
    return _split(
        geo,
        first.venues,
        last.venues,
        model=model,
        threshold=threshold,
        stable_ids=stable_ids,
        distance_m=distance_m,
        moved_m=moved_m,
    )


def changes_table(changes: Mapping[tuple[Any, Any], CoverageChange]) -> pd.DataFrame:
    """Return one row of :meth:`CoverageChange.figures` per ``(before, after)`` pair.

    Parameters
    ----------
    changes : dict of {(before, after): CoverageChange}
        Splits, e.g. from :func:`series_changes`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``before``, ``after``, columns of :meth:`CoverageChange.figures`;
        ``attrs``: ``threshold_min``, ``travel_time_model``, ``method``, ``definition``.
    """
    table = pd.DataFrame.from_dict({k: c.figures() for k, c in changes.items()}, orient="index")
    table.index = pd.MultiIndex.from_tuples(list(changes), names=["before", "after"])
    first = next(iter(changes.values()))
    table.attrs = {
        "threshold_min": first.threshold_min,
        "travel_time_model": dict(first.travel_time_model),
        "method": "Shapley",
        "definition": SHAPLEY_DEFINITION,
    }
    return table


def decompose_series(
    communes: gpd.GeoDataFrame,
    censuses: Mapping[Any, gpd.GeoDataFrame],
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    stable_ids: bool | Mapping[Any, bool] | None = None,
    distance_m: float = 300.0,
    moved_m: float = 100.0,
) -> pd.DataFrame:
    """Split the change of coverage between consecutive censuses, and first to last.

    :func:`decompose_change` for the venues of one territory at several dates (the
    ``--series`` lists, or the venues open each year of ``--years``: the same communes at
    every date, so the population and geography parts are 0). The origins are placed once.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The territory (the same at every date).
    censuses : dict of {date: geopandas.GeoDataFrame}
        Venues at each date (sortable keys: ISO dates, years), at least two.
    model, threshold_min, grid, distance_m, moved_m
        As in :func:`decompose_change`.
    stable_ids : bool or dict of {date: bool}, optional
        Whether ids name the same site (per census for a dict); default from
        ``attrs["census"]["row_ids"]``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``before``, ``after`` (each consecutive pair, then first to last when
        there are more than two dates): ``before_share``, ``after_share``, ``change`` and
        the four parts in points, ``change_residents`` and ``<part>_residents``, the counts
        of :meth:`CoverageChange.counts`. ``attrs``: ``threshold_min``,
        ``travel_time_model``, ``method`` and ``definition``.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.analysis.active import active_venues
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> years = {y: active_venues(venues, y) for y in (2018, 2019, 2020)}
    >>> table = decompose_series(communes, years, model=CrowFlyModel(), threshold_min=20)
    >>> table["opened"].round(9).tolist()
    [0.0, 50.0, 50.0]
    """
    changes = series_changes(
        communes,
        censuses,
        model=model,
        threshold_min=threshold_min,
        grid=grid,
        stable_ids=stable_ids,
        distance_m=distance_m,
        moved_m=moved_m,
    )
    return changes_table(changes)


def series_changes(
    communes: gpd.GeoDataFrame,
    censuses: Mapping[Any, gpd.GeoDataFrame],
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    stable_ids: bool | Mapping[Any, bool] | None = None,
    distance_m: float = 300.0,
    moved_m: float = 100.0,
) -> dict[tuple[Any, Any], CoverageChange]:
    """Return the splits of :func:`decompose_series`, one :class:`CoverageChange` per pair.

    Same parameters and pairs (each consecutive pair, then first to last when there are
    more than two dates); the origins are placed once.
    """
    model = check_model(model)
    threshold = check_threshold(threshold_min)
    keys = sorted(censuses)
    if len(keys) < 2:
        msg = f"censuses: give at least two dates to compare (got {len(keys)})"
        raise InputDataError(msg)
    for key in keys:
        _check_snapshot((communes, censuses[key]), f"censuses[{key!r}]")
    geo = two_geographies(communes, communes, grid)
    pairs = list(itertools.pairwise(keys))
    pairs += [(keys[0], keys[-1])] if len(keys) > 2 else []
    changes = {}
    for first, last in pairs:
        stable = (
            stable_ids
            if stable_ids is None or isinstance(stable_ids, bool)
            else bool(stable_ids.get(first, True) and stable_ids.get(last, True))
        )
        changes[(first, last)] = _split(
            geo,
            censuses[first],
            censuses[last],
            model=model,
            threshold=threshold,
            stable_ids=stable,
            distance_m=distance_m,
            moved_m=moved_m,
        )
    return changes
