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
'Population à 20 min ou moins (%)'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from maillage.errors import InputDataError
from maillage.maps.static import plot_coverage
from maillage.schema import check_columns, threshold_of

if TYPE_CHECKING:
    from collections.abc import Mapping

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
        import matplotlib.pyplot as plt  # noqa: PLC0415

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
        label = f"Population à {float(threshold):g} min ou moins (%)"
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
    nrows = math.ceil(len(years) / ncols)
    if fig is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415

        fig = plt.figure(figsize=(4 * min(ncols, len(years)), 4 * nrows))
    axes = []
    for i, year in enumerate(years):
        ax = fig.add_subplot(nrows, min(ncols, len(years)), i + 1)
        year_venues = venues.get(year) if venues is not None else None
        plot_coverage(
            frames[year],
            year_venues,
            ax=ax,
            title=str(year),
            legend=i == len(years) - 1,
            **kwargs,  # type: ignore[arg-type]
        )
        axes.append(ax)
    # one scale for every year: the panels take the frame of the one that holds the legend
    for ax in axes[:-1]:
        ax.set_xlim(axes[-1].get_xlim())
        ax.set_ylim(axes[-1].get_ylim())
    return axes
