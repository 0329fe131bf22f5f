"""Read the drivable ways of an OSM PBF file into flat numpy arrays.

pyosmium streams the file; its location cache (``FileProcessor.with_locations``) gives
every way node its coordinates. Only ways with a ``highway`` or ``route`` tag reach Python
(C++ filters drop the rest), and :func:`maillage.travel.graph.profile.way_rule` decides, per
way, whether a car may use it, in which direction and how fast.

Examples
--------
>>> from maillage.sources import fetch
>>> ways = read_ways(fetch("osm-saint-barthelemy-2015")[0])
>>> ways.n_ways > 400, len(ways.node_ids) == len(ways.lon)
(True, True)
"""

from __future__ import annotations

import logging
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
from maillage.travel.graph.profile import way_rule

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

__all__ = ["RawWays", "as_paths", "check_pbf", "read_ways"]

logger = logging.getLogger(__name__)

_PBF_MAGIC = b"OSMHeader"


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
    speed_kph : numpy.ndarray of float64
        Speed of each way.
    forward, backward : numpy.ndarray of bool
        Allowed directions of each way.
    duration_s : numpy.ndarray of float64
        Ferry crossing time of each way (``duration`` tag), NaN elsewhere.
    """

    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    offsets: np.ndarray
    speed_kph: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    duration_s: np.ndarray

    @property
    def n_ways(self) -> int:
        """Number of drivable ways."""
        return len(self.offsets) - 1


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
    """Accumulate way nodes and way attributes, then turn them into numpy arrays.

    Node ids are read in Python (one attribute per node); coordinates come from osmium's
    WKB factory (one C++ call per way) and are decoded in bulk with numpy. A way with a
    node missing from the file (an extract cut at its border) falls back to a per-node
    read that skips the missing nodes.
    """

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.factory = osmium.geom.WKBFactory()
        self.refs: list[int] = []
        self.sizes: list[int] = []
        self.wkb: list[str] = []
        self.slow: dict[int, list[tuple[float, float]]] = {}  # way position -> lon/lat
        self.rules: list[tuple[float, bool, bool, float]] = []
        self.missing = 0

    def add(self, way: osmium.osm.Way) -> None:
        rule = way_rule(cast("Mapping[str, str]", way.tags), self.profile)
        nodes = way.nodes
        if rule is None or len(nodes) < 2:
            return
        try:
            self.wkb.append(self.factory.create_linestring(nodes, use_nodes=osmium.geom.ALL))
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
            self.slow[len(self.sizes)] = lonlat
        self.refs.extend(refs)
        self.sizes.append(len(refs))
        duration = np.nan if rule.duration_s is None else rule.duration_s
        self.rules.append((rule.speed_kph, rule.forward, rule.backward, duration))

    def _coordinates(self, sizes: np.ndarray) -> np.ndarray:
        """Decode the WKB linestrings (and the slow ways) into one (n, 2) lon/lat array."""
        fast = np.ones(len(sizes), dtype=bool)
        fast[list(self.slow)] = False
        buffer = np.frombuffer(bytes.fromhex("".join(self.wkb)), dtype=np.uint8)
        # each linestring: 1 byte order + 4 type + 4 count, then 16 bytes per point
        starts = np.cumsum(np.r_[0, 9 + 16 * sizes[fast]])[:-1]
        if len(buffer) and (buffer[starts] != 1).any():
            msg = "osmium returned big-endian WKB; cannot decode coordinates"
            raise NetworkError(msg)
        keep = np.ones(len(buffer), dtype=bool)
        keep[(starts[:, None] + np.arange(9)).ravel()] = False
        coords = np.empty((int(sizes.sum()), 2))
        row_fast = np.repeat(fast, sizes)
        coords[row_fast] = buffer[keep].view("<f8").reshape(-1, 2)
        if self.slow:
            slow_rows = [self.slow[i] for i in sorted(self.slow)]
            coords[~row_fast] = np.array([xy for way in slow_rows for xy in way])
        return coords

    def arrays(self) -> RawWays:
        sizes = np.asarray(self.sizes, dtype=np.int64)
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        rules = np.asarray(self.rules, dtype=np.float64).reshape(-1, 4)
        coords = self._coordinates(sizes)
        return RawWays(
            node_ids=np.asarray(self.refs, dtype=np.int64),
            lon=coords[:, 0].copy(),
            lat=coords[:, 1].copy(),
            offsets=offsets,
            speed_kph=rules[:, 0].copy(),
            forward=rules[:, 1].astype(bool),
            backward=rules[:, 2].astype(bool),
            duration_s=rules[:, 3].copy(),
        )


def _merged_ways(paths: Sequence[Path]) -> Iterator[osmium.osm.Way]:
    """Yield the drivable ways of several sorted files once each, by OSM id.

    Node locations of every file go into one shared table first, so a way cut at the
    border of one extract gets its nodes from the neighbouring one. Ways present in several
    files (adjacent extracts overlap) are yielded once, the newest version.
    """
    # one handler for all: it sorts the (sparse) table when it sees its first way
    locations = osmium.NodeLocationsForWays(osmium.index.create_map("flex_mem"))
    locations.ignore_errors()
    for path in paths:
        osmium.apply(osmium.io.Reader(str(path), osmium.osm.NODE), locations)
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


def _ways(paths: Sequence[Path]) -> Iterable[osmium.osm.Way]:
    if len(paths) > 1:
        return _merged_ways(paths)
    return cast(
        "Iterable[osmium.osm.Way]",
        osmium.FileProcessor(str(paths[0]))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway", "route")),
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
        Way nodes with coordinates and per-way speed and directions.

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
    ways = _ways(paths)
    if progress:
        from tqdm.auto import tqdm  # noqa: PLC0415 - optional progress display

        ways = tqdm(ways, desc=f"reading {label}", unit=" ways")
    try:
        for way in ways:
            collector.add(way)
    except RuntimeError as exc:
        msg = f"cannot read OpenStreetMap file(s) {label!r}: {exc}; is a file truncated?"
        raise NetworkError(msg) from exc
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
