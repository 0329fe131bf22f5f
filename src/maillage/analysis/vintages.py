"""Dated vintages of one network: sites matched across vintages, openings and closures.

A network published several times (the France services lists of 2020, a GoGoCarto map
exported every year) is a series of censuses keyed by date. Between two consecutive
vintages a site is the same when:

1. both vintages have stable ids and the site keeps its ``venue_id`` (the France services
   ``MATRICULE`` from 2020-01-09 on);
2. else, in the same commune (``code_insee``, harmonised to one COG), the names agree once
   stripped of accents, case, punctuation and the network's own words ("France services",
   "espace", "maison"...);
3. else, in the same commune, the points lie within ``distance_m`` of each other.

Each match is one-to-one. A site of the later vintage matched to none is an opening, a site
of the earlier one matched to none a closure.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> def census(ids, names, xs):
...     return gpd.GeoDataFrame({"venue_id": ids, "name": names, "code_insee": "16015"},
...         geometry=[Point(x, 0) for x in xs], crs=2154)
>>> summary, changes = match_vintages({
...     "2020-01-02": census(["1", "2"], ["A", "B"], [0, 1000]),
...     "2020-02-06": census(["1", "3"], ["A", "C"], [0, 5000])})
>>> summary[["venues", "opened", "closed"]].to_dict("list")
{'venues': [2, 2], 'opened': [2, 1], 'closed': [0, 1]}
>>> changes[["vintage", "change", "name"]].values.tolist()
[['2020-02-06', 'ouverture', 'C'], ['2020-02-06', 'fermeture', 'B']]
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from maillage.analysis.years import coverage_by_year
from maillage.errors import InputDataError, OptionError

if TYPE_CHECKING:
    from collections.abc import Hashable, Mapping

    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = [
    "CHANGE_COLUMNS",
    "SUMMARY_COLUMNS",
    "coverage_by_date",
    "iso_date",
    "match_vintages",
    "name_key",
    "site_pairs",
]

SUMMARY_COLUMNS = ("venues", "opened", "closed", "kept", "by_id", "by_name", "by_place")
"""Columns of the per-vintage summary (``opened`` of the first vintage: all its sites)."""

CHANGE_COLUMNS = ("vintage", "previous", "change", "site", "venue_id", "name", "code_insee", "kind")
"""Columns of the openings / closures table."""

_NETWORK_WORDS = frozenset(
    {"france", "services", "service", "espace", "maison", "msap", "fs", "antenne", "mfs"}
)
_STOP_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "d", "l", "et", "en", "a", "au"})


def name_key(name: object) -> str:
    """Return a comparable venue name: no accents, case, punctuation nor network words.

    Parameters
    ----------
    name : object
        Venue name.

    Returns
    -------
    str
        Sorted words joined by spaces; empty for a missing name.

    Examples
    --------
    >>> name_key("Espace France Services de Ribemont"), name_key("Maison France services RIBEMONT")
    ('ribemont', 'ribemont')
    """
    if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
        return ""
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    words = set(re.split(r"[^a-z0-9]+", plain)) - _NETWORK_WORDS - _STOP_WORDS - {""}
    return " ".join(sorted(words))


def _ids(frame: gpd.GeoDataFrame) -> pd.Series:
    text = frame["venue_id"].astype("string").str.strip()
    return text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)


def _pairs_by(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> list[tuple[int, int]]:
    """One-to-one pairs of positions whose ``keys`` agree (first come, first served)."""
    lk = left.dropna(subset=keys)
    rk = right.dropna(subset=keys)
    lk, rk = lk[(lk[keys] != "").all(axis=1)], rk[(rk[keys] != "").all(axis=1)]
    merged = lk.reset_index().merge(rk.reset_index(), on=keys, suffixes=("_l", "_r"))
    merged = merged.drop_duplicates("index_l").drop_duplicates("index_r")
    return list(zip(merged["index_l"], merged["index_r"], strict=True))


def _pairs_near(
    left: pd.DataFrame, right: pd.DataFrame, distance_m: float
) -> list[tuple[int, int]]:
    """Pairs in the same commune within ``distance_m``, nearest first."""
    merged = left.reset_index().merge(right.reset_index(), on="code_insee", suffixes=("_l", "_r"))
    if merged.empty:
        return []
    dist = np.hypot(merged["x_l"] - merged["x_r"], merged["y_l"] - merged["y_r"])
    merged = merged.assign(d=dist)[dist <= distance_m].sort_values("d", kind="stable")
    merged = merged.drop_duplicates("index_l").drop_duplicates("index_r")
    return list(zip(merged["index_l"], merged["index_r"], strict=True))


def _keys(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["venue_id"] = _ids(frame).to_numpy()
    code = frame["code_insee"] if "code_insee" in frame else pd.Series(pd.NA, index=frame.index)
    out["code_insee"] = code.astype("string").to_numpy()
    out["name_key"] = [name_key(n) for n in frame["name"]]
    out["x"] = frame.geometry.x.to_numpy()
    out["y"] = frame.geometry.y.to_numpy()
    return out


def _match_pair(
    earlier: gpd.GeoDataFrame, later: gpd.GeoDataFrame, *, by_id: bool, distance_m: float
) -> dict[str, list[tuple[int, int]]]:
    """Match two vintages, rule by rule (positions in each frame)."""
    left, right = _keys(earlier), _keys(later)
    found: dict[str, list[tuple[int, int]]] = {"id": [], "name": [], "place": []}
    rules = (("id", ["venue_id"]), ("name", ["code_insee", "name_key"]), ("place", None))
    for rule, keys in rules:
        if rule == "id" and not by_id:
            continue
        pairs = (
            _pairs_near(left, right, distance_m) if keys is None else _pairs_by(left, right, keys)
        )
        found[rule] = pairs
        left = left.drop(index=[p[0] for p in pairs])
        right = right.drop(index=[p[1] for p in pairs])
    return found


def site_pairs(
    earlier: gpd.GeoDataFrame,
    later: gpd.GeoDataFrame,
    *,
    by_id: bool = True,
    distance_m: float = 300.0,
) -> pd.DataFrame:
    """Return the sites kept between two vintages, as pairs of row positions.

    The matching of :func:`match_vintages` (by id, by name in the commune, by place),
    for callers that need to know which row of ``later`` is which row of ``earlier``.

    Parameters
    ----------
    earlier, later : geopandas.GeoDataFrame
        Two vintages, as in :func:`match_vintages`.
    by_id : bool
        Whether ``venue_id`` names the same site in both.
    distance_m : float
        Largest distance between the two points of one site matched by place, in metres.

    Returns
    -------
    pandas.DataFrame
        ``earlier``, ``later`` (row positions, int) and ``rule`` (``"id"``, ``"name"`` or
        ``"place"``); rows of ``earlier`` absent are closures, of ``later`` openings.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> a = gpd.GeoDataFrame({"venue_id": ["1", "2"], "name": ["A", "B"], "code_insee": "16015"},
    ...     geometry=[Point(0, 0), Point(1000, 0)], crs=2154)
    >>> site_pairs(a, a.iloc[::-1]).values.tolist()
    [[0, 1, 'id'], [1, 0, 'id']]
    """
    _check({0: earlier, 1: later}, distance_m)
    found = _match_pair(earlier, later, by_id=by_id, distance_m=distance_m)
    rows = [(b, a, rule) for rule, pairs in found.items() for b, a in pairs]
    out = pd.DataFrame(rows, columns=["earlier", "later", "rule"])
    return out.astype({"earlier": "int64", "later": "int64", "rule": "object"})


def _check(censuses: Mapping[Any, gpd.GeoDataFrame], distance_m: float) -> list[Any]:
    if len(censuses) < 1:
        raise InputDataError("censuses is empty: give at least one dated census")
    if not np.isfinite(distance_m) or distance_m < 0:
        msg = f"distance_m must be a distance >= 0 in metres, got {distance_m!r}"
        raise OptionError(msg)
    for key, frame in censuses.items():
        missing = [c for c in ("venue_id", "name") if c not in frame.columns]
        if missing:
            msg = f"census {key!r} lacks column(s) {', '.join(missing)}"
            raise InputDataError(msg)
    return sorted(censuses)


def _change_rows(frame: gpd.GeoDataFrame, positions: list[int], sites: list[int]) -> pd.DataFrame:
    picked = frame.iloc[positions]
    out = pd.DataFrame({"site": [sites[p] for p in positions]})
    for column in ("venue_id", "name", "code_insee", "kind"):
        values = picked[column] if column in picked else pd.Series(pd.NA, index=picked.index)
        out[column] = values.astype("string").to_numpy()
    return out


def _step(
    earlier: gpd.GeoDataFrame,
    later: gpd.GeoDataFrame,
    sites: list[int],
    next_site: int,
    *,
    by_id: bool,
    distance_m: float,
) -> tuple[list[int], dict[str, int], list[pd.DataFrame]]:
    """Sites of ``later``, its summary row and its openings/closures after ``earlier``."""
    found = _match_pair(earlier, later, by_id=by_id, distance_m=distance_m)
    pairs = [pair for rule in found.values() for pair in rule]
    later_sites = [-1] * len(later)
    for b, a in pairs:
        later_sites[a] = sites[b]
    opened = [i for i, site in enumerate(later_sites) if site < 0]
    for offset, i in enumerate(opened):
        later_sites[i] = next_site + offset
    matched = {b for b, _ in pairs}
    closed = [i for i in range(len(earlier)) if i not in matched]
    rows = [
        _change_rows(later, opened, later_sites).assign(change="ouverture"),
        _change_rows(earlier, closed, sites).assign(change="fermeture"),
    ]
    summary = {"venues": len(later), "opened": len(opened), "closed": len(closed)}
    summary |= {"kept": len(pairs), **{f"by_{rule}": len(p) for rule, p in found.items()}}
    return later_sites, summary, rows


def match_vintages(
    censuses: Mapping[Any, gpd.GeoDataFrame],
    *,
    stable_ids: bool | Mapping[Any, bool] = True,
    distance_m: float = 300.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Match sites across dated vintages and list the openings and closures.

    Parameters
    ----------
    censuses : dict of {key: geopandas.GeoDataFrame}
        Vintages keyed by date (any sortable key: ``"2020-01-02"``, a date, a year), each
        with ``venue_id``, ``name``, ``code_insee`` (one COG for all) and points in a metric
        CRS (EPSG:2154).
    stable_ids : bool or dict of {key: bool}
        Whether ``venue_id`` names the same site across vintages; per vintage for a dict
        (ids made up from row numbers are not stable).
    distance_m : float
        Largest distance between the two points of one site matched by place, in metres.

    Returns
    -------
    summary : pandas.DataFrame
        Indexed by vintage: :data:`SUMMARY_COLUMNS` (``by_*``: sites kept, by rule).
    changes : pandas.DataFrame
        :data:`CHANGE_COLUMNS`, one row per opening (``"ouverture"``) or closure
        (``"fermeture"``) between ``previous`` and ``vintage``; ``site`` numbers a site
        across every vintage.

    Raises
    ------
    InputDataError
        When ``censuses`` is empty or a census lacks ``venue_id`` or ``name``.
    OptionError
        For a negative ``distance_m``.
    """
    keys = _check(censuses, distance_m)

    def is_stable(key: Hashable) -> bool:
        if isinstance(stable_ids, bool):
            return stable_ids
        return bool(stable_ids.get(key, True))

    sites = list(range(len(censuses[keys[0]])))
    next_site = len(sites)
    summary = [{"venues": len(sites), "opened": len(sites), "closed": 0, "kept": 0}]
    changes = []
    for before, after in itertools.pairwise(keys):
        by_id = is_stable(before) and is_stable(after)
        sites, row, rows = _step(
            censuses[before], censuses[after], sites, next_site, by_id=by_id, distance_m=distance_m
        )
        next_site += row["opened"]
        summary.append(row)
        changes += [r.assign(vintage=after, previous=before) for r in rows]
    out = pd.DataFrame(summary, index=pd.Index(keys, name="vintage"))
    out = out.reindex(columns=list(SUMMARY_COLUMNS)).fillna(0).astype(int)
    table = pd.concat(changes, ignore_index=True) if changes else pd.DataFrame()
    table = table.reindex(columns=list(CHANGE_COLUMNS))
    table["site"] = table["site"].astype("Int64")
    return out, table


