"""Road networks from OpenStreetMap: parsing, graph, cache, snapping, searches.

Modules, in data-flow order: :mod:`~maillage.travel.graph.tags` (tag values as OSRM reads
them), :mod:`~maillage.travel.graph.profile` (which ways, which speeds: OSRM's ``car.lua``),
:mod:`~maillage.travel.graph.nodes` (barriers, signals, stops, gates),
:mod:`~maillage.travel.graph.osm` (PBF -> arrays), :mod:`~maillage.travel.graph.graph` (CSR
graph), :mod:`~maillage.travel.graph.turns` (turn costs),
:mod:`~maillage.travel.graph.ways` (the graph of OSM ways),
:mod:`~maillage.travel.graph.cache` (``.npz`` cache), :mod:`~maillage.travel.graph.snap`
(points -> nodes), :mod:`~maillage.travel.graph.kernels` and
:mod:`~maillage.travel.graph.search` (Dijkstra), :mod:`~maillage.travel.graph.road_network`
(:class:`RoadNetwork`, the travel-time model).
"""

from __future__ import annotations

from maillage.travel.graph.graph import Graph, graph_from_edges
from maillage.travel.graph.road_network import RoadNetwork

__all__ = ["Graph", "RoadNetwork", "graph_from_edges"]
