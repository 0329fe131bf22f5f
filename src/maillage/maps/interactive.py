"""Interactive web map of access times with folium (for a web site).

Layers: the access-time choropleth, the white zones, the catchments and one layer of
venues per kind, with a layer control. Frames are reprojected to EPSG:4326 on a copy
(inputs are never modified) and simplified for a light page.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> communes = gpd.GeoDataFrame(
...     {"nom": ["A", "B"], "population": [100, 50], "time_min": [4.0, 35.0],
...      "nearest_venue": ["v1", "v1"], "covered": [True, False]},
...     geometry=[box(400000, 6500000, 401000, 6501000), box(401000, 6500000, 402000, 6501000)],
...     crs="EPSG:2154",
... )
>>> m = explore_coverage(communes)
>>> import json
>>> json.dumps(LAYER_NAMES["white_zones"]) in m.get_root().render()
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from maillage.maps._style import (
    DEFAULT_BINS_MIN,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    SUPPORTED_COLOUR,
    TIME_LEGEND_TITLE,
    TimeClasses,
    check_coverage_frame,
    classify_times,
    credits_of,
    credits_text,
    supported_mask,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import folium
    import geopandas as gpd

__all__ = ["LAYER_NAMES", "explore_coverage"]

LAYER_NAMES = {
    "times": "Temps d'accès (min)",
    "white_zones": "Zones blanches",
    "catchments": "Zones de desserte des lieux",
    "venues": "Lieux",
}
"""Names of the layers in the layer control (venues get one layer per kind: ``Lieux : kind``)."""

_WGS84 = "EPSG:4326"


def explore_coverage(
    communes_cov: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame | None = None,
    *,
    white_zones: gpd.GeoDataFrame | None = None,
    catchments: gpd.GeoDataFrame | None = None,
    scheme: str | None = None,
    k: int = 5,
    bins: Sequence[float] = DEFAULT_BINS_MIN,
    credits: Sequence[str] | None = None,
    simplify_m: float = 50.0,
    m: folium.Map | None = None,
) -> folium.Map:
    """Build an interactive map of access times, white zones, catchments and venues.

    Parameters
    ----------
    communes_cov : geopandas.GeoDataFrame
        Output of :func:`maillage.coverage`, EPSG:2154. Tooltips show ``nom``,
        ``population``, ``time_min`` and ``nearest_venue`` (by name when ``venues`` is given).
    venues : geopandas.GeoDataFrame, optional
        Venues; popups show name, kind, opening year and public support.
    white_zones : geopandas.GeoDataFrame, optional
        Output of :func:`maillage.white_zones`; default the communes not ``covered``.
    catchments : geopandas.GeoDataFrame, optional
        Output of :func:`maillage.catchments` (indexed by ``venue_id``); hidden at first.
    scheme, k, bins
        Classes, as in :func:`maillage.maps.plot_coverage`.
    credits : sequence of str, optional
        Data credits shown in the map; default ``communes_cov.attrs["data_credits"]``.
    simplify_m : float
        Tolerance (metres) of the geometry simplification; 0 keeps the full geometry.
    m : folium.Map, optional
        Map to add the layers to; a new one otherwise.

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
    shapes = _to_wgs84(_commune_table(communes_cov, classes, venues), simplify_m)
    if m is None:
        m = folium.Map(tiles="OpenStreetMap", control_scale=True)
    _add_times(m, shapes)
    zones = _white_zone_table(communes_cov, white_zones)
    if zones is not None:
        _add_white_zones(m, _to_wgs84(zones, simplify_m))
    if catchments is not None:
        _add_catchments(m, _to_wgs84(_catchment_table(catchments, venues), simplify_m))
    if venues is not None and not venues.empty:
        _add_venues(m, _venue_table(venues).to_crs(_WGS84))
    folium.LayerControl(collapsed=False).add_to(m)
    _add_legend(m, classes, credits_text(credits_of(communes_cov, credits)))
    minx, miny, maxx, maxy = shapes.total_bounds
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]])
    return m


def _to_wgs84(frame: gpd.GeoDataFrame, simplify_m: float) -> gpd.GeoDataFrame:
    out = frame.copy()
    if simplify_m > 0:
        out["geometry"] = out.geometry.simplify(simplify_m, preserve_topology=True)
    out = out.to_crs(_WGS84)
    # round to ~1 m without topology checks (set_precision rejects slightly invalid shapes)
    out["geometry"] = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, 5))
    return out[~out.geometry.is_empty]


