"""Static choropleth of access times with matplotlib (for print and deliberations).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> communes = gpd.GeoDataFrame(
...     {"nom": ["A", "B"], "departement": ["17", "17"], "time_min": [4.0, 35.0],
...      "covered": [True, False]},
...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs="EPSG:2154",
... )
>>> venues = gpd.GeoDataFrame(
...     {"kind": ["coworking"], "supported": [True]}, geometry=[Point(500, 500)], crs="EPSG:2154"
... )
>>> ax = plot_coverage(communes, venues, threshold_min=20)
>>> ax.get_title().startswith("Temps d'accès")
True
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from maillage.maps._style import (
    DEFAULT_BINS_MIN,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    SUPPORTED_COLOUR,
    TIME_LEGEND_TITLE,
    WHITE_ZONE_LABEL,
    TimeClasses,
    check_coverage_frame,
    classify_times,
    credits_of,
    credits_text,
    supported_mask,
    venue_markers,
)
from maillage.schema import threshold_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

__all__ = ["plot_coverage"]

_HATCH = "////"
_EDGE = "#252525"


def plot_coverage(
    communes_cov: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame | None = None,
    *,
    white_zones: gpd.GeoDataFrame | None = None,
    threshold_min: float | None = None,
    scheme: str | None = None,
    k: int = 5,
    bins: Sequence[float] = DEFAULT_BINS_MIN,
    title: str | None = None,
    credits: Sequence[str] | None = None,
    departements: bool = True,
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw access times to the nearest venue, white zones, venues and borders.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage` (columns ``time_min``, optionally ``covered``
        and ``departement``), EPSG:2154.
    venues : geopandas.GeoDataFrame, optional
        Venues, drawn with one marker per ``kind``; publicly ``supported`` ones filled,
        the others hollow.
    white_zones : geopandas.GeoDataFrame, optional
        Output of :func:`maillage.white_zones`, hatched. Default: the communes whose
        ``covered`` is False.
    threshold_min : float, optional
        Threshold shown in the title; default ``communes_cov.attrs["threshold_min"]``.
    scheme : str, optional
        mapclassify scheme name instead of the fixed classes.
    k : int
        Number of classes for ``scheme``.
    bins : sequence of float
        Upper bounds of the fixed classes in minutes (default 10, 20, 30 and more).
    title : str, optional
        Title; a French default names the threshold.
    credits : sequence of str, optional
        Data credits written at the bottom; default ``communes_cov.attrs["data_credits"]``.
    departements : bool
        Draw the département borders (needs a ``departement`` column).
    legend : bool
        Draw the legend (turn off on all but one panel of small multiples).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Nothing is shown or saved.

    Examples
    --------
    See the module docstring.
    """
    check_coverage_frame(communes_cov, name="communes_cov")
    if ax is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - pyplot only when no ax is given

        _, ax = plt.subplots(figsize=(8, 8))
    classes = classify_times(communes_cov["time_min"], scheme=scheme, k=k, bins=bins)
    communes_cov.plot(ax=ax, color=classes.colour_of_rows(), linewidth=0)
    zones = _white_zone_shapes(communes_cov, white_zones)
    if zones is not None and not zones.empty:
        zones.plot(ax=ax, facecolor="none", edgecolor=_EDGE, hatch=_HATCH, linewidth=0.5)
    if departements and "departement" in communes_cov.columns:
        borders = communes_cov[["departement", "geometry"]].dissolve("departement")
        borders.boundary.plot(ax=ax, color="#404040", linewidth=0.8)
    kinds = _draw_venues(ax, venues)
    threshold = threshold_of(threshold_min, communes_cov)
    ax.set_title(title if title is not None else _default_title(threshold), fontsize=12)
    ax.set_axis_off()
    ax.set_aspect("equal")
    if legend:
        _draw_legend(ax, classes, has_nan=bool((classes.codes < 0).any()), kinds=kinds)
    ax.annotate(
        textwrap.fill(credits_text(credits_of(communes_cov, credits)), 140),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -6),
        textcoords="offset points",
        va="top",
        fontsize=6,
        color="#404040",
    )
    return ax


def _default_title(threshold: float | None) -> str:
    title = "Temps d'accès au lieu le plus proche"
    if threshold is not None:
        title += f"\nZones blanches : plus de {threshold:g} min"
    return title


def _white_zone_shapes(
    communes_cov: gpd.GeoDataFrame, white_zones: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame | None:
    if white_zones is not None:
        return white_zones
    if "covered" not in communes_cov.columns:
        return None
    uncovered = ~communes_cov["covered"].astype("boolean").fillna(False).astype(bool)
    return communes_cov.loc[uncovered, ["geometry"]]


def _draw_venues(ax: Axes, venues: gpd.GeoDataFrame | None) -> dict[str, str]:
    if venues is None or venues.empty:
        return {}
    kinds = venues["kind"].astype(str) if "kind" in venues.columns else None
    if kinds is None:
        kinds = venues.index.to_series().map(lambda _: "lieu")
    markers = venue_markers(kinds)
    supported = supported_mask(venues)
    for kind, marker in markers.items():
        for is_supported in (False, True):
            rows = venues[(kinds == kind) & (supported == is_supported)]
            if rows.empty:
                continue
            ax.scatter(
                rows.geometry.x,
                rows.geometry.y,
                marker=marker,
                s=16,
                facecolor=SUPPORTED_COLOUR if is_supported else "white",
                edgecolor=SUPPORTED_COLOUR,
                linewidth=0.7,
                zorder=4,
            )
    return markers


def _draw_legend(ax: Axes, classes: TimeClasses, *, has_nan: bool, kinds: dict[str, str]) -> None:
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles: list[Artist] = [
        Patch(facecolor=colour, edgecolor="none", label=label)
        for colour, label in zip(classes.colours, classes.labels, strict=True)
    ]
    if has_nan:
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="none", label=NO_DATA_LABEL))
    handles.append(Patch(facecolor="none", edgecolor=_EDGE, hatch=_HATCH, label=WHITE_ZONE_LABEL))
    for kind, marker in kinds.items():
        handles.append(_marker(Line2D, marker, "white", f"Lieu : {kind}"))
    if kinds:
        handles.append(_marker(Line2D, "o", SUPPORTED_COLOUR, "Lieu soutenu (plein)"))
        handles.append(_marker(Line2D, "o", "white", "Non soutenu ou inconnu (creux)"))
    ax.legend(
        handles=handles,
        title=TIME_LEGEND_TITLE,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7,
        title_fontsize=7,
        framealpha=0.9,
    )


def _marker(line_cls: type, marker: str, face: str, label: str) -> Artist:
    return line_cls(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=6,
        markerfacecolor=face,
        markeredgecolor=SUPPORTED_COLOUR,
        label=label,
    )
