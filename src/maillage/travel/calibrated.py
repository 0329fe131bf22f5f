"""The calibrated straight-line model, the default engine: :class:`CalibratedModel`.

The time of a car trip from straight-line distance ``d`` (km) and the population density
``ρ`` of the origin's commune (inhabitants per km²)::

    t(d, ρ) = f · [ a + p·d + Δ(u)·L(u)·(1 − exp(−d / L(u))) ]
    u = log10(clip(ρ, ρ_min, ρ_max)) − 3
    Δ(u) = exp(c0 + c1·u + c2·u²)      L(u) = exp(l0 + l1·u)

``a`` is a fixed access time; ``p`` the pace (seconds per straight-line km) once on the main
roads; ``Δ`` the extra pace of the local roads at the start of a trip, which fades over the
first ``L`` km (slow streets out of a dense town, winding lanes out of a hamlet); ``f`` a
time factor (1 for the fitted model, see :meth:`CalibratedModel.bounds`). The time per extra
km, ``f·(p + Δ·exp(−d/L))``, is always positive: from a given origin the time grows with the
distance, so the nearest destination by distance is the nearest by time and
:meth:`~CalibratedModel.nearest` is exact.

The trip it estimates is the project's definition of a car trip: an access leg at each end
(point to its road at 15 km/h) plus the free-flow time on OpenStreetMap roads with stock
OSRM's car profile. The coefficients, their provenance (datasets and sha256, date, number of
pairs, criterion), the error measured on areas left out of the fit (by distance band and
density class) and the range of :meth:`CalibratedModel.bounds` are in the package file
``data/travel_model.json``, written by ``scripts/fit_travel_model.py``.
"""

from __future__ import annotations

import copy
import functools
import json
import warnings
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from maillage.errors import DataSourceError, MaillageWarning, OptionError
from maillage.prepare.communes import load_communes
from maillage.sources import credits
from maillage.travel.density import DensityLookup
from maillage.travel.error_range import BANDS_KM, CLASS_EDGES, monotone_divisors, range_divisor
from maillage.travel.protocol import placed_xy
from maillage.travel.straight import StraightLineEngine

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

__all__ = [
    "BANDS_KM",
    "CLASS_EDGES",
    "CLASS_LABELS",
    "MODEL_FILE",
    "CalibratedModel",
    "default_model",
    "load_calibration",
]

MODEL_FILE = "travel_model.json"
"""Name of the package data file holding the fitted coefficients and the measured error."""

CLASS_LABELS = (
    "peu dense (moins de 100 hab./km²)",
    "intermédiaire (100 à 1 000 hab./km²)",
    "dense (plus de 1 000 hab./km²)",
)
"""The density classes, in French."""

_LABEL_FR = (
    "modèle à vol d'oiseau calibré sur des temps de trajet OSRM en voiture "
    "(selon la distance, avec une fourchette selon la distance et la densité de la commune "
    "de départ)"
)
_FORMULA = (
    "t = f * (a + p*d + D(u)*L(u)*(1 - exp(-d/L(u)))), d straight-line km, "
    "u = log10(clip(density of the origin's commune, inhabitants/km2)) - 3, "
    "D(u) = exp(c0 + c1*u + c2*u^2) s/km, L(u) = exp(l0 + l1*u) km"
)
_SLACK = 1e-12


def _model_file() -> Path:
    here = Path(str(resources.files("maillage")))
    for folder in (here / "data", here.parent.parent / "data"):
        if (folder / MODEL_FILE).is_file():
            return folder / MODEL_FILE
    msg = (
        f"{MODEL_FILE} not found next to maillage ({here / 'data'}); reinstall maillage with "
        "its package data, or write it with scripts/fit_travel_model.py"
    )
    raise DataSourceError(msg)


@functools.cache
def _read_calibration() -> dict[str, Any]:
    with _model_file().open(encoding="utf-8") as fh:
        return dict(json.load(fh))


