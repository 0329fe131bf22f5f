"""Interactive web map of access times with folium (for a web site).

Layers: the access-time choropleth, the white zones (outlined), the communes to confirm with
the road network (dashed, when the communes carry ``uncertain``), the catchments and one
layer of venues per kind, with a layer control, a scale bar and a legend of every symbol.
Frames are reprojected to EPSG:4326 on a copy (inputs are never modified); commune polygons
are simplified together, so that neighbours keep their shared border, and coordinates are
rounded to about 1 m, for a light page.

The page stands alone: Leaflet's script and style sheet, shipped in the package with their
licence, are written into it (no content delivery network), so only the background tiles
need the network, and the map says so when they fail to load. Every string that comes from
the data (names, ids, kinds, communes, credits) is escaped for HTML before it reaches folium.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> communes = gpd.GeoDataFrame(
...     {"nom": ["A", "B"], "population": [100, 50], "time_min": [4.0, 20.03],
...      "nearest_venue": ["v1", "v1"], "covered": [True, False]},
...     geometry=[box(400000, 6500000, 401000, 6501000), box(401000, 6500000, 402000, 6501000)],
...     crs="EPSG:2154",
... )
>>> m = explore_coverage(communes)
>>> page = m.get_root().render()
>>> import json
>>> json.dumps(LAYER_NAMES["white_zones"]) in page, "20,1 min" in page, "<script src=" in page
(True, True, False)
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd
import shapely

from maillage.maps._assets import inline_leaflet
from maillage.maps._controls import (
    LEGEND_JS,
    NOTICE_JS,
    SCALE_JS,
    SMALL_SCREEN_JS,
    SMALL_SCREEN_PX,
    control,
)
from maillage.maps._layers import error_margins, polygon_layer, uncertain_layer
from maillage.maps._style import (
    DEFAULT_BINS_MIN,
    HALO_COLOUR,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    TIME_LEGEND_TITLE,
    UNCERTAIN_EDGE,
    UNCERTAIN_LABEL,
    WHITE_ZONE_EDGE,
    TimeClasses,
    check_coverage_frame,
    classify_times,
    credits_of,
    credits_text,
    format_minutes,
    marker_svg,
    supported_mask,
    uncertain_mask,
    venue_markers,
)
from maillage.schema import threshold_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    import folium
    import geopandas as gpd
    from branca.element import Figure

__all__ = ["LAYER_NAMES", "TILE_NOTICE", "explore_coverage"]

LAYER_NAMES = {
    "times": "Temps d'accès en voiture (min)",
    "white_zones": "Zones blanches",
    "catchments": "Zones de desserte des lieux",
    "venues": "Lieux",
}
"""Names of the layers in the layer control (venues get one layer per kind: ``Lieux : kind``).

