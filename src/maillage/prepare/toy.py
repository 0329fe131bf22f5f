"""A toy territory in canonical form, shared by the docstring examples and the tests.

Two square communes of 1 km, 30 km apart, with 100 inhabitants each, and one venue at the
centre of each: ``a`` (opened 2018, publicly supported) and ``b`` (opened 2020, not
supported). Every figure computed on it can be checked by hand.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from maillage.schema import CRS

__all__ = ["X0", "Y0", "toy_territory"]

X0, Y0 = 400_000, 6_500_000
"""Lower-left corner of the toy territory (Lambert-93, in Charente-Maritime's latitudes)."""


def toy_territory() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the toy communes and venues (new frames at each call).

    Returns
    -------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee`` (``"00001"``, ``"00002"``), EPSG:2154, columns ``nom,
        departement, region, epci, population, geometry``.
    venues : geopandas.GeoDataFrame
        ``venue_id`` (``"a"``, ``"b"``), ``name``, ``kind``, ``code_insee``, ``opened``,
        ``closed``, ``supported``, ``location_quality``, ``geometry``.

    Examples
    --------
    >>> communes, venues = toy_territory()
    >>> communes["population"].tolist(), venues["venue_id"].tolist()
    ([100, 100], ['a', 'b'])
    """
    communes = gpd.GeoDataFrame(
        {
            "nom": ["Amont", "Aval"],
            "departement": ["00", "00"],
            "region": ["00", "00"],
            "epci": ["000000001", "000000001"],
            "population": [100, 100],
        },
        geometry=[
            box(X0, Y0, X0 + 1000, Y0 + 1000),
            box(X0 + 30_000, Y0, X0 + 31_000, Y0 + 1000),
        ],
        index=pd.Index(["00001", "00002"], name="code_insee"),
        crs=CRS,
    )
    venues = gpd.GeoDataFrame(
        {
            "venue_id": ["a", "b"],
            "name": ["Le Lieu", "La Fabrique"],
            "kind": ["coworking", "fablab"],
            "code_insee": ["00001", "00002"],
            "opened": pd.array([2018, 2020], dtype="Int64"),
            "closed": pd.array([pd.NA, pd.NA], dtype="Int64"),
            "supported": pd.array([True, False], dtype="boolean"),
            "location_quality": ["address", "address"],
        },
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 30_500, Y0 + 500)],
        crs=CRS,
    )
    return communes, venues
