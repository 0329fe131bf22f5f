"""Static choropleth of access times with matplotlib (for print and deliberations).

The map carries what an official map needs: a legend, a scale bar and a north arrow in a
band right beside the map, from the height of its top edge, the names of the départements, the data credits. Everything
but the credits stays inside the axes, so ``ax.figure.savefig("carte.png")`` keeps the legend
without ``bbox_inches="tight"``.

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
>>> ax.get_title().startswith("Temps d'accès en voiture")
True
>>> [t.get_text() for t in ax.texts if t.get_text() in ("N", "Charente-Maritime")]
['Charente-Maritime', 'N']
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, cast

from maillage.maps._furniture import (
    frame_map,
    map_bounds,
    place_furniture,
    write_title_and_credits,
)
from maillage.maps._style import (
    DEFAULT_BINS_MIN,
    HALO_COLOUR,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    SUPPORTED_COLOUR,
    TIME_LEGEND_TITLE,
    UNCERTAIN_EDGE,
    UNCERTAIN_LABEL,
    WHITE_ZONE_EDGE,
    WHITE_ZONE_LABEL,
    TimeClasses,
    check_coverage_frame,
    classify_times,
    credits_of,
    credits_text,
    supported_mask,
    uncertain_mask,
    venue_markers,
)
from maillage.schema import threshold_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd
    import pandas as pd
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

__all__ = ["plot_coverage"]

_HATCH = "//"
_UNCERTAIN_WIDTH = 0.9  # dashed outline of the communes to confirm, over a halo twice as wide
_BORDER_COLOUR = "#303030"
_BORDER_WIDTH = 0.9
_FULL_MAP_HEIGHT_IN = 6.0  # axes height of a one-map figure: markers at full size

MAX_NAMED_DEPARTEMENTS = 24
"""Most départements a map names by default: a région has at most 13; the 96 of metropolitan
France would overlap (Île-de-France's unreadable, long names cut)."""


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
    departement_names: bool | None = None,
    legend: bool = True,
    legend_ax: Axes | None = None,
    scale_bar: bool = True,
    north_arrow: bool = True,
    note: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw access times to the nearest venue, white zones, venues and borders.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage` (columns ``time_min``, optionally
        ``covered`` and ``departement``), EPSG:2154.
    venues : geopandas.GeoDataFrame, optional
        Venues, drawn with one marker per ``kind``; publicly ``supported`` ones filled,
        the others hollow.
    white_zones : geopandas.GeoDataFrame, optional
        Output of :func:`maillage.white_zones`, hatched. Default: the communes whose
        ``covered`` is False. Communes whose ``uncertain`` is True (a report's communes,
        with a model that knows its error) are outlined « À confirmer avec le réseau
        routier ».
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
        Data credits written under the map; default ``communes_cov.attrs["data_credits"]``.
    departements : bool
        Draw the département borders (needs a ``departement`` column).
    departement_names : bool, optional
        Write the name of each département (from the official geographic code; the code
        when the name is unknown) with its borders. By default, only when the map holds at
        most :data:`MAX_NAMED_DEPARTEMENTS` of them: the names of a whole country's overlap.
    legend : bool
        Draw the legend (turn off on all but one panel of small multiples).
    legend_ax : matplotlib.axes.Axes, optional
        Draw the legend into these axes (turned off), e.g. a free cell of small multiples,
        instead of a band on the right of the map.
    scale_bar, north_arrow : bool
        Draw a scale bar (km) and a north arrow under the legend, beside the map.
    note : bool, default True
        Write the data credits under the map (small multiples write them once for all).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into. Nothing is shown or saved. The map fills the left of the axes,
        flush against a band on the right that holds the legend, the north arrow and the
        scale bar, stacked from the height of the map's top edge.

    Examples
    --------
    See the module docstring.
    """
    check_coverage_frame(communes_cov, name="communes_cov")
    if ax is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - pyplot only when no ax is given

        _, ax = plt.subplots(figsize=(9, 8))
    classes = classify_times(communes_cov["time_min"], scheme=scheme, k=k, bins=bins)
    communes_cov.plot(ax=ax, color=classes.colour_of_rows(), linewidth=0)
    zones = _white_zone_shapes(communes_cov, white_zones)
    if zones is not None and not zones.empty:
        _draw_white_zones(ax, zones)
    uncertain = uncertain_mask(communes_cov)
    if uncertain is not None and uncertain.any():
        _draw_uncertain(ax, communes_cov.loc[uncertain, ["geometry"]])
    if departements and "departement" in communes_cov.columns:
        _draw_departements(ax, communes_cov, names=departement_names)
    kinds = _draw_venues(ax, venues)
    threshold = threshold_of(threshold_min, communes_cov)
    ax.set_axis_off()
    borders = departements and "departement" in communes_cov.columns
    drawn = None
    if legend:
        has_nan = bool((classes.codes < 0).any())
        drawn = _draw_legend(
            legend_ax or ax,
            classes,
            has_nan=has_nan,
            kinds=kinds,
            uncertain=uncertain is not None,
            borders=borders,
        )
        if legend_ax is not None:
            legend_ax.set_axis_off()
            drawn.set_loc("upper left")
            drawn.set_bbox_to_anchor((0.0, 1.0))
            drawn = None
    bounds = map_bounds(communes_cov, venues)
    band = frame_map(ax, bounds, legend=drawn)
    column = place_furniture(
        ax, bounds, band=band, legend=drawn, scale_bar=scale_bar, north_arrow=north_arrow
    )
    text = credits_text(credits_of(communes_cov, credits)) if note else None
    write_title_and_credits(
        ax, bounds, column, title=title or _default_title(threshold), credits=text
    )
    return ax


def _default_title(threshold: float | None) -> str:
    title = "Temps d'accès en voiture au lieu le plus proche"
    if threshold is not None:
        title += f"\nZones blanches : plus de {threshold:g} min"
    return title


def _plain(text: str) -> str:
    """Keep matplotlib from reading ``$...$`` in data-derived text as mathematics."""
    return text.replace("$", r"\$")


def _white_zone_shapes(
    communes_cov: gpd.GeoDataFrame, white_zones: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame | None:
    if white_zones is not None:
        return white_zones
    if "covered" not in communes_cov.columns:
        return None
    uncovered = ~communes_cov["covered"].astype("boolean").fillna(False).astype(bool)
    shapes = communes_cov.loc[uncovered, ["geometry"]]
    shapes = shapes[~(shapes.geometry.isna() | shapes.geometry.is_empty)]  # a commune not placed
    # one shape: hatched and outlined where the zone ends, not around each commune
    return shapes.dissolve() if len(shapes) > 1 else shapes


def _draw_white_zones(ax: Axes, zones: gpd.GeoDataFrame) -> None:
    # a dark hatching over a white one reads on the light and on the dark classes alike
    for colour, width in ((HALO_COLOUR, 2.2), (WHITE_ZONE_EDGE, 0.7)):
        zones.plot(
            ax=ax,
            facecolor="none",
            edgecolor=colour,
            hatch=_HATCH,
            linewidth=width,
            hatch_linewidth=width,
        )


def _draw_uncertain(ax: Axes, communes: gpd.GeoDataFrame) -> None:
    # neighbours outlined together (one line where a group ends), dashed over a white halo
    shapes = communes[~(communes.geometry.isna() | communes.geometry.is_empty)]
    outline = shapes.dissolve().explode(index_parts=False).boundary
    for colour, width, style in (
        (HALO_COLOUR, _UNCERTAIN_WIDTH * 2, "-"),
        (UNCERTAIN_EDGE, _UNCERTAIN_WIDTH, "--"),
    ):
        outline.plot(ax=ax, color=colour, linewidth=width, linestyle=style, zorder=3)


def _draw_departements(ax: Axes, communes_cov: gpd.GeoDataFrame, *, names: bool | None) -> None:
    import matplotlib.patheffects as pe  # noqa: PLC0415 - matplotlib loads only when a map is drawn

    borders = communes_cov[["departement", "geometry"]].dissolve("departement")
    borders.boundary.plot(ax=ax, color=_BORDER_COLOUR, linewidth=_BORDER_WIDTH)
    if not (names if names is not None else len(borders) <= MAX_NAMED_DEPARTEMENTS):
        return
    labels = _departement_names(borders.index.to_series().astype(str))
    halo = [pe.withStroke(linewidth=2.5, foreground=HALO_COLOUR)]
    for point, label in zip(borders.representative_point(), labels, strict=True):
        ax.annotate(
            _plain(label),
            xy=(point.x, point.y),
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color="#202020",
            path_effects=halo,
            zorder=5,
        )


def _departement_names(codes: pd.Series) -> list[str]:
    from maillage.load.cog import read_departements  # noqa: PLC0415 - bundled table

    try:
        names = read_departements()["nom"]
    except Exception:  # a missing table must not cost the map: codes instead
        return codes.tolist()
    return [str(names.get(code, code)) for code in codes]


_MARKER_SIZE_PT2 = 16.0  # area of a venue marker on a full-size map, in points squared
_MARKERS_MAX_COVER = 0.04  # the venues' markers together cover at most this share of the map
_MARKER_MIN_SHRINK = 0.3  # below it a marker is a dot whose kind cannot be read


def _marker_shrink(ax: Axes, venues: int) -> float:
    """Scale of the venue markers (1: full size) for this panel and this number of venues.

    Markers shrink with the panel (small multiples), never grow past the full map's; and when
    many venues share a map (a national one: 2,700 France services) they shrink until all of
    them together cover at most 4 % of it, so that the access-time colours stay readable.
    """
    fig = cast("Figure", ax.get_figure(root=True))
    position = ax.get_position()
    height_in = position.height * fig.get_figheight()
    shrink = min(1.0, height_in / _FULL_MAP_HEIGHT_IN)
    area_pt2 = position.width * fig.get_figwidth() * height_in * 72.0**2
    crowded = math.sqrt(_MARKERS_MAX_COVER * area_pt2 / max(venues, 1) / _MARKER_SIZE_PT2)
    return min(shrink, max(crowded, _MARKER_MIN_SHRINK * shrink))


def _draw_venues(ax: Axes, venues: gpd.GeoDataFrame | None) -> dict[str, str]:
    import matplotlib.patheffects as pe  # noqa: PLC0415 - matplotlib loads only when a map is drawn

    if venues is None or venues.empty:
        return {}
    kinds = venues["kind"].astype(str) if "kind" in venues.columns else None
    if kinds is None:
        kinds = venues.index.to_series().map(lambda _: "lieu")
    markers = venue_markers(kinds)
    supported = supported_mask(venues)
    shrink = _marker_shrink(ax, len(venues))
    halo = [pe.withStroke(linewidth=2.2 * shrink, foreground=HALO_COLOUR)]
    for kind, marker in markers.items():
        for is_supported in (False, True):
            rows = venues[(kinds == kind) & (supported == is_supported)]
            if rows.empty:
                continue
            ax.scatter(
                rows.geometry.x,
                rows.geometry.y,
                marker=marker,
                s=_MARKER_SIZE_PT2 * shrink**2,
                facecolor=SUPPORTED_COLOUR if is_supported else "white",
                edgecolor=SUPPORTED_COLOUR,
                linewidth=0.7 * shrink,
                zorder=4,
                path_effects=halo,
            )
    return markers


def _draw_legend(
    ax: Axes,
    classes: TimeClasses,
    *,
    has_nan: bool,
    kinds: dict[str, str],
    uncertain: bool,
    borders: bool,
) -> Legend:
    from matplotlib.legend_handler import HandlerTuple  # noqa: PLC0415 - matplotlib loads only when a map is drawn
    from matplotlib.lines import Line2D  # noqa: PLC0415 - matplotlib loads only when a map is drawn
    from matplotlib.patches import Patch  # noqa: PLC0415 - matplotlib loads only when a map is drawn

    handles: list[Artist | tuple[Artist, ...]] = [
        Patch(facecolor=colour, edgecolor="none", label=label)
        for colour, label in zip(classes.colours, classes.labels, strict=True)
    ]
    labels = list(classes.labels)
    if has_nan:
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="none"))
        labels.append(NO_DATA_LABEL)
    handles.append(
        tuple(
            Patch(facecolor="none", edgecolor=c, hatch=_HATCH, linewidth=w, hatch_linewidth=w)
            for c, w in ((HALO_COLOUR, 2.2), (WHITE_ZONE_EDGE, 0.7))
        )
    )
    labels.append(WHITE_ZONE_LABEL.replace(" (", "\n("))
    if uncertain:
        handles.append(
            (
                Patch(facecolor="none", edgecolor=HALO_COLOUR, linewidth=2 * _UNCERTAIN_WIDTH),
                Patch(
                    facecolor="none",
                    edgecolor=UNCERTAIN_EDGE,
                    linewidth=_UNCERTAIN_WIDTH,
                    linestyle="--",
                ),
            )
        )
        labels.append(textwrap.fill(UNCERTAIN_LABEL, 24))
    if borders:
        handles.append(Line2D([], [], color=_BORDER_COLOUR, linewidth=_BORDER_WIDTH))
        labels.append("Limite de département")
    for kind, marker in kinds.items():
        handles.append(_marker(Line2D, marker, "white"))
        labels.append(textwrap.fill(_plain(f"Lieu : {kind}"), 28))
    if kinds:
        handles += [_marker(Line2D, "o", SUPPORTED_COLOUR), _marker(Line2D, "o", "white")]
        labels += ["Lieu soutenu (plein)", "Non soutenu ou\ninconnu (creux)"]
    return ax.legend(
        handles=handles,
        labels=labels,
        handler_map={tuple: HandlerTuple(ndivide=1)},
        title=textwrap.fill(TIME_LEGEND_TITLE, 24),
        alignment="left",
        loc="upper right",
        bbox_to_anchor=(1.0, 1.0),
        borderaxespad=0.0,
        fontsize=7,
        title_fontsize=7,
        framealpha=0.9,
    )


def _marker(line_cls: type, marker: str, face: str) -> Artist:
    return line_cls(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=6,
        markerfacecolor=face,
        markeredgecolor=SUPPORTED_COLOUR,
    )
