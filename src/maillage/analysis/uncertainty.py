"""How far the headline can move with the travel-time model's own error: :func:`headline_range`.

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

__all__ = ["headline_range"]


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
