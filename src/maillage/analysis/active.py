"""Which venues are open in a given year: :func:`active_venues`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["active_venues"]


def active_venues(venues: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    """Return the venues open during ``year``.

    A venue is open in ``year`` when ``opened`` is NA or ``<= year`` and ``closed`` is NA or
    ``> year`` (a venue closed in 2022 no longer counts in 2022). An unknown opening year
    counts as open since always: the census says it exists.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> v = gpd.GeoDataFrame({"venue_id": ["a", "b", "c"],
    ...     "opened": pd.array([2018, 2020, None], dtype="Int64"),
    ...     "closed": pd.array([2021, None, None], dtype="Int64")},
    ...     geometry=[Point(0, 0)] * 3, crs=2154)
    >>> active_venues(v, 2019)["venue_id"].tolist(), active_venues(v, 2021)["venue_id"].tolist()
    (['a', 'c'], ['b', 'c'])
    """
    opened = venues["opened"] if "opened" in venues else pd.Series(pd.NA, index=venues.index)
    closed = venues["closed"] if "closed" in venues else pd.Series(pd.NA, index=venues.index)
    opened = pd.to_numeric(opened, errors="coerce").astype("Int64")
    closed = pd.to_numeric(closed, errors="coerce").astype("Int64")
    keep = (opened.isna() | (opened <= year)) & (closed.isna() | (closed > year))
    return venues[keep.fillna(False).to_numpy(dtype=bool)]
