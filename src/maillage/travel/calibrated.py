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

The coefficients, their provenance (datasets and sha256, date, number of pairs, criterion)
and the error measured on real car times by distance band are in the package file
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
from maillage.travel.protocol import placed_xy
from maillage.travel.straight import StraightLineEngine

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

__all__ = ["MODEL_FILE", "CalibratedModel", "default_model", "load_calibration"]

MODEL_FILE = "travel_model.json"
"""Name of the package data file holding the fitted coefficients and the measured error."""

_LABEL_FR = (
    "modèle à vol d'oiseau calibré sur des temps de trajet réels en voiture "
    "(selon la distance et la densité de la commune de départ)"
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
        Keys ``coefficients``, ``fit`` (datasets, sha256, date, pairs, criterion),
        ``error`` (by distance band, overall) and ``cross_validation``.

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

    The fitted model, minutes for 10 km out of a village and out of a dense town:

    >>> fitted = CalibratedModel.fitted()
    >>> (fitted.time_s(10_000.0, [50.0, 10_000.0]) / 60).round(0).tolist()
    [17.0, 25.0]
    """

    access_time_s: float
    main_pace_s_per_km: float
    local_pace_coefs: tuple[float, float, float]
    local_length_coefs: tuple[float, float]
    density_range_per_km2: tuple[float, float]
    fallback_density_per_km2: float
    time_factor: float = 1.0
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

    def bounds(self) -> tuple[CalibratedModel, CalibratedModel]:
        """Return an optimistic and a pessimistic variant, from the measured quartiles.

        With ``r`` = model ÷ real time on the calibration trips, a real time is
        ``model ÷ r``; the low variant divides the times by the upper quartile of ``r``, the
        high variant by the lower quartile (quartiles pooled over the distance bands, each
        band weighted equally). Half the real trips lie between the two.

        Returns
        -------
        (CalibratedModel, CalibratedModel)
            ``(low, high)``: shorter and longer times.

        Raises
        ------
        OptionError
            When the model carries no measured error (built by hand).

        Examples
        --------
        >>> low, high = CalibratedModel.fitted().bounds()
        >>> low.time_factor < 1.0 < high.time_factor
        True
        """
        quartiles = self.calibration.get("error", {}).get("quartiles_all_bands")
        if not quartiles:
            msg = "bounds() needs the measured error: build the model with CalibratedModel.fitted()"
            raise OptionError(msg)
        low = replace(self, time_factor=self.time_factor / float(quartiles["q75"]))
        high = replace(self, time_factor=self.time_factor / float(quartiles["q25"]))
        return low, high

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
        extra, length = self._local(np.asarray(density_per_km2, dtype=float))
        local = extra * length * -np.expm1(-d_km / length)
        base = self.access_time_s + self.main_pace_s_per_km * d_km + local
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
        ([12.8, 6.4], [1200.0, 1200.0])
        """
        rho = np.atleast_1d(np.asarray(density_per_km2, dtype=float))
        budget = float(max_time_s) / self.time_factor - self.access_time_s
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
        error = fit.get("error", {})
        lookup = self.densities
        return {
            "model": "CalibratedModel",
            "engine": "straight_line",
            "label_fr": _LABEL_FR,
            "formula": _FORMULA,
            "access_time_s": float(self.access_time_s),
            "main_pace_s_per_km": float(self.main_pace_s_per_km),
            "local_pace_coefs": [float(v) for v in self.local_pace_coefs],
            "local_length_coefs": [float(v) for v in self.local_length_coefs],
            "density_range_per_km2": [float(v) for v in self.density_range_per_km2],
            "fallback_density_per_km2": float(self.fallback_density_per_km2),
            "time_factor": float(self.time_factor),
            "density_source": (
                "none: every origin at the fallback density"
                if lookup is None
                else f"communes: {len(lookup.codes)} polygons"
            ),
            "sources": [
                *credits(d["name"] for d in fit.get("fit", {}).get("datasets", [])),
                *([fit["fit"]["summary"]] if "fit" in fit else []),
            ],
            # the data it was fitted on, credited by every result (analysis._checks.model_credits)
            "data_credits": credits(d["name"] for d in fit.get("fit", {}).get("datasets", [])),
            "error_by_band": copy.deepcopy(error.get("bands", [])),
            "median_abs_rel_error": error.get("median_abs_rel_error"),
            "quartiles_all_bands": copy.deepcopy(error.get("quartiles_all_bands")),
            "cross_validation": copy.deepcopy(fit.get("cross_validation", {}).get("summary")),
        }

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
