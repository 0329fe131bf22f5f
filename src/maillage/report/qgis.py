"""QGIS styles inside ``coverage.gpkg``: each layer opens in QGIS as it is drawn in ``map.png``.

QGIS reads a GeoPackage's ``layer_styles`` table (its own schema) and applies the style
marked ``useAsDefault`` when a layer is opened. :func:`add_layer_styles` writes one style per
layer: a QML (QGIS's format) and an SLD (for other tools) built from the same rules, with the
classes, colours and markers of :mod:`maillage.maps._style`, and the French column names of
the data dictionary as field aliases.

- ``communes``: the access-time classes (0 – 10, 10 – 20, 20 – 30, 30 min et plus) in the
  map's colours, grey where there is no time;
- ``white_zones``: black hatching and outline over a white halo;
- ``venues``: a marker per kind, filled for supported venues, hollow for the others;
- ``catchments``: outlines only.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maillage.maps._style import (
    DEFAULT_BINS_MIN,
    HALO_COLOUR,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    SUPPORTED_COLOUR,
    WHITE_ZONE_EDGE,
    WHITE_ZONE_LABEL,
    classify_times,
    venue_markers,
)
from maillage.report.columns import french_name

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

__all__ = ["LAYER_STYLES_COLUMNS", "add_layer_styles", "layer_rules"]

LAYER_STYLES_COLUMNS = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)
"""Columns of QGIS's ``layer_styles`` table (after its ``id``)."""

_CREATE = """CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
    f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
    styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME)"""
_MARKER_SHAPES = {  # matplotlib marker -> QGIS simple marker shape and angle
    "o": ("circle", 0),
    "s": ("square", 0),
    "^": ("triangle", 0),
    "D": ("diamond", 0),
    "v": ("triangle", 180),
    "P": ("cross_fill", 0),
    "X": ("cross_fill", 45),
    "*": ("star", 0),
    "<": ("triangle", 270),
    ">": ("triangle", 90),
}


@dataclass(frozen=True)
class Rule:
    """One class of a layer: its legend label, its filter and its symbol.

    Attributes
    ----------
    label : str
        Legend label, in French.
    conditions : tuple
        ``(op, field, value)`` joined by AND; ``op`` is ``"le"``, ``"gt"``, ``"eq"`` or
        ``"else"`` (every feature no other rule takes: no time, for the communes); no
        condition at all means every feature.
    symbol : tuple
        ``(kind, properties)``: ``"fill"``, ``"line"`` or ``"marker"`` and the QGIS symbol
        layers, each a ``(class, {property: value})`` pair.
    """

    label: str
    conditions: tuple[tuple[str, str, object], ...]
    symbol: tuple[str, tuple[tuple[str, dict[str, str]], ...]]


def _rgba(colour: str) -> str:
    colour = colour.lstrip("#")
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (0, 2, 4)) + ",255"


def _fill(
    colour: str, *, outline: str = "255,255,255,0", style: str = "solid"
) -> tuple[str, dict[str, str]]:
    return (
        "SimpleFill",
        {
            "color": colour,
            "style": style,
            "outline_color": outline,
            "outline_width": "0.26",
            "outline_style": "solid",
        },
    )


def _communes_rules() -> list[Rule]:
    import pandas as pd  # noqa: PLC0415 - only when styles are written

    edges = list(DEFAULT_BINS_MIN)
    classes = classify_times(pd.Series([0.0]), bins=edges)
    rules = []
    for i, (label, colour) in enumerate(zip(classes.labels, classes.colours, strict=True)):
        conditions: list[tuple[str, str, object]] = []
        if i > 0:
            conditions.append(("gt", "time_min", edges[i - 1]))
        if i < len(edges):
            conditions.append(("le", "time_min", edges[i]))
        rules.append(Rule(label, tuple(conditions), ("fill", (_fill(_rgba(colour)),))))
    grey = ("fill", (_fill(_rgba(NO_DATA_COLOUR)),))
    return [*rules, Rule(NO_DATA_LABEL, (("else", "time_min", None),), grey)]


def _white_zone_rules() -> list[Rule]:
    halo = (
        "SimpleLine",
        {"line_color": _rgba(HALO_COLOUR), "line_width": "0.8", "line_style": "solid"},
    )
    hatch = _fill(_rgba(WHITE_ZONE_EDGE), outline=_rgba(WHITE_ZONE_EDGE), style="b_diagonal")
    return [Rule(WHITE_ZONE_LABEL, (), ("fill", (halo, hatch)))]


