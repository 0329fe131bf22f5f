"""Population-weighted origins: the points from which travel times are measured.

Two ways to place the residents of a commune:

* :func:`origins_from_grid`: the centroids of population grid cells (INSEE 200 m squares),
  each carrying the cell's population;
* :func:`origins_from_communes`, when no grid is available: several points per commune.
  The commune's representative point (inside the polygon, close to its centre, where the
  bourg usually is) carries ``centre_share`` of the population; the rest is spread equally
  over a regular lattice clipped to the polygon, spaced so that a commune gets about
  ``lattice_points`` points. French rural population is concentrated in the bourg but a
  large part lives in hamlets spread over the commune; the lattice keeps the far hamlets,
  so a commune is never taken to be at zero minutes from a venue inside it.

In both cases the origin populations of a commune add up to the commune's population.
"""

from __future__ import annotations

import logging
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from maillage.errors import InputDataError, MaillageWarning, OptionError
from maillage.schema import check_columns, check_crs, check_not_empty, check_populations

__all__ = ["inside_extent", "origins_from_communes", "origins_from_grid"]

logger = logging.getLogger(__name__)


def _check_communes(communes: gpd.GeoDataFrame) -> None:
    check_columns(communes, ["population", "geometry"], name="communes")
    check_crs(communes, name="communes")
    check_not_empty(communes, name="communes")
    check_populations(communes, name="communes")
    if not communes.index.is_unique:
        dup = communes.index[communes.index.duplicated()].unique()[:5].tolist()
        msg = f"communes: the index (code_insee) has duplicates, e.g. {dup}; deduplicate first"
        raise InputDataError(msg)