def _thousands(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def _minutes(value: float) -> str:
    if pd.isna(value):
        return "non atteint"
    return f"{value:.0f} min" if value != float("inf") else "non atteint"


def _commune_table(
    communes_cov: gpd.GeoDataFrame, classes: TimeClasses, venues: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    nearest = communes_cov.get("nearest_venue", pd.Series(pd.NA, index=communes_cov.index))
    if venues is not None and {"venue_id", "name"} <= set(venues.columns):
        names = venues.drop_duplicates("venue_id").set_index("venue_id")["name"].astype(str)
        nearest = nearest.map(lambda v: names.get(v, v) if pd.notna(v) else v)
    population = communes_cov.get("population", pd.Series(0, index=communes_cov.index))
    table = pd.DataFrame(
        {
            "commune": communes_cov.get("nom", communes_cov.index.to_series()).astype(str),
            "population": population.map(_thousands),
            "temps": communes_cov["time_min"].map(_minutes),
            "lieu_proche": nearest.astype("string").fillna("aucun"),
            "classe": classes.label_of_rows(),
            "couleur": classes.colour_of_rows(),
        },
        index=communes_cov.index,
    )
    return communes_cov[["geometry"]].join(table)


def _white_zone_table(
    communes_cov: gpd.GeoDataFrame, white_zones: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame | None:
    if white_zones is None:
        if "covered" not in communes_cov.columns:
            return None
        uncovered = ~communes_cov["covered"].astype("boolean").fillna(False).astype(bool)
        white_zones = communes_cov.loc[uncovered]
    population = white_zones.get("population", pd.Series(0, index=white_zones.index))
    out = white_zones[["geometry"]].copy()
    out["population"] = population.map(_thousands)
    return out


def _catchment_table(
    catchments: gpd.GeoDataFrame, venues: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    out = catchments[["geometry"]].copy()
    out["lieu"] = catchments.index.astype(str)
    if venues is not None and {"venue_id", "name"} <= set(venues.columns):
        names = venues.drop_duplicates("venue_id").set_index("venue_id")["name"].astype(str)
        out["lieu"] = [names.get(v, v) for v in out["lieu"]]
    served = catchments.get("population_served", pd.Series(0, index=catchments.index))
    out["population_desservie"] = served.map(_thousands)
    return out


def _venue_table(venues: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    def col(name: str) -> pd.Series:
        return venues[name] if name in venues.columns else pd.Series(pd.NA, index=venues.index)

    supported = col("supported").astype("boolean")
    out = venues[["geometry"]].copy()
    out["nom"] = col("name").astype("string").fillna("sans nom")
    out["type"] = col("kind").astype("string").fillna("non précisé")
    out["ouverture"] = col("opened").astype("Int64").astype("string").fillna("inconnue")
    out["soutien_public"] = supported.map({True: "oui", False: "non"}).astype("string")
    out["soutien_public"] = out["soutien_public"].fillna("inconnu")
    out["couleur"] = ["white"] * len(out)
    out.loc[supported_mask(venues).to_numpy(), "couleur"] = SUPPORTED_COLOUR
    return out


def _add_times(m: folium.Map, shapes: gpd.GeoDataFrame) -> None:
    import folium  # noqa: PLC0415

    layer = folium.FeatureGroup(name=LAYER_NAMES["times"])
    folium.GeoJson(
        shapes,
        style_function=lambda f: {
            "fillColor": f["properties"]["couleur"],
            "fillOpacity": 0.75,
            "color": "#737373",
            "weight": 0.3,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["commune", "population", "temps", "lieu_proche"],
            aliases=["Commune", "Population", "Temps d'accès", "Lieu le plus proche"],
        ),
    ).add_to(layer)
    layer.add_to(m)


def _add_white_zones(m: folium.Map, zones: gpd.GeoDataFrame) -> None:
    import folium  # noqa: PLC0415

    layer = folium.FeatureGroup(name=LAYER_NAMES["white_zones"])
    if zones.empty:  # no white zone: keep the (empty) layer so the control lists it
        layer.add_to(m)
        return
    folium.GeoJson(
        zones,
        style_function=lambda _: {
            "fillColor": "#000000",
            "fillOpacity": 0.15,
            "color": "#000000",
            "weight": 1.5,
            "dashArray": "4 4",
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["population"], aliases=["Population en zone blanche"]
        ),
    ).add_to(layer)
    layer.add_to(m)


def _add_catchments(m: folium.Map, shapes: gpd.GeoDataFrame) -> None:
    import folium  # noqa: PLC0415

    layer = folium.FeatureGroup(name=LAYER_NAMES["catchments"], show=False)
    if shapes.empty:
        layer.add_to(m)
        return
    folium.GeoJson(
        shapes,
        style_function=lambda _: {"fillOpacity": 0.05, "color": "#6a3d9a", "weight": 1.2},
        tooltip=folium.GeoJsonTooltip(
            fields=["lieu", "population_desservie"], aliases=["Lieu", "Population desservie"]
        ),
    ).add_to(layer)
    layer.add_to(m)


def _add_venues(m: folium.Map, venues: gpd.GeoDataFrame) -> None:
    import folium  # noqa: PLC0415

    for kind in sorted(venues["type"].unique()):
        layer = folium.FeatureGroup(name=f"{LAYER_NAMES['venues']} : {kind}")
        folium.GeoJson(
            venues[venues["type"] == kind],
            marker=folium.CircleMarker(radius=5, weight=1.5, fill=True, fill_opacity=1),
            style_function=lambda f: {
                "fillColor": f["properties"]["couleur"],
                "color": SUPPORTED_COLOUR,
            },
            popup=folium.GeoJsonPopup(
                fields=["nom", "type", "ouverture", "soutien_public"],
                aliases=["Nom", "Type", "Ouverture", "Soutien public"],
            ),
        ).add_to(layer)
        layer.add_to(m)


def _add_legend(m: folium.Map, classes: TimeClasses, credits: str) -> None:
    import html  # noqa: PLC0415

    import folium  # noqa: PLC0415

    rows = [(c, label) for c, label in zip(classes.colours, classes.labels, strict=True)]
    rows.append((NO_DATA_COLOUR, NO_DATA_LABEL))
    items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{c};'
        f'margin-right:4px"></span>{html.escape(label)}</div>'
        for c, label in rows
    )
    box = (
        '<div style="position:fixed;bottom:24px;left:10px;z-index:1000;background:white;'
        'padding:6px 8px;font:12px sans-serif;border:1px solid #999;max-width:420px">'
        f"<b>{html.escape(TIME_LEGEND_TITLE)}</b>{items}"
        f'<div style="margin-top:4px;font-size:10px;color:#444">{html.escape(credits)}</div></div>'
    )
    m.get_root().html.add_child(folium.Element(box))
