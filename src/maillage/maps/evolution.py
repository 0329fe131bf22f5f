"""How coverage evolves over the years: small multiples and the share within the threshold.

Examples
--------
>>> import pandas as pd
>>> by_year = pd.DataFrame(
...     {"venues": [3, 5], "share_within_threshold": [0.4, 0.55]},
...     index=pd.Index([2020, 2021], name="year"),
... )
>>> ax = plot_share_by_year(by_year, threshold_min=20)
>>> ax.get_ylabel()
'Population à 20 min ou moins en voiture (%)'
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, cast

from maillage.errors import InputDataError
from maillage.maps._style import credits_of, credits_text
from maillage.maps.static import plot_coverage
from maillage.schema import check_columns, threshold_of

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import geopandas as gpd
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_share_by_year", "plot_years"]


def plot_share_by_year(
    by_year: pd.DataFrame,
    *,
    threshold_min: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the share of the population within the threshold, year by year.

    Parameters
    ----------
    by_year : pandas.DataFrame
        Output of :func:`maillage.coverage_by_year`: indexed by year, with
        ``share_within_threshold`` (0..1) and optionally ``venues`` (written on the bars).
    threshold_min : float, optional
        Threshold named in the axis label; default ``by_year.attrs["threshold_min"]``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes
        The axes. Nothing is shown or saved.

    Examples
    --------
    See the module docstring.
    """
    check_columns(by_year, ["share_within_threshold"], name="by_year")
    if ax is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - matplotlib loads only when a map is drawn

        _, ax = plt.subplots(figsize=(7, 4))
    threshold = threshold_of(threshold_min, by_year)
    years = [str(y) for y in by_year.index]
    shares = (by_year["share_within_threshold"].astype(float) * 100).to_list()
    bars = ax.bar(years, shares, color="#2c7fb8")
    if "venues" in by_year.columns:
        labels = [f"{int(n)} lieux" for n in by_year["venues"]]
        ax.bar_label(bars, labels=labels, fontsize=7, padding=2)
    label = "Population couverte (%)"
    if threshold is not None:
        label = f"Population à {float(threshold):g} min ou moins en voiture (%)"
    ax.set_ylabel(label)
    ax.set_xlabel("Année")
    ax.set_ylim(0, 105)
    ax.set_title("Évolution de la part de la population couverte")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_years(
    frames: Mapping[int, gpd.GeoDataFrame],
    venues: Mapping[int, gpd.GeoDataFrame] | None = None,
    *,
    ncols: int = 3,
    fig: Figure | None = None,
    **kwargs: object,
) -> list[Axes]:
    """Draw one access-time map per year (small multiples), with one legend, at one scale.

    Parameters
    ----------
    frames : mapping of int to geopandas.GeoDataFrame
        Year to the output of :func:`maillage.coverage` for the venues open that year.
    venues : mapping of int to geopandas.GeoDataFrame, optional
        Year to the venues open that year.
    ncols : int
        Panels per row.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into; a new one otherwise.
    **kwargs
        Passed to :func:`maillage.maps.plot_coverage` (``threshold_min``, ``bins``, ...).

    Returns
    -------
    list of matplotlib.axes.Axes
        One axes per year, in year order.

    Raises
    ------
    InputDataError
        If ``frames`` is empty.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cov = gpd.GeoDataFrame({"time_min": [5.0]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:2154")
    >>> axes = plot_years({2020: cov, 2021: cov}, ncols=2)
    >>> [a.get_title() for a in axes]
    ['2020', '2021']
    """
    if not frames:
        msg = "frames is empty: give at least one year of coverage"
        raise InputDataError(msg)
    years = sorted(frames)
    cols = min(ncols, len(years))
    nrows = math.ceil(len(years) / cols)
    if fig is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - matplotlib loads only when a map is drawn

        fig = plt.figure(figsize=(4 * cols, 4 * nrows))
    # small panels: no names, arrow nor per-panel credits; one legend, one credits line
    options = {"departement_names": False, "north_arrow": False, "note": False} | kwargs
    scale_bar = bool(options.pop("scale_bar", True))  # one scale bar, beside the last map
    spare = nrows * cols > len(years)
    fig.subplots_adjust(wspace=0.02, hspace=0.1)  # before the panels frame their maps
    axes = []
    for i, year in enumerate(years):
        ax = fig.add_subplot(nrows, cols, i + 1)
        last = i == len(years) - 1
        plot_coverage(
            frames[year],
            venues.get(year) if venues is not None else None,
            ax=ax,
            title=str(year),
            legend=last,
            scale_bar=scale_bar and last,
            legend_ax=fig.add_subplot(nrows, cols, i + 2) if last and spare else None,
            **options,  # type: ignore[arg-type]
        )
        axes.append(ax)
    # one scale for every year: the panels take the frame of the last one
    for ax in axes[:-1]:
        ax.set_xlim(axes[-1].get_xlim())
        ax.set_ylim(axes[-1].get_ylim())
        ax.title.set_position(axes[-1].title.get_position())  # above the map, as framed now
    if not options["note"]:
        given = cast("Sequence[str] | None", options.get("credits"))
        lines = dict.fromkeys(
            line for year in years for line in credits_of(frames[year], given)
        )  # fmt: skip
        fig.text(0.01, 0.0, textwrap.fill(credits_text(list(lines)), 200), fontsize=6,
                 color="#404040", va="top")  # fmt: skip
    return axes
