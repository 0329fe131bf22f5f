"""Indicators by level and white zones, from a coverage result.

Pure functions of the frames :func:`maillage.coverage` returns.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from maillage.analysis._checks import check_threshold
from maillage.schema import check_columns

__all__ = ["white_zones"]

logger = logging.getLogger(__name__)


def _zone_of_parts(geoms: np.ndarray, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Dissolve ``geoms`` into zones; return (zone geometries, zone of each geometry).

    Touching polygons (gaps under ``snap_m`` closed) form one piece; every part of a
    multi-part commune lies in some piece, and the pieces a commune's parts fall in are
    one zone: an island stays with its commune's zone.
    """
    merged = shapely.union_all(shapely.buffer(geoms, snap_m)).buffer(-snap_m)
    pieces = shapely.get_parts(merged)
    pieces = pieces[shapely.area(pieces) > 0]
    if len(pieces) == 0:  # specks the snapping erased: keep them as they are
        pieces = shapely.get_parts(shapely.union_all(geoms))
    parts, owner = shapely.get_parts(geoms, return_index=True)
    tree = shapely.STRtree(pieces)
    # a part lies in the piece holding a point inside it; a sliver the buffer lost goes to
    # the piece it touches, else to the nearest one
    hit = tree.query(shapely.point_on_surface(parts), predicate="intersects")
    piece_of = np.full(len(parts), -1)
    piece_of[hit[0]] = hit[1]
    lost = np.flatnonzero(piece_of < 0)
    if len(lost):
        piece_of[lost] = tree.nearest(parts[lost])
    n = len(pieces)
    links = sparse.coo_array(
        (np.ones(len(parts)), (piece_of, n + owner)), shape=(n + len(geoms),) * 2
    )
    _, label = connected_components(links, directed=False)
    zone_ids, zone_of_piece = np.unique(label[:n], return_inverse=True)
    zones = np.array(
        [shapely.union_all(pieces[zone_of_piece == z]) for z in range(len(zone_ids))],
        dtype=object,
    )
    zone_of_commune = zone_of_piece[piece_of[np.unique(owner, return_index=True)[1]]]
    return zones, zone_of_commune


def white_zones(
    communes_cov: gpd.GeoDataFrame,
    *,
    threshold_min: float | None = None,
    snap_m: float = 1.0,
) -> gpd.GeoDataFrame:
    """Dissolve the communes beyond the threshold into contiguous white zones.

    Every part of a multi-part commune (an island) belongs to its commune's zone; a zone
    is contiguous land plus the islands of its communes. A white commune without polygon
    (missing or empty geometry) belongs to no zone: it is listed in
    ``attrs["unplaced_communes"]`` (its population still counts in
    :func:`maillage.indicators`).

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        From :func:`maillage.coverage`.
    threshold_min : float, optional
        Defaults to the coverage threshold. A commune is in a white zone when its
        population-weighted time is above it (or unknown).
    snap_m : float
        Gaps narrower than this between commune polygons (simplified borders) are closed.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone, largest population first: ``zone_id`` (1..n), ``communes``,
        ``population``, ``geometry`` (Polygon or MultiPolygon, in the CRS of
        ``communes_cov``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cov = gpd.GeoDataFrame({"population": [10, 20, 40], "time_min": [30.0, 40.0, 50.0]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000),
    ...               box(5000, 0, 6000, 1000)], crs=2154)
    >>> zones = white_zones(cov, threshold_min=20)
    >>> zones["communes"].tolist(), zones["population"].tolist()
    ([1, 2], [40.0, 30.0])
    """
    check_columns(communes_cov, ["population", "time_min", "geometry"], name="communes_cov")
    threshold = check_threshold(threshold_min, communes_cov)
    white = communes_cov[~(communes_cov["time_min"].to_numpy(dtype=float) <= threshold)]
    geoms = np.asarray(white.geometry.array, dtype=object)
    placed = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    unplaced = [str(c) for c in white.index[~placed]]
    if unplaced:
        logger.info("white commune(s) without polygon, in no zone: %s", ", ".join(unplaced))
    columns: dict[str, list[object]] = {"zone_id": [], "communes": [], "population": []}
    if not placed.any():
        out = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=communes_cov.crs))
    else:
        zones, zone_of = _zone_of_parts(geoms[placed], snap_m)
        weights = white["population"].to_numpy(float)[placed]
        out = gpd.GeoDataFrame(
            {
                "communes": np.bincount(zone_of, minlength=len(zones)),
                "population": np.bincount(zone_of, weights=weights, minlength=len(zones)),
            },
            geometry=list(zones),
            crs=communes_cov.crs,
        )
        out = out.sort_values("population", ascending=False, kind="stable")
        out = out.reset_index(drop=True)
        out.insert(0, "zone_id", np.arange(1, len(out) + 1))
    out.attrs.update(communes_cov.attrs)
    out.attrs["threshold_min"] = threshold
    out.attrs["unplaced_communes"] = unplaced
    return out
