"""Scale bar and north arrow of the static maps (matplotlib), in their lower right corner.

Examples
--------
>>> from matplotlib.figure import Figure
>>> ax = Figure().add_subplot(xlim=(0, 50_000), ylim=(0, 50_000))
>>> draw_scale_bar(ax, max_share=0.2)
>>> draw_north_arrow(ax)
>>> [t.get_text() for t in ax.texts]
['', 'N']
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["draw_north_arrow", "draw_scale_bar", "nice_length_m"]

_INK = "#202020"


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


def draw_scale_bar(ax: Axes, *, max_share: float) -> None:
    """Draw a scale bar (m or km) at most ``max_share`` of the axes width long, lower right."""
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415 - matplotlib loads only when a map is drawn
    from mpl_toolkits.axes_grid1.anchored_artists import (  # type: ignore[import-untyped]  # noqa: PLC0415 - matplotlib loads only when a map is drawn
        AnchoredSizeBar,
    )

    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    length = nice_length_m(max_share * (right - left))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        label,
        loc="lower right",
        pad=0.2,
        borderpad=0.3,
        sep=2,
        frameon=False,
        size_vertical=(top - bottom) / 250,
        color=_INK,
        fontproperties=FontProperties(size=7),
    )
    ax.add_artist(bar)


def draw_north_arrow(ax: Axes) -> None:
    """Draw a north arrow and its ``N`` above the scale bar."""
    ax.annotate(
        "",
        xy=(0.965, 0.155),
        xytext=(0.965, 0.095),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>,head_width=0.3", "color": _INK, "linewidth": 1.2},
    )
    ax.annotate(
        "N",
        xy=(0.965, 0.16),
        xycoords="axes fraction",
        ha="center",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        color=_INK,
    )
