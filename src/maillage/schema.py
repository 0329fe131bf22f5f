"""Canonical column names, units and validators shared by every stage.

Frames passed between stages:

* **communes**: GeoDataFrame indexed by ``code_insee`` (str), EPSG:2154, columns
  :data:`COMMUNE_COLUMNS`.
* **venues**: GeoDataFrame with a default index, EPSG:2154, columns :data:`VENUE_COLUMNS`.
* **rejected rows**: DataFrame with :data:`REJECT_COLUMNS`; ``row`` is the 0-based position
  of the row in the input file.
* **origins**: GeoDataFrame indexed by ``origin_id``, EPSG:2154, columns
  :data:`ORIGIN_COLUMNS`: population-weighted points from which travel times are measured.
* **travel times**: a long table ``origin_id, dest_id, travel_time_s``
  (:data:`OD_COLUMNS`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from maillage.errors import ColumnError, InputDataError, OptionError

if TYPE_CHECKING:
    from collections.abc import Iterable

    import geopandas as gpd
    import pandas as pd

__all__ = [
    "COMMUNE_COLUMNS",
    "CRS",
    "DEFAULT_THRESHOLD_MIN",
    "LOCATION_QUALITIES",
    "OD_COLUMNS",
    "ORIGIN_COLUMNS",
    "REJECT_COLUMNS",
    "SUMMARY_KEYS",
    "VENUE_COLUMNS",
    "check_columns",
    "check_crs",
    "check_not_empty",
    "threshold_of",
]

CRS = "EPSG:2154"
"""Lambert-93, the working CRS of every frame (metres)."""

COMMUNE_COLUMNS = ("nom", "departement", "region", "epci", "population", "geometry")
VENUE_COLUMNS = (
    "venue_id",
    "name",
    "kind",
    "code_insee",
    "opened",
    "closed",
    "supported",
    "location_quality",
    "geometry",
)
LOCATION_QUALITIES = ("address", "commune_centroid")
REJECT_COLUMNS = ("row", "venue_id", "reason")
ORIGIN_COLUMNS = ("code_insee", "population", "geometry")
OD_COLUMNS = ("origin_id", "dest_id", "travel_time_s")
SUMMARY_KEYS = (
    "area",
    "communes",
    "population",
    "venues",
    "threshold_min",
    "population_within_threshold",
    "share_within_threshold",
    "white_zone_communes",
    "white_zone_population",
    "median_time_min",
    "travel_time_model",
    "data_credits",
)
"""Keys of a report's ``summary.json``, in order."""


def check_columns(frame: pd.DataFrame, required: Iterable[str], *, name: str) -> None:
    """Raise if ``frame`` lacks any of ``required``, naming all of them at once.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to check.
    required : iterable of str
        Column names that must be present.
    name : str
        Argument name used in the message.

    Raises
    ------
    ColumnError
        Listing the missing columns and the columns found.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"a": [1]}), ["a", "b"], name="venues")
    Traceback (most recent call last):
    ...
    maillage.errors.ColumnError: venues is missing column(s) 'b'; found: 'a'
    """
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns)
        miss = ", ".join(repr(c) for c in missing)
        msg = f"{name} is missing column(s) {miss}; found: {found}"
        raise ColumnError(msg)


def check_crs(frame: gpd.GeoDataFrame, *, name: str, crs: str = CRS) -> None:
    """Raise if ``frame`` is not in ``crs``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Frame to check.
    name : str
        Argument name used in the message.
    crs : str
        Expected CRS, Lambert-93 by default.

    Raises
    ------
    InputDataError
        Naming both CRSs and the fix.
    """
    if frame.crs is None:
        msg = f"{name} has no CRS; set it with .set_crs(...) then call .to_crs({crs!r})"
        raise InputDataError(msg)
    if not frame.crs.equals(crs):
        msg = f"{name} is in {frame.crs.to_string()}, expected {crs}; call .to_crs({crs!r})"
        raise InputDataError(msg)


def check_not_empty(frame: pd.DataFrame, *, name: str) -> None:
    """Raise if ``frame`` has no rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to check.
    name : str
        Argument name used in the message.

    Raises
    ------
    InputDataError
        When the frame is empty.
    """
    if len(frame) == 0:
        msg = f"{name} is empty: at least one row is needed"
        raise InputDataError(msg)


DEFAULT_THRESHOLD_MIN = 20.0
"""Access threshold in minutes when none is given nor recorded."""


def threshold_of(threshold_min: float | None, frame: pd.DataFrame | None = None) -> float:
    """Return the access threshold in minutes, by the one rule every function follows.

    The threshold given; else the one recorded in ``frame.attrs["threshold_min"]`` (coverage
    records it on every output); else :data:`DEFAULT_THRESHOLD_MIN`.

    Parameters
    ----------
    threshold_min : float or None
        Threshold given by the caller.
    frame : pandas.DataFrame, optional
        An output of coverage.

    Returns
    -------
    float
        A positive number of minutes.

    Raises
    ------
    OptionError
        When the threshold is not a positive number.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame()
    >>> frame.attrs["threshold_min"] = 30
    >>> threshold_of(None, frame), threshold_of(15, frame), threshold_of(None)
    (30.0, 15.0, 20.0)
    """
    value: object = threshold_min
    if value is None and frame is not None:
        value = frame.attrs.get("threshold_min")
    if value is None:
        value = DEFAULT_THRESHOLD_MIN
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
        msg = f"threshold_min must be a positive number of minutes (got {value!r})"
        raise OptionError(msg)
    return number
