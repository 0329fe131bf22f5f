"""Compact polygon layers for the folium map: delta-encoded coordinates, text-only tooltips.

folium writes each GeoJSON vertex as ``[-0.12345, 45.12345], `` (22 bytes). The layers here
write integer steps of 1e-5 degree between vertices (about 8 bytes a vertex) and a short
script turns them back into Leaflet polygons, which keeps a région's ``map.html`` small.
Tooltips are built with ``textContent``: data-derived text is never read as HTML.

Examples
--------
>>> from shapely.geometry import box
>>> encode_geometry(box(0.1, 45.0, 0.10002, 45.00001))
[[[10002, 4500000, 0, 1, -2, 0, 0, -1, 2, 0]]]
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from maillage.maps._style import HALO_COLOUR, UNCERTAIN_EDGE, UNCERTAIN_LABEL, format_minutes

if TYPE_CHECKING:
    from collections.abc import Sequence

    import folium
    import geopandas as gpd
    import pandas as pd
    from branca.element import MacroElement

__all__ = ["encode_geometry", "error_margins", "polygon_layer", "uncertain_layer"]

_SCALE = 1e5  # 1e-5 degree: about 1 m


def _ring(coords: np.ndarray) -> list[int]:
    ints = np.round(np.asarray(coords)[:, :2] * _SCALE).astype(np.int64)
    steps = np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return steps.ravel().tolist()


def encode_geometry(geom: shapely.Geometry) -> list[list[list[int]]]:
    """Encode a (multi)polygon in EPSG:4326 as polygons of rings of integer steps.

    Each ring is ``[x0, y0, dx1, dy1, ...]`` in 1e-5 degree (longitude first); the first
    vertex is absolute. Vertices are rounded once, so neighbours sharing a vertex share it
    exactly after decoding.

    Parameters
    ----------
    geom : shapely.Geometry
        Polygon or MultiPolygon (other parts are ignored).

    Returns
    -------
    list
        Polygons, each a list of rings (exterior first).

    Examples
    --------
    See the module docstring.
    """
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        out.append([_ring(np.asarray(r.coords)) for r in rings])
    return out


_LAYER_JS = """
{% macro script(this, kwargs) %}
(function (group, data) {
    function rings(polygons) {
        return polygons.map(function (polygon) {
            return polygon.map(function (ring) {
                var out = [], x = 0, y = 0;
                for (var i = 0; i < ring.length; i += 2) {
                    x += ring[i];
                    y += ring[i + 1];
                    out.push([y / 1e5, x / 1e5]);
                }
                return out;
            });
        });
    }
    function tooltip(row) {
        return function () {
            var table = document.createElement("table");
            data.aliases.forEach(function (alias, i) {
                var tr = table.insertRow(), th = document.createElement("th");
                th.textContent = alias;
                th.style.textAlign = "left";
                th.style.paddingRight = "6px";
                tr.appendChild(th);
                tr.insertCell().textContent = row[i];
            });
            return table;
        };
    }
    data.shapes.forEach(function (polygons, i) {
        var latlngs = rings(polygons);
        if (data.halo) {
            group.addLayer(L.polygon(latlngs, data.halo));
        }
        var style = Object.assign({}, data.styles[data.style_of[i]]);
        var layer = L.polygon(latlngs, style);
        if (data.aliases.length) {
            layer.bindTooltip(tooltip(data.rows[i]), {sticky: true});
        }
        group.addLayer(layer);
    });
})({{ this._parent.get_name() }}, {{ this.payload }});
{% endmacro %}
"""


def polygon_layer(
    frame: gpd.GeoDataFrame,
    *,
    fields: Sequence[str] = (),
    aliases: Sequence[str] = (),
    styles: Sequence[dict[str, Any]],
    style_of: Sequence[int] | None = None,
    halo: dict[str, Any] | None = None,
) -> MacroElement:
    r"""Return an element that draws ``frame``'s polygons into its parent feature group.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons in EPSG:4326, with the tooltip ``fields`` as text columns (raw text: it is
        written with ``textContent``, never read as HTML).
    fields, aliases : sequence of str
        Columns shown in the tooltip and their French labels; none for no tooltip.
    styles : sequence of dict
        Leaflet path options (``fillColor``, ``color``, ``weight``, ``dashArray`` ...).
    style_of : sequence of int, optional
        Index in ``styles`` of each row; default the first style for every row.
    halo : dict, optional
        Leaflet path options of a non-interactive copy drawn under each polygon (a white
        outline under a dark dashed one).

    Returns
    -------
    branca.element.MacroElement
        Add it to a ``folium.FeatureGroup``.

    Examples
    --------
    >>> import folium, geopandas as gpd
    >>> from shapely.geometry import box
    >>> frame = gpd.GeoDataFrame({"nom": ["<b>x</b>"]}, geometry=[box(0, 45, 0.1, 45.1)],
    ...                          crs=4326)
    >>> group = folium.FeatureGroup(name="test")
    >>> _ = polygon_layer(frame, fields=["nom"], aliases=["Nom"],
    ...                   styles=[{"color": "#000"}]).add_to(group)
    >>> page = folium.Map().add_child(group).get_root().render()
    >>> "<b>x</b>" in page, "\\u003cb\\u003ex" in page
    (False, True)
    """
    from jinja2.utils import htmlsafe_json_dumps  # noqa: PLC0415 - optional at import time

    rows = frame[list(fields)].astype(str).to_numpy().tolist() if fields else []
    payload = {
        "shapes": [encode_geometry(g) for g in frame.geometry],
        "aliases": list(aliases),
        "rows": rows,
        "styles": list(styles),
        "style_of": [0] * len(frame) if style_of is None else [int(s) for s in style_of],
        "halo": halo,
    }
    # compact JSON; <, >, & and ' written as \\u escapes so nothing can end the script
    text = htmlsafe_json_dumps(payload, separators=(",", ":"), ensure_ascii=False)
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    return _layer_class()(str(text), [[miny, minx], [maxy, maxx]])


@cache
def _layer_class() -> Any:  # a class built on first use: folium stays optional at import
    from branca.element import MacroElement  # noqa: PLC0415 - folium loads only when an interactive map is built
    from jinja2 import Template  # noqa: PLC0415 - folium loads only when an interactive map is built

    class PolygonLayer(MacroElement):
        """Polygons drawn by :data:`_LAYER_JS` into the parent feature group."""

        _template = Template(_LAYER_JS)

        def __init__(self, payload: str, bounds: list[list[float | None]]) -> None:
            super().__init__()
            self._name = "PolygonLayer"
            self.payload = payload
            self.bounds = bounds

        def _get_self_bounds(self) -> list[list[float | None]]:
            return self.bounds

    return PolygonLayer


def error_margins(communes: pd.DataFrame) -> list[str]:
    """Return each commune's time with the model's faster and slower variants, as text.

    Parameters
    ----------
    communes : pandas.DataFrame
        With ``time_min_low`` and ``time_min_high`` (a report's communes, default model).

    Returns
    -------
    list of str
        ``"18,0 à 22,9 min"``; ``"inconnue"`` without the columns.

    Examples
    --------
    >>> import pandas as pd
    >>> error_margins(pd.DataFrame({"time_min_low": [18.0], "time_min_high": [22.9]}))
    ['18,0 à 22,9 min']
    """
    if not {"time_min_low", "time_min_high"} <= set(communes.columns):
        return ["inconnue"] * len(communes)
    return [
        f"{format_minutes(lo).removesuffix(' min')} à {format_minutes(hi)}"
        for lo, hi in zip(communes["time_min_low"], communes["time_min_high"], strict=True)
    ]


def uncertain_layer(communes: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Return the layer « À confirmer avec le réseau routier »: the outline of these communes.

    Neighbouring communes are outlined together (dashed, over a white halo), as on the
    static map; each commune's tooltip in the access-time layer gives its error margin.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        The communes to confirm with the road network, in EPSG:4326.

    Returns
    -------
    folium.FeatureGroup
        The layer (empty when ``communes`` is), named :data:`UNCERTAIN_LABEL`.

    Examples
    --------
    >>> import folium, geopandas as gpd
    >>> from shapely.geometry import box
    >>> frame = gpd.GeoDataFrame(geometry=[box(0, 45, 0.1, 45.1), box(0.1, 45, 0.2, 45.1)],
    ...                          crs=4326)
    >>> page = folium.Map().add_child(uncertain_layer(frame)).get_root().render()
    >>> page.count('"dashArray":"4 3"')
    1
    """
    import folium  # noqa: PLC0415 - folium loads only when an interactive map is built
    import geopandas as gpd  # noqa: PLC0415 - geopandas at run time only here (types elsewhere)

    layer = folium.FeatureGroup(name=UNCERTAIN_LABEL)
    geoms = communes.geometry[~(communes.geometry.isna() | communes.geometry.is_empty)]
    if geoms.empty:
        return layer
    groups = shapely.get_parts(shapely.union_all(geoms.to_numpy()))
    polygon_layer(
        gpd.GeoDataFrame(geometry=list(groups), crs=communes.crs),
        styles=[{"fill": False, "color": UNCERTAIN_EDGE, "weight": 1.5, "dashArray": "4 3"}],
        halo={"fill": False, "color": HALO_COLOUR, "weight": 3, "interactive": False},
    ).add_to(layer)
    return layer
