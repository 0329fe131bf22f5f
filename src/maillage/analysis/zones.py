"""Indicators by level and white zones, from a coverage result.

Pure functions of the frames :func:`maillage.coverage` returns.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely

from maillage.analysis._checks import check_threshold
from maillage.schema import check_columns

__all__ = ["white_zones"]

logger = logging.getLogger(__name__)


def white_zones(
    communes_cov: gpd.GeoDataFrame,
    *,
    threshold_min: float | None = None,
    snap_m: float = 1.0,
) -> gpd.GeoDataFrame:
    """Dissolve the communes beyond the threshold into contiguous white zones.

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
        One row per contiguous zone, largest population first: ``zone_id`` (1..n),
        ``communes``, ``population``, ``geometry`` (Polygon, EPSG:2154).

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
    columns: dict[str, list[object]] = {"zone_id": [], "communes": [], "population": []}
    if len(white) == 0:
        out = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=communes_cov.crs))
    else:
        geoms = white.geometry.to_numpy()
        merged = shapely.union_all(shapely.buffer(geoms, snap_m)).buffer(-snap_m)
        parts = shapely.get_parts(merged)
        parts = parts[shapely.area(parts) > 0]
        tree = shapely.STRtree(parts)
        probe = shapely.point_on_surface(geoms)
        hit = tree.query(probe, predicate="within")
        part_of = np.full(len(white), -1)
        part_of[hit[0]] = hit[1]
        missing = part_of < 0
        if missing.any():  # degenerate slivers: nearest part
            part_of[missing] = tree.nearest(probe[missing])
        pop = np.bincount(
            part_of, weights=white["population"].to_numpy(float), minlength=len(parts)
        )
        count = np.bincount(part_of, minlength=len(parts))
        out = gpd.GeoDataFrame(
            {"communes": count, "population": pop}, geometry=list(parts), crs=communes_cov.crs
        )
        out = out[out["communes"] > 0].sort_values("population", ascending=False, kind="stable")
        out = out.reset_index(drop=True)
        out.insert(0, "zone_id", np.arange(1, len(out) + 1))
    out.attrs.update(communes_cov.attrs)
    out.attrs["threshold_min"] = threshold
    return out
