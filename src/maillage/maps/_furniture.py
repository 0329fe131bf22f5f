"""Layout of the static maps (matplotlib): the map, and beside it its legend, north arrow and scale.

:func:`frame_map` sets the limits so the map fills the left of the axes, flush against a band
on the right; :func:`place_furniture` stacks the legend, the north arrow and the scale bar in
that band, from the height of the map's top edge, so they read with the map and not across
an empty area.

Examples
--------
>>> from matplotlib.figure import Figure
>>> ax = Figure().add_subplot()
>>> band = frame_map(ax, (0, 0, 50_000, 50_000), legend=None)
>>> top, bottom = place_furniture(ax, (0, 0, 50_000, 50_000), band=band, legend=None)
>>> bool(top > bottom)
True
>>> [t.get_text() for t in ax.texts]
['', 'N']
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.transforms import Transform

__all__ = [
    "draw_north_arrow",
    "draw_scale_bar",
    "frame_map",
    "map_bounds",
    "nice_length_m",
    "place_furniture",
    "write_title_and_credits",
]

_INK = "#202020"
_BAND_WITHOUT_LEGEND = 0.16  # share of the axes kept for the scale bar and the north arrow
_BAND_PAD_PX = 8.0  # gap between the map and its band
_ARROW_PT = 46.0  # height of the north arrow with its N, in points
_SCALE_PT = 22.0  # height of the scale bar with its label, in points
_GAP_PT = 8.0  # space between the legend, the arrow and the scale bar


def nice_length_m(max_m: float) -> float:
    """Return the longest 1, 2 or 5 × 10^n metres not above ``max_m`` (at least 1 m).

    Examples
    --------
    >>> nice_length_m(73_000), nice_length_m(1_900), nice_length_m(0.5)
    (50000.0, 1000.0, 1.0)
    """
    if max_m < 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(max_m))
    return max(step * power for step in (1, 2, 5) if step * power <= max_m)


def _size_px(ax: Axes) -> tuple[float, float]:
    fig = cast("Figure", ax.get_figure(root=True))
    box = ax.get_position(original=True)  # the box before an aspect shrinks it
    return box.width * fig.get_figwidth() * fig.dpi, box.height * fig.get_figheight() * fig.dpi


def frame_map(
    ax: Axes, bounds: tuple[float, float, float, float], *, legend: Legend | None
) -> float:
    """Set the limits so the map fills the left of the axes, flush against a band on the right.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes of the map, with equal aspect.
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` of the map, in metres.
    legend : matplotlib.legend.Legend, optional
        Legend placed in the band: the band is as wide as the legend. Without legend, the
        band keeps 16 % of the axes width for the scale bar and the north arrow.

    Returns
    -------
    float
        Width of the band, as a share of the axes width. A map taller than the space left
        touches the band; the free space is on its left (cropped by ``bbox_inches="tight"``).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure(figsize=(6, 4)).add_subplot()
    >>> band = frame_map(ax, (0, 0, 1000, 1000), legend=None)
    >>> round(band, 2), bool(ax.get_ylim()[1] - ax.get_ylim()[0] >= 1000)
    (0.16, True)
    """
    width_px, height_px = _size_px(ax)
    band = _BAND_WITHOUT_LEGEND
    if legend is not None:
        band = max(band, (legend.get_window_extent().width + 2 * _BAND_PAD_PX) / width_px)
    band = min(band, 0.6)
    minx, miny, maxx, maxy = bounds
    map_px = width_px * (1 - band)
    scale = max((maxx - minx) / map_px, (maxy - miny) / height_px, 1e-9)  # metres per pixel
    left = maxx + _BAND_PAD_PX * scale - map_px * scale  # the map's right edge at the band
    middle = (miny + maxy) / 2
    ax.set_xlim(left, left + width_px * scale)
    ax.set_ylim(middle - height_px * scale / 2, middle + height_px * scale / 2)
    ax.set_aspect("equal", adjustable="box")
    return band


def place_furniture(
    ax: Axes,
    bounds: tuple[float, float, float, float],
    *,
    band: float,
    legend: Legend | None,
    scale_bar: bool = True,
    north_arrow: bool = True,
) -> tuple[float, float]:
    """Stack the legend, the north arrow and the scale bar in the band, from the map's top.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes framed by :func:`frame_map`.
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` of the map, in metres.
    band : float
        Width of the band (from :func:`frame_map`).
    legend : matplotlib.legend.Legend, optional
        The legend to move to the top of the band.
    scale_bar, north_arrow : bool
        Draw them under the legend.

    Returns
    -------
    tuple of float
        Top and bottom of the column, in axes fraction: at the map's top edge, lower when
        the column would not fit above the bottom of the axes.
    """
    width_px, height_px = _size_px(ax)
    fig = cast("Figure", ax.get_figure(root=True))
    pt = fig.dpi / 72.0  # pixels per point
    bottom, top = ax.get_ylim()
    x = 1 - band + _BAND_PAD_PX / width_px
    legend_px = legend.get_window_extent().height if legend is not None else 0.0
    column_px = legend_px + pt * (
        (_GAP_PT + _ARROW_PT) * north_arrow + (_GAP_PT + _SCALE_PT) * scale_bar
    )
    y = min(1.0, max((bounds[3] - bottom) / (top - bottom), column_px / height_px))
    column_top = y
    if legend is not None:
        legend.set_loc("upper left")
        legend.set_bbox_to_anchor((x, y), transform=ax.transAxes)
        y -= legend_px / height_px
    if north_arrow:
        draw_north_arrow(ax, x=x + 10 * pt / width_px, top=y - _GAP_PT * pt / height_px)
        y -= (_GAP_PT + _ARROW_PT) * pt / height_px
    if scale_bar:
        at = (x, y - _GAP_PT * pt / height_px)
        draw_scale_bar(ax, max_share=band - 2 * _BAND_PAD_PX / width_px, at=at)
        y -= (_GAP_PT + _SCALE_PT) * pt / height_px
    return column_top, y


def _points_below(ax: Axes, points: float) -> Transform:
    from matplotlib.transforms import offset_copy  # noqa: PLC0415 - matplotlib loads only when a map is drawn

    return offset_copy(ax.transAxes, fig=ax.get_figure(root=True), y=-points, units="points")


def draw_scale_bar(ax: Axes, *, max_share: float, at: tuple[float, float] = (1.0, 0.0)) -> None:
    """Draw a scale bar (m or km) at most ``max_share`` of the axes width long.

    ``at`` is its upper left corner in axes fraction; by default it sits in the lower right
    corner.
    """
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415 - matplotlib loads only when a map is drawn
    from mpl_toolkits.axes_grid1.anchored_artists import (  # type: ignore[import-untyped]  # noqa: PLC0415 - matplotlib loads only when a map is drawn
        AnchoredSizeBar,
    )

    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    length = nice_length_m(max_share * (right - left))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    corner = at == (1.0, 0.0)
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        label,
        loc="lower right" if corner else "upper left",
        bbox_to_anchor=at,
        bbox_transform=ax.transAxes,
        pad=0.2,
        borderpad=0.3 if corner else 0.0,
        sep=2,
        frameon=False,
        size_vertical=(top - bottom) / 250,
        color=_INK,
        fontproperties=FontProperties(size=7),
    )
    ax.add_artist(bar)


def draw_north_arrow(ax: Axes, *, x: float = 0.965, top: float = 0.2) -> None:
    """Draw a north arrow under its ``N``, the ``N``'s top at ``(x, top)`` in axes fraction."""
    ax.annotate(
        "",
        xy=(x, top),
        xycoords=_points_below(ax, 14),
        xytext=(x, top),
        textcoords=_points_below(ax, _ARROW_PT),
        arrowprops={"arrowstyle": "-|>,head_width=0.3", "color": _INK, "linewidth": 1.2},
    )
    ax.annotate(
        "N",
        xy=(x, top),
        xycoords="axes fraction",
        ha="center",
        va="top",
        fontsize=9,
        fontweight="bold",
        color=_INK,
    )


