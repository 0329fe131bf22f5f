"""Population density of the commune under a point: the setting of a trip.

The calibrated straight-line model (:mod:`maillage.travel.calibrated`) makes a trip's time
depend on where it starts: the first kilometres out of a dense town are slower than out of a
village. :class:`DensityLookup` answers "how dense is the commune this point lies in?" with
a spatial index over the commune polygons.

A point that lies in no polygon (the commune outlines are generalised, so a point on the
coast may fall just outside) takes the density of the nearest commune within ``max_gap_m``;
farther away (at sea, abroad) it has no density (``NaN``) and the caller decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from maillage.errors import OptionError
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DensityLookup", "commune_density"]


def commune_density(communes: gpd.GeoDataFrame) -> pd.Series:
    """Return the population density of each commune, inhabitants per km².

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Canonical communes (EPSG:2154) with a ``population`` column.

    Returns
    -------
    pandas.Series
        ``population / area`` in inhabitants per km², indexed like ``communes``; ``NaN``
        where the population or the geometry is missing or the area is zero.

    Raises
    ------
    ColumnError
        If ``population`` is missing.
    InputDataError
        If ``communes`` is not in EPSG:2154.

    Examples
    --------
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, _ = toy_territory()
    >>> commune_density(communes).tolist()
    [100.0, 100.0]
    """
    check_columns(communes, ["population"], name="communes")
    check_crs(communes, name="communes")
    area_km2 = communes.geometry.area.to_numpy(dtype=float) / 1e6
    population = pd.to_numeric(communes["population"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(area_km2 > 0, population / area_km2, np.nan)
    return pd.Series(density, index=communes.index, name="density_per_km2")


@dataclass(frozen=True, eq=False)
class DensityLookup:
    """Density of the commune under each point, through a spatial index of the communes.

    Build it with :meth:`from_communes`.

    Attributes
    ----------
    tree : shapely.STRtree
        Index over the commune polygons that have a geometry.
    density_per_km2 : numpy.ndarray
        Density of each indexed polygon, in tree order.
    codes : pandas.Index
        Index label (``code_insee``) of each indexed polygon, in tree order.
    max_gap_m : float
        A point outside every polygon takes the nearest commune within this distance.

    Examples
    --------
    >>> import numpy as np
    >>> from maillage.prepare.toy import toy_territory, X0, Y0
    >>> lookup = DensityLookup.from_communes(toy_territory()[0])
    >>> xy = np.array([[X0 + 500, Y0 + 500], [X0 + 1500, Y0], [X0 + 10_000, Y0]])
    >>> lookup.at(xy).tolist()
    [100.0, 100.0, nan]
    >>> lookup.commune_at(xy).tolist()
    ['00001', '00001', None]
    """

    tree: shapely.STRtree
    density_per_km2: np.ndarray
    codes: pd.Index
    max_gap_m: float = 2000.0

    @classmethod
    def from_communes(
        cls, communes: gpd.GeoDataFrame, *, max_gap_m: float = 2000.0
    ) -> DensityLookup:
        """Index ``communes`` (canonical, EPSG:2154, with ``population``).

        Communes without a geometry cannot hold a point and are left out.

        Parameters
        ----------
        communes : geopandas.GeoDataFrame
            Canonical communes.
        max_gap_m : float
            How far outside every polygon a point may lie and still take the nearest
            commune's density (the outlines are generalised). Default 2 km.

        Returns
        -------
        DensityLookup
            The lookup.

        Raises
        ------
        OptionError
            If ``max_gap_m`` is negative or no commune has a geometry.
        """
        if not (np.isfinite(max_gap_m) and max_gap_m >= 0):
            msg = f"max_gap_m must be a distance >= 0 in metres (got {max_gap_m!r})"
            raise OptionError(msg)
        density = commune_density(communes)
        geoms = communes.geometry.to_numpy()
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if not keep.any():
            msg = "communes: no commune has a geometry; give the communes with their outlines"
            raise OptionError(msg)
        return cls(
            tree=shapely.STRtree(geoms[keep]),
            density_per_km2=density.to_numpy()[keep],
            codes=communes.index[keep],
            max_gap_m=float(max_gap_m),
        )

    def positions(self, xy: np.ndarray) -> np.ndarray:
        """Return the tree position of the commune under each point, -1 for none.

        Parameters
        ----------
        xy : numpy.ndarray, shape (n, 2)
            Lambert-93 coordinates; rows with ``NaN`` get -1.

        Returns
        -------
        numpy.ndarray of int
            Position in :attr:`codes` / :attr:`density_per_km2`; a point on a shared
            border takes the first commune found; -1 beyond ``max_gap_m`` of every commune.
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        found = np.full(len(xy), -1, dtype=np.int64)
        ok = np.flatnonzero(~np.isnan(xy).any(axis=1))
        if len(ok) == 0:
            return found
        points = shapely.points(xy[ok])
        hit_point, hit_tree = self.tree.query(points, predicate="intersects")
        first_point, first = np.unique(hit_point, return_index=True)
        found[ok[first_point]] = hit_tree[first]
        missing = ok[found[ok] < 0]
        if len(missing) and self.max_gap_m > 0:
            near_point, near_tree = self.tree.query_nearest(
                shapely.points(xy[missing]), max_distance=self.max_gap_m, all_matches=False
            )
            found[missing[near_point]] = near_tree
        return found

    def at(self, xy: np.ndarray) -> np.ndarray:
        """Return the density (inhabitants per km²) of the commune under each point.

        ``NaN`` for points beyond ``max_gap_m`` of every commune, for ``NaN`` rows and
        for communes whose population is unknown. See the class example.
        """
        pos = self.positions(xy)
        return np.where(pos >= 0, self.density_per_km2[np.maximum(pos, 0)], np.nan)

    def commune_at(self, xy: np.ndarray) -> np.ndarray:
        """Return the commune label under each point (``None`` for none), as objects.

        See the class example.
        """
        pos = self.positions(xy)
        labels = np.full(len(pos), None, dtype=object)
        labels[pos >= 0] = self.codes.to_numpy(dtype=object)[pos[pos >= 0]]
        return labels
