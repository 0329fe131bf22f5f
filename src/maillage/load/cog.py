"""The official geographic code (COG 2026): communes, former codes, départements, régions, EPCI.

Reads the compact tables committed under ``data/`` (built from Etalab
decoupage-administratif 6.0.0 by ``scripts/build_cog_table.py``; see ``data/README.md``).
No network, no geometry. Every reader returns a fresh copy: callers may modify it.

Examples
--------
>>> from maillage.load.cog import read_cog_table, read_former_codes
>>> cog = read_cog_table()
>>> cog.loc["33063", ["nom", "departement", "region"]].tolist()
['Bordeaux', '33', '75']
>>> read_former_codes()["75111"]  # arrondissements municipaux map to their commune
'75056'
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import pandas as pd

from maillage.errors import DataSourceError

__all__ = [
    "COG_CREDITS",
    "COG_VINTAGE",
    "cog_table_path",
    "read_cog_table",
    "read_departements",
    "read_epci",
    "read_former_codes",
    "read_regions",
]

COG_VINTAGE = "COG 2026"
"""Vintage of the commune codes every frame is harmonised to."""

COG_CREDITS = ("etalab-decoupage-administratif-6.0.0",)
"""Catalogue names to credit when a result uses these tables."""

_FILES = {
    "communes": "cog2026_communes.csv.gz",
    "former_codes": "cog2026_former_codes.csv",
    "departements": "cog2026_departements.csv",
    "regions": "cog2026_regions.csv",
    "epci": "cog2026_epci.csv",
    "restored_communes": "restored_communes.csv",
}


def _data_dirs() -> list[Path]:
    # Installed package (src/maillage/data is a link to the repository's data/ folder),
    # then the repository checkout itself.
    here = Path(str(resources.files("maillage")))
    return [here / "data", here.parent.parent / "data"]


def cog_table_path(table: str = "communes") -> Path:
    """Return the path of one committed COG table.

    Parameters
    ----------
    table : {"communes", "former_codes", "departements", "regions", "epci", "restored_communes"}
        Which table (``restored_communes``: chefs-lieux of the communes restored from a
        commune nouvelle, read by :func:`maillage.load.communes.read_restored_communes`).

    Returns
    -------
    pathlib.Path
        The table in the first data folder that holds it (package, then checkout).

    Raises
    ------
    DataSourceError
        When the package was installed without its ``data/`` folder.

    Examples
    --------
    >>> cog_table_path("communes").name
    'cog2026_communes.csv.gz'
    """
    name = _FILES[table]
    for folder in _data_dirs():
        if (folder / name).is_file():
            return folder / name
    tried = ", ".join(str(d) for d in _data_dirs())
    msg = (
        f"COG table {name} not found (looked in {tried}); reinstall maillage with its "
        "package data, or rebuild it with scripts/build_cog_table.py"
    )
    raise DataSourceError(msg)


def _read(table: str, index: str) -> pd.DataFrame:
    frame = pd.read_csv(cog_table_path(table), dtype=str, keep_default_na=False, na_values=[""])
    return frame.set_index(index)


@functools.cache
def _communes() -> pd.DataFrame:
    frame = _read("communes", "code_insee")
    frame["population"] = frame["population"].astype("Int64")
    return frame


def read_cog_table() -> pd.DataFrame:
    """Return every current commune (COG 2026) with its codes and legal population.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code_insee`` (str), columns ``nom``, ``departement``, ``region``,
        ``epci`` (SIREN, NA for the few communes outside any EPCI), ``population``
        (Int64, populations légales 2023, municipale; NA in a few COM d'outre-mer) and
        ``zone`` (``"metro"``, ``"drom"`` or ``"com"``).

    Examples
    --------
    >>> cog = read_cog_table()
    >>> len(cog), int(cog["population"].sum())
    (34969, 68952941)
    >>> nouvelle_aquitaine = cog[cog["region"] == "75"]
    >>> len(nouvelle_aquitaine), int(nouvelle_aquitaine["population"].sum())
    (4293, 6150451)
    """
    return _communes().copy()


@functools.cache
def _former() -> pd.Series:
    return _read("former_codes", "ancien_code")["code_insee"]


def read_former_codes() -> pd.Series:
    """Return the map from obsolete or infra-communal codes to current commune codes.

    Sources: ``anciensCodes`` of merged communes, the ``chefLieu`` of communes déléguées
    and associées, and the arrondissements municipaux of Paris, Lyon and Marseille (kept at
    the commune level). Chains are resolved; a current code never appears in the index.

    Returns
    -------
    pandas.Series
        Index ``ancien_code`` (str), values ``code_insee`` (str, current COG 2026 code).

    Examples
    --------
    >>> former = read_former_codes()
    >>> former["12218"] if "12218" in former else "current"
    'current'
    >>> former["49126"] if "49126" in former else "current"
    'current'
    >>> former["49040"]  # Bouzillé, now part of Orée d'Anjou
    '49126'
    """
    return _former().copy()


def read_departements() -> pd.DataFrame:
    """Return the départements: name, région and zone.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code`` (str, ``"01"`` … ``"976"``), columns ``nom``, ``region``, ``zone``.

    Examples
    --------
    >>> read_departements().loc["33", "nom"]
    'Gironde'
    """
    return _read("departements", "code")


def read_regions() -> pd.DataFrame:
    """Return the régions: name and zone.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code`` (str), columns ``nom``, ``zone``.

    Examples
    --------
    >>> read_regions().loc["75", "nom"]
    'Nouvelle-Aquitaine'
    """
    return _read("regions", "code")


def read_epci() -> pd.DataFrame:
    """Return the EPCI à fiscalité propre of 2026: name and kind.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code`` (SIREN, str), columns ``nom`` and ``type``
        (``CC``, ``CA``, ``CU``, ``METRO``, ``MET69``).

    Examples
    --------
    >>> read_epci().loc["243300316", "nom"]
    'Bordeaux Métropole'
    """
    return _read("epci", "code")