def map_bounds(
    communes: gpd.GeoDataFrame, venues: gpd.GeoDataFrame | None
) -> tuple[float, float, float, float]:
    """Return the bounds of the communes and of the venues drawn (a venue may lie beyond them).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> communes = gpd.GeoSeries([box(0, 0, 10, 10)]).to_frame("geometry")
    >>> map_bounds(communes, gpd.GeoSeries([Point(20, 5)]).to_frame("geometry"))
    (0.0, 0.0, 20.0, 10.0)
    """
    minx, miny, maxx, maxy = (float(v) for v in communes.total_bounds)
    if venues is not None and not venues.empty:
        vx0, vy0, vx1, vy1 = (float(v) for v in venues.total_bounds)
        minx, miny, maxx, maxy = min(minx, vx0), min(miny, vy0), max(maxx, vx1), max(maxy, vy1)
    return minx, miny, maxx, maxy


def write_title_and_credits(
    ax: Axes,
    bounds: tuple[float, float, float, float],
    column: tuple[float, float],
    *,
    title: str,
    credits: str | None,
) -> None:
    """Write the title just above the map and its band, the credits just under them.

    Parameters
    ----------
    ax, bounds
        As given to :func:`place_furniture`.
    column : tuple of float
        Top and bottom of the band's column (from :func:`place_furniture`).
    title : str
        Title, centred over the map and its band.
    credits : str, optional
        Data credits, from the map's left edge; none when ``None``.
    """
    import textwrap  # noqa: PLC0415 - only when a map is drawn

    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    x = (bounds[0] - left) / (right - left)
    y = max(column[0], (bounds[3] - bottom) / (top - bottom))
    ax.set_title(title, fontsize=12, x=(x + 1) / 2, y=y)  # centred over the map and its band
    if credits is None:
        return
    ax.annotate(
        textwrap.fill(credits, 140),
        xy=(x, min(column[1], (bounds[1] - bottom) / (top - bottom))),
        xycoords="axes fraction",
        xytext=(0, -8),  # clear of a venue marker on the map's edge
        textcoords="offset points",
        va="top",
        fontsize=6,
        color="#404040",
    )