def _catchment_rules() -> list[Rule]:
    line = (
        "SimpleLine",
        {"line_color": _rgba(SUPPORTED_COLOUR), "line_width": "0.3", "line_style": "dash"},
    )
    return [Rule("Zone de desserte d'un lieu", (), ("fill", (line,)))]


def _venue_rules(venues: pd.DataFrame) -> list[Rule]:
    kinds = venues["kind"].astype("string") if "kind" in venues.columns else None
    markers = venue_markers(kinds) if kinds is not None else {}
    rules = []
    for kind, marker in (markers or {"": "o"}).items():
        shape, angle = _MARKER_SHAPES.get(marker, ("circle", 0))
        for supported in (True, False):
            props = {
                "name": shape,
                "angle": str(angle),
                "color": _rgba(SUPPORTED_COLOUR if supported else HALO_COLOUR),
                "outline_color": _rgba(SUPPORTED_COLOUR),
                "outline_width": "0.3",
                "size": "2.6",
            }
            where: list[tuple[str, str, object]] = [("eq", "kind", kind)] if kind else []
            where.append(("eq", "supported", 1) if supported else ("ne", "supported", 1))
            name = f"{kind or 'lieu'} – {'soutenu' if supported else 'non soutenu'}"
            rules.append(Rule(name, tuple(where), ("marker", (("SimpleMarker", props),))))
    return rules


def layer_rules(layer: str, frame: pd.DataFrame) -> list[Rule]:
    """Return the classes of a layer of ``coverage.gpkg``, as ``map.png`` draws it.

    Parameters
    ----------
    layer : str
        ``"communes"``, ``"venues"``, ``"white_zones"`` or ``"catchments"``.
    frame : pandas.DataFrame
        The layer (the venues' kinds give the markers).

    Returns
    -------
    list of Rule
        The rules, in legend order.
    """
    if layer == "communes":
        return _communes_rules()
    if layer == "venues":
        return _venue_rules(frame)
    if layer == "white_zones":
        return _white_zone_rules()
    return _catchment_rules()


def _expression(conditions: tuple[tuple[str, str, object], ...]) -> str:
    parts = []
    for op, field, value in conditions:
        name = f'"{field}"'
        literal = (
            f"'{value}'"
            if isinstance(value, str)
            else f"{value:g}"
            if isinstance(value, float)
            else str(value)
        )
        parts.append(
            {
                "le": f"{name} <= {literal}",
                "gt": f"{name} > {literal}",
                "eq": f"{name} = {literal}",
                "ne": f"({name} IS NULL OR {name} <> {literal})",
                "else": "ELSE",
            }[op]
        )
    return " AND ".join(parts)


def _symbol_xml(
    parent: ET.Element, name: str, symbol: tuple[str, tuple[tuple[str, dict[str, str]], ...]]
) -> None:
    kind, layers = symbol
    element = ET.SubElement(
        parent,
        "symbol",
        {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    for cls, props in layers:
        layer = ET.SubElement(
            element, "layer", {"class": cls, "enabled": "1", "pass": "0", "locked": "0"}
        )
        options = ET.SubElement(layer, "Option", {"type": "Map"})
        for key, value in props.items():
            ET.SubElement(options, "Option", {"name": key, "value": value, "type": "QString"})


def qml(rules: list[Rule], columns: list[str]) -> str:
    """Return the QML of a rule-based style with French field aliases."""
    root = ET.Element("qgis", {"version": "3.28.0", "styleCategories": "Symbology|Fields"})
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "RuleRenderer", "symbollevels": "0", "enableorderby": "0", "forceraster": "0"},
    )
    tree = ET.SubElement(renderer, "rules", {"key": "{root}"})
    symbols = ET.SubElement(renderer, "symbols")
    for i, rule in enumerate(rules):
        attrs = {"key": f"{{rule-{i}}}", "symbol": str(i), "label": rule.label}
        if rule.conditions:
            attrs["filter"] = _expression(rule.conditions)
        ET.SubElement(tree, "rule", attrs)
        _symbol_xml(symbols, str(i), rule.symbol)
    aliases = ET.SubElement(root, "aliases")
    for index, column in enumerate(["fid", *columns]):
        name = french_name(column) if column != "fid" else ""
        ET.SubElement(
            aliases,
            "alias",
            {"field": column, "index": str(index), "name": name if name != column else ""},
        )
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _sld_filter(parent: ET.Element, conditions: tuple[tuple[str, str, object], ...]) -> None:
    if not conditions:
        return
    if conditions[0][0] == "else":
        ET.SubElement(parent, f"{{{_SE}}}ElseFilter")
        return
    target = ET.SubElement(parent, f"{{{_OGC}}}Filter")
    if len(conditions) > 1:
        target = ET.SubElement(target, f"{{{_OGC}}}And")
    tags = {
        "le": "PropertyIsLessThanOrEqualTo",
        "gt": "PropertyIsGreaterThan",
        "eq": "PropertyIsEqualTo",
        "ne": "PropertyIsNotEqualTo",
    }
    for op, field, value in conditions:
        test = ET.SubElement(target, f"{{{_OGC}}}{tags[op]}")
        ET.SubElement(test, f"{{{_OGC}}}PropertyName").text = field
        literal = f"{value:g}" if isinstance(value, float) else str(value)
        ET.SubElement(test, f"{{{_OGC}}}Literal").text = literal


