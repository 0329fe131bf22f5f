"""Geometry steps shared by the prepare stage: Lambert-93, repair, dissolve by code."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.errors import InputDataError
from maillage.schema import CRS

__all__ = ["dissolve_by_code", "repair_geometries", "to_lambert93"]

logger = logging.getLogger(__name__)

_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon


def to_lambert93(frame: gpd.GeoDataFrame, *, name: str = "frame") -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` in Lambert-93 (EPSG:2154).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Frame with a CRS.
    name : str
        Argument name used in the error message.

    Returns
    -------
    geopandas.GeoDataFrame
        Reprojected copy (a plain copy when already in EPSG:2154).

    Raises
    ------
    InputDataError
        When ``frame`` has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> bordeaux = gpd.GeoDataFrame(geometry=[Point(-0.5792, 44.8378)], crs="EPSG:4326")
    >>> [round(v, -2) for v in to_lambert93(bordeaux).geometry.iloc[0].coords[0]]
    [417200.0, 6421800.0]
    """
    if frame.crs is None:
        msg = f"{name} has no CRS; set it with .set_crs(...) (e.g. 'EPSG:4326') before loading"
        raise InputDataError(msg)
    if frame.crs.equals(CRS):
        return frame.copy()
    return frame.to_crs(CRS)


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    parts = shapely.get_parts(geom)
    polygons = [p for p in parts if shapely.get_type_id(p) in _POLYGONAL]
    return shapely.union_all(polygons) if polygons else None


def repair_geometries(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Return ``geometry`` with invalid shapes repaired by :func:`shapely.make_valid`.

    Only the polygonal part of a repaired shape is kept (a bow-tie becomes two triangles;
    stray lines or points left by the repair are dropped). Missing geometries stay missing.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Polygons.

    Returns
    -------
    geopandas.GeoSeries
        New series, same index and CRS, every non-missing shape valid.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> fixed = repair_geometries(gpd.GeoSeries([bowtie]))
    >>> bool(fixed.is_valid.all()), fixed.iloc[0].geom_type, fixed.iloc[0].area
    (True, 'MultiPolygon', 2.0)
    """
    values = np.asarray(geometry.array, dtype=object).copy()
    invalid = ~shapely.is_valid(values) & ~shapely.is_missing(values)
    if invalid.any():
        logger.info("repairing %d invalid geometries", int(invalid.sum()))
        values[invalid] = [_polygonal_part(g) for g in shapely.make_valid(values[invalid])]
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def dissolve_by_code(geometry: gpd.GeoSeries, codes: pd.Series) -> gpd.GeoSeries:
    """Union the shapes that share a code.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Shapes.
    codes : pandas.Series
        Target code of each shape, aligned with ``geometry``.

    Returns
    -------
    geopandas.GeoSeries
        One shape per code, indexed by code (sorted), same CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely import box
    >>> shapes = gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)])
    >>> dissolve_by_code(shapes, pd.Series(["a", "a", "b"])).area.to_dict()
    {'a': 2.0, 'b': 1.0}
    """
    keys = pd.Series(codes.to_numpy(), index=geometry.index)
    shared = keys.duplicated(keep=False).to_numpy()
    single = gpd.GeoSeries(geometry[~shared].to_numpy(), index=keys[~shared].to_numpy())
    merged = {
        code: shapely.union_all(np.asarray(group.array, dtype=object))
        for code, group in geometry[shared].groupby(keys[shared])
    }
    out = pd.concat([single, gpd.GeoSeries(merged)]) if merged else single
    return gpd.GeoSeries(out.sort_index(), crs=geometry.crs)