def _lattice(geoms: np.ndarray, n_target: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (commune position, xy) of a regular lattice clipped to each polygon."""
    area = np.nan_to_num(shapely.area(geoms), nan=0.0)  # missing geometry: no lattice
    spacing = np.sqrt(np.where(area > 0, area, 1.0) / n_target)
    bounds = np.nan_to_num(shapely.bounds(geoms), nan=0.0)
    nx = np.clip(np.ceil((bounds[:, 2] - bounds[:, 0]) / spacing), 1, 8 * n_target)
    ny = np.clip(np.ceil((bounds[:, 3] - bounds[:, 1]) / spacing), 1, 8 * n_target)
    counts = np.where(area > 0, nx * ny, 0).astype(np.int64)
    nx = nx.astype(np.int64)
    owner = np.repeat(np.arange(len(geoms)), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(counts.sum()) - start
    col = k % nx[owner]
    row = k // nx[owner]
    x = bounds[owner, 0] + (col + 0.5) * spacing[owner]
    y = bounds[owner, 1] + (row + 0.5) * spacing[owner]
    shapely.prepare(geoms)
    inside = shapely.contains_xy(geoms[owner], x, y) & (area[owner] > 0)
    return owner[inside], np.c_[x[inside], y[inside]]


def origins_from_communes(
    communes: gpd.GeoDataFrame,
    *,
    centre_share: float = 0.5,
    lattice_points: int = 8,
) -> gpd.GeoDataFrame:
    """Place several population-weighted origins in each commune.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population`` and polygon ``geometry``.
    centre_share : float
        Share of the population put on the representative point (0..1).
    lattice_points : int
        Target number of lattice points per commune (>= 1); a commune too small or thin
        for its lattice keeps all its population on the representative point.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``origin_id`` (``<code_insee>-<k>``, ``k = 0`` for the centre), columns
        ``code_insee``, ``population`` (float), ``geometry`` (Point, EPSG:2154).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame(
    ...     {"population": [1000]}, geometry=[box(0, 0, 4000, 4000)],
    ...     index=pd.Index(["00001"], name="code_insee"), crs=2154)
    >>> origins = origins_from_communes(communes, lattice_points=4)
    >>> origins["population"].tolist()
    [500.0, 125.0, 125.0, 125.0, 125.0]
    >>> origins.geometry.iloc[1].wkt
    'POINT (1000 1000)'
    """
    _check_communes(communes)
    if not 0.0 <= centre_share <= 1.0:
        raise OptionError(f"centre_share must be within 0..1 (got {centre_share!r})")
    if int(lattice_points) < 1:
        raise OptionError(f"lattice_points must be >= 1 (got {lattice_points!r})")
    geoms = communes.geometry.to_numpy()
    pop = communes["population"].to_numpy(dtype=float)
    owner, xy = _lattice(geoms.copy(), int(lattice_points))
    n_lat = np.bincount(owner, minlength=len(communes))
    share_lat = np.where(n_lat > 0, 1.0 - centre_share, 0.0)
    per_point = pop * share_lat / np.maximum(n_lat, 1)
    lat_pop = per_point[owner]
    centre_pop = pop - np.bincount(owner, weights=lat_pop, minlength=len(communes))
    codes = communes.index.astype(str).to_numpy()
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(n_lat) - n_lat, n_lat) + 1
    centres = shapely.point_on_surface(geoms)
    frame = gpd.GeoDataFrame(
        {
            "code_insee": np.r_[codes, codes[owner]],
            "population": np.r_[centre_pop, lat_pop],
            "_order": np.r_[np.arange(len(codes)), owner],
            "_rank": np.r_[np.zeros(len(codes), dtype=np.int64), rank],
        },
        geometry=np.r_[centres, shapely.points(xy)],
        crs=communes.crs,
    )
    frame = frame.sort_values(["_order", "_rank"], kind="stable")
    frame.index = pd.Index(frame["code_insee"] + "-" + frame["_rank"].astype(str), name="origin_id")
    return frame.drop(columns=["_order", "_rank"])


def inside_extent(
    grid: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *, min_share: float = 0.99
) -> np.ndarray:
    """Return True for the communes lying inside the grid's extent.

    The extent is ``grid.attrs["extent"]`` (a polygon in the grid's CRS, e.g. the tile
    of :func:`maillage.load_population_grid`); a grid without one is taken to cover every
    commune. A commune is inside when at least ``min_share`` of its area is: a commune on
    the edge of a tile would otherwise put all its residents in the few cells of its part.

    Parameters
    ----------
    grid : geopandas.GeoDataFrame
        Population grid, EPSG:2154.
    communes : geopandas.GeoDataFrame
        Communes, EPSG:2154.
    min_share : float
        Share of a commune's area that must lie inside the extent.

    Returns
    -------
    numpy.ndarray
        One boolean per commune.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame({"population": [1, 1]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=2154)
    >>> grid = gpd.GeoDataFrame({"population": [1.0]}, geometry=[box(0, 0, 1, 1)], crs=2154)
    >>> inside_extent(grid, communes).tolist()
    [True, True]
    >>> grid.attrs["extent"] = box(0, 0, 15, 10)
    >>> inside_extent(grid, communes).tolist()
    [True, False]
    """
    extent = grid.attrs.get("extent")
    geoms = communes.geometry.to_numpy()
    if extent is None:
        return np.ones(len(geoms), dtype=bool)
    area = np.nan_to_num(shapely.area(geoms), nan=0.0)
    inside = np.nan_to_num(shapely.area(shapely.intersection(geoms, extent)), nan=0.0)
    return (area > 0) & (inside >= min_share * area)


def origins_from_grid(
    grid: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    max_distance_m: float = 1000.0,
    rescale: bool = False,
) -> gpd.GeoDataFrame:
    """Turn population grid cells into origins assigned to communes.

    Each cell centroid goes to the commune containing it; centroids outside every commune
    but within ``max_distance_m`` of one (coastal cells cut by simplified borders) go to the
    nearest commune and are counted in a :class:`MaillageWarning`; farther cells are outside
    the area and left out (logged).

    Parameters
    ----------
    grid : geopandas.GeoDataFrame
        From :func:`maillage.read_population_grid` (``population``, square ``geometry``).
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154.
    max_distance_m : float
        Farthest a cell centroid may lie outside the communes and still be assigned.
    rescale : bool
        Scale each commune's cells so they add up to the commune's ``population`` (the
        grid vintage and the legal populations differ).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``origin_id`` (the ``cell_id``), columns ``code_insee``, ``population``,
        ``geometry`` (cell centroid). Only communes holding at least one cell appear.

    Examples
    --------
    Two cells of 200 m in the first commune of the toy territory (100 inhabitants):

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from maillage.prepare.toy import X0, Y0, toy_territory
    >>> communes, _ = toy_territory()
    >>> grid = gpd.GeoDataFrame({"population": [10.0, 30.0]},
    ...     geometry=[box(X0, Y0, X0 + 200, Y0 + 200), box(X0 + 200, Y0, X0 + 400, Y0 + 200)],
    ...     index=pd.Index(["c1", "c2"], name="cell_id"), crs=2154)
    >>> origins_from_grid(grid, communes, rescale=True)["population"].tolist()
    [25.0, 75.0]
    """
    _check_communes(communes)
    check_columns(grid, ["population", "geometry"], name="grid")
    check_crs(grid, name="grid")
    cells = gpd.GeoDataFrame(
        {"population": grid["population"].to_numpy(dtype=float)},
        geometry=grid.geometry.centroid.to_numpy(),
        index=pd.Index(grid.index.astype(str), name="origin_id"),
        crs=grid.crs,
    )
    cells = cells[cells["population"] > 0]
    polys = gpd.GeoDataFrame(
        {"code_insee": communes.index.astype(str)},
        geometry=communes.geometry.to_numpy(),
        crs=communes.crs,
    )
    inside = gpd.sjoin(cells, polys, how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    outside = inside["code_insee"].isna()
    if outside.any():
        near = gpd.sjoin_nearest(
            cells[outside], polys, how="left", max_distance=max_distance_m, distance_col="_d"
        )
        near = near[~near.index.duplicated(keep="first")]
        inside.loc[near.index, "code_insee"] = near["code_insee"]
        n_near = int(near["code_insee"].notna().sum())
        if n_near:
            pop_near = float(near.loc[near["code_insee"].notna(), "population"].sum())
            warnings.warn(
                f"{n_near} grid cell(s) ({pop_near:.1f} inhabitants) lie outside every commune "
                f"and were assigned to the nearest commune (within {max_distance_m:g} m)",
                MaillageWarning,
                stacklevel=2,
            )
    far = inside["code_insee"].isna()
    if far.any():
        logger.info(
            "%d grid cell(s) farther than %g m from the communes left out",
            far.sum(),
            max_distance_m,
        )
    out = inside.loc[~far, ["code_insee", "population", "geometry"]]
    if rescale:
        target = communes["population"].astype(float)
        total = out.groupby("code_insee")["population"].transform("sum")
        out = out.assign(population=out["population"] * out["code_insee"].map(target) / total)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=communes.crs)
