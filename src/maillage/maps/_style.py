"""Shared styling of the maps: access-time classes, colours, venue markers, French labels.

Examples
--------
>>> import pandas as pd
>>> classes = classify_times(pd.Series([5.0, 12.0, 25.0, 45.0, float("nan")]))
>>> classes.labels
('0 – 10 min', '10 – 20 min', '20 – 30 min', '30 min et plus')
>>> classes.codes.tolist()
[0, 1, 2, 3, -1]
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.errors import OptionError
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd

__all__ = [
    "DEFAULT_BINS_MIN",
    "NO_DATA_COLOUR",
    "SUPPORTED_COLOUR",
    "TimeClasses",
    "class_colours",
    "classify_times",
    "credits_text",
    "venue_markers",
]

DEFAULT_BINS_MIN: tuple[float, ...] = (10.0, 20.0, 30.0)
"""Upper bounds of the default access-time classes (minutes); the last class is open."""

NO_DATA_COLOUR = "#bdbdbd"
"""Communes with no reachable venue or no time (grey)."""

SUPPORTED_COLOUR = "#08306b"
"""Fill of publicly supported venues; the others are drawn hollow with this edge."""

WHITE_ZONE_LABEL = "Zone blanche (au-delà du seuil)"
NO_DATA_LABEL = "Non atteint / sans donnée"
TIME_LEGEND_TITLE = "Temps d'accès au lieu le plus proche (min)"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
_FOLIUM_DASHES = ("", "4 2", "1 2", "6 3 1 3", "8 4")


@dataclass(frozen=True)
class TimeClasses:
    """Access-time classes of a set of communes.

    Attributes
    ----------
    codes : pandas.Series
        Class number (0-based) of each row, ``-1`` when the time is missing.
    labels : tuple of str
        French label of each class, with its unit.
    colours : tuple of str
        Hex colour of each class, from short (green) to long (red) times.
    """

    codes: pd.Series
    labels: tuple[str, ...]
    colours: tuple[str, ...]

    def colour_of_rows(self) -> list[str]:
        """Return the fill colour of each row (grey for missing times)."""
        return [self.colours[c] if c >= 0 else NO_DATA_COLOUR for c in self.codes]

    def label_of_rows(self) -> list[str]:
        """Return the class label of each row."""
        return [self.labels[c] if c >= 0 else NO_DATA_LABEL for c in self.codes]


def class_colours(n: int) -> tuple[str, ...]:
    """Return ``n`` colours from green (short times) to red (long times).

    Parameters
    ----------
    n : int
        Number of classes (at least 1).

    Returns
    -------
    tuple of str
        Hex colours.

    Examples
    --------
    >>> class_colours(4)
    ('#006837', '#b7e075', '#fdbf6f', '#a50026')
    """
    from matplotlib import colormaps  # noqa: PLC0415 - keep import of maillage light
    from matplotlib.colors import to_hex  # noqa: PLC0415

    cmap = colormaps["RdYlGn_r"]
    steps = [0.5] if n == 1 else [i / (n - 1) for i in range(n)]
    return tuple(to_hex(cmap(s)) for s in steps)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def _labels_for_bins(bins: Sequence[float], lowest: float) -> tuple[str, ...]:
    edges = [lowest, *bins]
    labels = [f"{_fmt(lo)} – {_fmt(hi)} min" for lo, hi in pairwise(edges)]
    return (*labels, f"{_fmt(bins[-1])} min et plus")


def classify_times(
    time_min: pd.Series,
    *,
    scheme: str | None = None,
    k: int = 5,
    bins: Sequence[float] = DEFAULT_BINS_MIN,
) -> TimeClasses:
    """Put access times (minutes) into classes.

    Parameters
    ----------
    time_min : pandas.Series
        Times in minutes; NaN or infinite times get class ``-1`` with a custom scheme, and
        infinite times go to the last class with the default bins.
    scheme : str, optional
        A mapclassify scheme name (``"quantiles"``, ``"natural_breaks"``,
        ``"equal_interval"``, ...). Default: the fixed ``bins``.
    k : int
        Number of classes for ``scheme``.
    bins : sequence of float
        Increasing upper bounds (minutes) of the fixed classes; the last class is open.

    Returns
    -------
    TimeClasses
        Codes, labels and colours.

    Raises
    ------
    OptionError
        Unknown scheme or bins not increasing.

    Examples
    --------
    >>> import pandas as pd
    >>> classify_times(pd.Series([1.0, 2.0, 3.0, 4.0]), scheme="quantiles", k=2).labels
    ('1 – 2,5 min', '2,5 – 4 min')
    """
    values = pd.to_numeric(time_min, errors="coerce").astype(float)
    if scheme is None:
        edges = [float(b) for b in bins]
        if not edges or any(b <= a for a, b in pairwise(edges)):
            msg = f"bins must be increasing upper bounds in minutes, got {list(bins)}"
            raise OptionError(msg)
        codes = np.digitize(values.fillna(0).to_numpy(), edges, right=True)
        codes = np.where(values.isna().to_numpy(), -1, codes)
        labels = _labels_for_bins(edges, 0.0)
        return TimeClasses(
            pd.Series(codes, index=time_min.index), labels, class_colours(len(labels))
        )
    return _classify_scheme(values, scheme, k)


def _classify_scheme(values: pd.Series, scheme: str, k: int) -> TimeClasses:
    import mapclassify  # noqa: PLC0415

    finite = values[np.isfinite(values)]
    if finite.empty:
        msg = "time_min has no finite value to classify"
        raise OptionError(msg)
    try:
        classifier = mapclassify.classify(finite.to_numpy(), scheme, k=k)
    except (KeyError, ValueError, TypeError) as exc:
        msg = f"scheme {scheme!r} is not a mapclassify scheme usable here ({exc}); try 'quantiles'"
        raise OptionError(msg) from exc
    codes = pd.Series(-1, index=values.index)
    codes.loc[finite.index] = classifier.yb
    uppers = [float(b) for b in classifier.bins]
    edges = [float(finite.min()), *uppers]
    labels = tuple(f"{_fmt(lo)} – {_fmt(hi)} min" for lo, hi in pairwise(edges))
    return TimeClasses(codes, labels, class_colours(len(labels)))


def credits_text(credits: Sequence[str]) -> str:
    """Return the French data-credits line drawn under the maps.

    Parameters
    ----------
    credits : sequence of str
        Attribution lines.

    Returns
    -------
    str
        ``"Sources : a ; b"`` (with a mention of the administrative boundaries if empty).

    Examples
    --------
    >>> credits_text(["INSEE", "IGN"])
    'Sources : INSEE ; IGN. Réalisation : maillage.'
    """
    lines = list(dict.fromkeys(credits)) or ["non renseignées"]
    return f"Sources : {' ; '.join(lines)}. Réalisation : maillage."


def venue_markers(kinds: pd.Series) -> dict[str, str]:
    """Return a matplotlib marker per venue kind, in sorted order of the kinds.

    Parameters
    ----------
    kinds : pandas.Series
        The ``kind`` column of the venues.

    Returns
    -------
    dict
        Kind to marker.

    Examples
    --------
    >>> import pandas as pd
    >>> venue_markers(pd.Series(["coworking", "fablab", "coworking"]))
    {'coworking': 'o', 'fablab': 's'}
    """
    names = sorted(kinds.dropna().astype(str).unique())
    return {kind: _MARKERS[i % len(_MARKERS)] for i, kind in enumerate(names)}


def check_coverage_frame(frame: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise unless ``frame`` has the coverage columns the maps need, in EPSG:2154."""
    check_columns(frame, ["time_min", "geometry"], name=name)
    check_crs(frame, name=name)


def credits_of(frame: pd.DataFrame, credits: Sequence[str] | None) -> list[str]:
    """Return the credits given, else the ones recorded by coverage in ``frame.attrs``."""
    if credits is not None:
        return list(credits)
    return [str(c) for c in frame.attrs.get("data_credits", [])]


def supported_mask(venues: pd.DataFrame) -> pd.Series:
    """Return True for venues with public support (NA counts as not known to be supported)."""
    if "supported" not in venues.columns:
        return pd.Series(False, index=venues.index)
    return venues["supported"].astype("boolean").fillna(False).astype(bool)
