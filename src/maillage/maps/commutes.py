"""Static map of the commute time a venue could save, per home commune (matplotlib).

Examples
--------
>>> import geopandas as gpd
>>> import pandas as pd
>>> from shapely.geometry import Point, box
>>> communes = gpd.GeoDataFrame({"saved_hours_per_year": [0.0, 120.0, 3000.0]},
...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
...     crs="EPSG:2154")
>>> ax = plot_commute_savings(communes)
>>> ax.get_title().startswith("Temps de trajet")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from maillage.maps._furniture import draw_north_arrow, draw_scale_bar
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
    from matplotlib.axes import Axes

__all__ = ["plot_commute_savings"]

_ZERO_COLOUR = "#f2f2f2"
_ZERO_LABEL = "aucun gain"


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
    return f"{value:,.0f}".replace(",", "\u202f")


def _frame(ax: Axes, bounds: np.ndarray) -> None:
    """Fit the map with a margin on the right for the legend, the scale bar and the arrow."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    width, height = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    ax.set_xlim(minx - 0.03 * width, maxx + 0.45 * width)
    ax.set_ylim(miny - 0.05 * height, maxy + 0.05 * height)
    ax.set_aspect("equal", adjustable="box")


def plot_commute_savings(
    savings: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame | None = None,
    *,
    column: str = "saved_hours_per_year",
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
        Venues drawn as points.
    column : str
        Column to map.
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
        The axes, with a legend, a scale bar and a north arrow.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - only when a map is drawn
    from matplotlib.patches import Patch  # noqa: PLC0415 - matplotlib loads only when a map is drawn

    check_columns(savings, [column, "geometry"], name="savings")
    check_crs(savings, name="savings")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    codes, labels = _classes(savings[column].to_numpy(dtype=float), int(k))
    colours = list(class_colours(len(labels))) if labels else []
    fill = [colours[c] if c >= 0 else (_ZERO_COLOUR if c == -1 else NO_DATA_COLOUR) for c in codes]
    shapes = savings[savings.geometry.notna()]
    shapes.plot(
        ax=ax,
        color=np.asarray(fill, dtype=object)[savings.geometry.notna().to_numpy()],
        edgecolor="white",
        linewidth=0.2,
    )
    if venues is not None and len(venues):
        venues.plot(ax=ax, color="#d62728", markersize=12, edgecolor="white", linewidth=0.4)
    handles = [
        Patch(facecolor=c, edgecolor="#999999", label=lab)
        for c, lab in zip(colours, labels, strict=True)
    ]
    handles.insert(0, Patch(facecolor=_ZERO_COLOUR, edgecolor="#999999", label=_ZERO_LABEL))
    ax.legend(
        handles=handles,
        title="Heures gagnées par an",
        loc="upper right",
        fontsize=7,
        title_fontsize=8,
        frameon=False,
    )
    ax.set_axis_off()
    _frame(ax, shapes.total_bounds)
    draw_scale_bar(ax, max_share=0.2)
    draw_north_arrow(ax)
    ax.set_title(title or "Temps de trajet domicile-travail évitable\npar commune de résidence")
    ax.annotate(
        credits_text(credits_of(savings, credits)),
        xy=(0, -0.02),
        xycoords="axes fraction",
        va="top",
        fontsize=6,
        color="#404040",
        wrap=True,
    )
    return ax