def iso_date(value: object) -> str:
    """Write a vintage key as an ISO date: ``"2020-01-02"``, a date, a timestamp, a year.

    Parameters
    ----------
    value : object
        ``"2020-01-02"``, ``"2020-01"``, ``datetime.date``, ``pandas.Timestamp`` or a year.

    Returns
    -------
    str
        ``YYYY-MM-DD`` (the first day of a month or a year given alone).

    Raises
    ------
    OptionError
        When the value is not a date.

    Examples
    --------
    >>> iso_date("2020-01-02"), iso_date(2021), iso_date("2024-08")
    ('2020-01-02', '2021-01-01', '2024-08-01')
    """
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        text += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    try:
        return pd.Timestamp(text).date().isoformat()
    except ValueError as exc:
        msg = f"{value!r} is not a date; write it YYYY-MM-DD (2020-01-02), YYYY-MM or YYYY"
        raise OptionError(msg) from exc


def coverage_by_date(
    communes: gpd.GeoDataFrame,
    censuses: Mapping[Any, gpd.GeoDataFrame],
    *,
    model: TravelTimeModel,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Headline coverage figures of dated censuses, keyed by date rather than by year.

    The sibling of :func:`maillage.coverage_by_year` for vintages published several times a
    year (the France services lists of 2020).

    Parameters
    ----------
    communes
        As in :func:`maillage.coverage_by_year`.
    censuses : dict of {date: geopandas.GeoDataFrame}
        Venues of each vintage; keys as accepted by :func:`iso_date`.
    model, threshold_min, grid
        As in :func:`maillage.coverage_by_year`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date`` (ISO text, increasing), the columns of
        :func:`maillage.coverage_by_year`.

    Raises
    ------
    OptionError
        When two keys are the same date or a key is not a date.

    Examples
    --------
    >>> from maillage.prepare.toy import toy_territory
    >>> from maillage.travel.crowfly import CrowFlyModel
    >>> communes, venues = toy_territory()
    >>> table = coverage_by_date(communes, {"2020-06-17": venues, "2020-01-02": venues.iloc[:1]},
    ...     model=CrowFlyModel(), threshold_min=20)
    >>> table.index.tolist(), table["venues"].tolist()
    (['2020-01-02', '2020-06-17'], [1, 2])
    """
    dates = {iso_date(key): frame for key, frame in censuses.items()}
    if len(dates) < len(censuses):
        msg = f"censuses: two keys name the same date ({sorted(map(str, censuses))})"
        raise OptionError(msg)
    order = sorted(dates)
    by_rank = coverage_by_year(
        communes,
        {rank: dates[day] for rank, day in enumerate(order)},
        model=model,
        threshold_min=threshold_min,
        grid=grid,
    )
    out = by_rank.copy()
    out.index = pd.Index(order, name="date")
    out.attrs = dict(by_rank.attrs)
    return out
