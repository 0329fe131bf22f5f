"""Read the drivable ways of an OSM PBF file into flat numpy arrays.

pyosmium streams the file; its location cache (``FileProcessor.with_locations``) gives
every way node its coordinates. Only ways with a ``highway`` or ``route`` tag, and nodes
with one of :data:`maillage.travel.graph.nodes.NODE_KEYS`, reach Python (C++ filters drop
the rest). :func:`maillage.travel.graph.profile.way_rule` decides, per way, whether a car may
use it, in which direction and how fast; :func:`maillage.travel.graph.nodes.node_rule`, per
node, whether it is a barrier or delays cars (traffic signals, stop signs, gates).

Examples
--------
>>> from maillage.sources import fetch
>>> ways = read_ways(fetch("osm-saint-barthelemy-2015")[0])
>>> ways.n_ways > 400, len(ways.node_ids) == len(ways.lon)
(True, True)
"""

from __future__ import annotations

import logging
from array import array
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import osmium
import osmium.filter
import osmium.geom
import osmium.index
import osmium.io

from maillage.errors import NetworkError
from maillage.travel.graph.nodes import NODE_KEYS, node_rule
from maillage.travel.graph.profile import way_rule

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

__all__ = ["RawWays", "as_paths", "check_pbf", "read_ways"]

logger = logging.getLogger(__name__)

_PBF_MAGIC = b"OSMHeader"
_CHUNK_WAYS = 50_000  # ways whose WKB is decoded at once


@dataclass(frozen=True)
class RawWays:
    """Drivable ways as flat arrays (one row per way node, ways laid end to end).

    Attributes
    ----------
    node_ids : numpy.ndarray of int64
        OSM node id of each way node.
    lon, lat : numpy.ndarray of float64
        WGS84 coordinates of each way node.
    offsets : numpy.ndarray of int64
        Way ``i`` spans ``node_ids[offsets[i]:offsets[i + 1]]``.
    forward_kph, backward_kph : numpy.ndarray of float64
        Speed of each way along and against the order of its nodes; 0 where closed.
    duration_s : numpy.ndarray of float64
        Ferry crossing time of each way (``duration`` tag), NaN elsewhere.
    roundabout : numpy.ndarray of bool
        ``junction=roundabout`` ways.
    forward_penalty, backward_penalty : numpy.ndarray of float64
        car.lua's routability penalty of each way per direction
        (:func:`maillage.travel.graph.profile.way_penalties`; 1: none).
    barrier_ids : numpy.ndarray of int64
        OSM ids of the nodes no car passes through (sorted).
    obstacle_ids : numpy.ndarray of int64
        OSM node id of each delay (a node may carry several).
    obstacles : numpy.ndarray of float64, shape (k, 3)
        ``delay_s, direction, kind`` of each delay
        (:class:`maillage.travel.graph.nodes.NodeRule`).
    """

    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    offsets: np.ndarray
    forward_kph: np.ndarray
    backward_kph: np.ndarray
    duration_s: np.ndarray
    roundabout: np.ndarray
    barrier_ids: np.ndarray
    obstacle_ids: np.ndarray
    obstacles: np.ndarray
    forward_penalty: np.ndarray
    backward_penalty: np.ndarray

    @property
    def n_ways(self) -> int:
        """Number of drivable ways."""
        return len(self.offsets) - 1

    @property
    def forward(self) -> np.ndarray:
        """Ways drivable in the order of their nodes."""
        return self.forward_kph > 0

    @property
    def backward(self) -> np.ndarray:
        """Ways drivable against the order of their nodes."""
        return self.backward_kph > 0


