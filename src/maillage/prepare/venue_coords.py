"""Projected census coordinates: ``x`` / ``y`` in a declared CRS, and lat/lon that look projected.

A census may give its venues in Lambert-93 or another projected CRS: its ``x`` / ``y``
columns are turned into WGS84 ``longitude`` / ``latitude`` before the row checks, once the
CRS is declared (``load_venues(crs=2154)``, ``--crs 2154``). Projected values given as
latitude / longitude (Lambert-93 metres in a ``lat`` column) are rejected with a reason
that says so, rather than as a mere point outside France.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"x": ["417241.5", "bad"], "y": ["6421813,3", "1"]})
>>> out = lonlat_from_xy(raw, crs=2154)
>>> [round(float(v), 4) for v in out.loc[0, ["longitude", "latitude"]]]
[-0.5792, 44.8378]
>>> out.loc[1, "xy_reason"]
"unparsable coordinates (x 'bad', y '1')"
>>> looks_projected(pd.Series([6421813.0, 44.8]), pd.Series([417241.0, -0.58])).tolist()
[True, False]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.errors import OptionError

if TYPE_CHECKING:
    import pyproj

__all__ = ["PROJECTED_REASON", "check_crs_option", "lonlat_from_xy", "looks_projected"]

PROJECTED_REASON = (
    "coordinates look projected (latitude {lat:.0f}, longitude {lon:.0f}), not degrees: "
    "map them as x/y and declare their CRS (--crs 2154, load_venues(crs=2154))"
)
"""Reason of a row whose latitude / longitude are metres of a projected CRS."""


def check_crs_option(crs: object) -> pyproj.CRS:
    """Validate ``crs=`` / ``--crs``: an EPSG code or any CRS pyproj reads, projected.

    Parameters
    ----------
    crs : object
        ``2154``, ``"EPSG:2154"``, a WKT string, a :class:`pyproj.CRS`.

    Returns
    -------
    pyproj.CRS
        The CRS.

    Raises
    ------
    OptionError
        When pyproj cannot read it.

    Examples
    --------
    >>> check_crs_option("2154").to_epsg()
    2154
    """
    from pyproj import CRS  # noqa: PLC0415 - pyproj comes with geopandas
    from pyproj.exceptions import CRSError  # noqa: PLC0415 - pyproj only when coordinates are reprojected

    text = str(crs).strip()
    try:
        return CRS.from_user_input(int(text) if text.isdigit() else crs)
    except CRSError as exc:
        msg = f"crs must be an EPSG code such as 2154 (Lambert-93), got {crs!r}: {exc}"
        raise OptionError(msg) from exc


def _numbers(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


def lonlat_from_xy(raw: pd.DataFrame, *, crs: object) -> pd.DataFrame:
    """Fill ``longitude`` / ``latitude`` (WGS84) from the ``x`` / ``y`` columns in ``crs``.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw census table with ``x`` and ``y`` (text or numbers, decimal comma accepted).
    crs : object
        CRS of ``x`` / ``y`` (see :func:`check_crs_option`).

    Returns
    -------
    pandas.DataFrame
        A copy with ``longitude``, ``latitude`` as text (empty where ``x`` or ``y`` is) and
        ``xy_reason``: ``"unparsable coordinates (x ..., y ...)"`` where they are not numbers.
    """
    from pyproj import Transformer  # noqa: PLC0415 - pyproj only when coordinates are reprojected

    out = raw.copy()
    x, y = _numbers(raw["x"]), _numbers(raw["y"])
    transformer = Transformer.from_crs(check_crs_option(crs), "EPSG:4326", always_xy=True)
    ok = x.notna() & y.notna()
    lon = np.full(len(raw), np.nan)
    lat = np.full(len(raw), np.nan)
    if ok.any():
        lon[ok.to_numpy()], lat[ok.to_numpy()] = transformer.transform(x[ok], y[ok])
    out["longitude"] = pd.Series(lon, index=raw.index).map(_text).astype("string")
    out["latitude"] = pd.Series(lat, index=raw.index).map(_text).astype("string")
    given = raw["x"].astype("string").str.strip().fillna("").ne("")
    given &= raw["y"].astype("string").str.strip().fillna("").ne("")
    bad = given & ~ok
    reasons = "unparsable coordinates (x '" + raw["x"].astype("string") + "', y '"
    reasons += raw["y"].astype("string") + "')"
    out["xy_reason"] = reasons.where(bad).astype("string")
    return out


def _text(value: float) -> str | None:
    return None if np.isnan(value) else repr(float(value))


def looks_projected(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Tell which latitude / longitude pairs are metres rather than degrees.

    Parameters
    ----------
    lat, lon : pandas.Series
        Parsed values (floats, NaN allowed).

    Returns
    -------
    pandas.Series
        True where both values are beyond any angle (``|value| > 360``), as Lambert-93 or
        Web Mercator metres are.
    """
    return (lat.abs() > 360) & (lon.abs() > 360)
