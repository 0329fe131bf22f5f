"""Leaflet, shipped with the package and written into the page (no content delivery network).

The files under ``maillage/maps/vendor/leaflet`` are Leaflet's own distribution (version
:data:`LEAFLET_VERSION`, the one folium targets) with its BSD-2-Clause licence. The style
sheet's images are inlined as ``data:`` URLs and the source-map comment is dropped, so a page
built with :func:`inline_leaflet` asks the network for nothing but its background tiles.

Examples
--------
>>> import folium
>>> m = inline_leaflet(folium.Map(tiles=None))
>>> page = m.get_root().render()
>>> "<script src=" in page, "<link " in page, 'L.version="1.9.3"' in page.replace("t.version", "L.version")
(False, False, True)
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import folium
    from branca.element import Figure

__all__ = ["LEAFLET_VERSION", "inline_leaflet", "leaflet_css", "leaflet_js"]

LEAFLET_VERSION = "1.9.3"
"""Version of the Leaflet files under ``vendor/leaflet`` (folium 0.20's default)."""

_DIR = files("maillage.maps") / "vendor" / "leaflet"
_IMAGE_URL = re.compile(r"url\(images/([A-Za-z0-9_.-]+\.png)\)")


@cache
def leaflet_js() -> str:
    """Return Leaflet's minified script, ready to sit inside a ``<script>`` element.

    Returns
    -------
    str
        The script, without its source-map comment.

    Examples
    --------
    >>> "window.L" in leaflet_js()
    True
    """
    text = (_DIR / "leaflet.js").read_text(encoding="utf-8")
    text = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)
    return _checked(text, "</script")


@cache
def leaflet_css() -> str:
    """Return Leaflet's style sheet with its images inlined as ``data:`` URLs.

    Returns
    -------
    str
        The style sheet, ready to sit inside a ``<style>`` element.

    Examples
    --------
    >>> "url(images/" in leaflet_css(), "data:image/png;base64," in leaflet_css()
    (False, True)
    """

    def inline(match: re.Match[str]) -> str:
        data = (_DIR / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    text = _IMAGE_URL.sub(inline, (_DIR / "leaflet.css").read_text(encoding="utf-8"))
    return _checked(text, "</style")


def _checked(text: str, closing: str) -> str:
    if closing in text.lower():  # would end the element early; never true for Leaflet's files
        msg = f"bundled Leaflet file contains {closing!r}"
        raise RuntimeError(msg)
    return text


def inline_leaflet(m: folium.Map) -> folium.Map:
    """Replace the map's links to external scripts and style sheets by Leaflet, inlined.

    folium links Leaflet, jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers from
    content delivery networks; the maps of maillage need only Leaflet (circle and icon
    markers, GeoJSON layers, tooltips, popups, the layer and scale controls).

    Parameters
    ----------
    m : folium.Map
        Map to change in place (its own scripts and style sheets only).

    Returns
    -------
    folium.Map
        The same map.

    Examples
    --------
    See the module docstring.
    """
    import folium  # noqa: PLC0415 - optional at import time

    m.default_js = []
    m.default_css = []
    header = cast("Figure", m.get_root()).header
    header.add_child(folium.Element(f"<style>{leaflet_css()}</style>"), name="leaflet_css")
    header.add_child(folium.Element(f"<script>{leaflet_js()}</script>"), name="leaflet_js")
    return m