def check_pbf(path: Path) -> None:
    """Raise :class:`~maillage.errors.NetworkError` unless ``path`` looks like an OSM PBF.

    Parameters
    ----------
    path : pathlib.Path
        File to check.

    Examples
    --------
    >>> check_pbf(Path("pyproject.toml"))
    Traceback (most recent call last):
    ...
    maillage.errors.NetworkError: path 'pyproject.toml' is not an OpenStreetMap PBF file (no OSMHeader block at its start); pass a .osm.pbf extract
    """
    if not path.is_file():
        msg = f"path {str(path)!r} does not exist or is not a file; pass a .osm.pbf extract"
        raise NetworkError(msg)
    with path.open("rb") as handle:
        head = handle.read(64)
    if _PBF_MAGIC not in head:
        msg = (
            f"path {str(path)!r} is not an OpenStreetMap PBF file (no OSMHeader block at "
            "its start); pass a .osm.pbf extract"
        )
        raise NetworkError(msg)


class _Collector:
    """Accumulate way nodes and way attributes into compact buffers, then numpy arrays.

    Node ids go to a typed ``array`` (8 bytes each, no Python int kept); coordinates come
    from osmium's WKB factory (one C++ call per way) and are decoded with numpy every
    :data:`_CHUNK_WAYS` ways, so only float64 pairs are kept. A way with a node missing from
    the file (an extract cut at its border) falls back to a per-node read that skips the
    missing nodes.
    """

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.factory = osmium.geom.WKBFactory()
        self.refs = array("q")
        self.sizes = array("q")
        self.wkb: list[str] = []  # hex WKB of the ways read since the last decode
        self.wkb_sizes: list[int] = []
        self.coords: list[np.ndarray] = []  # decoded (n, 2) lon/lat chunks, in way order
        self.rules = array(
            "d"
        )  # forward/backward kph, duration_s, roundabout, forward/backward penalty
        self.barriers: set[int] = set()
        self.obstacles: dict[int, tuple[tuple[float, int, int], ...]] = {}  # node id -> delays
        self.missing = 0

    def add_node(self, node: osmium.osm.Node) -> None:
        rule = node_rule(dict(node.tags))
        if rule is None:
            return
        if rule.barrier:
            self.barriers.add(node.id)
        if rule.obstacles:
            self.obstacles[node.id] = rule.obstacles  # a node read from two files counts once

    def add(self, way: osmium.osm.Way) -> None:
        rule = way_rule(dict(way.tags), self.profile)
        nodes = way.nodes
        if rule is None or len(nodes) < 2:
            return
        try:
            wkb = self.factory.create_linestring(nodes, use_nodes=osmium.geom.ALL)
            refs = [node.ref for node in nodes]
        except osmium.InvalidLocationError:
            refs, lonlat = [], []
            for node in nodes:
                if node.location.valid():
                    refs.append(node.ref)
                    lonlat.append((node.location.lon, node.location.lat))
            self.missing += len(nodes) - len(refs)
            if len(refs) < 2:
                return
            self._decode()
            self.coords.append(np.array(lonlat, dtype=np.float64))
        else:
            self.wkb.append(wkb)
            self.wkb_sizes.append(len(refs))
            if len(self.wkb) >= _CHUNK_WAYS:
                self._decode()
        self.refs.extend(refs)
        self.sizes.append(len(refs))
        duration = np.nan if rule.duration_s is None else rule.duration_s
        penalty = (rule.forward_penalty, rule.backward_penalty)
        self.rules.extend(
            (rule.forward_kph, rule.backward_kph, duration, rule.roundabout, *penalty)
        )

    def _decode(self) -> None:
        """Decode the pending WKB linestrings into one (n, 2) lon/lat chunk."""
        if not self.wkb:
            return
        sizes = np.asarray(self.wkb_sizes, dtype=np.int64)
        buffer = np.frombuffer(bytes.fromhex("".join(self.wkb)), dtype=np.uint8)
        self.wkb, self.wkb_sizes = [], []
        # each linestring: 1 byte order + 4 type + 4 count, then 16 bytes per point
        starts = np.cumsum(np.r_[0, 9 + 16 * sizes])[:-1]
        if (buffer[starts] != 1).any():
            msg = "osmium returned big-endian WKB; cannot decode coordinates"
            raise NetworkError(msg)
        keep = np.ones(len(buffer), dtype=bool)
        keep[(starts[:, None] + np.arange(9)).ravel()] = False
        self.coords.append(buffer[keep].view("<f8").reshape(-1, 2))

    def _coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """All way nodes' lon and lat, each chunk released once copied."""
        self._decode()
        total = sum(len(chunk) for chunk in self.coords)
        lon, lat = np.empty(total), np.empty(total)
        self.coords.reverse()
        start = 0
        while self.coords:
            chunk = self.coords.pop()
            lon[start : start + len(chunk)], lat[start : start + len(chunk)] = chunk.T
            start += len(chunk)
        return lon, lat

    def _obstacle_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        ids = [nid for nid, rows in self.obstacles.items() for _ in rows]
        rows = [row for rows in self.obstacles.values() for row in rows]
        return (
            np.asarray(ids, dtype=np.int64),
            np.asarray(rows, dtype=np.float64).reshape(-1, 3),
        )

    def arrays(self) -> RawWays:
        sizes = np.frombuffer(self.sizes, dtype=np.int64)
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        rules = np.frombuffer(self.rules, dtype=np.float64).reshape(-1, 6)
        lon, lat = self._coordinates()
        obstacle_ids, obstacles = self._obstacle_arrays()
        node_ids = np.frombuffer(self.refs, dtype=np.int64)  # no copy: keeps the buffer
        self.refs = array("q")
        return RawWays(
            node_ids=node_ids,
            lon=lon,
            lat=lat,
            offsets=offsets,
            forward_kph=rules[:, 0].copy(),
            backward_kph=rules[:, 1].copy(),
            duration_s=rules[:, 2].copy(),
            roundabout=rules[:, 3].astype(bool),
            barrier_ids=np.array(sorted(self.barriers), dtype=np.int64),
            obstacle_ids=obstacle_ids,
            obstacles=obstacles,
            forward_penalty=rules[:, 4].copy(),
            backward_penalty=rules[:, 5].copy(),
        )


