"""Place points (in the graph's CRS) on the nearest node of the routable road graph.

A point farther than ``max_snap_m`` from every node is *unplaced*: it gets no time at
all (never a false zero). A placed point pays an access leg, its straight-line distance to
the node at :data:`ACCESS_SPEED_KPH`, for the unmapped stretch between it and the road
(drive, yard, field track).

Examples
--------
>>> import numpy as np
>>> snapped = snap_xy(np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[1.0, 0.0], [500.0, 0.0]]),
...                   max_snap_m=100.0)
>>> snapped.node.tolist(), snapped.placed.tolist()
([0, -1], [True, False])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from maillage.errors import InputDataError
from maillage.schema import CRS, WORKING_CRS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["ACCESS_SPEED_KPH", "Snapped", "points_xy", "snap_xy"]

ACCESS_SPEED_KPH = 15.0
"""Speed of the access leg between a point and its road node (slow: drive, yard, track)."""


@dataclass(frozen=True)
class Snapped:
    """Result of snapping points to graph nodes.

    Attributes
    ----------
    node : numpy.ndarray of int64
        Node of each point, ``-1`` when unplaced.
    distance_m : numpy.ndarray of float64
        Straight-line distance to that node, ``inf`` when unplaced.
    """

    node: np.ndarray
    distance_m: np.ndarray

    @property
    def placed(self) -> np.ndarray:
        """Boolean mask of the points placed on the graph."""
        return self.node >= 0

    def access_s(self, speed_kph: float = ACCESS_SPEED_KPH) -> np.ndarray:
        """Return the access-leg time of each point, seconds (``inf`` when unplaced)."""
        return self.distance_m / (speed_kph / 3.6)


def snap_xy(
    node_xy: np.ndarray,
    xy: np.ndarray,
    *,
    max_snap_m: float,
    tree: cKDTree | None = None,
) -> Snapped:
    """Snap coordinates to the nearest node within ``max_snap_m``.

    Parameters
    ----------
    node_xy : numpy.ndarray, shape (n, 2)
        Node coordinates.
    xy : numpy.ndarray, shape (m, 2)
        Point coordinates, same CRS.
    max_snap_m : float
        Largest allowed distance.
    tree : scipy.spatial.cKDTree, optional
        Prebuilt tree of ``node_xy``.

    Returns
    -------
    Snapped
        Node and distance of each point.

    Examples
    --------
    >>> snap_xy(np.zeros((1, 2)), np.array([[3.0, 4.0]]), max_snap_m=10.0).distance_m.tolist()
    [5.0]
    """
    tree = cKDTree(node_xy) if tree is None else tree
    if len(xy) == 0:
        return Snapped(np.empty(0, dtype=np.int64), np.empty(0))
    distance, node = tree.query(xy, k=1, distance_upper_bound=max_snap_m)
    node = np.where(np.isfinite(distance), node, -1).astype(np.int64)
    return Snapped(node, np.asarray(distance, dtype=np.float64))


def points_xy(points: gpd.GeoSeries, *, name: str, crs: str = CRS) -> np.ndarray:
    """Return the coordinates of a GeoSeries of points in ``crs``, checking it.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points; their index labels are the ids used in outputs.
    name : str
        Argument name, for error messages.
    crs : str, default "EPSG:2154"
        The CRS of the road graph: the points must be in it.

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        Coordinates.

    Raises
    ------
    InputDataError
        Not a GeoSeries, wrong or missing CRS, non-point or empty geometries, duplicate ids.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> points_xy(gpd.GeoSeries([Point(1, 2)], crs=2154), name="origins").tolist()
    [[1.0, 2.0]]
    >>> points_xy(gpd.GeoSeries([Point(1, 2)], crs=2154), name="origins", crs="EPSG:5490")
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: origins must be in EPSG:5490, the road network's CRS, got EPSG:2154; call origins.to_crs('EPSG:5490') (or build the network in the points' CRS: RoadNetwork.from_osm(..., crs='EPSG:2154'))
    """
    import geopandas as gpd  # noqa: PLC0415 - keeps the import of the package light

    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if not isinstance(points, gpd.GeoSeries):
        msg = f"{name} must be a GeoSeries of points in {crs}, got {type(points).__name__}"
        raise InputDataError(msg)
    found = None if points.crs is None else points.crs.to_string()
    if points.crs is None or not points.crs.equals(crs):
        fix = f"call {name}.to_crs({crs!r})" if found else f"set it with {name}.set_crs(...)"
        if found in WORKING_CRS:
            fix += f" (or build the network in the points' CRS: RoadNetwork.from_osm(..., crs={found!r}))"
        msg = f"{name} must be in {crs}, the road network's CRS, got {found}; {fix}"
        raise InputDataError(msg)
    problems = []
    bad = points.isna() | points.is_empty | (points.geom_type != "Point")
    if bad.any():
        problems.append(
            f"{int(bad.sum())} missing, empty or non-point geometries (ids {list(points.index[bad][:5])})"
        )
    if points.index.has_duplicates:
        dup = points.index[points.index.duplicated()].unique()
        problems.append(f"duplicate index labels {list(dup[:5])}")
    if problems:
        msg = f"{name} cannot be used: {'; '.join(problems)}; fix or drop these rows"
        raise InputDataError(msg)
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
