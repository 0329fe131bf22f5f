"""How far the headline can move with the travel-time model's own error.

:func:`headline_range` gives the 80 % range of the headline (share of residents within the
threshold, white-zone population). For the calibrated straight-line model, the errors of real
trips are drawn as they were measured on areas left out of the fit
(``load_calibration()["errors"]``): ``ln(model / real) = centre + area + commune + trip``,
with a centre per density class and distance band, one area part for the whole territory (one
percentile of the areas' spread, per band), one part per commune shared by all its residents'
trips, and one part per trip. Each draw gives
every origin its real nearest venue (among its ``_NEAREST`` nearest venues by the model within
up to three times the threshold, or its nearest one) and the headline; the range is the span
of the draws that held the real figure 80 % of the time on territories left out of the fit
(``load_calibration()["headline_coverage"]``). For another model that knows its error (:class:`~maillage.travel.protocol.ErrorBounded`), the range is the headline
of its fast and slow variants.

:func:`uncertain_communes` lists the communes whose side of the threshold changes between
the fast and the slow variant (:meth:`~maillage.travel.calibrated.CalibratedModel.bounds`):
to confirm with the road network.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from maillage.analysis._checks import check_model, check_threshold
from maillage.analysis.coverage import aggregate, build_origins, origin_times, venue_points
from maillage.analysis.indicators import headline
from maillage.errors import OptionError
from maillage.travel.calibrated import BANDS_KM, CLASS_EDGES
from maillage.travel.protocol import ErrorBounded, placed_xy

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

__all__ = ["headline_range", "simulate_headline", "uncertain_communes"]

DRAWS = 200
"""Draws of the real trips' errors behind :func:`headline_range`."""
_CELLS = 20_000_000  # trips x draws computed at once (about 160 MB)
_NEAREST = 4  # candidate venues per origin: its nearest ones by the model
_PROBS_EDGE = 0.0125  # stored quantiles run from this probability to 1 - it
_WIDEST = 3.0  # candidate venues: within this many times the threshold by the model, at most


def _inverse_cdf(quantiles: Any, u: np.ndarray) -> np.ndarray:
    q = np.asarray(quantiles, dtype=float)
    return np.interp(u, np.linspace(_PROBS_EDGE, 1 - _PROBS_EDGE, len(q)), q)