def _only_for(kind: osmium.osm.osm_entity_bits, *keys: str) -> osmium.filter.KeyFilter:
    """Return a filter on ``keys`` for objects of ``kind``; other kinds pass."""
    keep = osmium.filter.KeyFilter(*keys)
    keep.enable_for(kind)
    return keep


def _merged_objects(paths: Sequence[Path]) -> Iterator[osmium.osm.OSMObject]:
    """Yield the tagged nodes, then the drivable ways, of several sorted files.

    Node locations of every file go into one shared table first, so a way cut at the
    border of one extract gets its nodes from the neighbouring one; tagged nodes are
    yielded on the way (a node in two files comes twice). Ways present in several files
    (adjacent extracts overlap) are yielded once, the newest version.
    """
    # one handler for all: it sorts the (sparse) table when it sees its first way
    locations = osmium.NodeLocationsForWays(osmium.index.create_map("flex_mem"))
    locations.ignore_errors()
    for path in paths:
        yield from cast(
            "Iterable[osmium.osm.OSMObject]",
            osmium.FileProcessor(str(path), osmium.osm.NODE)
            .with_filter(locations)
            .with_filter(_only_for(osmium.osm.NODE, *NODE_KEYS)),
        )
    processors = [
        osmium.FileProcessor(str(path), osmium.osm.WAY)
        .with_filter(osmium.filter.KeyFilter("highway", "route"))
        .with_filter(locations)
        for path in paths
    ]
    repeated = 0
    for group in osmium.zip_processors(*processors):
        copies: list[Any] = [way for way in group if way is not None]
        repeated += len(copies) > 1
        yield max(copies, key=lambda way: way.version)  # first of the newest
    logger.info("%d ways appear in more than one file; each is kept once", repeated)


