"""Population grids in the working CRS: :func:`load_population_grid`."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from maillage.load.grid import read_grid_tile
from maillage.schema import CRS
from maillage.sources import CATALOGUE

__all__ = ["load_population_grid"]


def load_population_grid(
    source: str | Path = "filosofi-2021-200m-oleron",
    *,
    tile: tuple[int, int] | None = None,
) -> gpd.GeoDataFrame:
    """Load a Filosofi 200 m population tile as squares in Lambert-93 (EPSG:2154).

    Parameters
    ----------
    source, tile
        As in :func:`maillage.load.grid.read_grid_tile` (default: the Oléron tile).

    Returns
    -------
    geopandas.GeoDataFrame
        The squares of :func:`~maillage.load.grid.read_grid_tile` (same index, columns and
        errors), reprojected to EPSG:2154, ``population`` as float64; ``attrs["extent"]`` is
        the tile's outline in EPSG:2154 (communes beyond it get other origins, see
        :func:`maillage.analysis.coverage.build_origins`);
        ``attrs["data_credits"]`` names the grid (see :func:`maillage.credits`).

    Examples
    --------
    >>> grid = load_population_grid()
    >>> len(grid), float(grid["population"].sum()), grid.crs.to_epsg()
    (1507, 26820.5, 2154)
    >>> grid.index[0]
    'CRS3035RES200mN2572600E3453400'
    >>> grid.attrs["data_credits"]
    ['filosofi-2021-200m-oleron']
    """
    raw = read_grid_tile(source, tile=tile)
    out = raw.to_crs(CRS)
    out["population"] = out["population"].astype(np.float64)
    extent = gpd.GeoSeries([raw.attrs["extent"]], crs=raw.crs).segmentize(1000.0)
    out.attrs["extent"] = extent.to_crs(CRS).iloc[0]
    name = source if isinstance(source, str) and source in CATALOGUE else None
    credit = name or f"{Path(source).name} (fichier utilisateur)"
    out.attrs["data_credits"] = [credit]
    return out
