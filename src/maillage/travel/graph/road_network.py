"""RoadNetwork: drive times over an OpenStreetMap road graph (a TravelTimeModel).

Examples
--------
>>> import geopandas as gpd
>>> from maillage.sources import fetch
>>> net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0], cache=False)
>>> net.describe()["model"], net.n_nodes > 3000
('RoadNetwork', True)
>>> nodes = gpd.GeoSeries.from_xy(net.graph.xy[:, 0], net.graph.xy[:, 1], crs=2154)
>>> venues = nodes.iloc[[0]].set_axis(["mairie"])
>>> times = net.nearest(nodes.iloc[:3], venues)
>>> float(times["travel_time_s"].iloc[0]), times["dest_id"].iloc[0]
(0.0, 'mairie')
>>> list(net.unplaced(gpd.GeoSeries.from_xy([0], [0], index=["paris?"], crs=2154)))
['paris?']
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from maillage.options import options
from maillage.schema import check_choice, check_working_crs
from maillage.sources import sha256_of
from maillage.travel.engine import PairQuery, check_positive
from maillage.travel.graph import search
from maillage.travel.graph.cache import GRAPH_FORMAT, cache_key, load_graph, save_graph
from maillage.travel.graph.k_nearest import KNearestSearch
from maillage.travel.graph.osm import as_paths, read_ways
from maillage.travel.graph.profile import (
    CAR_SPEEDS_KPH,
    FERRY_SPEED_KPH,
    MAXSPEED_FACTOR,
    PROFILES,
)
from maillage.travel.graph.snap import (
    ACCESS_SPEED_KPH,
    TRIP_DEFINITION,
    Placement,
    Segments,
    points_xy,
)
from maillage.travel.graph.ways import graph_from_ways
from maillage.travel.network import DEFAULT_MAX_SNAP_M, NetworkEngine

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd
    import shapely
    from pyproj import CRS

    from maillage.travel.graph.graph import Graph

__all__ = ["DEFAULT_MAX_SNAP_M", "RoadNetwork"]

logger = logging.getLogger(__name__)

_ToVenue = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Placement, np.ndarray]
"""Per node: time to the nearest venue, its position, last edge, weight; venues' placement, positions."""

ROUTE_BY = ("weight", "duration")
"""How the searches choose routes (``RoadNetwork.from_osm(route_by=...)``)."""


def _graph_from_files(
    paths: list[Path], profile: str, *, turn_costs: bool, crs: str, cache: bool, progress: bool
) -> tuple[Graph, dict]:
    hashes = [sha256_of(path) for path in paths]
    key = cache_key(hashes, profile, turn_costs=turn_costs, crs=crs)
    target = Path(options.cache_dir) / "road-graphs" / f"{key}.npz"
    label = " + ".join(path.name for path in paths)
    cached = load_graph(target) if cache else None  # an unusable entry is deleted, with a warning
    if cached is not None:
        logger.info("road graph of %s read from the cache %s", label, target)
        return cached
    ways = read_ways(paths, profile=profile, progress=progress)
    graph = graph_from_ways(ways, turns=turn_costs, crs=crs)
    meta = {
        "file": label,
        "sha256": " + ".join(hashes),
        "files": [path.name for path in paths],
        "profile": profile,
        "turn_costs": turn_costs,
        "crs": crs,
        "graph_format": GRAPH_FORMAT,
    }
    if cache:
        save_graph(target, graph, meta)
    return graph, meta


