"""Coverage year by year, from opening/closing years or from several dated censuses."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from maillage.analysis._checks import check_model, check_threshold, stamp
from maillage.analysis.active import active_venues
from maillage.analysis.coverage import aggregate, build_origins, origin_times, venue_points
from maillage.analysis.indicators import headline
from maillage.errors import InputDataError, OptionError
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    import geopandas as gpd

    from maillage.travel.protocol import TravelTimeModel

__all__ = ["coverage_by_year"]

logger = logging.getLogger(__name__)

_YEAR_KEYS = (
    "population",
    "population_within_threshold",
    "share_within_threshold",
    "white_zone_communes",
    "white_zone_population",
    "median_time_min",
)


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
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    origins: gpd.GeoDataFrame | None = None,
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
    origins : geopandas.GeoDataFrame, optional
        The origins of a coverage already computed on ``communes`` and ``grid``
        (``coverage(..., detail=True)``), so they are not built again.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year``: ``venues``, ``population``, ``population_within_threshold``,
        ``share_within_threshold``, ``white_zone_communes``, ``white_zone_population``,
        ``median_time_min``. A year with no open venue has everyone in the white zone.

    Examples
    --------
    >>> from maillage import CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> by_year = coverage_by_year(communes, venues, model=CrowFlyModel(),
    ...                            years=[2017, 2019, 2020])
    >>> by_year["white_zone_communes"].tolist()
    [2, 1, 0]
    """
    model = check_model(model)
    threshold_min = check_threshold(threshold_min)
    check_columns(communes, ["population", "geometry"], name="communes")
    check_crs(communes, name="communes")
    if not isinstance(venues, Mapping):
        venue_points(venues, model=model)  # validates the whole census once (empty -> error)
    per_year = _censuses(venues, years)
    if origins is None:
        origins = build_origins(communes, grid)
    rows = []
    for year, census in per_year.items():
        points = venue_points(census, model=model, allow_empty=True)
        ocov = origin_times(origins, points, model=model, threshold_min=threshold_min)
        ccov = aggregate(communes, ocov, threshold_min=threshold_min)
        figures = headline(ccov, ocov, threshold_min)
        rows.append({"year": year, "venues": len(points), **{k: figures[k] for k in _YEAR_KEYS}})
    out = pd.DataFrame(rows).set_index("year")
    censuses = list(per_year.values()) if isinstance(venues, Mapping) else [venues]
    stamp(out, model, threshold_min, inputs=(communes, grid, *censuses))
    return out
