"""The range of the calibrated model: a divisor per density class and distance band.

:meth:`maillage.CalibratedModel.bounds` gives a fast and a slow variant whose times are the
model's divided by a ratio model ÷ real time measured on areas left out of the fit, per density
class of the origin's commune (:data:`CLASS_EDGES`) and distance band (:data:`BANDS_KM`). The
ratio is interpolated in log-distance between the bands' middles (:func:`range_divisor`), and
lowered where it would grow faster than the time itself (:func:`monotone_divisors`), so that a
variant's time still grows with the distance and its nearest venue by distance is the nearest
by time.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

__all__ = ["BANDS_KM", "CLASS_EDGES", "monotone_divisors", "range_divisor"]

BANDS_KM = (0.3, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 300.0)
"""Straight-line distance bands (km) of the measured error and of the range."""
CLASS_EDGES = (100.0, 1000.0)
"""Density classes of the origin's commune (inhabitants per km²): below, between, above."""

_MIDDLES = np.log(np.sqrt(np.asarray(BANDS_KM[:-1]) * np.asarray(BANDS_KM[1:])))


class _Timed(Protocol):
    @property
    def density_range_per_km2(self) -> tuple[float, float]: ...

    def time_s(self, distance_m: np.ndarray, density_per_km2: np.ndarray) -> np.ndarray: ...


def range_divisor(
    table: tuple[tuple[float, ...], ...], d_km: np.ndarray, density: np.ndarray
) -> np.ndarray:
    """Return the divisor of each trip: its class's row, interpolated at its distance.

    Parameters
    ----------
    table : tuple of tuples
        One row per density class, one ratio per distance band.
    d_km, density : numpy.ndarray
        Straight-line distance (km) and origin density (inhabitants per km², no NaN),
        broadcast together.

    Returns
    -------
    numpy.ndarray
        The divisor, shaped as the broadcast inputs.

    Examples
    --------
    >>> table = ((1.0,) * 7, (2.0,) * 7, (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 4.0))
    >>> range_divisor(table, np.array([5.0, 5.0, 1000.0]), np.array([50.0, 500.0, 5000.0])).tolist()
    [1.0, 2.0, 4.0]
    """
    d_km, density = np.broadcast_arrays(np.asarray(d_km, dtype=float), density)
    row = np.searchsorted(CLASS_EDGES, density, side="right")
    x = np.log(np.maximum(d_km, 1e-3))
    logs = np.log(np.asarray(table, dtype=float))
    out = np.empty(d_km.shape)
    for k in range(logs.shape[0]):
        mine = row == k
        out[mine] = np.interp(x[mine], _MIDDLES, logs[k])
    return np.exp(out)


def monotone_divisors(model: _Timed, table: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Return the divisors, each no larger than keeps the model's time growing with distance.

    Between two bands' middles the divisor grows as a power of the distance; where it would
    grow faster than the time itself (the time's elasticity to the distance, at every density
    of the class), it is lowered: the variant is then a little slower, never faster, than the
    measured quantile.

    Parameters
    ----------
    model : CalibratedModel
        The model whose times are divided.
    table : numpy.ndarray, shape (classes, bands)
        The measured ratios.

    Returns
    -------
    tuple of tuples
        The divisors, as :attr:`maillage.CalibratedModel.range_ratio` takes them.
    """
    rho = np.array([model.density_range_per_km2[0], *CLASS_EDGES, 1e9])
    out = np.log(np.asarray(table, dtype=float))
    for c in range(out.shape[0]):
        densities = np.geomspace(max(rho[c], 1e-3), min(rho[c + 1], 1e6), 5)
        for k in range(1, out.shape[1]):
            d_km = np.exp(np.linspace(_MIDDLES[k - 1], _MIDDLES[k], 60))
            t = model.time_s(d_km[:, None] * 1000.0, densities[None, :])
            slope = np.min(np.diff(np.log(t), axis=0) / np.diff(np.log(d_km))[:, None])
            allowed = out[c, k - 1] + 0.95 * slope * (_MIDDLES[k] - _MIDDLES[k - 1])
            out[c, k] = min(out[c, k], allowed)
    return tuple(tuple(float(v) for v in np.exp(row)) for row in out)
