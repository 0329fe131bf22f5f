"""Leaflet controls of the interactive map: legend, scale bar, notice when tiles fail, phones.

Each is a small script template rendered after its parent map's script by :func:`control`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LEGEND_JS", "NOTICE_JS", "SCALE_JS", "SMALL_SCREEN_JS", "SMALL_SCREEN_PX", "control"]

SMALL_SCREEN_PX = 640
"""Widest screen (CSS pixels) on which the layer panel and the legend start closed."""

LEGEND_JS = """
{% macro script(this, kwargs) %}
(function (map) {
    var legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
        var box = L.DomUtil.create("div", "maillage-legend");
        box.innerHTML = {{ this.html|tojson }};
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
    };
    legend.addTo(map);
})({{ this._parent.get_name() }});
{% endmacro %}
"""

SCALE_JS = """
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, position: "bottomleft"}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""

NOTICE_JS = """
{% macro script(this, kwargs) %}
(function (map) {
    var shown = false;
    function notice() {
        if (shown) { return; }
        shown = true;
        var control = L.control({position: "topleft"});
        control.onAdd = function () {
            var box = L.DomUtil.create("div", "maillage-tile-notice");
            box.setAttribute("role", "status");
            box.textContent = {{ this.text|tojson }};
            return box;
        };
        control.addTo(map);
    }
    map.eachLayer(function (layer) {
        if (layer instanceof L.TileLayer) { layer.on("tileerror", notice); }
    });
})({{ this._parent.get_name() }});
{% endmacro %}
"""


SMALL_SCREEN_JS = """
{% macro script(this, kwargs) %}
(function (map) {
    // on a phone the layer panel and the legend start closed: a button opens each of them
    if (!window.matchMedia("(max-width: {{ this.width }}px)").matches) { return; }
    var panel = document.querySelector(".leaflet-control-layers");
    if (panel) {
        var expanded = "leaflet-control-layers-expanded";
        panel.classList.remove(expanded);
        var toggle = panel.querySelector(".leaflet-control-layers-toggle");
        toggle.setAttribute("title", "Couches de la carte");
        toggle.setAttribute("aria-label", "Ouvrir la liste des couches");
        L.DomEvent.on(toggle, "click", function (event) {
            L.DomEvent.preventDefault(event);
            panel.classList.add(expanded);  // a tap on the map closes it
        });
        map.on("click movestart", function () { panel.classList.remove(expanded); });
    }
    document.querySelectorAll(".maillage-legend details").forEach(function (box) {
        box.open = false;
    });
})({{ this._parent.get_name() }});
{% endmacro %}
"""


def control(template: str, **values: str) -> Any:
    """Return a folium element that renders ``template`` after its parent map's script."""
    from branca.element import MacroElement  # noqa: PLC0415 - folium loads only when an interactive map is built
    from jinja2 import Template  # noqa: PLC0415 - its ``tojson`` escapes <, >, & and '

    element = MacroElement()
    element._name = "MaillageControl"  # folium's way to name an element
    element._template = Template(template)
    for name, value in values.items():
        setattr(element, name, value)
    return element
