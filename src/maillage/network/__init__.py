"""Road networks from OpenStreetMap: parsing, graph, cache, snapping, searches.

Modules, in data-flow order: :mod:`~maillage.network.profile` (which ways, which speeds),
:mod:`~maillage.network.osm` (PBF -> arrays), :mod:`~maillage.network.graph` (CSR graph),
:mod:`~maillage.network.cache` (``.npz`` cache), :mod:`~maillage.network.snap` (points ->
nodes), :mod:`~maillage.network.kernels` and :mod:`~maillage.network.search` (Dijkstra),
:mod:`~maillage.network.model` (:class:`RoadNetwork`, the travel-time model).
"""

from __future__ import annotations

from maillage.network.graph import Graph, graph_from_edges
from maillage.network.model import RoadNetwork

__all__ = ["Graph", "RoadNetwork", "graph_from_edges"]
