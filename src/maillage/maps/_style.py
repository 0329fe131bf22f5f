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

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maillage.errors import OptionError
from maillage.schema import check_columns, check_crs
from maillage.sources import credits as attribution_lines

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd

__all__ = [
    "DEFAULT_BINS_MIN",
    "NO_DATA_COLOUR",
    "SUPPORTED_COLOUR",
    "UNCERTAIN_EDGE",
    "UNCERTAIN_LABEL",
    "TimeClasses",
    "class_colours",
    "classify_times",
    "credits_text",
    "format_minutes",
    "marker_svg",
    "uncertain_mask",
    "venue_markers",
]

DEFAULT_BINS_MIN: tuple[float, ...] = (10.0, 20.0, 30.0)
"""Upper bounds of the default access-time classes (minutes); the last class is open."""

NO_DATA_COLOUR = "#bdbdbd"
"""Communes with no reachable venue or no time (grey, distinct from every class colour)."""

PALETTE = "viridis"
"""Colour map of the classes, read from light (short times) to dark (long times).

Its lightness rises steadily and it keeps its order under deuteranopia, protanopia and
tritanopia (checked in the tests with a colour-vision-deficiency simulation).
"""

WHITE_ZONE_EDGE = "#000000"
"""Outline and hatching of the white zones, drawn over a white halo."""

HALO_COLOUR = "#ffffff"
"""Halo under dark strokes (white-zone outlines, venue markers) so they read on any class."""

SUPPORTED_COLOUR = "#08306b"
"""Fill of publicly supported venues; the others are drawn hollow with this edge."""

UNCERTAIN_EDGE = "#e7298a"
"""Dashed outline of the communes whose side of the threshold is uncertain (column
``uncertain`` of the report's communes), over a white halo: a hue that no class colour has."""

UNCERTAIN_LABEL = "À confirmer avec le réseau routier"
"""Legend entry and layer name of those communes."""

WHITE_ZONE_LABEL = "Zone blanche (au-delà du seuil)"
NO_DATA_LABEL = "Non atteint / sans donnée"
TIME_LEGEND_TITLE = "Temps d'accès en voiture au lieu le plus proche (min)"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


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
        Hex colour of each class, from short (light yellow) to long (dark purple) times.
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
    """Return ``n`` colours from light yellow (short times) to dark purple (long times).

    The colours are read from the reversed *viridis* colour map, whose lightness falls
    steadily, so the classes stay ordered and distinct for readers with a colour-vision
    deficiency and in grey-scale print.

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
    ('#fde725', '#35b779', '#31688e', '#440154')
    """
    from matplotlib import colormaps  # noqa: PLC0415 - keep import of maillage light
    from matplotlib.colors import to_hex  # noqa: PLC0415 - matplotlib loads only when a map is drawn

    cmap = colormaps[f"{PALETTE}_r"]
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
    import mapclassify  # noqa: PLC0415 - only for a mapclassify scheme

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


def format_minutes(value: float) -> str:
    """Write a time in minutes for a reader, rounded *up* to the tenth of a minute.

    Rounding up keeps the text on the same side of any threshold written with one decimal
    as the time itself: a commune at 20.03 min, beyond a 20 min threshold, reads
    "20,1 min", never "20 min".

    Parameters
    ----------
    value : float
        Time in minutes; NaN or infinite for "not reached".

    Returns
    -------
    str
        French text with a decimal comma.

    Examples
    --------
    >>> [format_minutes(t) for t in (20.0, 20.03, 19.96, 4.25, float("inf"))]
    ['20,0 min', '20,1 min', '20,0 min', '4,3 min', 'non atteint']
    """
    if pd.isna(value) or not np.isfinite(value):
        return "non atteint"
    tenths = math.ceil(round(float(value) * 10, 6))
    return f"{tenths / 10:.1f} min".replace(".", ",")