def simulate_headline(
    trips: pd.DataFrame,
    origins: pd.DataFrame,
    *,
    errors: Mapping[str, Any],
    threshold_s: float,
    draws: int = DRAWS,
    seed: int = 0,
) -> pd.DataFrame:
    """Return the headline of each draw of the real trips' errors.

    Parameters
    ----------
    trips : pandas.DataFrame
        One row per candidate trip: ``origin`` (row of ``origins``), ``time_s`` (the
        model's), ``band`` (distance band, :data:`~maillage.travel.calibrated.BANDS_KM`) and
        ``dclass`` (density class of the origin). Every origin must have at least one trip.
    origins : pandas.DataFrame
        ``population`` and ``commune`` (an integer code: origins of one commune share their
        commune part) of each origin, in the order ``trips["origin"]`` refers to.
    errors : mapping
        ``load_calibration()["errors"]``: ``centre_ln_ratio``, ``area_ln_by_band``,
        ``origin_ln``, ``trip_ln_by_band``.
    threshold_s : float
        Threshold, seconds.
    draws : int, default :data:`DRAWS`
        Number of draws.
    seed : int, default 0
        Seed of the draws (the result is reproducible).

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``share_within_threshold`` and ``white_zone_population`` (the
        communes whose population-weighted mean time exceeds the threshold).

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage.travel.calibrated import load_calibration
    >>> trips = pd.DataFrame({"origin": [0, 1], "time_s": [600.0, 1500.0], "band": [2, 3],
    ...                       "dclass": [0, 0]})
    >>> origins = pd.DataFrame({"population": [10.0, 10.0], "commune": [0, 1]})
    >>> sim = simulate_headline(trips, origins, errors=load_calibration()["errors"],
    ...                         threshold_s=1200.0, draws=100)
    >>> bool(sim["share_within_threshold"].between(0, 1).all()), len(sim)
    (True, 100)
    """
    order = np.argsort(trips["origin"].to_numpy(), kind="stable")
    trip = trips.iloc[order]
    owner = trip["origin"].to_numpy()
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    if len(starts) != len(origins):
        msg = "simulate_headline: every origin needs at least one trip"
        raise OptionError(msg)
    centre = np.asarray(errors["centre_ln_ratio"], dtype=float)
    band, dclass = trip["band"].to_numpy(), trip["dclass"].to_numpy()
    base = np.log(trip["time_s"].to_numpy(dtype=float)) - centre[dclass, band]
    codes, commune = np.unique(origins["commune"].to_numpy(), return_inverse=True)
    pop = origins["population"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    out = []
    chunk = max(1, _CELLS // max(len(trip), 1))
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        u_area = rng.random(n)  # one percentile of the area part per draw, for every band
        area = np.stack([_inverse_cdf(q, u_area) for q in errors["area_ln_by_band"]])
        ln = base[:, None] - area[band]
        ln -= _inverse_cdf(errors["origin_ln"], rng.random((len(codes), n)))[commune[owner]]
        for k, quantiles in enumerate(errors["trip_ln_by_band"]):
            mine = band == k
            ln[mine] -= _inverse_cdf(quantiles, rng.random((int(mine.sum()), n)))
        best = np.minimum.reduceat(np.exp(ln), starts, axis=0)  # real time, per origin
        out.append(_draw_figures(best, pop, commune, threshold_s))
    return pd.concat(out, ignore_index=True)


def _draw_figures(
    best: np.ndarray, pop: np.ndarray, commune: np.ndarray, threshold_s: float
) -> pd.DataFrame:
    """Return the share within the threshold and the white-zone population of each draw."""
    within = (pop[:, None] * (best <= threshold_s)).sum(axis=0) / pop.sum()
    n_communes = int(commune.max()) + 1
    weighted = np.zeros((n_communes, best.shape[1]))
    np.add.at(weighted, commune, pop[:, None] * best)
    commune_pop = np.bincount(commune, weights=pop, minlength=n_communes)
    with np.errstate(invalid="ignore", divide="ignore"):
        white = ~(weighted / commune_pop[:, None] <= threshold_s)
    return pd.DataFrame(
        {
            "share_within_threshold": within,
            "white_zone_population": (commune_pop[:, None] * white).sum(axis=0),
        }
    )


def _low_tail(errors: Mapping[str, Any]) -> float:
    """Return a low sum of the parts of ``ln(model / real)``: the 5th percentile of each."""
    low = float(np.min(errors["centre_ln_ratio"]) + np.quantile(errors["origin_ln"], 0.05))
    low += min(float(np.quantile(q, 0.05)) for q in errors["area_ln_by_band"])
    low += min(float(np.quantile(q, 0.05)) for q in errors["trip_ln_by_band"])
    return low


def _candidate_trips(
    origins: gpd.GeoDataFrame, points: gpd.GeoSeries, *, model: Any, limit_s: float
) -> pd.DataFrame:
    """Return each origin's nearest trips within ``limit_s``, or its nearest trip beyond."""
    table = model.od_table(origins.geometry, points, max_time_s=limit_s)
    near = model.nearest(origins.geometry, points)
    row = pd.Index(origins.index).get_indexer(table["origin_id"])
    dest = points.index.get_indexer(table["dest_id"])
    time_s = table["travel_time_s"].to_numpy(dtype=float)
    alone = np.ones(len(origins), dtype=bool)
    alone[row] = False
    alone &= np.isfinite(near["travel_time_s"].to_numpy(dtype=float))
    row = np.concatenate([row, np.flatnonzero(alone)])
    dest = np.concatenate([dest, points.index.get_indexer(near["dest_id"][alone])])
    time_s = np.concatenate([time_s, near["travel_time_s"].to_numpy(dtype=float)[alone]])
    order = np.lexsort((time_s, row))
    row, dest, time_s = row[order], dest[order], time_s[order]
    first = np.r_[0, np.flatnonzero(np.diff(row)) + 1]
    rank = np.arange(len(row)) - np.repeat(first, np.diff(np.r_[first, len(row)]))
    keep = rank < _NEAREST
    row, dest, time_s = row[keep], dest[keep], time_s[keep]
    oxy = placed_xy(origins.geometry, name="origins")[row]
    dxy = placed_xy(points, name="venues")[dest]
    d_km = np.hypot(*(oxy - dxy).T) / 1000.0
    density = model.density_at(origins.geometry).to_numpy()[row]
    return pd.DataFrame(
        {
            "origin": row,
            "time_s": time_s,
            "band": np.clip(np.searchsorted(BANDS_KM, d_km, side="right") - 1, 0, 6),
            "dclass": np.searchsorted(CLASS_EDGES, density, side="right"),
        }
    )


def _simulated_range(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: Any,
    threshold: float,
    grid: gpd.GeoDataFrame | None,
    level: float,
    origins: gpd.GeoDataFrame | None,
) -> dict[str, float]:
    errors = model.trip_errors()
    if origins is None:
        origins = build_origins(communes, grid)
    points = venue_points(venues, model=model)
    widest = min(_WIDEST, float(np.exp(-_low_tail(errors))))
    trips = _candidate_trips(origins, points, model=model, limit_s=threshold * 60 * widest)
    placed = np.unique(trips["origin"].to_numpy())
    kept = origins.iloc[placed]
    trips["origin"] = np.searchsorted(placed, trips["origin"].to_numpy())
    frame = pd.DataFrame(
        {
            "population": kept["population"].to_numpy(dtype=float),
            "commune": kept["code_insee"].astype(str).to_numpy(),
        }
    )
    sim = simulate_headline(trips, frame, errors=errors, threshold_s=threshold * 60)
    total = float(origins["population"].sum())
    share = sim["share_within_threshold"] * frame["population"].sum() / total
    nominal = _nominal_level(model, level)
    lo, hi = (1 - nominal) / 2, (1 + nominal) / 2
    white = sim["white_zone_population"]
    white = white + _unplaced_white(communes, kept)
    return {
        "share_within_threshold_low": float(share.quantile(lo)),
        "share_within_threshold_high": float(share.quantile(hi)),
        "white_zone_population_low": float(white.quantile(lo)),
        "white_zone_population_high": float(white.quantile(hi)),
    }


def _nominal_level(model: Any, level: float) -> float:
    """Span of the draws that held the real figure ``level`` of the time on areas left out.

    The fit measured it for the 80 % range (``load_calibration()["headline_coverage"]``);
    for another level, the draws' own span.
    """
    measured = getattr(model, "calibration", {}).get("headline_coverage", {})
    if measured and np.isclose(float(measured.get("level", -1)), level):
        return float(measured["nominal_level"])
    return level


def _unplaced_white(communes: gpd.GeoDataFrame, kept: pd.DataFrame) -> float:
    """Return the population of the communes none of whose origins reaches a venue."""
    reached = set(kept["code_insee"].astype(str))
    lost = ~communes.index.astype(str).isin(reached)
    return float(pd.to_numeric(communes.loc[lost, "population"], errors="coerce").sum())


def _variant(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    model: Any,
    threshold: float,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the communes' figures and the origins' times with one variant of the model."""
    points = venue_points(venues, model=model)
    ocov = origin_times(origins, points, model=model, threshold_min=threshold)
    return aggregate(communes, ocov, threshold_min=threshold), ocov


def headline_range(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: object,
    threshold_min: float | None = None,
    grid: gpd.GeoDataFrame | None = None,
    level: float = 0.8,
    origins: gpd.GeoDataFrame | None = None,
) -> dict[str, float] | None:
    """Return the low and high headline figures under the model's measured error.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Indexed by ``code_insee``, EPSG:2154, with ``population``.
    venues : geopandas.GeoDataFrame
        The venues.
    model : TravelTimeModel
        The model of the headline; only a model that knows its error gives a range: the
        calibrated model (errors drawn trip by trip, see the module docstring) or another
        :class:`~maillage.travel.protocol.ErrorBounded` one (its fast and slow variants).
    threshold_min : float, optional
        Access threshold in minutes (default: the one rule of
        :func:`maillage.schema.threshold_of`).
    grid : geopandas.GeoDataFrame, optional
        Population grid, as in :func:`maillage.coverage`.
    level : float, default 0.8
        Probability the range is meant to hold the real figure with.
    origins : geopandas.GeoDataFrame, optional
        The origins of a coverage already computed on ``communes`` and ``grid``
        (``coverage(..., detail=True)``), so they are not built again.

    Returns
    -------
    dict or None
        ``share_within_threshold_low`` / ``_high`` and ``white_zone_population_low`` /
        ``_high``; ``None`` when the model gives no error.

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
    threshold = check_threshold(threshold_min)
    if not callable(getattr(model, "trip_errors", None)) and not isinstance(model, ErrorBounded):
        return None
    if origins is None:
        origins = build_origins(communes, grid)
    if callable(getattr(model, "trip_errors", None)):
        span = _simulated_range(
            communes,
            venues,
            model=model,
            threshold=threshold,
            grid=grid,
            level=level,
            origins=origins,
        )
    else:
        fast, slow = (
            headline(*_variant(communes, venues, origins, variant, threshold), threshold)
            for variant in model.bounds(level)  # type: ignore[attr-defined]
        )
        span = {
            "share_within_threshold_low": float(slow["share_within_threshold"]),
            "share_within_threshold_high": float(fast["share_within_threshold"]),
            "white_zone_population_low": float(fast["white_zone_population"]),
            "white_zone_population_high": float(slow["white_zone_population"]),
        }
    return _holding(span, _own_figures(communes, venues, origins, model, threshold))


def _own_figures(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    model: Any,
    threshold: float,
) -> dict[str, float | int]:
    """Return the model's own headline, from the origins' times when a coverage gave them."""
    if "time_min" in origins.columns:
        return headline(aggregate(communes, origins, threshold_min=threshold), origins, threshold)
    return headline(*_variant(communes, venues, origins, model, threshold), threshold)


def _holding(span: dict[str, float], figures: Mapping[str, float | int]) -> dict[str, float]:
    """Widen ``span`` so that it holds the model's own figures.

    Near 100 % (or 0 %) every draw of the errors can land on one side of the figure: the
    real share cannot be above 100 %, while any error can push a resident beyond the
    threshold. A range always holds the figure it brackets.

    Examples
    --------
    >>> _holding({"share_within_threshold_low": 0.891, "share_within_threshold_high": 0.997,
    ...     "white_zone_population_low": 12.0, "white_zone_population_high": 950.0},
    ...     {"share_within_threshold": 1.0, "white_zone_population": 0})
    {'share_within_threshold_low': 0.891, 'share_within_threshold_high': 1.0, \
'white_zone_population_low': 0.0, 'white_zone_population_high': 950.0}
    """
    out = dict(span)
    for key in ("share_within_threshold", "white_zone_population"):
        value = float(figures[key])
        out[f"{key}_low"] = min(out[f"{key}_low"], value)
        out[f"{key}_high"] = max(out[f"{key}_high"], value)
    return out


def uncertain_communes(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: object,
    threshold_min: float | None = None,
    level: float = 0.8,
    origins: gpd.GeoDataFrame | None = None,
) -> pd.Series | None:
    """Return, per commune, whether its side of the threshold is uncertain at ``level``.

    A commune is uncertain when its time (population-weighted mean, as in
    :func:`maillage.coverage`) is within the threshold with the model's fast variant and
    beyond it with the slow one (``model.bounds(level)``: each trip's time divided by the
    held-out quantiles of its distance band and density class): only the road network can
    tell on which side it lies.

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
    level : float, default 0.8
        Share of real times meant to lie between the two variants.
    origins : geopandas.GeoDataFrame, optional
        The origins of a coverage already computed (``coverage(..., detail=True)``), so
        they are not built again; by default the communes' lattice origins.

    Returns
    -------
    pandas.Series or None
        Booleans indexed like ``communes`` (``code_insee``), named ``uncertain``; ``None``
        for a model without measured error (road graph, OSRM, :class:`~maillage.CrowFlyModel`).

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
    fast, slow = variant_times(
        communes, venues, model=model, threshold_min=threshold, level=level, origins=origins
    )
    return uncertain_flags(fast, slow, threshold).set_axis(communes.index)


def uncertain_flags(fast: pd.Series, slow: pd.Series, threshold_min: float) -> pd.Series:
    """Return ``uncertain``: within the threshold with the fast times, beyond it with the slow.

    Examples
    --------
    >>> uncertain_flags(pd.Series([10.0, 18, 25]), pd.Series([12.0, 23, 30]), 20).tolist()
    [False, True, False]
    """
    fast_in = fast.to_numpy(dtype=float) <= threshold_min
    slow_in = slow.to_numpy(dtype=float) <= threshold_min
    return pd.Series(fast_in & ~slow_in, index=fast.index, name="uncertain")


def variant_times(
    communes: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    *,
    model: ErrorBounded,
    threshold_min: float,
    level: float = 0.8,
    origins: gpd.GeoDataFrame | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Return each commune's time with the model's fast and slow variants at ``level``.

    Parameters
    ----------
    communes, venues : geopandas.GeoDataFrame
        As in :func:`uncertain_communes`.
    model : ErrorBounded
        A model that knows its error.
    threshold_min : float
        Access threshold in minutes.
    level : float, default 0.8
        Share of real times meant to lie between the two variants.
    origins : geopandas.GeoDataFrame, optional
        The origins of a coverage already computed (``coverage(..., detail=True)``); by
        default the communes' lattice origins.

    Returns
    -------
    (pandas.Series, pandas.Series)
        ``time_min`` with the fast and with the slow variant, indexed like ``communes``.
    """
    if origins is None:
        origins = build_origins(communes)
    fast, slow = (
        _variant(communes, venues, origins, variant, threshold_min)[0]["time_min"]
        for variant in _bounds(model, level)
    )
    return fast, slow


def _bounds(model: Any, level: float) -> tuple[Any, Any]:
    """Return ``model.bounds(level)``, or ``model.bounds()`` when it takes no level."""
    if "level" in inspect.signature(model.bounds).parameters:
        return tuple(model.bounds(level=level))
    return tuple(model.bounds())