class RoadNetwork(KNearestSearch, NetworkEngine):
    """Drive times over a directed road graph; implements :class:`maillage.TravelTimeModel`.

    Build it with :meth:`from_osm`. Every time follows maillage's definition of a car trip
    (:mod:`maillage.travel.graph.snap`, :data:`~maillage.travel.graph.snap.TRIP_DEFINITION`),
    the same as :class:`~maillage.travel.osrm.OSRMModel`'s: a point is placed, as OSRM
    places it, on the nearest point of the nearest road segment of the routable graph (its
    largest strongly connected component), part-way along an edge; it leaves or is reached
    along that edge in the directions it allows, for the share of its time driven, and pays
    an access leg, its distance to the placement at ``access_speed_kph``. A point farther
    than ``max_snap_m`` is unplaced (NaN time, listed by :meth:`unplaced`). Points must be in
    the graph's CRS (:attr:`crs`: Lambert-93, or the working CRS of an overseas région given
    to :meth:`from_osm`).

    Parameters
    ----------
    graph : Graph
        Routable graph (node coordinates in ``graph.crs``, times in seconds).
    max_snap_m : float, default 2000
        Largest snapping distance, metres.
    access_speed_kph : float, default 15
        Speed of the access leg between a point and its placement on the road.
    source : dict, optional
        Where the graph comes from (file, sha256, profile), reported by :meth:`describe`.
    keep_forward : bool, default False
        Keep ``graph`` once the reversed graph the searches run on is built. By default it
        is dropped then (the searches, placements and :meth:`describe` need only the
        reversed graph), and :attr:`graph` rebuilds it from the reversed one when asked.

    Notes
    -----
    :meth:`nearest` is one multi-source search from all destinations on the reversed
    graph. :meth:`od_table` is one bounded search per destination on the reversed graph,
    in batches on two threads (``progress=True`` shows them); memory grows with the pairs
    found, not with origins x destinations. With ``served_by`` (existing venues), only the
    origins none of them serves within ``max_time_s`` are kept, and each search stops
    expanding at the nodes nearer to an existing venue than to its destination: the pairs
    kept are those of the full table but a few (central Paris, 300 off-road origins, 10
    existing and 20 new venues, 240 s, seeds 0-2: 3 of 105 pairs missing with routes by
    time, as turn costs make node labels inexact; 13 of 218 by weight, a node's
    least-weight route not being its fastest), and siting's searches only cover what is
    still uncovered. Routes are chosen by weight (``route_by``): a venue added can then
    lengthen an origin's time to its nearest venue, as it can in OSRM.
    :meth:`nearest_k` is one multi-source search where every node keeps its k least-weight
    routes from distinct destinations (exact; with turn costs each route turns from its own
    last edge, as :meth:`nearest`'s one route does); ``k=1`` gives :meth:`nearest`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from maillage.travel.graph.graph import line_graph
    >>> net = RoadNetwork(line_graph([60.0]))  # nodes at x = 0 and 1000 m, 60 s either way
    >>> net.n_edges
    2
    >>> homes = gpd.GeoSeries.from_xy([0.0, 1000.0], [0.0, 0.0], index=["h1", "h2"], crs=2154)
    >>> net.od_table(homes, homes.iloc[:1], max_time_s=90, progress=False)
      origin_id dest_id  travel_time_s
    0        h1      h1            0.0
    1        h2      h1           60.0
    """

    def __init__(
        self,
        graph: Graph,
        *,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        access_speed_kph: float = ACCESS_SPEED_KPH,
        source: dict[str, object] | None = None,
        keep_forward: bool = False,
    ) -> None:
        self._forward: Graph | None = graph
        self._forward_ref: weakref.ref[Graph] | None = None
        self._keep_forward = keep_forward
        self._reversed_graph: Graph | None = None
        self._reversing = threading.Lock()
        self._max_snap_m = check_positive("max_snap_m", max_snap_m)
        self._access_speed_kph = check_positive("access_speed_kph", access_speed_kph)
        self._source = dict(source or {})

    @classmethod
    def from_osm(
        cls,
        path: Path | str | Sequence[Path | str],
        *,
        profile: str = "car",
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        access_speed_kph: float = ACCESS_SPEED_KPH,
        turn_costs: bool = True,
        crs: str | int | CRS = "EPSG:2154",
        cache: bool = True,
        progress: bool = False,
        route_by: str = "weight",
        keep_forward: bool = False,
    ) -> RoadNetwork:
        """Build the road network of one or several OpenStreetMap ``.osm.pbf`` extracts.

        The rules are those of OSRM's car profile (``car.lua``): speeds per ``highway``
        class, ``maxspeed`` times 0.8, surface limits, access and one-way tags
        (:mod:`maillage.travel.graph.profile`); delays at traffic signals, stop signs and
        gates, closed barriers (:mod:`maillage.travel.graph.nodes`); turn costs at
        intersections (:mod:`maillage.travel.graph.turns`); as OSRM, each route is the one
        of least routability weight (``route_by``), timed. Median time ÷ OSRM's on random
        pairs of road nodes of four real extracts: 0.998-1.003 (0.82-0.95 without these
        rules); from off-road points (homes, venues) to off-road points, access legs
        included, five draws each: 0.997-1.003, 90 % of the pairs within 0.5-4 % on every
        draw (``scripts/road_graph_vs_osrm.py``, ``benchmarks/README.md``). The parsed
        graph is cached in
        ``options.cache_dir`` under a hash of the file's bytes, the profile, the CRS and
        the code version (``.npz``, no pickle).

        Node coordinates are in ``crs``, the working CRS of the territory (the CRS of its
        communes): Lambert-93 in metropolitan France, the legal projection of an overseas
        région (:data:`maillage.schema.OVERSEAS_CRS`). Drive times do not depend on it
        (edge lengths are great-circle distances, turn angles are kept by these conformal
        projections); snapping distances and access legs do, as the CRS's scale factor
        (Lambert-93's is 1.88 at La Réunion).

        Several files (e.g. the three extracts of Nouvelle-Aquitaine, see
        :func:`maillage.osm_extracts_for`) make one graph: adjacent extracts overlap at
        their borders and their nodes and ways are deduplicated by OSM id. The cache key
        then holds the hashes of all the files.

        Parameters
        ----------
        path : path or sequence of paths
            Local ``.osm.pbf`` file(s) (e.g. regional extracts), sorted by OSM id as
            every published extract is.
        profile : {"car"}
            Routing profile.
        max_snap_m : float, default 2000
            Largest distance between a point and the road network, metres.
        access_speed_kph : float, default 15
            Speed of the leg between a point and its placement on the road.
        turn_costs : bool, default True
            Charge car.lua's turn costs at intersections. Without, searches are about 1.3
            times faster (1.6 on a grid of crossroads), need no turn table (60-240 MB for
            1-4 million nodes) and give drive times 4 to 10 % shorter than OSRM's
            (``benchmarks/README.md``).
        crs : str, int or pyproj.CRS, default "EPSG:2154"
            CRS of the node coordinates, one of :data:`maillage.schema.WORKING_CRS`
            (``"EPSG:5490"``, ``5490`` or ``communes.crs`` alike); the points given to
            the queries must be in it.
        cache : bool, default True
            Read and write the parsed graph in the cache.
        progress : bool, default False
            Show a progress bar while reading the file.
        route_by : {"weight", "duration"}, default "weight"
            Choose each route by car.lua's routability weight, as stock OSRM does (service
            alleys, narrow and single-lane roads weigh more than their time:
            :func:`maillage.travel.graph.profile.way_penalties`), and report its time; or
            take the fastest route.
        keep_forward : bool, default False
            Keep the forward graph once the reversed one is built for the first search
            (see the class's parameters): its edge arrays stay in memory (0.18-0.25 GB
            at 13 M edges on the benchmark's grids, ``benchmarks/README.md``).

        Returns
        -------
        RoadNetwork
            The routable network.

        Raises
        ------
        NetworkError
            A file is missing, not a PBF, corrupt, or no drivable road is found.
        OptionError
            Unknown profile, or ``crs`` is not a working CRS.

        Examples
        --------
        >>> from maillage.sources import fetch
        >>> net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0], cache=False)
        >>> net.describe()["profile"], net.describe()["file"], net.crs
        ('car', 'saint_barthelemy.osm.pbf', 'EPSG:2154')
        >>> RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0], crs=5490).crs  # UTM 20N
        'EPSG:5490'
        """
        check_choice("profile", profile, PROFILES)
        check_choice("route_by", route_by, ROUTE_BY)
        crs = check_working_crs("crs", crs)
        paths = as_paths(path)
        graph, meta = _graph_from_files(
            paths, profile, turn_costs=turn_costs, crs=crs, cache=cache, progress=progress
        )
        if route_by == "duration":
            graph = replace(graph, routing=np.empty(0, dtype=np.float32))
        meta = {**meta, "route_by": route_by}
        return cls(
            graph,
            max_snap_m=max_snap_m,
            access_speed_kph=access_speed_kph,
            source=meta,
            keep_forward=keep_forward,
        )

    @property
    def graph(self) -> Graph:
        """The routable graph (times from tail to head, seconds).

        Once a search has run, the network holds only the reversed graph (unless built with
        ``keep_forward=True``): the forward graph is then rebuilt from it, and kept only as
        long as the caller holds it (``g = net.graph`` once, rather than ``net.graph``
        in a loop, on a large graph).
        """
        forward = self._forward
        if forward is None and self._forward_ref is not None:
            forward = self._forward_ref()
        if forward is None:
            forward = self._reversed.reversed()
            self._forward_ref = weakref.ref(forward)
        return forward

    @property
    def _held(self) -> Graph:
        """The forward graph while held, else the reversed one (same nodes, edges, CRS)."""
        forward = self._forward
        return forward if forward is not None else self._reversed

    @property
    def crs(self) -> str:
        """CRS of the graph's nodes: the points given to the queries must be in it."""
        return self._held.crs

    @property
    def n_nodes(self) -> int:
        """Number of routable nodes."""
        return self._held.n_nodes

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return self._held.n_edges

    @property
    def _reversed(self) -> Graph:
        """The reversed graph the searches run on; the forward one is dropped unless kept."""
        reversed_graph = self._reversed_graph
        if reversed_graph is not None:
            return reversed_graph
        with self._reversing:  # built once, whichever thread asks first
            reversed_graph = self._reversed_graph
            if reversed_graph is None:
                forward = cast("Graph", self._forward)  # held until the reversed one is set
                reversed_graph = self._reversed_graph = forward.reversed()
                if not self._keep_forward:
                    self._forward = None
        return reversed_graph

    @cached_property
    def _segments(self) -> Segments:
        return Segments.of(self._reversed)  # edge positions in the reversed graph

    def describe(self) -> dict[str, object]:
        """Return the model name and parameters (JSON-serialisable).

        Returns
        -------
        dict
            ``model`` ("RoadNetwork"), ``engine`` ("road_graph"), ``label_fr``, ``sources``, source file(s) and sha256 (joined with `` + ``
            when several), profile, speed table,
            node and edge counts, the CRS of the nodes, snapping and access parameters.

        Examples
        --------
        >>> from maillage.sources import fetch
        >>> info = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0]).describe()
        >>> info["sha256"][:8], info["speeds_kph"]["primary"], info["max_snap_m"]
        ('ec1be5c5', 65.0, 2000.0)
        """
        return {
            "model": "RoadNetwork",
            "engine": "road_graph",
            "label_fr": (
                "réseau routier OpenStreetMap (itinéraire choisi comme OSRM, maillage)"
                if len(self._held.routing)
                else "réseau routier OpenStreetMap (plus court chemin en temps, maillage)"
            ),
            "route_by": "weight" if len(self._held.routing) else "duration",
            "sources": [
                "© OpenStreetMap contributors (ODbL 1.0)",
                "règles du profil voiture d'OSRM (car.lua) : vitesses, maxspeed × 0,8, "
                "revêtements, accès, feux, stops, barrières, coût des virages",
            ],
            "file": self._source.get("file"),
            "sha256": self._source.get("sha256"),
            "profile": self._source.get("profile"),
            "speeds_kph": dict(CAR_SPEEDS_KPH),
            "speeds_source": "OSRM car profile (car.lua): class speeds, maxspeed x 0.8, surface caps",
            "node_costs": "OSRM car profile: traffic signals 2 s, stop 2 s, give way 1 s, gates 60 s; barriers closed",
            "turn_costs": (
                "OSRM car profile process_turn at intersections"
                if self._held.turn_costs
                else "none"
            ),
            "maxspeed_factor": MAXSPEED_FACTOR,
            "ferry_speed_kph": FERRY_SPEED_KPH,
            "access_speed_kph": self._access_speed_kph,
            "max_snap_m": self._max_snap_m,
            "trip_definition": TRIP_DEFINITION,
            "placement": "nearest point on the nearest road segment (projection, one-way respected)",
            "n_nodes": self.n_nodes,
            "n_edges": self.n_edges,
            "crs": self.crs,
            "graph_format": GRAPH_FORMAT,
        }

    def _place(self, points: gpd.GeoSeries, *, name: str) -> Placement:
        xy = points_xy(points, name=name, crs=self.crs)
        return self._segments.place(xy, max_snap_m=self._max_snap_m)

    def _placed_mask(self, points: gpd.GeoSeries) -> np.ndarray:
        """Return, per point, whether it lies within ``max_snap_m`` of the network."""
        return self._place(points, name="points").placed

    def _destinations(self, destinations: gpd.GeoSeries) -> tuple[Placement, np.ndarray]:
        """Place destinations; return the placement and the positions of the placed ones."""
        self._refuse_empty(destinations)
        placed = self._place(destinations, name="destinations")
        return placed, self._keep_placed(destinations, placed.placed, name="destinations")

    def _origins(self, origins: gpd.GeoSeries) -> Placement:
        placed = self._place(origins, name="origins")
        self._check_origins(origins, int(placed.placed.sum()))
        return placed

    def _penalty(self, edge: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """At edges of the reversed graph: weight ÷ time of their run, and their node delay."""
        rev = self._reversed
        delay = rev.delay[edge] if len(rev.delay) else np.zeros(len(edge))
        times, weights = search.edge_costs(rev)
        run = times[edge] - delay
        factor = np.divide(weights[edge] - delay, run, out=np.ones(len(run)), where=run > 0)
        return factor, delay

    def _seeds(
        self, placement: Placement, positions: np.ndarray, *, leaving: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows (position, node, time, edge, weight): access leg plus partial edge of each point.

        ``edge`` is the partial edge's position in the reversed graph (-1: the point is on
        the node), for the turn the trip makes at the node. The partial edge's weight is
        split like its time: the run at the edge's penalty, the node delay (paid leaving
        only) as it is; the access leg weighs its time.
        """
        position, node, road_s, edge = self._segments.ends(placement, positions, leaving=leaving)
        factor, delay = self._penalty(np.maximum(edge, 0))  # edge: in the reversed graph
        paid = delay if leaving else 0.0
        run = np.where(edge >= 0, np.maximum(road_s - paid, 0.0), 0.0)
        road_w = road_s + run * (factor - 1.0)
        access = placement.access_s(self._access_speed_kph)[position]
        return position, node, road_s + access, edge, road_w + access

    def _best(
        self, origins: Placement, keep: np.ndarray, to_venue: _ToVenue
    ) -> tuple[np.ndarray, np.ndarray]:
        """Time and venue position of the nearest venue of the origins at ``keep``.

        ``to_venue`` is ``(node time, node label, last edges, venue placement, venue
        positions)``: the per-node result of the search from the venues. An origin leaves
        by either end of its segment, turning there onto the node's route, or drives
        straight to a venue on the same segment.
        """
        node_s, label, last, node_w, venues, venue_pos = to_venue
        position, node, start_s, edge, start_w = self._seeds(origins, keep, leaving=True)
        turn_s = search.exit_turns(self._reversed, last, node, edge)
        same_o, same_v, road_s = self._segments.along(origins, keep, venues, venue_pos)
        access = self._access_speed_kph
        same_s = road_s + (origins.access_s(access)[same_o] + venues.access_s(access)[same_v])
        origin = np.concatenate([position, same_o])
        total = np.concatenate([start_s + turn_s + node_s[node], same_s])
        weight = np.concatenate([start_w + turn_s + node_w[node], same_s])
        which = np.concatenate([label[node], same_v])
        order = np.lexsort((total, weight, origin))  # the least-weight route, timed
        origin, total, which = origin[order], total[order], which[order]
        first = np.ones(len(origin), dtype=bool)
        first[1:] = origin[1:] != origin[:-1]
        best_s = np.full(len(origins.segment), np.inf)
        best_v = np.full(len(origins.segment), -1)
        best_s[origin[first]], best_v[origin[first]] = total[first], which[first]
        return best_s[keep], np.where(np.isfinite(best_s[keep]), best_v[keep], -1)

    def _nearest_positions(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One multi-source search from all destinations on the reversed graph."""
        if max_time_s is not None:
            max_time_s = check_positive("max_time_s", max_time_s)
        dest_place, placed = self._destinations(destinations)
        origin_place = self._origins(origins)
        reached = self._from_nearest(dest_place, placed, max_time_s)
        keep = np.flatnonzero(origin_place.placed)
        total = np.full(len(origins), np.nan)
        which = np.full(len(origins), -1)
        total[keep], which[keep] = self._best(origin_place, keep, (*reached, dest_place, placed))
        return self._within(total, which, max_time_s)

    def _pair_positions(self, query: PairQuery) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Bounded searches from each destination, pruned by ``served_by`` (class Notes)."""
        origins, destinations, _, served_by, progress = query
        max_time_s = check_positive("max_time_s", query.max_time_s)
        dest_place, placed = self._destinations(destinations)
        origin_place = self._origins(origins)
        keep = np.flatnonzero(origin_place.placed)
        served = None if served_by is None else self._time_to(served_by, max_time_s)
        if served is not None:
            keep = keep[~(self._best(origin_place, keep, served)[0] <= max_time_s)]
        venue, seed_node, seed_s, seed_edge, seed_w = self._seeds(dest_place, placed, leaving=False)
        origin, exit_node, exit_s, exit_edge, exit_w = self._seeds(origin_place, keep, leaving=True)
        local = np.searchsorted(keep, origin)  # kernel point ids: 0..len(keep)-1
        point, dest, time_s = search.bounded_pairs(
            self._reversed,
            (np.searchsorted(placed, venue), seed_node, seed_s),
            (local, exit_node, exit_s),
            max_time_s=max_time_s,
            floor_s=None if served is None else served[0],
            progress=progress,
            source_edges=seed_edge,
            point_edges=exit_edge,
            weights=(seed_w, exit_w),
        )
        same_o, same_v, road_s = self._segments.along(origin_place, keep, dest_place, placed)
        access = self._access_speed_kph
        same_s = (
            road_s + origin_place.access_s(access)[same_o] + dest_place.access_s(access)[same_v]
        )
        return self._least(
            np.concatenate([keep[point], same_o]),
            np.concatenate([placed[dest], same_v]),
            np.concatenate([time_s, same_s]),
            max_time_s,
        )

    def _least(
        self, origin: np.ndarray, dest: np.ndarray, time_s: np.ndarray, max_time_s: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Keep the least time of each (origin, destination) pair within ``max_time_s``."""
        ok = time_s <= max_time_s
        order = np.lexsort((time_s[ok], dest[ok], origin[ok]))
        origin, dest, time_s = origin[ok][order], dest[ok][order], time_s[ok][order]
        first = np.ones(len(origin), dtype=bool)
        first[1:] = (origin[1:] != origin[:-1]) | (dest[1:] != dest[:-1])
        return self._by_origin(origin[first], dest[first], time_s[first])

    def _time_to(self, venues: gpd.GeoSeries, max_time_s: float) -> _ToVenue | None:
        """Time from every node to the nearest placed venue (``inf`` beyond ``max_time_s``).

        Returned with the labels, the last edges, the venues' placement and the placed positions (what
        :meth:`_best` takes); ``None`` when no venue is placed. Unplaced venues are skipped
        silently (the coverage that used them has already reported them).
        """
        place = self._place(venues, name="served_by")
        placed = np.flatnonzero(place.placed)
        if len(placed) == 0:
            return None
        return (*self._from_nearest(place, placed, max_time_s), place, placed)

    def _from_nearest(
        self, place: Placement, placed: np.ndarray, max_time_s: float | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per node: time to the least-weight placed point of ``place``, its position, last edge, weight."""
        position, node, start_s, edge, start_w = self._seeds(place, placed, leaving=False)
        return search.search_from(
            self._reversed,
            node,
            start_s,
            position,
            max_time_s=max_time_s,
            seed_edges=edge,
            start_w=start_w,
        )

    def reached_nodes(self, destination: shapely.Point, max_time_s: float) -> np.ndarray:
        """Return the coordinates of the road nodes within ``max_time_s`` of a destination.

        Times run from the node to the destination (home -> venue), the destination's
        access leg and partial edge included (a node itself is on the road: no access leg
        at its end).

        How isochrone polygons are built from them
        (:func:`maillage.analysis.catchments.isochrones`): a lattice of sample points
        (``spacing_m``, 1 km by default) is timed with :meth:`od_table`, each sample paying
        its access leg to its placement on the road; the nodes returned here are rounded to a
        quarter of the spacing and added to the samples reached; the polygon is the
        concave hull of all these points, grown by half the spacing. It therefore contains
        every node listed here, and the land a sample point reaches off the road; its
        outline between nodes is drawn, not measured.

        Parameters
        ----------
        destination : shapely.Point
            Venue, coordinates in the network's CRS (:attr:`crs`).
        max_time_s : float
            Time budget.

        Returns
        -------
        numpy.ndarray, shape (k, 2)
            Coordinates in the network's CRS; empty when the destination is unplaced.

        Examples
        --------
        >>> from shapely import Point
        >>> from maillage.sources import fetch
        >>> net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0])
        >>> venue = Point(net.graph.xy[0])
        >>> len(net.reached_nodes(venue, 60)) < len(net.reached_nodes(venue, 600))
        True
        """
        import geopandas as gpd  # noqa: PLC0415 - keeps the import of the package light

        max_time_s = check_positive("max_time_s", max_time_s)
        place = self._place(gpd.GeoSeries([destination], crs=self.crs), name="destination")
        if not place.placed[0]:
            logger.info("destination %s is off the road network: no reached node", destination)
            return np.empty((0, 2))
        _, seeds, start_s, edge, start_w = self._seeds(place, np.array([0]), leaving=False)
        nodes, _ = search.reach(
            self._reversed, seeds, start_s, max_time_s, seed_edges=edge, start_w=start_w
        )
        return self._reversed.xy[nodes]

    def __repr__(self) -> str:
        name = self._source.get("file", "graph")
        return f"RoadNetwork({name}, {self.n_nodes:,} nodes, {self.n_edges:,} edges)"
