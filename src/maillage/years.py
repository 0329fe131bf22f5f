"""Coverage year by year, from opening/closing years or from several dated censuses."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.coverage import (
    _check_model,
    _check_threshold,
    _stamp,
    aggregate,
    build_origins,
    origin_times,
    venue_points,
    weighted_median,
)
from maillage.errors import InputDataError, OptionError
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.travel import TravelTimeModel

__all__ = ["active_venues", "coverage_by_year"]

logger = logging.getLogger(__name__)


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


def _censuses(
    venues: gpd.GeoDataFrame | Mapping[int, gpd.GeoDataFrame], years: Iterable[int] | None
) -> dict[int, gpd.GeoDataFrame]:
    """Return ``{year: venues open that year}`` from one dated census or several censuses."""
    if isinstance(venues, Mapping):
        if not venues:
            raise InputDataError("venues: the dict of censuses is empty")
        chosen = sorted(venues) if years is None else sorted({int(y) for y in years})
        unknown = [y for y in chosen if y not in venues]
        if unknown:
            msg = f"years {unknown} have no census in venues (censuses: {sorted(venues)})"
            raise OptionError(msg)
        return {int(y): venues[y] for y in chosen}
    if years is None:
        raise OptionError("years is required with a single census, e.g. years=range(2015, 2025)")
    chosen = sorted({int(y) for y in years})
    if not chosen:
        raise OptionError("years is empty")
    return {y: active_venues(venues, y) for y in chosen}


def coverage_by_year(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame | Mapping[int, gpd.GeoDataFrame],
    *,
    model: TravelTimeModel,
    years: Iterable[int] | None = None,
    threshold_min: float = 20,
    grid: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Headline coverage figures for each year.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population``.
    venues : geopandas.GeoDataFrame or dict of {int: GeoDataFrame}
        One census with ``opened``/``closed`` years (see :func:`active_venues`), or several
        dated censuses keyed by year.
    model : TravelTimeModel
        Travel-time model.
    years : iterable of int, optional
        Years to compute; required with one census, defaults to the dict's keys.
    threshold_min : float
        Access threshold in minutes.
    grid : geopandas.GeoDataFrame, optional
        Population grid; else lattice origins per commune.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year``: ``venues``, ``population``, ``population_within_threshold``,
        ``share_within_threshold``, ``white_zone_communes``, ``white_zone_population``,
        ``median_time_min``. A year with no open venue has everyone in the white zone.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from maillage.travel import CrowFlyModel
    >>> communes = gpd.GeoDataFrame({"population": [100, 100]},
    ...     geometry=[box(0, 0, 1000, 1000), box(30_000, 0, 31_000, 1000)],
    ...     index=pd.Index(["00001", "00002"], name="code_insee"), crs=2154)
    >>> venues = gpd.GeoDataFrame({"venue_id": ["a", "b"],
    ...     "opened": pd.array([2018, 2020], dtype="Int64")},
    ...     geometry=[Point(500, 500), Point(30_500, 500)], crs=2154)
    >>> by_year = coverage_by_year(communes, venues, model=CrowFlyModel(),
    ...                            years=[2017, 2019, 2020])
    >>> by_year["white_zone_communes"].tolist()
    [2, 1, 0]
    """
    model = _check_model(model)
    threshold_min = _check_threshold(threshold_min)
    check_columns(communes, ["population", "geometry"], name="communes")
    check_crs(communes, name="communes")
    if not isinstance(venues, Mapping):
        venue_points(venues, model=model)  # validates the whole census once (empty -> error)
    per_year = _censuses(venues, years)
    origins = build_origins(communes, grid)
    rows = []
    for year, census in per_year.items():
        points = venue_points(census, model=model, allow_empty=True)
        ocov = origin_times(origins, points, model=model, threshold_min=threshold_min)
        ccov = aggregate(communes, ocov, threshold_min=threshold_min)
        white = ~ccov["covered"].to_numpy(dtype=bool)
        pop = float(ccov["population"].sum())
        within = float(ocov.loc[ocov["covered"], "population"].sum())
        rows.append(
            {
                "year": year,
                "venues": len(points),
                "population": pop,
                "population_within_threshold": within,
                "share_within_threshold": within / pop if pop > 0 else np.nan,
                "white_zone_communes": int(white.sum()),
                "white_zone_population": float(ccov.loc[white, "population"].sum()),
                "median_time_min": weighted_median(
                    ocov["time_min"].to_numpy(), ocov["population"].to_numpy()
                ),
            }
        )
    out = pd.DataFrame(rows).set_index("year")
    _stamp(out, model, threshold_min)
    return out
