"""The communes of two dates: their pairing and where their residents' origins lie.

Used by :mod:`maillage.analysis.change` to switch the commune geography and the populations
independently: :func:`commune_crosswalk` pairs the communes of two dates (mergers, splits, new
codes), :func:`two_geographies` places the origins of each date once and gives the origin
weights of the four (geography, population) combinations, a date's populations carried onto
the other date's communes.

Examples
--------
>>> from maillage.prepare.toy import toy_territory
>>> communes, _ = toy_territory()
>>> merged = communes.iloc[:1].assign(geometry=[communes.union_all()], population=[200])
>>> geo = two_geographies(communes, merged, None)
>>> geo.same, geo.merged, float(geo.weights[(1, 0)].sum())
(False, 2, 200.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.analysis.coverage import build_origins
from maillage.errors import InputDataError
from maillage.prepare.codes import harmonise_codes

__all__ = [
    "OriginLayout",
    "TwoGeographies",
    "commune_crosswalk",
    "origin_layout",
    "two_geographies",
]


def commune_crosswalk(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pair the communes of two dates: same code, former code (COG 2026), else by position.

    A commune of ``before`` goes to the commune of ``after`` with its code, else to the
    current code of its former code (:func:`maillage.prepare.codes.harmonise_codes`: merged
    communes, communes déléguées), else to the commune of ``after`` that holds its
    representative point. A commune of ``after`` that no pair reaches (cut out of a commune
    of ``before``, as the communes restored from a commune nouvelle) goes to the commune of
    ``before`` that holds its representative point.

    Parameters
    ----------
    before, after : geopandas.GeoDataFrame
        Communes indexed by ``code_insee``, in the same CRS.

    Returns
    -------
    pandas.DataFrame
        ``code_before``, ``code_after`` and ``how`` (``"code"``, ``"former code"``,
        ``"position"``), one row per pair.

    Raises
    ------
    InputDataError
        When communes of one date have no counterpart (the two areas differ).

    Examples
    --------
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, _ = toy_territory()
    >>> merged = communes.iloc[:1].assign(geometry=[communes.union_all()])
    >>> commune_crosswalk(communes, merged).values.tolist()
    [['00001', '00001', 'code'], ['00002', '00001', 'position']]
    """
    b_codes, a_codes = before.index.astype(str), after.index.astype(str)
    target = pd.Series(b_codes.where(b_codes.isin(a_codes)), index=b_codes, dtype="string")
    how = pd.Series("code", index=b_codes, dtype=object)
    rest = target.isna().to_numpy()
    former = harmonise_codes(pd.Series(b_codes[rest]), current=a_codes).to_numpy(dtype=object)
    known = set(a_codes)
    target[rest] = [c if c in known else pd.NA for c in former]
    how[rest] = "former code"
    rest = target.isna().to_numpy()
    target[rest] = _holder(before.geometry[rest], after)
    how[rest] = "position"
    pairs = pd.DataFrame({"code_before": b_codes, "code_after": target.to_numpy(), "how": how})
    orphans = ~a_codes.isin(pairs["code_after"].dropna())
    found = _holder(after.geometry[orphans], before)
    extra = pd.DataFrame(
        {"code_before": found, "code_after": a_codes[orphans], "how": "position"}
    ).astype({"code_before": "string"})
    pairs = pd.concat([pairs, extra], ignore_index=True)
    lost = pairs[pairs["code_before"].isna() | pairs["code_after"].isna()]
    if len(lost):
        codes = lost["code_before"].fillna(lost["code_after"]).astype(str).tolist()
        msg = (
            f"{len(lost)} commune(s) of one date have no counterpart in the other, e.g. "
            f"{codes[:5]}: give the same area at both dates"
        )
        raise InputDataError(msg)
    return pairs.astype({"code_before": str, "code_after": str})