Communes that carry ``uncertain`` add the layer ``UNCERTAIN_LABEL`` (« À confirmer avec le
réseau routier »)."""

TILE_NOTICE = (
    "Fond de carte indisponible : les tuiles OpenStreetMap demandent une connexion à "
    "Internet. Les couches de la carte restent utilisables."
)
"""Notice shown on the map when a background tile fails to load (offline, proxy)."""

_WGS84 = "EPSG:4326"
_DIGITS = 5  # decimal degrees: about 1 m
_WHITE_ZONE_DASH = "6 4"
_CATCHMENT_COLOUR = "#6a3d9a"
_CSS = """
.maillage-legend{background:#fff;padding:6px 8px;font:12px/1.35 sans-serif;color:#222;
 border:1px solid #999;border-radius:4px;max-width:320px;max-height:55vh;overflow:auto}
.maillage-legend summary{font-weight:bold;cursor:pointer}
.maillage-legend .row{display:flex;align-items:center;gap:6px;margin:2px 0}
.maillage-legend .sw{display:inline-block;width:16px;height:12px;flex:none}
.maillage-legend .note{margin-top:4px;font-size:10px;color:#444}
.maillage-tile-notice{background:#fff3cd;color:#5c4400;border:1px solid #c9a227;
 border-radius:4px;padding:6px 8px;font:12px sans-serif;max-width:340px}
.maillage-venue{background:none;border:none}
@media (max-width:{SMALL_SCREEN_PX}px){
 .maillage-legend{max-width:calc(100vw - 90px);max-height:50vh;font-size:13px}
 .maillage-legend details:not([open]) summary{padding:4px 0}
 .maillage-tile-notice{max-width:calc(100vw - 80px)}
 .leaflet-control-layers-expanded{max-height:60vh;overflow:auto}
}
""".replace("{SMALL_SCREEN_PX}", str(SMALL_SCREEN_PX))


def explore_coverage(
    communes_cov: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame | None = None,
    *,
    white_zones: gpd.GeoDataFrame | None = None,
    catchments: gpd.GeoDataFrame | None = None,
    threshold_min: float | None = None,
    scheme: str | None = None,
    k: int = 5,
    bins: Sequence[float] = DEFAULT_BINS_MIN,
    credits: Sequence[str] | None = None,
    simplify_m: float = 150.0,
    m: folium.Map | None = None,
) -> folium.Map:
    """Build an interactive map of access times, white zones, catchments and venues.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage`, EPSG:2154. Tooltips show ``nom``,
        ``population``, ``time_min`` (rounded up to the tenth of a minute, so a time beyond
        the threshold never reads as the threshold), whether the commune is in a white zone,
        and ``nearest_venue`` (by name when ``venues`` is given).
    venues : geopandas.GeoDataFrame, optional
        Venues, one marker shape per ``kind`` (as on :func:`maillage.maps.plot_coverage`),
        filled when publicly supported; popups show name, kind, opening year and support.
    white_zones : geopandas.GeoDataFrame, optional
        Output of :func:`maillage.white_zones`, outlined; default the communes not
        ``covered``.
    catchments : geopandas.GeoDataFrame, optional
        Output of :func:`maillage.catchments` (indexed by ``venue_id``); hidden at
        first.
    threshold_min : float, optional
        Threshold named in the legend; default ``communes_cov.attrs["threshold_min"]``.
    scheme, k, bins
        Classes, as in :func:`maillage.maps.plot_coverage`.
    credits : sequence of str, optional
        Data credits shown in the map; default ``communes_cov.attrs["data_credits"]``.
    simplify_m : float
        Tolerance (metres) of the simplification of the polygons; 0 keeps them whole.
        Communes (and white zones) are simplified as a coverage: no gap opens between
        neighbours.
    m : folium.Map, optional
        Map to add the layers to; a new one otherwise, with Leaflet written into the page.

    Returns
    -------
    folium.Map
        The map, not saved.

    Examples
    --------
    See the module docstring.
    """
    import folium  # noqa: PLC0415 - optional at import time

    check_coverage_frame(communes_cov, name="communes_cov")
    classes = classify_times(communes_cov["time_min"], scheme=scheme, k=k, bins=bins)
    outlines = simplify_coverage(communes_cov.geometry, simplify_m)
    shapes = _to_wgs84(_commune_table(communes_cov, classes, venues).set_geometry(outlines))
    if m is None:
        m = inline_leaflet(folium.Map(tiles=None))
        folium.TileLayer("OpenStreetMap", name="Fond de carte OpenStreetMap").add_to(m)
        control(SCALE_JS).add_to(m)
    root = cast("Figure", m.get_root())
    root.header.add_child(folium.Element(f"<style>{_CSS}</style>"), name="maillage_css")
    control(NOTICE_JS, text=TILE_NOTICE).add_to(m)
    _add_times(m, shapes, classes)
    zones = _white_zone_table(communes_cov, outlines, white_zones, simplify_m)
    if zones is not None:
        _add_white_zones(m, _to_wgs84(zones))
    uncertain = uncertain_mask(communes_cov)
    if uncertain is not None:
        uncertain_layer(
            _to_wgs84(communes_cov[["geometry"]][uncertain].set_geometry(outlines[uncertain]))
        ).add_to(m)
    if catchments is not None:
        table = _catchment_table(catchments, venues)
        table["geometry"] = simplify_coverage(table.geometry, 3 * simplify_m)  # hidden outlines
        _add_catchments(m, _to_wgs84(table))
    markers: dict[str, str] = {}
    if venues is not None and not venues.empty:
        table = _venue_table(venues)
        markers = venue_markers(table["kind"])
        _add_venues(m, _to_wgs84(table), markers)
    folium.LayerControl(collapsed=False).add_to(m)
    threshold = threshold_of(threshold_min, communes_cov)
    legend = legend_html(
        classes,
        threshold_min=threshold,
        markers=markers,
        catchments=catchments is not None,
        uncertain=uncertain is not None,
        credits=credits_text(credits_of(communes_cov, credits)),
    )
    control(LEGEND_JS, html=legend).add_to(m)  # after the scale bar: stacked above it
    control(SMALL_SCREEN_JS, width=str(SMALL_SCREEN_PX)).add_to(m)  # after the layer panel
    minx, miny, maxx, maxy = shapes.total_bounds
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    return m


def simplify_coverage(geometry: gpd.GeoSeries, tolerance_m: float) -> gpd.GeoSeries:
    """Simplify polygons that tile an area together, keeping shared borders shared.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Polygons in a metric CRS that do not overlap (communes, white zones).
    tolerance_m : float
        Simplification tolerance (metres); 0 returns the polygons as they are.

    Returns
    -------
    geopandas.GeoSeries
        Same index and CRS. Shared borders stay identical on both sides, so no gap opens.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Polygon
    >>> wiggly = [(0, 0), (500, 3), (1000, 0), (1000, 1000), (0, 1000)]
    >>> right = [(1000, 0), (500, 3), (0, 0), (0, -1000), (1000, -1000)]
    >>> tiles = gpd.GeoSeries([Polygon(wiggly), Polygon(right)], crs=2154)
    >>> out = simplify_coverage(tiles, 50)
    >>> [len(g.exterior.coords) for g in out], round(out.union_all().area)
    ([5, 5], 2000000)
    """
    if tolerance_m <= 0 or geometry.empty:
        return geometry.copy()
    geoms = geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = geoms.copy()
    out[valid] = shapely.coverage_simplify(geoms[valid], tolerance_m)
    return geometry.__class__(out, index=geometry.index, crs=geometry.crs)


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.to_crs(_WGS84)
    # round to ~1 m: shared vertices round alike, so neighbours stay joined
    out["geometry"] = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, _DIGITS))
    out = out[~(out.geometry.is_empty | out.geometry.isna())]
    return out.reset_index(drop=True)  # no data-derived feature ids in the page


def escape_text(values: pd.Series, missing: str) -> pd.Series:
    """Return data-derived text escaped for HTML, ``missing`` for NA.

    folium's tooltips and popups put property values into the page with ``innerHTML``:
    every string that comes from the data goes through this first.

    Parameters
    ----------
    values : pandas.Series
        Any values; converted to text.
    missing : str
        Text (trusted, not escaped) for missing values.

    Returns
    -------
    pandas.Series
        Strings, ``&``, ``<``, ``>``, ``"`` and ``'`` replaced by entities.

    Examples
    --------
    >>> import pandas as pd
    >>> escape_text(pd.Series(["<img src=x onerror=alert(2)>", None]), "aucun").tolist()
    ['&lt;img src=x onerror=alert(2)&gt;', 'aucun']
    """
    return pd.Series(
        [missing if pd.isna(v) else html.escape(str(v), quote=True) for v in values],
        index=values.index,
        dtype=object,
    )


def _text(values: pd.Series, missing: str) -> pd.Series:
    # raw text for the polygon layers, which write it with textContent
    return pd.Series(
        [missing if pd.isna(v) else str(v) for v in values], index=values.index, dtype=object
    )


def _thousands(value: float) -> str:
    return "0" if pd.isna(value) else f"{value:,.0f}".replace(",", "\u202f")


def _venue_names(venues: gpd.GeoDataFrame | None) -> pd.Series | None:
    if venues is None or not {"venue_id", "name"} <= set(venues.columns):
        return None
    table = venues.drop_duplicates("venue_id")
    return pd.Series(table["name"].to_numpy(), index=table["venue_id"].astype(str).to_numpy())


def _name_of(ids: pd.Series, venues: gpd.GeoDataFrame | None) -> pd.Series:
    names = _venue_names(venues)
    if names is None:
        return ids
    return pd.Series(
        [names.get(str(v), v) if pd.notna(v) else v for v in ids], index=ids.index, dtype=object
    )


def _commune_table(
    communes_cov: gpd.GeoDataFrame, classes: TimeClasses, venues: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    idx = communes_cov.index
    nearest = communes_cov.get("nearest_venue", pd.Series(pd.NA, index=idx))
    population = communes_cov.get("population", pd.Series(0, index=idx))
    covered = communes_cov.get("covered", pd.Series(pd.NA, index=idx)).astype("boolean")
    names = communes_cov["nom"] if "nom" in communes_cov.columns else idx.to_series()
    table = pd.DataFrame(
        {
            "commune": _text(names, "sans nom"),
            "population": population.map(_thousands),
            "temps": communes_cov["time_min"].map(format_minutes),
            "zone_blanche": covered.map({True: "non", False: "oui"}).astype(object),
            "lieu_proche": _text(_name_of(nearest, venues), "aucun"),
            "classe": classes.codes.to_numpy(),
        },
        index=idx,
    )
    table["zone_blanche"] = table["zone_blanche"].where(table["zone_blanche"].notna(), "inconnu")
    flags = uncertain_mask(communes_cov)
    if flags is not None:  # the error margin of the model, in the tooltip of each commune
        table["a_confirmer"] = np.where(flags, "oui", "non")
        table["marge"] = error_margins(communes_cov)
    return communes_cov[["geometry"]].join(table)


def _white_zone_table(
    communes_cov: gpd.GeoDataFrame,
    outlines: gpd.GeoSeries,
    white_zones: gpd.GeoDataFrame | None,
    simplify_m: float,
) -> gpd.GeoDataFrame | None:
    import geopandas as gpd  # noqa: PLC0415 - geopandas at run time only here (types elsewhere)

    if white_zones is None:
        if "covered" not in communes_cov.columns:
            return None
        uncovered = ~communes_cov["covered"].astype("boolean").fillna(False).astype(bool)
        parts = shapely.get_parts(shapely.union_all(outlines[uncovered].to_numpy()))
        zones = gpd.GeoDataFrame(geometry=list(parts), crs=communes_cov.crs)
        members = communes_cov.loc[uncovered]
        probe = gpd.GeoDataFrame(
            {"population": members.get("population", pd.Series(0, index=members.index))},
            geometry=members.geometry.representative_point(),
            crs=communes_cov.crs,
        )
        hits = probe.sjoin(zones, predicate="within")
        zones["population"] = hits.groupby("index_right")["population"].sum()
        zones["population"] = zones["population"].fillna(0)
    else:
        zones = white_zones[["geometry"]].copy()
        zones["population"] = white_zones.get("population", pd.Series(0, index=zones.index))
        zones["geometry"] = simplify_coverage(zones.geometry, simplify_m)
    out = zones[["geometry"]].copy()
    out["population"] = zones["population"].map(_thousands)
    return out


def _catchment_table(
    catchments: gpd.GeoDataFrame, venues: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    out = catchments[["geometry"]].copy()
    ids = catchments.index.to_series()
    out["lieu"] = _text(_name_of(ids, venues), "sans nom")
    served = catchments.get("population_served", pd.Series(0, index=catchments.index))
    out["population_desservie"] = served.map(_thousands)
    return out


def _venue_table(venues: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    def col(name: str) -> pd.Series:
        return venues[name] if name in venues.columns else pd.Series(pd.NA, index=venues.index)

    supported = col("supported").astype("boolean")
    out = venues[["geometry"]].copy()
    out["kind"] = col("kind").astype("string").fillna("non précisé").astype(str)
    out["nom"] = escape_text(col("name"), "sans nom")
    out["type"] = escape_text(out["kind"], "non précisé")
    out["ouverture"] = col("opened").astype("Int64").astype("string").fillna("inconnue")
    out["soutien_public"] = supported.map({True: "oui", False: "non"}).astype("string")
    out["soutien_public"] = out["soutien_public"].fillna("inconnu").astype(str)
    out["soutenu"] = supported_mask(venues).to_numpy()
    return out


def _add_times(m: folium.Map, shapes: gpd.GeoDataFrame, classes: TimeClasses) -> None:
    import folium  # noqa: PLC0415 - folium loads only when an interactive map is built

    colours = [*classes.colours, NO_DATA_COLOUR]
    styles = [
        {"fillColor": c, "fillOpacity": 0.75, "color": "#737373", "weight": 0.3} for c in colours
    ]
    layer = folium.FeatureGroup(name=LAYER_NAMES["times"])
    fields = {
        "commune": "Commune",
        "population": "Population",
        "temps": "Temps d'accès en voiture",
        "zone_blanche": "Zone blanche",
        "a_confirmer": UNCERTAIN_LABEL,
        "marge": "Marge d'erreur du temps",
        "lieu_proche": "Lieu le plus proche",
    }
    fields = {k: v for k, v in fields.items() if k in shapes.columns}
    polygon_layer(
        shapes,
        fields=list(fields),
        aliases=list(fields.values()),
        styles=styles,
        style_of=[c if c >= 0 else len(colours) - 1 for c in shapes["classe"]],
    ).add_to(layer)
    layer.add_to(m)


def _add_white_zones(m: folium.Map, zones: gpd.GeoDataFrame) -> None:
    import folium  # noqa: PLC0415 - folium loads only when an interactive map is built

    layer = folium.FeatureGroup(name=LAYER_NAMES["white_zones"])
    if not zones.empty:  # else keep the (empty) layer so the control lists it
        # a dark dashed outline over a white one reads on the light and on the dark classes
        polygon_layer(
            zones,
            fields=["population"],
            aliases=["Population de la zone blanche"],
            styles=[
                {
                    "fill": False,
                    "color": WHITE_ZONE_EDGE,
                    "weight": 2,
                    "dashArray": _WHITE_ZONE_DASH,
                }
            ],
            halo={"fill": False, "color": HALO_COLOUR, "weight": 4, "interactive": False},
        ).add_to(layer)
    layer.add_to(m)


def _add_catchments(m: folium.Map, shapes: gpd.GeoDataFrame) -> None:
    import folium  # noqa: PLC0415 - folium loads only when an interactive map is built

    layer = folium.FeatureGroup(name=LAYER_NAMES["catchments"], show=False)
    if not shapes.empty:
        polygon_layer(
            shapes,
            fields=["lieu", "population_desservie"],
            aliases=["Lieu", "Population desservie"],
            styles=[{"fillOpacity": 0.05, "color": _CATCHMENT_COLOUR, "weight": 1.2}],
        ).add_to(layer)
    layer.add_to(m)


def _add_venues(m: folium.Map, venues: gpd.GeoDataFrame, markers: dict[str, str]) -> None:
    import folium  # noqa: PLC0415 - folium loads only when an interactive map is built

    for kind, marker in markers.items():
        icons = {filled: marker_svg(marker, filled=filled) for filled in (False, True)}
        rows = venues.loc[venues["kind"] == kind].drop(columns="kind")
        name = f"{LAYER_NAMES['venues']} : {html.escape(kind)}"
        layer = folium.FeatureGroup(name=name)
        folium.GeoJson(
            rows,
            marker=folium.Marker(
                icon=folium.DivIcon(
                    html="", icon_size=(14, 14), icon_anchor=(7, 7), class_name="maillage-venue"
                )
            ),
            style_function=lambda f, icons=icons: {"html": icons[f["properties"]["soutenu"]]},
            popup=folium.GeoJsonPopup(
                fields=["nom", "type", "ouverture", "soutien_public"],
                aliases=["Nom", "Type", "Ouverture", "Soutien public"],
            ),
            tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False),
        ).add_to(layer)
        layer.add_to(m)


def _swatch(style: str) -> str:
    return f'<span class="sw" style="{style}"></span>'


def _row(symbol: str, label: str) -> str:
    return f'<div class="row">{symbol}<span>{label}</span></div>'


def legend_html(
    classes: TimeClasses,
    *,
    threshold_min: float | None,
    markers: dict[str, str],
    catchments: bool,
    credits: str,
    uncertain: bool = False,
) -> str:
    """Return the legend of the interactive map: every fill, outline and marker it uses.

    Parameters
    ----------
    classes : TimeClasses
        Access-time classes of the communes.
    threshold_min : float, optional
        Threshold of the white zones, named in their entry.
    markers : dict
        Venue kind to marker (from :func:`venue_markers`).
    catchments : bool
        Whether the map has the catchment layer.
    uncertain : bool
        Whether the map has the layer of the communes to confirm with the road network.
    credits : str
        Data credits (escaped here).

    Returns
    -------
    str
        HTML, every text escaped.

    Examples
    --------
    >>> import pandas as pd
    >>> from maillage.maps._style import classify_times
    >>> page = legend_html(classify_times(pd.Series([5.0])), threshold_min=20, markers={},
    ...                    catchments=False, credits="Sources : <INSEE>")
    >>> "Zone blanche : plus de 20 min" in page, "&lt;INSEE&gt;" in page
    (True, True)
    """
    rows = [
        _row(_swatch(f"background:{c}"), html.escape(label))
        for c, label in zip(classes.colours, classes.labels, strict=True)
    ]
    rows.append(_row(_swatch(f"background:{NO_DATA_COLOUR}"), NO_DATA_LABEL))
    zone = "Zone blanche" + (f" : plus de {threshold_min:g} min" if threshold_min else "")
    outline = (
        '<svg class="sw" width="16" height="12" aria-hidden="true">'
        f'<rect x="2" y="2" width="12" height="8" fill="#d9d9d9" stroke="{HALO_COLOUR}" '
        f'stroke-width="4"/><rect x="2" y="2" width="12" height="8" fill="none" '
        f'stroke="{WHITE_ZONE_EDGE}" stroke-width="2" stroke-dasharray="3 2"/></svg>'
    )
    rows.append(_row(outline, html.escape(zone)))
    if uncertain:
        dashed = outline.replace(WHITE_ZONE_EDGE, UNCERTAIN_EDGE).replace('"#d9d9d9"', '"none"')
        rows.append(_row(dashed, html.escape(UNCERTAIN_LABEL)))
    if catchments:
        swatch = _swatch(f"border:1.5px solid {_CATCHMENT_COLOUR};box-sizing:border-box")
        rows.append(_row(swatch, "Zone desservie par un lieu (couche à afficher)"))
    for kind, marker in markers.items():
        rows.append(_row(marker_svg(marker, filled=False), html.escape(f"Lieu : {kind}")))
    if markers:
        rows.append(_row(marker_svg("o", filled=True), "Lieu soutenu (plein)"))
        rows.append(_row(marker_svg("o", filled=False), "Non soutenu ou inconnu (creux)"))
    return (
        f"<details open><summary>{html.escape(TIME_LEGEND_TITLE)}</summary>{''.join(rows)}"
        f'<div class="note">{html.escape(credits)} Fond de carte : © les contributeurs '
        "d'OpenStreetMap (connexion nécessaire).</div></details>"
    )
