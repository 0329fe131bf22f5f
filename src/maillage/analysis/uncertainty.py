"""How far the headline can move with the model's own error: :func:`headline_range`, :func:`uncertain_communes`.

A model that measured its error on real trips (:class:`~maillage.travel.protocol.ErrorBounded`,
e.g. the calibrated straight-line model) gives a faster and a slower variant, whose times are
divided by the upper and lower quartiles of model ÷ real time. The headline computed with
each is the low and high value shown next to it: half the real trips lie between the two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maillage.analysis._checks import check_model, check_threshold
from maillage.analysis.coverage import aggregate, build_origins, origin_times, venue_points
from maillage.analysis.indicators import headline
from maillage.travel.protocol import ErrorBounded

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["headline_range", "uncertain_communes"]


def headline_range(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: object,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
) -> dict[str, float] | None:
    """Return the low and high headline figures under the model's measured error.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population``.
    venues : geopandas.GeoDataFrame
        The venues.
    model : TravelTimeModel
        The model of the headline; only an :class:`~maillage.travel.protocol.ErrorBounded`
        one gives a range.
    threshold_min : float, optional
        Access threshold in minutes (default: the one rule of
        :func:`maillage.schema.threshold_of`).
    grid : geopandas.GeoDataFrame, optional
        Population grid, as in :func:`maillage.coverage`.

    Returns
    -------
    dict or None
        ``share_within_threshold_low`` / ``_high`` and ``white_zone_population_low`` /
        ``_high`` (the low share goes with the slower times); ``None`` when the model gives
        no bounds.

    Examples
    --------
    >>> from maillage import CalibratedModel, CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> model = CalibratedModel.from_communes(communes)
    >>> span = headline_range(communes, venues.iloc[:1], model=model, threshold_min=20)
    >>> span["share_within_threshold_low"] <= span["share_within_threshold_high"]
    True
    >>> headline_range(communes, venues, model=CrowFlyModel()) is None
    True
    """
    check_model(model)
    if not isinstance(model, ErrorBounded):
        return None
    threshold = check_threshold(threshold_min)
    origins = build_origins(communes, grid)
    figures = []
    for variant in model.bounds():
        points = venue_points(venues, model=variant)
        ocov = origin_times(origins, points, model=variant, threshold_min=threshold)
        figures.append(
            headline(aggregate(communes, ocov, threshold_min=threshold), ocov, threshold)
        )
    fast, slow = figures
    return {
        "share_within_threshold_low": float(slow["share_within_threshold"]),
        "share_within_threshold_high": float(fast["share_within_threshold"]),
        "white_zone_population_low": float(fast["white_zone_population"]),
        "white_zone_population_high": float(slow["white_zone_population"]),
    }


def uncertain_communes(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: object,
    threshold_min: float | None = None,
    level: float = 0.8,
) -> pd.Series | None:
    """Return, per commune, whether its side of the threshold is uncertain.

    A commune is uncertain when its time (population-weighted mean, as in
    :func:`maillage.coverage`) is within the threshold with the model's faster variant and
    beyond it with the slower one (:meth:`~maillage.travel.protocol.ErrorBounded.bounds`):
    only the road network can tell on which side it lies.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population``.
    venues : geopandas.GeoDataFrame
        The venues.
    model : TravelTimeModel
        The model of the report; only an :class:`~maillage.travel.protocol.ErrorBounded` one
        knows its error.
    threshold_min : float, optional
        Access threshold in minutes (default: :func:`maillage.schema.threshold_of`).
    level : float
        Share of real trips meant to lie between the two variants (the quartile variants
        of ``bounds()`` do not take it yet).

    Returns
    -------
    pandas.Series or None
        Booleans indexed by ``code_insee``, named ``uncertain``; ``None`` for a model
        without measured error (road graph, OSRM, :class:`~maillage.CrowFlyModel`).

    Examples
    --------
    >>> from maillage import CalibratedModel, CrowFlyModel
    >>> from maillage.prepare.toy import toy_territory
    >>> communes, venues = toy_territory()
    >>> flags = uncertain_communes(communes, venues.iloc[:1],
    ...     model=CalibratedModel.from_communes(communes), threshold_min=20)
    >>> flags.dtype.name, flags.index.equals(communes.index)
    ('bool', True)
    >>> uncertain_communes(communes, venues, model=CrowFlyModel()) is None
    True
    """
    check_model(model)
    if not isinstance(model, ErrorBounded):
        return None
    threshold = check_threshold(threshold_min)
    origins = build_origins(communes)
    covered = []
    for variant in model.bounds():  # the quartile variants; ``level`` awaits bounds(level=)
        points = venue_points(venues, model=variant)
        ocov = origin_times(origins, points, model=variant, threshold_min=threshold)
        covered.append(aggregate(communes, ocov, threshold_min=threshold)["covered"])
    fast, slow = covered
    flags = (fast.astype(bool) & ~slow.astype(bool)).rename("uncertain")
    return flags.set_axis(communes.index)