def _sld_symbolizer(
    parent: ET.Element, symbol: tuple[str, tuple[tuple[str, dict[str, str]], ...]]
) -> None:
    kind, layers = symbol
    props = layers[-1][1]
    colour = "#" + "".join(
        f"{int(c):02x}" for c in props.get("color", props.get("line_color", "0,0,0")).split(",")[:3]
    )
    tag = {"fill": "PolygonSymbolizer", "line": "LineSymbolizer", "marker": "PointSymbolizer"}[kind]
    symbolizer = ET.SubElement(parent, f"{{{_SE}}}{tag}")
    if kind == "marker":
        mark = ET.SubElement(
            ET.SubElement(ET.SubElement(symbolizer, f"{{{_SE}}}Graphic"), f"{{{_SE}}}Mark"),
            f"{{{_SE}}}Fill",
        )
        ET.SubElement(mark, f"{{{_SE}}}SvgParameter", {"name": "fill"}).text = colour
    elif "color" in props and props.get("style") == "solid":
        fill = ET.SubElement(symbolizer, f"{{{_SE}}}Fill")
        ET.SubElement(fill, f"{{{_SE}}}SvgParameter", {"name": "fill"}).text = colour
    else:
        stroke = ET.SubElement(symbolizer, f"{{{_SE}}}Stroke")
        ET.SubElement(stroke, f"{{{_SE}}}SvgParameter", {"name": "stroke"}).text = colour


def sld(layer: str, rules: list[Rule]) -> str:
    """Return the SLD 1.1 of the same rules (colours and filters; QGIS uses the QML)."""
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    root = ET.Element(
        "StyledLayerDescriptor", {"version": "1.1.0", "xmlns": "http://www.opengis.net/sld"}
    )
    named = ET.SubElement(root, "NamedLayer")
    ET.SubElement(named, f"{{{_SE}}}Name").text = layer
    style = ET.SubElement(ET.SubElement(named, "UserStyle"), f"{{{_SE}}}FeatureTypeStyle")
    for rule in rules:
        element = ET.SubElement(style, f"{{{_SE}}}Rule")
        ET.SubElement(element, f"{{{_SE}}}Name").text = rule.label
        _sld_filter(element, rule.conditions)
        _sld_symbolizer(element, rule.symbol)
    return ET.tostring(root, encoding="unicode")


def add_layer_styles(path: Path, layers: dict[str, pd.DataFrame], *, when: str, area: str) -> None:
    """Write the ``layer_styles`` table of the GeoPackage ``path``: one default style a layer.

    Parameters
    ----------
    path : pathlib.Path
        The GeoPackage, already holding the layers.
    layers : dict of str to pandas.DataFrame
        Layer name to the frame written there (its columns give the aliases).
    when : str
        ``update_time`` and ``last_change`` of the rows (fixed, so the file is reproducible).
    area : str
        Name of the territory, in each style's description.
    """
    with sqlite3.connect(path) as db:
        geometry = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        db.execute(_CREATE)
        db.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', 'Styles QGIS des couches', ?)",
            (when,),
        )
        for name, frame in layers.items():
            rules = layer_rules(name, frame)
            columns = [str(c) for c in frame.columns if c != "geometry"]
            row = (
                "",
                "",
                name,
                geometry.get(name, "geom"),
                f"maillage – {name}",
                qml(rules, columns),
                sld(name, rules),
                1,
                f"{area} – style de map.png",
                "maillage",
                None,
                when,
            )
            db.execute(
                f"INSERT INTO layer_styles ({', '.join(LAYER_STYLES_COLUMNS)}) VALUES ({', '.join('?' * len(row))})",
                row,
            )
    db.close()
