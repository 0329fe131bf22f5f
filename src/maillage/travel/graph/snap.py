"""Place points (in the graph's CRS) on the routable road graph, as OSRM does.

**The car trip of maillage** (every engine: :class:`~maillage.travel.graph.RoadNetwork`,
:class:`~maillage.travel.osrm.OSRMModel`, and the straight-line default fitted to them): a
trip from an origin point to a venue point is

    access leg at the origin + free-flow road time + access leg at the venue.

The road part starts and ends where OSRM places a point: the nearest point *on* the
nearest routable road segment (OSRM's "phantom node": a projection onto the segment,
part-way along an edge, not the nearest node). It is timed as OSRM's car profile
(``car.lua``) times roads; a point placed part-way along an edge leaves or is reached by
it only in the directions the edge allows (one-way streets), for the matching share of
its time. The access leg is the straight-line distance from the point to that placement,
at :data:`ACCESS_SPEED_KPH` (15 km/h: drive, yard, field track). Neither traffic nor
parking is counted. A point farther than ``max_snap_m`` from every road is *unplaced*:
it gets no time at all (never a false zero).

:class:`Segments` places points on the segments of a graph (:meth:`Segments.place`);
:func:`snap_xy` (nearest node) is kept for comparisons.

Examples
--------
>>> import numpy as np
>>> from maillage.travel.graph.graph import line_graph
>>> segments = Segments.of(line_graph([60.0]))  # a two-way road from x = 0 to x = 1000 m
>>> placed = segments.place(np.array([[250.0, 30.0], [500.0, 3000.0]]), max_snap_m=100.0)
>>> placed.fraction.tolist(), placed.distance_m.tolist(), placed.placed.tolist()
([0.25, 0.0], [30.0, inf], [True, False])
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np
import shapely
from scipy.spatial import cKDTree

from maillage.errors import InputDataError
from maillage.schema import CRS, WORKING_CRS
from maillage.travel.graph.cells import CELL_M, SegmentCells

if TYPE_CHECKING:
    import geopandas as gpd
    import pyproj

    from maillage.travel.graph.graph import Graph

__all__ = [
    "ACCESS_SPEED_KPH",
    "CELL_M",
    "ON_NODE_M",
    "TRIP_DEFINITION",
    "TRIP_DEFINITION_FR",
    "Placement",
    "Segments",
    "Snapped",
    "points_xy",
    "snap_xy",
]

ACCESS_SPEED_KPH = 15.0
"""Speed of the access leg between a point and where it is placed on the road, km/h
(slow: drive, yard, track). Every engine uses it by default."""

_PLACEMENTS_KEPT = 8
"""Placements a :class:`Segments` keeps, the oldest dropped first."""

ON_NODE_M = 0.01
"""A placement this close to a node is on the node (coordinates rounded by a CRS change)."""

TRIP_DEFINITION = (
    "access leg at the origin + free-flow road time as OSRM's car profile (car.lua) computes "
    "it + access leg at the venue; the road part starts and ends at the nearest point on the "
    "nearest routable road segment (OSRM's placement, one-way streets respected); the access "
    f"leg is the straight-line distance from the point to that placement at {ACCESS_SPEED_KPH:g} "
    "km/h; no traffic, no parking"
)
"""The definition of a car trip that every engine follows (reported by ``describe()``)."""

TRIP_DEFINITION_FR = (
    "temps d'accès au départ + temps de route à vitesse libre selon le profil voiture d'OSRM "
    "(car.lua) + temps d'accès à l'arrivée ; la route commence et finit au point le plus proche "
    "sur le tronçon routier le plus proche (placement d'OSRM, sens uniques respectés) ; l'accès "
    f"est la distance à vol d'oiseau jusqu'à ce point, parcourue à {ACCESS_SPEED_KPH:g} km/h ; "
    "sans trafic ni stationnement"
)
"""The same definition, in French, for the report's method section."""


class _AccessLegs:
    """The access legs of points at ``distance_m`` from where they are placed."""

    distance_m: np.ndarray

    @property
    def placed(self) -> np.ndarray:
        """Boolean mask of the points placed (within ``max_snap_m`` of the network)."""
        return np.isfinite(self.distance_m)

    def access_s(self, speed_kph: float = ACCESS_SPEED_KPH) -> np.ndarray:
        """Return the access-leg time of each point, seconds (``inf`` when unplaced)."""
        return self.distance_m / (speed_kph / 3.6)