_SVG_SHAPES = {
    "o": '<circle cx="7" cy="7" r="5"/>',
    "s": '<rect x="2.5" y="2.5" width="9" height="9"/>',
    "^": '<polygon points="7,1.5 12.5,11.5 1.5,11.5"/>',
    "D": '<polygon points="7,1 13,7 7,13 1,7"/>',
    "v": '<polygon points="1.5,2.5 12.5,2.5 7,12.5"/>',
    "P": '<polygon points="5,1.5 9,1.5 9,5 12.5,5 12.5,9 9,9 9,12.5 5,12.5 5,9 1.5,9 1.5,5 5,5"/>',
    "X": '<polygon points="5,1.5 9,1.5 9,5 12.5,5 12.5,9 9,9 9,12.5 5,12.5 5,9 1.5,9 1.5,5 5,5"'
    ' transform="rotate(45 7 7)"/>',
    "*": '<polygon points="7,1 8.5,5.2 13,5.2 9.4,7.9 10.7,12.3 7,9.7 3.3,12.3 4.6,7.9 1,5.2 5.5,5.2"/>',
    "<": '<polygon points="1.5,7 11.5,1.5 11.5,12.5"/>',
    ">": '<polygon points="12.5,7 2.5,1.5 2.5,12.5"/>',
}


def marker_svg(marker: str, *, filled: bool) -> str:
    """Return a venue marker as a 14-pixel SVG image, like the matplotlib marker of the maps.

    Parameters
    ----------
    marker : str
        A marker of :func:`venue_markers` (``"o"``, ``"s"``, ``"^"``, ...).
    filled : bool
        Filled for publicly supported venues, hollow (white) for the others.

    Returns
    -------
    str
        ``<svg>`` markup with a white halo under the outline.

    Examples
    --------
    >>> marker_svg("s", filled=True).count("<rect")
    2
    """
    shape = _SVG_SHAPES[marker]
    fill = SUPPORTED_COLOUR if filled else "#ffffff"
    halo = shape.replace("/>", f' fill="none" stroke="{HALO_COLOUR}" stroke-width="3.5"/>')
    body = shape.replace("/>", f' fill="{fill}" stroke="{SUPPORTED_COLOUR}" stroke-width="1.4"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="14" height="14" viewBox="0 0 14 14" '
        f'aria-hidden="true" stroke-linejoin="round">{halo}{body}</svg>'
    )


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
    """Return the attribution lines of the credits given, else of ``frame.attrs["data_credits"]``.

    Catalogue names (as the loaders and :func:`maillage.coverage` record them) become their
    attribution line with the licence (:func:`maillage.sources.credits`); other lines are kept.

    Examples
    --------
    >>> frame = pd.DataFrame()
    >>> frame.attrs["data_credits"] = ["osm-saint-barthelemy-2015", "mon recensement"]
    >>> credits_of(frame, None)
    ['© OpenStreetMap contributors (ODbL 1.0)', 'mon recensement']
    """
    names = credits if credits is not None else frame.attrs.get("data_credits", [])
    return attribution_lines(str(c) for c in names)


def supported_mask(venues: pd.DataFrame) -> pd.Series:
    """Return True for venues with public support (NA counts as not known to be supported)."""
    if "supported" not in venues.columns:
        return pd.Series(False, index=venues.index)
    return venues["supported"].astype("boolean").fillna(False).astype(bool)


def uncertain_mask(communes_cov: pd.DataFrame) -> pd.Series | None:
    """Return the communes to confirm with the road network, or ``None`` without the column.

    Parameters
    ----------
    communes_cov : pandas.DataFrame
        Communes, with ``uncertain`` when the model knows its error (a report's communes).

    Returns
    -------
    pandas.Series or None
        Booleans (missing values count as False); ``None`` when there is no ``uncertain``
        column.

    Examples
    --------
    >>> uncertain_mask(pd.DataFrame({"uncertain": [True, None]})).tolist()
    [True, False]
    >>> uncertain_mask(pd.DataFrame({"time_min": [3.0]})) is None
    True
    """
    if "uncertain" not in communes_cov.columns:
        return None
    return communes_cov["uncertain"].astype("boolean").fillna(False).astype(bool)