def load_calibration() -> dict[str, Any]:
    """Return the packaged fit: coefficients, provenance and measured error (a copy).

    Returns
    -------
    dict
        Keys ``definition``, ``coefficients``, ``fit`` (datasets, sha256, date, pairs,
        criterion), ``error`` (in sample), ``held_out`` (leave one area out: by distance
        band, density class and area), ``range`` (the quantiles of :meth:`CalibratedModel.bounds`
        and their held-out coverage), ``errors`` (the parts :func:`maillage.headline_range`
        draws), ``headline_coverage``, ``remoteness_check`` and ``land_use_reference``.

    Raises
    ------
    DataSourceError
        When the package was installed without its data file.

    Examples
    --------
    >>> fit = load_calibration()
    >>> [band["band_km"] for band in fit["error"]["bands"]][:2]
    [[0.3, 2.0], [2.0, 5.0]]
    """
    return copy.deepcopy(_read_calibration())


@dataclass(frozen=True)
class CalibratedModel(StraightLineEngine):
    """Straight-line model calibrated on real car times, by distance and origin density.

    Use :meth:`from_communes` (or :func:`default_model`) for the fitted model; the formula
    is in the module docstring (:mod:`maillage.travel.calibrated`). Points are
    ``GeoSeries`` in EPSG:2154 indexed by their ids, as for every engine.

    Parameters
    ----------
    access_time_s : float
        ``a``: time added to every trip (s), >= 0.
    main_pace_s_per_km : float
        ``p``: seconds per straight-line km on the main roads, > 0.
    local_pace_coefs : tuple of 3 floats
        ``(c0, c1, c2)``: ``ln Δ`` as a polynomial of ``u``, ``Δ`` in s per km.
    local_length_coefs : tuple of 2 floats
        ``(l0, l1)``: ``ln L`` as a polynomial of ``u``, ``L`` in km.
    density_range_per_km2 : tuple of 2 floats
        Densities are clipped to this range (the range of the calibration data).
    fallback_density_per_km2 : float
        Density used for an origin that lies in no commune (farther than
        ``densities.max_gap_m`` from every commune given, e.g. at sea or abroad; a
        :class:`~maillage.errors.MaillageWarning` counts them) and for every origin when the
        model has no ``densities``. The fitted value is the population-weighted median
        commune density of metropolitan France: the setting of a typical resident.
    time_factor : float
        ``f``: every time is multiplied by it (1 for the fitted model).
    range_ratio : tuple of tuples, optional
        One row per density class (:data:`CLASS_EDGES`), one value per distance band
        (:data:`BANDS_KM`): a ratio model ÷ real time by which every time is divided,
        interpolated in log-distance between the bands' middles (the variants of
        :meth:`bounds`); ``None`` for the fitted model.
    densities : DensityLookup, optional
        Commune densities, looked up under each origin.
    calibration : mapping
        The fit record (:func:`load_calibration`): provenance and measured error.

    Examples
    --------
    A model checkable by hand: 60 s of access, 60 s/km on main roads, 60 s/km more on
    local roads fading over 1 km, whatever the density:

    >>> import math
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> model = CalibratedModel(60.0, 60.0, (math.log(60.0), 0.0, 0.0), (0.0, 0.0),
    ...                         (20.0, 20_000.0), 600.0)
    >>> round(float(model.time_s(10_000.0, 600.0)), 3)  # 60 + 600 + 60 * (1 - e^-10)
    719.997
    >>> homes = gpd.GeoSeries([Point(0, 0), Point(30_000, 0)], index=["a", "b"], crs=2154)
    >>> venues = gpd.GeoSeries([Point(10_000, 0)], index=["v1"], crs=2154)
    >>> model.nearest(homes, venues).round(1)
       travel_time_s dest_id
    a          720.0      v1
    b         1320.0      v1
    >>> model.od_table(homes, venues, max_time_s=900).round(1)
      origin_id dest_id  travel_time_s
    0         a      v1          720.0

    The fitted model, minutes for 10 km out of a village and out of a dense town (the fit,
    on stock-OSRM trips, found no effect of the density once the local roads may not be
    faster in a denser commune: the density sets the range of :meth:`bounds`):

    >>> fitted = CalibratedModel.fitted()
    >>> (fitted.time_s(10_000.0, [50.0, 10_000.0]) / 60).round(0).tolist()
    [19.0, 19.0]
    """

    access_time_s: float
    main_pace_s_per_km: float
    local_pace_coefs: tuple[float, float, float]
    local_length_coefs: tuple[float, float]
    density_range_per_km2: tuple[float, float]
    fallback_density_per_km2: float
    time_factor: float = 1.0
    range_ratio: tuple[tuple[float, ...], ...] | None = None
    densities: DensityLookup | None = field(default=None, repr=False, compare=False)
    calibration: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = self._out_of_range(("access_time_s", ">=", 0), ("main_pace_s_per_km", ">", 0))
        coefs = (*self.local_pace_coefs, *self.local_length_coefs)
        if len(self.local_pace_coefs) != 3 or len(self.local_length_coefs) != 2:
            problems.append("local_pace_coefs takes 3 numbers and local_length_coefs 2")
        elif not np.all(np.isfinite(coefs)):
            problems.append(f"the local coefficients must be finite (got {coefs!r})")
        lo, hi = self.density_range_per_km2
        if not (np.isfinite(hi) and 0 < lo < hi):
            problems.append(f"density_range_per_km2 must be 0 < low < high (got {(lo, hi)!r})")
        problems += self._out_of_range(
            ("fallback_density_per_km2", ">", 0), ("time_factor", ">", 0)
        )
        if self.range_ratio is not None:
            table = np.asarray(self.range_ratio, dtype=float)
            shape = (len(CLASS_EDGES) + 1, len(BANDS_KM) - 1)
            if table.shape != shape or not np.all(np.isfinite(table) & (table > 0)):
                problems.append(f"range_ratio must be {shape} positive numbers")
        if problems:
            raise OptionError("CalibratedModel: " + "; ".join(problems))

    # ---------------------------------------------------------------- construction

    @classmethod
    def fitted(cls, *, densities: DensityLookup | None = None) -> CalibratedModel:
        """Return the model with the packaged coefficients (:func:`load_calibration`).

        Parameters
        ----------
        densities : DensityLookup, optional
            Commune densities; without them every origin is at the fallback density.

        Returns
        -------
        CalibratedModel
            The fitted model, ``time_factor`` 1.

        Examples
        --------
        >>> CalibratedModel.fitted().time_factor
        1.0
        """
        fit = load_calibration()
        c = fit["coefficients"]
        c0, c1, c2 = (float(v) for v in c["local_pace_coefs"])
        l0, l1 = (float(v) for v in c["local_length_coefs"])
        low, high = (float(v) for v in c["density_range_per_km2"])
        return cls(
            access_time_s=float(c["access_time_s"]),
            main_pace_s_per_km=float(c["main_pace_s_per_km"]),
            local_pace_coefs=(c0, c1, c2),
            local_length_coefs=(l0, l1),
            density_range_per_km2=(low, high),
            fallback_density_per_km2=float(c["fallback_density_per_km2"]),
            densities=densities,
            calibration=fit,
        )

    @classmethod
    def from_communes(
        cls, communes: gpd.GeoDataFrame, *, max_gap_m: float = 2000.0
    ) -> CalibratedModel:
        """Return the fitted model, looking densities up in ``communes``.

        Parameters
        ----------
        communes : geopandas.GeoDataFrame
            Canonical communes (EPSG:2154, ``population``); they should cover the origins.
        max_gap_m : float
            An origin outside every commune takes the nearest one within this distance,
            else the fallback density. Default 2 km.

        Returns
        -------
        CalibratedModel
            The fitted model.

        Examples
        --------
        >>> from maillage.prepare.toy import toy_territory
        >>> model = CalibratedModel.from_communes(toy_territory()[0])
        >>> model.describe()["density_source"]
        'communes: 2 polygons'
        """
        return cls.fitted(densities=DensityLookup.from_communes(communes, max_gap_m=max_gap_m))

    def bounds(self, level: float = 0.8) -> tuple[CalibratedModel, CalibratedModel]:
        """Return a fast and a slow variant between which ``level`` of real times fall.

        With ``r`` = model ÷ real time on areas left out of the fit, a real time is
        ``model ÷ r``. Per density class of the origin's commune and distance band, the
        fast variant divides the times by the high quantile of ``r``, the slow variant by
        the low one (:func:`load_calibration` ``["range"]``: the quantiles of the held-out
        ratios, each area weighted equally in its band, widened until the share of real
        times inside, measured on areas left out, reaches ``level``); the divisor is
        interpolated in log-distance between the bands' middles, so that the time still
        grows with the distance and :meth:`nearest` stays exact.

        Parameters
        ----------
        level : float, default 0.8
            One of the levels measured by the fit (``load_calibration()["range"]["levels"]``:
            0.5, 0.8, 0.9).

        Returns
        -------
        (CalibratedModel, CalibratedModel)
            ``(low, high)``: shorter and longer times.

        Raises
        ------
        OptionError
            When the model carries no measured range (built by hand) or ``level`` was not
            measured.

        Examples
        --------
        >>> model = CalibratedModel.fitted()
        >>> low, high = model.bounds(0.8)
        >>> t = [float(m.time_s(8_000.0, 50.0)) for m in (low, model, high)]
        >>> t[0] < t[1] < t[2]
        True
        """
        levels = self.calibration.get("range", {}).get("levels", {})
        if not levels:
            msg = "bounds() needs the measured range: build the model with CalibratedModel.fitted()"
            raise OptionError(msg)
        key = next((k for k in levels if np.isclose(float(k), float(level))), None)
        if key is None:
            msg = f"bounds(level={level!r}): the fit measured the levels {', '.join(levels)}"
            raise OptionError(msg)
        table = np.asarray(levels[key]["ratio"], dtype=float)  # class, band, (low, high)
        fast, slow = (monotone_divisors(self, table[:, :, j]) for j in (1, 0))
        return replace(self, range_ratio=fast), replace(self, range_ratio=slow)

    def trip_errors(self) -> dict[str, Any]:
        """Return the parts of the held-out error that :func:`maillage.headline_range` draws.

        ``ln(model / real) = centre + area + commune + trip``, measured on areas left out of
        the fit: ``centre_ln_ratio`` (per density class and distance band), and the
        quantiles of the ``area_ln_by_band``, ``origin_ln`` and ``trip_ln_by_band`` parts
        (``scripts/fit_travel_report.py``, ``error_parts``).

        Raises
        ------
        OptionError
            When the model carries no measured error (built by hand).

        Examples
        --------
        >>> sorted(CalibratedModel.fitted().trip_errors())[:3]
        ['area_ln_by_band', 'centre_ln_ratio', 'n_areas_by_band']
        """
        errors = self.calibration.get("errors")
        if not errors:
            msg = "trip_errors() needs the measured error: build the model with CalibratedModel.fitted()"
            raise OptionError(msg)
        return copy.deepcopy(dict(errors))

    # ---------------------------------------------------------------- the formula

    def _local(self, density_per_km2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.density_range_per_km2
        rho = np.where(np.isnan(density_per_km2), self.fallback_density_per_km2, density_per_km2)
        u = np.log10(np.clip(rho, lo, hi)) - 3.0
        c0, c1, c2 = self.local_pace_coefs
        l0, l1 = self.local_length_coefs
        return np.exp(c0 + c1 * u + c2 * u * u), np.exp(l0 + l1 * u)

    def time_s(
        self, distance_m: float | np.ndarray, density_per_km2: float | np.ndarray
    ) -> np.ndarray:
        """Return the travel time (s) for straight-line distances (m) and origin densities.

        Parameters
        ----------
        distance_m : float or array
            Straight-line distances in metres.
        density_per_km2 : float or array
            Density of the origin's commune (broadcast against ``distance_m``); ``NaN``
            stands for the fallback density.

        Returns
        -------
        numpy.ndarray
            Seconds. See the class examples.
        """
        d_km = np.asarray(distance_m, dtype=float) / 1000.0
        density = np.asarray(density_per_km2, dtype=float)
        extra, length = self._local(density)
        local = extra * length * -np.expm1(-d_km / length)
        base = self.access_time_s + self.main_pace_s_per_km * d_km + local
        if self.range_ratio is not None:
            rho = np.where(np.isnan(density), self.fallback_density_per_km2, density)
            base = base / range_divisor(self.range_ratio, d_km, rho)
        return np.asarray(self.time_factor * base)

    def reach_m(self, max_time_s: float, density_per_km2: float | np.ndarray) -> np.ndarray:
        """Return the straight-line distance (m) reachable within ``max_time_s``, per density.

        Exact up to rounding, never short: bisection between 0 and the reach at the main
        pace alone, keeping the upper end.

        Examples
        --------
        >>> model = CalibratedModel.fitted()
        >>> reach = model.reach_m(1200.0, [50.0, 10_000.0])
        >>> (reach / 1000).round(1).tolist(), model.time_s(reach, [50.0, 10_000.0]).round(3).tolist()
        ([10.6, 10.6], [1200.0, 1200.0])
        """
        rho = np.atleast_1d(np.asarray(density_per_km2, dtype=float))
        widest = 1.0 if self.range_ratio is None else float(np.max(self.range_ratio))
        budget = float(max_time_s) * widest / self.time_factor - self.access_time_s
        high = np.full(rho.shape, max(budget, 0.0) / self.main_pace_s_per_km * 1000.0)
        low = np.zeros_like(high)
        for _ in range(60):
            mid = 0.5 * (low + high)
            within = self.time_s(mid, rho) <= max_time_s
            low = np.where(within, mid, low)
            high = np.where(within, high, mid)
        return high

    # ---------------------------------------------------------------- densities

    def _origin_density(self, xy: np.ndarray) -> np.ndarray:
        if self.densities is None:
            return np.full(len(xy), self.fallback_density_per_km2)
        density = self.densities.at(xy)
        lost = np.isnan(density) & ~np.isnan(xy[:, 0])
        if lost.any():
            msg = (
                f"{int(lost.sum())} origin(s) lie more than {self.densities.max_gap_m:g} m "
                "outside every commune given to the model; their trips use the fallback "
                f"density {self.fallback_density_per_km2:g} inhabitants/km². Give the "
                "communes that cover the origins (CalibratedModel.from_communes)."
            )
            warnings.warn(msg, MaillageWarning, stacklevel=3)
        return np.where(np.isnan(density), self.fallback_density_per_km2, density)

    def density_at(self, points: gpd.GeoSeries) -> pd.Series:
        """Return the density (inhabitants per km²) the model uses for trips from each point.

        ``NaN`` for missing or empty points; the fallback density for points outside every
        commune (with a :class:`~maillage.errors.MaillageWarning`).

        Examples
        --------
        >>> from maillage.prepare.toy import toy_territory
        >>> communes, venues = toy_territory()
        >>> model = CalibratedModel.from_communes(communes)
        >>> model.density_at(venues.geometry).tolist()
        [100.0, 100.0]
        """
        xy = placed_xy(points, name="points")
        placed = ~np.isnan(xy[:, 0])
        density = np.full(len(points), np.nan)
        density[placed] = self._origin_density(xy[placed])
        return pd.Series(density, index=points.index, name="density_per_km2")

    # ---------------------------------------------------------------- the protocol

    def describe(self) -> dict[str, object]:
        """Return the model name, engine, parameters, sources and measured error.

        Examples
        --------
        >>> info = CalibratedModel.fitted().describe()
        >>> info["model"], info["engine"], len(info["error_by_band"])
        ('CalibratedModel', 'straight_line', 7)
        """
        fit = self.calibration
        held = fit.get("held_out", {})
        lookup = self.densities
        credited = credits(d["name"] for d in fit.get("fit", {}).get("datasets", []))
        return {
            "model": "CalibratedModel",
            "engine": "straight_line",
            "label_fr": _LABEL_FR,
            "formula": _FORMULA,
            "definition": fit.get("definition"),
            "access_time_s": float(self.access_time_s),
            "main_pace_s_per_km": float(self.main_pace_s_per_km),
            "local_pace_coefs": [float(v) for v in self.local_pace_coefs],
            "local_length_coefs": [float(v) for v in self.local_length_coefs],
            "density_range_per_km2": [float(v) for v in self.density_range_per_km2],
            "fallback_density_per_km2": float(self.fallback_density_per_km2),
            "time_factor": float(self.time_factor),
            "range_ratio": (
                None if self.range_ratio is None else [list(row) for row in self.range_ratio]
            ),
            "density_source": (
                "none: every origin at the fallback density"
                if lookup is None
                else f"communes: {len(lookup.codes)} polygons"
            ),
            "sources": [*credited, *([fit["fit"]["summary"]] if "fit" in fit else [])],
            # the data it was fitted on, credited by every result (analysis._checks.model_credits)
            "data_credits": credited,
            "error_by_band": copy.deepcopy(held.get("bands", [])),
            "error_by_class": copy.deepcopy(held.get("classes", [])),
            "median_abs_rel_error": held.get("median_abs_rel_error_bands_and_areas_equal"),
            "error_scheme": held.get("scheme"),
            "range_coverage": {
                level: r["coverage_held_out"]["share_inside"]
                for level, r in fit.get("range", {}).get("levels", {}).items()
            },
            "headline_coverage": {
                k: v for k, v in fit.get("headline_coverage", {}).items() if k != "cases"
            },
            "land_use_gap_paris": _land_use(fit).get("inside_paris", {}).get("median_ratio"),
            "land_use_gap_sparse": next(
                (c.get("median_ratio") for c in _land_use(fit).get("classes", [])[:1]), None
            ),
        }

    def _times_xy(self, oxy: np.ndarray, dist_m: np.ndarray) -> np.ndarray:
        """Return the times of the distances, one row per origin (its commune's density)."""
        return self.time_s(dist_m, self._origin_density(oxy)[:, None])

    def _nearest_xy(
        self, oxy: np.ndarray, dxy: np.ndarray, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the time to, and the row in ``dxy`` of, the nearest destination (-1, inf).

        Exact: the nearest by straight-line distance is the nearest by time.
        """
        dist, idx = cKDTree(dxy).query(oxy)
        t = self.time_s(dist, self._origin_density(oxy))
        found = np.ones(len(t), dtype=bool)
        if max_time_s is not None:
            found = t <= max_time_s * (1 + _SLACK)
        return np.where(found, t, np.inf), np.where(found, idx, -1)

    def _pairs_xy(
        self, oxy: np.ndarray, dxy: np.ndarray, max_time_s: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the rows in ``oxy`` and ``dxy`` and the times of every pair within reach."""
        density = self._origin_density(oxy)
        radius = self.reach_m(max_time_s, density) * (1 + 1e-9) + 1e-6
        hits = cKDTree(dxy).query_ball_point(oxy, r=radius)
        counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
        if not counts.sum():
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([])
        oi = np.repeat(np.arange(len(oxy)), counts)
        di = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
        t = self.time_s(np.hypot(*(oxy[oi] - dxy[di]).T), np.repeat(density, counts))
        keep = t <= max_time_s * (1 + _SLACK)
        return oi[keep], di[keep], t[keep]


def _land_use(fit: Mapping[str, Any]) -> dict[str, Any]:
    return dict(fit.get("land_use_reference", {}))


def default_model(communes: gpd.GeoDataFrame | None = None) -> CalibratedModel:
    """Return the default travel-time model: the calibrated straight-line model.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame, optional
        Communes covering the origins, for their densities; by default every commune of
        metropolitan France (:func:`maillage.load_communes`, loaded at this call).

    Returns
    -------
    CalibratedModel
        The fitted model with its density lookup.

    Examples
    --------
    >>> from maillage.prepare.toy import toy_territory
    >>> default_model(toy_territory()[0]).describe()["engine"]
    'straight_line'
    """
    if communes is None:
        communes = load_communes()
    return CalibratedModel.from_communes(communes)
