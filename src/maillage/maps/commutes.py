"""Static map of the commute time a venue could save, per home commune (matplotlib).

Communes are coloured by a rate, not by a total that only follows their size: hours saved
per year and per resident worker (default), or per km². The legend names every symbol (the
classes, the communes without gain or data, the venues); the legend, the north arrow and the
scale bar stand beside the map.

Examples
--------
>>> import geopandas as gpd
>>> import pandas as pd
>>> from shapely.geometry import Point, box
>>> communes = gpd.GeoDataFrame({"saved_hours_per_year": [0.0, 120.0, 3000.0],
...     "workers": [10.0, 40.0, 600.0]},
...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
...     crs="EPSG:2154")
>>> ax = plot_commute_savings(communes)
>>> ax.get_title().startswith("Temps de trajet")
True
>>> "par actif résidant" in ax.get_legend().get_title().get_text()
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from maillage.errors import OptionError
from maillage.maps._furniture import (
    frame_map,
    map_bounds,
    place_furniture,
    write_title_and_credits,
)
from maillage.maps._style import (
    NO_DATA_COLOUR,
    class_colours,
    credits_of,
    credits_text,
)
from maillage.schema import check_columns, check_crs

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend

__all__ = ["RATES", "plot_commute_savings"]

_ZERO_COLOUR = "#f2f2f2"
_ZERO_LABEL = "aucun gain"
_VENUE_COLOUR = "#d62728"
RATES = {
    "worker": "Heures gagnées par an\net par actif résidant",
    "km2": "Heures gagnées par an\net par km²",
    None: "Heures gagnées par an",
}
"""Legend title of each ``per`` of :func:`plot_commute_savings`."""


def _rates(savings: gpd.GeoDataFrame, column: str, per: str | None) -> np.ndarray:
    """Values mapped: ``column`` per resident worker, per km², or as it is; NaN when undefined."""
    values = savings[column].to_numpy(dtype=float)
    if per is None:
        return values
    if per == "worker":
        check_columns(savings, ["workers"], name="savings")
        base = savings["workers"].to_numpy(dtype=float)
    elif per == "km2":
        base = savings.geometry.area.to_numpy(dtype=float) / 1e6
    else:
        msg = f"per must be 'worker', 'km2' or None, got {per!r}"
        raise OptionError(msg)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, values / base, np.nan)


def _classes(values: np.ndarray, k: int) -> tuple[np.ndarray, list[str]]:
    """Class of each value (-1 for zero, -2 for missing) and the labels, by quantiles of gains."""
    import mapclassify  # noqa: PLC0415 - only when a map is drawn

    codes = np.full(len(values), -2)
    codes[np.isfinite(values) & (values <= 0)] = -1
    positive = np.isfinite(values) & (values > 0)
    if not positive.any():
        return codes, []
    gains = values[positive]
    k = max(1, min(k, len(np.unique(gains))))
    classifier = mapclassify.Quantiles(gains, k=k) if k > 1 else None
    codes[positive] = classifier.yb if classifier is not None else 0
    uppers = [float(b) for b in classifier.bins] if classifier is not None else [gains.max()]
    lowers = [float(gains.min()), *uppers[:-1]]
    labels = [f"{_fr(lo)} – {_fr(hi)} h" for lo, hi in zip(lowers, uppers, strict=True)]
    return codes, labels


def _fr(value: float) -> str:
    """French number: 2 significant digits below 100 (rates), thousands apart above.

    Examples
    --------
    >>> [_fr(v) for v in (0.00061, 0.55, 1.0, 13.2, 1234.0)]
    ['0,00061', '0,55', '1', '13', '1\u202f234']
    """
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", "\u202f")
    if value == 0 or not math.isfinite(value):
        return "0"
    decimals = max(0, 1 - math.floor(math.log10(abs(value))))
    text = f"{value:.{decimals}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text).replace(".", ",")


def plot_commute_savings(
    savings: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame | None = None,
    *,
    column: str = "saved_hours_per_year",
    per: str | None = "worker",
    k: int = 5,
    title: str | None = None,
    credits: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the commute time saved per home commune, in classes of equal counts.

    Parameters
    ----------
    savings : geopandas.GeoDataFrame
        One row per commune with ``column`` (hours per year by default, see
        :func:`maillage.commute_savings`) and the commune polygons, in a working CRS.
    venues : geopandas.GeoDataFrame, optional
        Venues drawn as points (one legend entry).
    column : str
        Column to map.
    per : {"worker", "km2", None}
        Map ``column`` per resident worker (column ``workers``, all modes: communes without
        any are "sans actif résidant"), per km² of the commune, or as it is (``None``: large
        communes then stand out by their size alone).
    k : int
        Number of classes of the communes with a gain (quantiles); communes without gain
        are light grey, communes without data grey.
    title : str, optional
        Title; default "Temps de trajet domicile-travail évitable".
    credits : sequence of str, optional
        Data credits written under the map (default ``savings.attrs["data_credits"]``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with a legend, a scale bar and a north arrow beside the map.

    Raises
    ------
    OptionError
        If ``per`` is not one of the three.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - only when a map is drawn

    check_columns(savings, [column, "geometry"], name="savings")
    check_crs(savings, name="savings")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    codes, labels = _classes(_rates(savings, column, per), int(k))
    colours = list(class_colours(len(labels))) if labels else []
    fill = [colours[c] if c >= 0 else (_ZERO_COLOUR if c == -1 else NO_DATA_COLOUR) for c in codes]
    placed = savings.geometry.notna().to_numpy()
    shapes = savings[placed]
    shapes.plot(
        ax=ax, color=np.asarray(fill, dtype=object)[placed], edgecolor="white", linewidth=0.2
    )
    drawn_venues = False
    if venues is not None and len(venues) > 0:
        drawn_venues = True
        venues.plot(ax=ax, color=_VENUE_COLOUR, markersize=12, edgecolor="white", linewidth=0.4)
    legend = _legend(ax, colours, labels, per=per, no_data=bool((codes == -2).any()),
                     venues=drawn_venues)  # fmt: skip
    ax.set_axis_off()
    bounds = map_bounds(shapes, venues if drawn_venues else None)
    band = frame_map(ax, bounds, legend=legend)
    column_box = place_furniture(ax, bounds, band=band, legend=legend)
    write_title_and_credits(
        ax,
        bounds,
        column_box,
        title=title or "Temps de trajet domicile-travail évitable\npar commune de résidence",
        credits=credits_text(credits_of(savings, credits)),
    )
    return ax


def _legend(
    ax: Axes, colours: list[str], labels: list[str], *, per: str | None, no_data: bool, venues: bool
) -> Legend:
    from matplotlib.lines import Line2D  # noqa: PLC0415 - matplotlib loads only when a map is drawn
    from matplotlib.patches import Patch  # noqa: PLC0415 - matplotlib loads only when a map is drawn

    handles: list[Artist] = [Patch(facecolor=_ZERO_COLOUR, edgecolor="#999999", label=_ZERO_LABEL)]
    handles += [
        Patch(facecolor=c, edgecolor="#999999", label=lab)
        for c, lab in zip(colours, labels, strict=True)
    ]
    if no_data:
        label = "sans actif résidant" if per == "worker" else "sans donnée"
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="#999999", label=label))
    if venues:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=5,
                markerfacecolor=_VENUE_COLOUR,
                markeredgecolor="white",
                label="Lieu",
            )
        )
    return ax.legend(
        handles=handles,
        title=RATES[per],
        alignment="left",
        fontsize=7,
        title_fontsize=8,
        framealpha=0.9,
    )
