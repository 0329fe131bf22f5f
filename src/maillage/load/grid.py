"""Reader for INSEE Filosofi population squares (200 m), as tiled for GridViz.

The tiled CSVs (J. Gaffuri, ``tiled-grid-france-filosofi``) hold one row per inhabited
200 m square with its index ``x, y`` inside a tile of 256 x 256 cells. The lower-left corner
of a cell in ETRS89-LAEA (EPSG:3035) is::

    X = 3_200_000 + tile_x * 51_200 + 200 * x
    Y = 2_000_000 + tile_y * 51_200 + 200 * y

``ind`` is the number of individuals (may be fractional) and ``imputed`` (INSEE
``i_est_200``) is 1 when the value was estimated because of statistical secrecy.
The squares are returned in EPSG:3035, as the grid is defined;
:func:`maillage.prepare.grid.load_population_grid` brings them to Lambert-93.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from maillage.errors import ColumnError, InputDataError
from maillage.load.reading import reading
from maillage.sources import CATALOGUE, fetch

__all__ = ["GRID_ORIGIN_3035", "GRID_RESOLUTION_M", "TILE_CELLS", "read_grid_tile"]

logger = logging.getLogger(__name__)

GRID_ORIGIN_3035 = (3_200_000, 2_000_000)
"""Origin point of the tiling (EPSG:3035), from the tiling's ``info.json``."""
GRID_RESOLUTION_M = 200
TILE_CELLS = 256
_TILE_RE = re.compile(r"tile_(\d+)_(\d+)\.csv$|(?:^|/)(\d+)/(\d+)\.csv$")
_REQUIRED = ("x", "y", "imputed", "ind")


def _tile_of(path: Path) -> tuple[int, int]:
    """Return the tile indices written in a tile file name (``..._tile_4_11.csv``, ``4/11.csv``)."""
    match = _TILE_RE.search(path.as_posix())
    if match is None:
        msg = (
            f"source: cannot read the tile indices from {path.name!r}; name the file "
            "'..._tile_<x>_<y>.csv' or pass tile=(x, y)"
        )
        raise InputDataError(msg)
    groups = [g for g in match.groups() if g is not None]
    return int(groups[0]), int(groups[1])


def _resolve(source: str | Path) -> Path:
    """Return a local path: a catalogue name is fetched, anything else is a file path."""
    if isinstance(source, str) and source in CATALOGUE:
        return fetch(source)[0]
    path = Path(source)
    if not path.is_file():
        msg = f"source: {str(source)!r} is neither a catalogue name nor a file"
        raise InputDataError(msg)
    return path


def read_grid_tile(
    source: str | Path = "filosofi-2021-200m-oleron",
    *,
    tile: tuple[int, int] | None = None,
) -> gpd.GeoDataFrame:
    """Read a Filosofi 200 m population tile into squares in EPSG:3035 (no reprojection).

    Parameters
    ----------
    source : str or path
        Catalogue name (default: the Oléron tile) or a tile CSV with columns
        ``x, y, imputed, ind``.
    tile : (int, int), optional
        Tile indices; read from the file name when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``cell_id`` (INSEE style ``CRS3035RES200mN<Y>E<X>``, lower-left corner),
        columns ``population`` (float), ``imputed`` (bool), ``geometry`` (the 200 m square,
        EPSG:3035). ``attrs["extent"]`` is the tile's square (a shapely polygon, EPSG:3035):
        where the grid says something, inhabited or not.

    Raises
    ------
    InputDataError
        Unknown name or file, tile indices not found, cell indices outside the tile.
    ColumnError
        A required column is missing.

    Examples
    --------
    >>> grid = read_grid_tile()
    >>> len(grid), float(grid["population"].sum()), grid.crs.to_epsg()
    (1507, 26820.5, 3035)
    >>> grid.index[0]
    'CRS3035RES200mN2572600E3453400'
    """
    path = _resolve(source)
    tx, ty = tile if tile is not None else _tile_of(path)
    with reading(
        path, name="source", hint="give a Filosofi tile CSV with columns x, y, imputed, ind"
    ):
        raw = pd.read_csv(path)  # the C parser copes with CRLF line ends
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        found = ", ".join(map(repr, raw.columns))
        msg = f"population grid {path.name} is missing column(s) {missing}; found: {found}"
        raise ColumnError(msg)
    bad = ~raw["x"].between(0, TILE_CELLS - 1) | ~raw["y"].between(0, TILE_CELLS - 1)
    if bad.any():
        msg = f"population grid {path.name}: {int(bad.sum())} row(s) have x/y outside 0..255"
        raise InputDataError(msg)
    step = GRID_RESOLUTION_M * TILE_CELLS
    x0 = GRID_ORIGIN_3035[0] + tx * step + GRID_RESOLUTION_M * raw["x"].to_numpy()
    y0 = GRID_ORIGIN_3035[1] + ty * step + GRID_RESOLUTION_M * raw["y"].to_numpy()
    squares = shapely.box(x0, y0, x0 + GRID_RESOLUTION_M, y0 + GRID_RESOLUTION_M)
    ids = [f"CRS3035RES200mN{int(y)}E{int(x)}" for x, y in zip(x0, y0, strict=True)]
    grid = gpd.GeoDataFrame(
        {
            "population": raw["ind"].to_numpy(dtype=float),
            "imputed": raw["imputed"].to_numpy() == 1,
        },
        geometry=squares,
        index=pd.Index(ids, name="cell_id"),
        crs="EPSG:3035",
    )
    x_tile, y_tile = GRID_ORIGIN_3035[0] + tx * step, GRID_ORIGIN_3035[1] + ty * step
    grid.attrs["extent"] = shapely.box(x_tile, y_tile, x_tile + step, y_tile + step)
    logger.info(
        "read %d grid cells (%.1f inhabitants) from %s", len(grid), grid.population.sum(), path
    )
    return grid