def _objects(paths: Sequence[Path]) -> Iterable[osmium.osm.OSMObject]:
    """Tagged nodes (:data:`~maillage.travel.graph.nodes.NODE_KEYS`) then candidate ways."""
    if len(paths) > 1:
        return _merged_objects(paths)
    return cast(
        "Iterable[osmium.osm.OSMObject]",
        osmium.FileProcessor(str(paths[0]))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY))
        .with_filter(_only_for(osmium.osm.NODE, *NODE_KEYS))
        .with_filter(_only_for(osmium.osm.WAY, "highway", "route")),
    )


def as_paths(path_or_paths: Path | str | Sequence[Path | str]) -> list[Path]:
    """Return one path or a sequence of paths as a list of paths, checked to be OSM PBFs.

    Parameters
    ----------
    path_or_paths : path or sequence of paths
        ``.osm.pbf`` file(s).

    Returns
    -------
    list of pathlib.Path
        The files, in the order given, without repeats.

    Raises
    ------
    NetworkError
        No file given, or a file is missing or not a PBF.

    Examples
    --------
    >>> from maillage.sources import fetch
    >>> path = fetch("osm-saint-barthelemy-2015")[0]
    >>> as_paths([path, str(path)]) == [path]
    True
    """
    items = [path_or_paths] if isinstance(path_or_paths, str | PathLike) else path_or_paths
    paths = list(dict.fromkeys(Path(p) for p in items))
    if not paths:
        msg = "no OpenStreetMap file given; pass one .osm.pbf path or a list of them"
        raise NetworkError(msg)
    for path in paths:
        check_pbf(path)
    return paths


def read_ways(
    path: Path | str | Sequence[Path | str], *, profile: str = "car", progress: bool = False
) -> RawWays:
    """Read the ways a ``profile`` vehicle may use from one or several OSM PBF files.

    Several files (adjacent regional extracts, which overlap at their borders) are read as
    one: nodes and ways are deduplicated by OSM id. The files must be sorted by id, as
    every published extract is.

    Parameters
    ----------
    path : path or sequence of paths
        ``.osm.pbf`` file(s).
    profile : str, default "car"
        Routing profile (:data:`maillage.travel.graph.profile.PROFILES`).
    progress : bool, default False
        Show a progress bar over the ways read.

    Returns
    -------
    RawWays
        Way nodes with coordinates, per-way speeds and directions, barriers and delays.

    Raises
    ------
    NetworkError
        A file is missing, is not a PBF, is corrupt, or no drivable way is found.

    Examples
    --------
    >>> from maillage.sources import fetch
    >>> int(read_ways(fetch("osm-saint-barthelemy-2015")[0]).forward.sum()) > 400
    True
    """
    paths = as_paths(path)
    label = " + ".join(p.name for p in paths)
    collector = _Collector(profile)
    objects = _objects(paths)
    if progress:
        from tqdm.auto import tqdm  # noqa: PLC0415 - optional progress display

        objects = tqdm(objects, desc=f"reading {label}", unit=" objects")
    try:
        for obj in objects:
            if obj.is_way():
                collector.add(cast("osmium.osm.Way", obj))
            else:
                collector.add_node(cast("osmium.osm.Node", obj))
    except RuntimeError as exc:
        msg = f"cannot read OpenStreetMap file(s) {label!r}: {exc}; is a file truncated?"
        raise NetworkError(msg) from exc
    del objects  # releases the location index before the arrays are assembled
    if collector.missing:
        logger.warning(
            "%d way nodes of %s have no location (extract cut at its border); skipped",
            collector.missing,
            label,
        )
    raw = collector.arrays()
    if raw.n_ways == 0:
        msg = f"OpenStreetMap file(s) {label!r} hold no way a car may use (highway=...)"
        raise NetworkError(msg)
    logger.info("read %d drivable ways, %d way nodes from %s", raw.n_ways, len(raw.lon), label)
    return raw