def _holder(geoms: gpd.GeoSeries, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Code of the commune of ``communes`` holding each geometry's representative point."""
    if len(geoms) == 0:
        return np.array([], dtype=object)
    points = gpd.GeoDataFrame(geometry=geoms.representative_point().to_numpy(), crs=geoms.crs)
    polys = gpd.GeoDataFrame(
        {"_code": communes.index.astype(str)}, geometry=communes.geometry.to_numpy(), crs=geoms.crs
    )
    joined = gpd.sjoin(points, polys, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    return joined["_code"].astype(object).where(joined["_code"].notna(), None).to_numpy()


def _carried(
    pop_from: pd.Series, pairs: pd.DataFrame, pop_to: pd.Series, keys: tuple[str, str]
) -> np.ndarray:
    """Carry the populations of one date onto the communes of the other (aligned on ``pop_to``).

    A commune of ``pop_from`` with several counterparts is shared in proportion to their own
    populations (equally when they have none); several communes into one add up.
    """
    src, dst = keys
    weight = pop_to.reindex(pairs[dst]).to_numpy(dtype=float)
    frame = pd.DataFrame({"src": pairs[src].to_numpy(), "w": weight})
    total = frame.groupby("src")["w"].transform("sum").to_numpy()
    count = frame.groupby("src")["w"].transform("size").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(total > 0, weight / total, 1.0 / count)
    amount = pop_from.reindex(pairs[src]).to_numpy(dtype=float) * fraction
    position = pop_to.index.get_indexer(pairs[dst])
    return np.bincount(position, weights=amount, minlength=len(pop_to))


@dataclass(frozen=True)
class OriginLayout:
    """The origins of one geography: their commune, weight and share of its population."""

    population: np.ndarray
    owner: np.ndarray
    weight: np.ndarray
    share: np.ndarray
    geometry: gpd.GeoSeries

    def weights(self, population: np.ndarray | None) -> np.ndarray:
        """Origin weights for commune populations of another date (None: its own)."""
        if population is None:
            return self.weight
        mapped = population[self.owner]
        own = mapped == self.population[self.owner]
        return np.where(own, self.weight, self.share * mapped)


def origin_layout(communes: gpd.GeoDataFrame, grid: gpd.GeoDataFrame | None) -> OriginLayout:
    """Place the origins of ``communes`` once (:func:`~maillage.analysis.coverage.build_origins`).

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population``.
    grid : geopandas.GeoDataFrame or None
        Population grid; else lattice origins.

    Returns
    -------
    OriginLayout
        The origins, the position of their commune, their population and their share of
        it (equal shares in a commune of no inhabitant).
    """
    origins = build_origins(communes, grid)
    owner = communes.index.astype(str).get_indexer(origins["code_insee"].astype(str))
    pop = communes["population"].to_numpy(dtype=float)
    weight = origins["population"].to_numpy(dtype=float)
    count = np.bincount(owner, minlength=len(pop)).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pop[owner] > 0, weight / pop[owner], 1.0 / count[owner])
    return OriginLayout(pop, owner, weight, share, origins.geometry)


@dataclass(frozen=True)
class TwoGeographies:
    """The origins of both dates, the origin weights of the four (geography, population)."""

    layouts: tuple[OriginLayout, OriginLayout]
    weights: dict[tuple[int, int], np.ndarray]
    same: bool
    merged: int
    split: int


def _populations(communes: gpd.GeoDataFrame) -> pd.Series:
    return pd.Series(communes["population"].to_numpy(dtype=float), index=communes.index.astype(str))


def _same_geometry(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> bool:
    b_codes, a_codes = before.index.astype(str), after.index.astype(str)
    if len(b_codes) != len(a_codes) or not b_codes.sort_values().equals(a_codes.sort_values()):
        return False
    b_geom = before.geometry.to_numpy()
    a_geom = after.geometry.to_numpy()[a_codes.get_indexer(b_codes)]
    return bool(shapely.equals_exact(b_geom, a_geom, tolerance=0.0).all())


def two_geographies(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, grid: gpd.GeoDataFrame | None
) -> TwoGeographies:
    """Place the origins of both dates and weigh them for each (geography, population).

    ``weights[(g, p)]`` (0: ``before``, 1: ``after``) weighs the origins of geography ``g``
    with the populations of date ``p``; when ``g != p`` the populations are carried by
    :func:`commune_crosswalk`: a commune split between several shares in proportion to
    their own populations, communes merged add up. When both dates have the same codes and
    polygons, the origins are placed once and ``same`` is True.

    Parameters
    ----------
    before, after : geopandas.GeoDataFrame
        Communes of the two dates (``code_insee`` index, ``population``), same CRS.
    grid : geopandas.GeoDataFrame or None
        Population grid for both; else lattice origins.

    Returns
    -------
    TwoGeographies
        ``layouts``, ``weights``, ``same``, ``merged`` (communes of ``before`` merged with
        others) and ``split`` (communes of ``after`` cut out of one of ``before``).
    """
    pb, pa = _populations(before), _populations(after)
    lb = origin_layout(before, grid)
    if _same_geometry(before, after):
        same_order = after.loc[before.index]  # the origins in the same order as before's
        la = lb if pa.reindex(pb.index).equals(pb) else origin_layout(same_order, grid)
        weights = {(g, p): (lb, la)[p].weight for g in (0, 1) for p in (0, 1)}
        return TwoGeographies((lb, la), weights, same=True, merged=0, split=0)
    pairs = commune_crosswalk(before, after)
    la = origin_layout(after, grid)
    b_on_a = _carried(pb, pairs, pa, ("code_before", "code_after"))
    a_on_b = _carried(pa, pairs, pb, ("code_after", "code_before"))
    weights = {
        (0, 0): lb.weight,
        (1, 1): la.weight,
        (0, 1): lb.weights(a_on_b),
        (1, 0): la.weights(b_on_a),
    }
    into = pairs.groupby("code_after")["code_before"].transform("size")
    out_of = pairs.groupby("code_before")["code_after"].transform("size")
    merged = int(pairs.loc[into > 1, "code_before"].nunique())
    split = int(pairs.loc[out_of > 1, "code_after"].nunique())
    return TwoGeographies((lb, la), weights, same=False, merged=merged, split=split)