@dataclass(frozen=True)
class Placement(_AccessLegs):
    """Where points lie on the road segments of a graph (:meth:`Segments.place`).

    Attributes
    ----------
    segment : numpy.ndarray of int64
        Segment of each point, ``-1`` when unplaced.
    fraction : numpy.ndarray of float64
        Position of the placement along the segment, 0 at its node ``a``, 1 at ``b``.
    distance_m : numpy.ndarray of float64
        Straight-line distance from the point to its placement, ``inf`` when unplaced.
    """

    segment: np.ndarray
    fraction: np.ndarray
    distance_m: np.ndarray


def _segment_keys(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Segments of a graph's edges, in few bytes per edge (large graphs).

    Returns the sorted keys ``a * n + b`` of the segments (``a < b``) and, for the edges in
    key order, their segment, their position in the graph and whether they run from ``a``
    to ``b`` as roads (on a reversed graph, an edge tail -> head is the road head -> tail).
    """
    n = graph.n_nodes
    tails = np.repeat(np.arange(n, dtype=np.int32), np.diff(graph.indptr))
    heads = np.asarray(graph.indices, dtype=np.int32)
    if graph.reverse:
        tails, heads = heads, tails
    along = tails < heads
    key = np.minimum(tails, heads).astype(np.int64)
    key *= n
    key += np.maximum(tails, heads)
    del tails, heads
    edge = np.argsort(key)  # no parallel edges: one edge per key and direction
    key = key[edge]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    segment = np.cumsum(first, dtype=np.int64) - 1
    return key[first], segment, edge, along[edge]


@dataclass(frozen=True)
class Segments:
    """The road segments of a graph: one per pair of nodes joined by an edge, either way.

    Every edge of a road graph is a straight segment between two way nodes, so a segment is
    exact road geometry. Build it with :meth:`of`.

    Attributes
    ----------
    a, b : numpy.ndarray of int64
        End nodes (``a < b``).
    ab_s, ba_s : numpy.ndarray of float64
        Time of the edge from ``a`` to ``b`` and from ``b`` to ``a`` (``inf`` where the
        segment is one-way the other way).
    ab_edge, ba_edge : numpy.ndarray of int64
        Position of those edges in the graph (``-1`` where missing).
    ab_delay, ba_delay : numpy.ndarray of float64
        The part of those times spent at the node the edge enters (:attr:`Graph.delay`):
        a trip that starts or ends part-way along the edge pays it only when it passes
        that node; the rest is shared in proportion to the length driven.
    xy : numpy.ndarray, shape (n, 2)
        Node coordinates of the graph.
    """

    a: np.ndarray
    b: np.ndarray
    ab_s: np.ndarray
    ba_s: np.ndarray
    ab_edge: np.ndarray
    ba_edge: np.ndarray
    ab_delay: np.ndarray
    ba_delay: np.ndarray
    xy: np.ndarray

    @classmethod
    def of(cls, graph: Graph) -> Segments:
        """Return the segments of a graph, forward or reversed (:attr:`Graph.reverse`).

        The segments are those of the roads either way; ``ab_edge`` and ``ba_edge`` are
        positions in the graph given: on a reversed graph, the reversed edge that turns the
        road edge around (the searches run on the reversed graph, which then needs no map
        from forward edges).

        Examples
        --------
        >>> from maillage.travel.graph.graph import graph_from_edges
        >>> one_way = graph_from_edges(np.array([0, 1, 1]), np.array([1, 0, 2]), np.array([5.0, 5.0, 7.0]),
        ...                            np.array([[0.0, 0], [1, 0], [2, 0]]), np.arange(3),
        ...                            largest_component=False)
        >>> seg = Segments.of(one_way)
        >>> seg.a.tolist(), seg.b.tolist(), seg.ab_s.tolist(), seg.ba_s.tolist()
        ([0, 1], [1, 2], [5.0, 7.0], [5.0, inf])
        >>> back = Segments.of(one_way.reversed())
        >>> back.ab_s.tolist(), back.ba_s.tolist(), back.ab_edge.tolist(), back.ba_edge.tolist()
        ([5.0, 7.0], [5.0, inf], [1, 2], [0, -1])
        """
        key, segment, edge, along = _segment_keys(graph)
        ab, ba = np.full(len(key), np.inf), np.full(len(key), np.inf)
        ab_delay, ba_delay = np.zeros(len(key)), np.zeros(len(key))
        ab_edge, ba_edge = np.full(len(key), -1), np.full(len(key), -1)
        for side, times, delays, edges in (
            (along, ab, ab_delay, ab_edge),
            (~along, ba, ba_delay, ba_edge),
        ):
            seg, e = segment[side], edge[side]
            times[seg], edges[seg] = graph.weights[e], e
            if len(graph.delay):
                delays[seg] = graph.delay[e]
        a, b = key // graph.n_nodes, key % graph.n_nodes
        return cls(a, b, ab, ba, ab_edge, ba_edge, ab_delay, ba_delay, graph.xy)

    def _project(self, xy: np.ndarray, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fraction along each segment of the nearest point to ``xy`` on it, and the distance."""
        start = self.xy[self.a[segment]]
        step = self.xy[self.b[segment]] - start
        length2 = (step**2).sum(axis=-1)
        along = ((xy - start) * step).sum(axis=-1) / np.where(length2 > 0, length2, 1.0)
        along = np.clip(along, 0.0, 1.0)
        length = np.sqrt(length2)
        along[along * length <= ON_NODE_M] = 0.0  # on a node, up to rounding (CRS changes)
        along[(1.0 - along) * length <= ON_NODE_M] = 1.0
        gap = xy - (start + along[..., None] * step)
        return along, np.hypot(gap[..., 0], gap[..., 1])

    def place(self, xy: np.ndarray, *, max_snap_m: float) -> Placement:
        """Place points on their nearest segment within ``max_snap_m`` (exact projection).

        The segments are indexed by the square cells of :data:`CELL_M` their bounding box
        overlaps; a compiled kernel visits the cells in rings around each point until no
        farther ring can hold a nearer segment (exact; no Python per point;
        :mod:`maillage.travel.graph.cells`). The last placements are kept: the same points
        at the same distance are placed once.

        Parameters
        ----------
        xy : numpy.ndarray, shape (m, 2)
            Point coordinates, in the graph's CRS.
        max_snap_m : float
            Largest allowed distance; farther points are unplaced.

        Returns
        -------
        Placement
            Segment, fraction along it and distance of each point.
        """
        xy = np.ascontiguousarray(xy, dtype=np.float64).reshape(-1, 2)
        key = (len(xy), float(max_snap_m), hashlib.blake2b(xy.tobytes(), digest_size=16).digest())
        if key not in self._placements:
            if len(self._placements) >= _PLACEMENTS_KEPT:
                self._placements.pop(next(iter(self._placements)))
            self._placements[key] = self._place(xy, max_snap_m=max_snap_m)
        return self._placements[key]

    @cached_property
    def _placements(self) -> dict[tuple[int, float, bytes], Placement]:
        """The last placements made, by points and distance, their arrays read-only.

        A report places the same origins for each of its figures.
        """
        return {}

    def _place(self, xy: np.ndarray, *, max_snap_m: float) -> Placement:
        m = len(xy)
        segment, fraction, distance = np.full(m, -1, np.int64), np.zeros(m), np.full(m, np.inf)
        if m == 0 or len(self.a) == 0:
            return _read_only(Placement(segment, fraction, distance))
        segment = self._cells.nearest(xy, max_snap_m=max_snap_m)
        placed = np.flatnonzero(segment >= 0)
        fraction[placed], distance[placed] = self._project(xy[placed], segment[placed])
        far = distance > max_snap_m
        segment[far], fraction[far], distance[far] = -1, 0.0, np.inf
        return _read_only(Placement(segment, fraction, distance))

    @cached_property
    def _cells(self) -> SegmentCells:
        """The segments indexed by square cell."""
        return SegmentCells.of(self.xy, self.a, self.b)

    def _run(self, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the times along the segments without the delays at their ends."""
        return (
            np.maximum(self.ab_s[segment] - self.ab_delay[segment], 0.0),
            np.maximum(self.ba_s[segment] - self.ba_delay[segment], 0.0),
        )

    def ends(
        self, placement: Placement, positions: np.ndarray, *, leaving: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return the road time between placed points and the end nodes of their segment.

        Leaving a point (an origin) goes along the segment towards ``b`` if the edge
        ``a -> b`` exists, towards ``a`` if ``b -> a`` does; reaching a point (a venue),
        the other way round. A point placed on an end node is at that node, whatever the
        directions, and uses that node only (the searches charge the turns there).

        Parameters
        ----------
        placement : Placement
            Placement of the points.
        positions : numpy.ndarray of int
            Positions of the placed points to use.
        leaving : bool
            Times from the points to the nodes (origins), else from the nodes to them.

        Returns
        -------
        tuple of numpy.ndarray
            ``(position, node, road_s, edge)`` rows, one or two per point, sorted by
            position; ``edge`` is the graph's edge the trip drives between the point and
            the node (for the turn at the node), ``-1`` for a point on the node.

        Examples
        --------
        >>> from maillage.travel.graph.graph import graph_from_edges
        >>> one_way = graph_from_edges(np.array([0]), np.array([1]), np.array([60.0]),
        ...                            np.array([[0.0, 0], [1000, 0]]), np.arange(2),
        ...                            largest_component=False)
        >>> seg = Segments.of(one_way)
        >>> beside = seg.place(np.array([[500.0, 20.0]]), max_snap_m=100.0)
        >>> [a.tolist() for a in seg.ends(beside, np.array([0]), leaving=True)]
        [[0], [1], [30.0], [0]]
        >>> [a.tolist() for a in seg.ends(beside, np.array([0]), leaving=False)]
        [[0], [0], [30.0], [0]]
        """
        positions = np.asarray(positions, dtype=np.int64)
        segment, t = placement.segment[positions], placement.fraction[positions]
        ab, ba = self._run(segment)
        # leaving, a trip passes the node it drives to (and pays its delay); arriving, it
        # comes from the node and stops before the other end
        to_a = ba + self.ba_delay[segment] if leaving else ab
        to_b = ab + self.ab_delay[segment] if leaving else ba
        pays_a = self.ba_delay[segment] if leaving else 0.0
        pays_b = self.ab_delay[segment] if leaving else 0.0
        with np.errstate(invalid="ignore"):  # 0 x inf where a point sits on a node
            at_a = np.where(t <= 0.0, 0.0, np.where(t >= 1.0, np.inf, t * (to_a - pays_a) + pays_a))
            at_b = np.where(
                t >= 1.0, 0.0, np.where(t <= 0.0, np.inf, (1.0 - t) * (to_b - pays_b) + pays_b)
            )
        point = np.concatenate([np.arange(len(positions)), np.arange(len(positions))])
        node = np.concatenate([self.a[segment], self.b[segment]])
        road = np.concatenate([at_a, at_b])
        via_a = np.where(t <= 0.0, -1, self.ba_edge[segment] if leaving else self.ab_edge[segment])
        via_b = np.where(t >= 1.0, -1, self.ab_edge[segment] if leaving else self.ba_edge[segment])
        edge = np.concatenate([via_a, via_b])
        keep = np.flatnonzero(np.isfinite(road))
        keep = keep[np.argsort(point[keep], kind="stable")]
        return positions[point[keep]], node[keep], road[keep], edge[keep]

    def along(
        self,
        start: Placement,
        start_pos: np.ndarray,
        end: Placement,
        end_pos: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the road time between points placed on the same segment, along it.

        A trip from ``start`` to ``end`` on one segment drives straight along it when the
        segment allows that direction (the way round through other roads is the searches',
        and so are points placed on a node, whichever segment of the node they are on).

        Parameters
        ----------
        start, end : Placement
            Placements of the origins and of the venues.
        start_pos, end_pos : numpy.ndarray of int
            Positions of the placed points to pair.

        Returns
        -------
        tuple of numpy.ndarray
            ``(start position, end position, road_s)`` of every such pair.

        Examples
        --------
        >>> from maillage.travel.graph.graph import line_graph
        >>> seg = Segments.of(line_graph([60.0]))
        >>> placed = seg.place(np.array([[250.0, 5.0], [750.0, -5.0]]), max_snap_m=50.0)
        >>> [a.tolist() for a in seg.along(placed, np.array([0]), placed, np.array([1]))]
        [[0], [1], [30.0]]
        """
        start_pos, end_pos = np.asarray(start_pos, np.int64), np.asarray(end_pos, np.int64)
        end_seg = end.segment[end_pos]
        order = np.argsort(end_seg, kind="stable")
        start_seg = start.segment[start_pos]
        low = np.searchsorted(end_seg[order], start_seg, "left")
        count = np.searchsorted(end_seg[order], start_seg, "right") - low
        row = np.repeat(np.arange(len(start_pos)), count)
        offset = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
        col = order[np.repeat(low, count) + offset]
        segment = start_seg[row]
        t0, t1 = start.fraction[start_pos][row], end.fraction[end_pos][col]
        ab, ba = self._run(segment)
        with np.errstate(invalid="ignore"):
            road = np.where(t1 > t0, (t1 - t0) * ab, (t0 - t1) * ba)
        road = np.where(t0 == t1, 0.0, road)
        inside = (t0 > 0.0) & (t0 < 1.0) & (t1 > 0.0) & (t1 < 1.0)  # a node is the searches'
        keep = np.isfinite(road) & inside
        return start_pos[row][keep], end_pos[col][keep], road[keep]


@dataclass(frozen=True)
class Snapped(_AccessLegs):
    """Points snapped to graph nodes (:func:`snap_xy`), for comparisons with node snapping.

    ``node`` holds the node of each point (``-1`` when unplaced) and ``distance_m`` the
    straight-line distance to it (``inf`` when unplaced).
    """

    node: np.ndarray
    distance_m: np.ndarray


def _read_only(placement: Placement) -> Placement:
    for values in (placement.segment, placement.fraction, placement.distance_m):
        values.flags.writeable = False
    return placement


def snap_xy(
    node_xy: np.ndarray,
    xy: np.ndarray,
    *,
    max_snap_m: float,
    tree: cKDTree | None = None,
) -> Snapped:
    """Snap coordinates to the nearest node within ``max_snap_m``.

    Parameters
    ----------
    node_xy : numpy.ndarray, shape (n, 2)
        Node coordinates.
    xy : numpy.ndarray, shape (m, 2)
        Point coordinates, same CRS.
    max_snap_m : float
        Largest allowed distance.
    tree : scipy.spatial.cKDTree, optional
        Prebuilt tree of ``node_xy``.

    Returns
    -------
    Snapped
        Node and distance of each point.

    Examples
    --------
    >>> snap_xy(np.zeros((1, 2)), np.array([[3.0, 4.0]]), max_snap_m=10.0).distance_m.tolist()
    [5.0]
    """
    tree = cKDTree(node_xy) if tree is None else tree
    if len(xy) == 0:
        return Snapped(np.empty(0, dtype=np.int64), np.empty(0))
    distance, node = tree.query(xy, k=1, distance_upper_bound=max_snap_m)
    node = np.where(np.isfinite(distance), node, -1).astype(np.int64)
    return Snapped(node, np.asarray(distance, dtype=np.float64))


def points_xy(points: gpd.GeoSeries, *, name: str, crs: str = CRS) -> np.ndarray:
    """Return the coordinates of a GeoSeries of points in ``crs``, checking it.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points; their index labels are the ids used in outputs.
    name : str
        Argument name, for error messages.
    crs : str, default "EPSG:2154"
        The CRS of the road graph: the points must be in it.

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        Coordinates.

    Raises
    ------
    InputDataError
        Not a GeoSeries, wrong or missing CRS, non-point or empty geometries, duplicate ids.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> points_xy(gpd.GeoSeries([Point(1, 2)], crs=2154), name="origins").tolist()
    [[1.0, 2.0]]
    >>> points_xy(gpd.GeoSeries([Point(1, 2)], crs=2154), name="origins", crs="EPSG:5490")
    Traceback (most recent call last):
    ...
    maillage.errors.InputDataError: origins must be in EPSG:5490, the road network's CRS, got EPSG:2154; call origins.to_crs('EPSG:5490') (or build the network in the points' CRS: RoadNetwork.from_osm(..., crs='EPSG:2154'))
    """
    import geopandas as gpd  # noqa: PLC0415 - keeps the import of the package light

    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if not isinstance(points, gpd.GeoSeries):
        msg = f"{name} must be a GeoSeries of points in {crs}, got {type(points).__name__}"
        raise InputDataError(msg)
    if points.crs is None or not points.crs.equals(_crs(crs)):
        found = None if points.crs is None else points.crs.to_string()
        fix = f"call {name}.to_crs({crs!r})" if found else f"set it with {name}.set_crs(...)"
        if found in WORKING_CRS:
            fix += f" (or build the network in the points' CRS: RoadNetwork.from_osm(..., crs={found!r}))"
        msg = f"{name} must be in {crs}, the road network's CRS, got {found}; {fix}"
        raise InputDataError(msg)
    # whole-array checks on the shapely geometries (no pandas operation per check)
    geoms = np.asarray(points.values, dtype=object)
    bad = (shapely.get_type_id(geoms) != 0) | shapely.is_empty(geoms)  # None's type is -1
    problems = []
    if bad.any():
        problems.append(
            f"{int(bad.sum())} missing, empty or non-point geometries (ids {list(points.index[bad][:5])})"
        )
    if points.index.has_duplicates:
        dup = points.index[points.index.duplicated()].unique()
        problems.append(f"duplicate index labels {list(dup[:5])}")
    if problems:
        msg = f"{name} cannot be used: {'; '.join(problems)}; fix or drop these rows"
        raise InputDataError(msg)
    return shapely.get_coordinates(geoms)


@lru_cache(maxsize=16)
def _crs(name: str) -> pyproj.CRS:
    """Return the CRS called ``name``, built once (parsing a name takes about 1 ms)."""
    import pyproj  # noqa: PLC0415 - keeps the import of the package light

    return pyproj.CRS.from_user_input(name)
