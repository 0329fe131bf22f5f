"""Cache of parsed road graphs: numpy ``.npz`` files keyed by file content and profile.

The key is the SHA-256 of the PBF bytes (of every file, sorted, when several extracts are
read as one), the profile name, its speed table, the CRS of the node coordinates,
:data:`GRAPH_FORMAT` (bumped whenever parsing or graph building changes) and the cache entry
format, so a stale graph is never reused; the CRS is also stored beside the arrays. Each
file also carries the hash of its arrays and its schema (:mod:`maillage.sources.cache`): a
truncated, garbled or edited file is reported in a warning, deleted and the graph parsed
again. Files are written to a temporary name then
renamed, and read with ``allow_pickle=False``.

Examples
--------
>>> import numpy as np, tempfile
>>> from pathlib import Path
>>> from maillage.travel.graph.graph import graph_from_edges
>>> g = graph_from_edges(np.array([0, 1]), np.array([1, 0]), np.array([1.0, 2.0]),
...                      np.zeros((2, 2)), np.arange(2))
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = Path(tmp) / "g.npz"
...     save_graph(path, g, {"profile": "car"})
...     loaded, meta = load_graph(path)  # None if the file were unusable
>>> loaded.weights.tolist(), meta["profile"], loaded.crs
([1.0, 2.0], 'car', 'EPSG:2154')
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING

from maillage.schema import CRS
from maillage.sources.cache import ENTRY_FORMAT, load_arrays, save_arrays
from maillage.travel.graph.graph import Graph
from maillage.travel.graph.profile import CAR_SPEEDS_KPH, FERRY_SPEED_KPH, MAXSPEED_FACTOR

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

__all__ = ["GRAPH_FORMAT", "cache_key", "load_graph", "save_graph"]

logger = logging.getLogger(__name__)

GRAPH_FORMAT = 8
"""Version of the parsing and graph-building code; part of every cache key."""

_FIELDS = (
    "indptr", "indices", "weights", "xy", "node_ids", "heading", "junction", "roundabout", "delay",
    "routing",
)  # fmt: skip


def cache_key(
    sha256: str | Sequence[str], profile: str, *, turn_costs: bool = True, crs: str = CRS
) -> str:
    """Return the cache key of file hash(es), a profile, the turn-cost choice and the CRS.

    Parameters
    ----------
    sha256 : str or sequence of str
        Hash of the PBF file, or hashes of several files read as one (order does not
        matter).
    profile : str
        Routing profile.
    turn_costs : bool, default True
        Graph with turn costs (:func:`maillage.travel.graph.ways.graph_from_ways`).
    crs : str, default "EPSG:2154"
        CRS of the node coordinates.

    Returns
    -------
    str
        A 24-character hex key.

    Examples
    --------
    >>> len(cache_key("0" * 64, "car"))
    24
    >>> cache_key(["a" * 64, "b" * 64], "car") == cache_key(["b" * 64, "a" * 64], "car")
    True
    >>> cache_key(["a" * 64], "car") == cache_key("a" * 64, "car")
    True
    >>> cache_key("a" * 64, "car") == cache_key("a" * 64, "car", turn_costs=False)
    False
    >>> cache_key("a" * 64, "car") == cache_key("a" * 64, "car", crs="EPSG:5490")
    False
    """
    hashes = [sha256] if isinstance(sha256, str) else sorted(sha256)
    parts = {
        "sha256": hashes[0] if len(hashes) == 1 else hashes,
        "profile": profile,
        "format": GRAPH_FORMAT,
        "entry": ENTRY_FORMAT,
        "speeds": CAR_SPEEDS_KPH,
        "factor": MAXSPEED_FACTOR,
        "ferry": FERRY_SPEED_KPH,
        "turn_costs": turn_costs,
        "crs": crs,
    }
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def save_graph(path: Path, graph: Graph, meta: dict[str, object]) -> None:
    """Write ``graph``, JSON metadata and their hash to ``path`` (``.npz``), atomically.

    Parameters
    ----------
    path : pathlib.Path
        Target file.
    graph : Graph
        Graph to store.
    meta : dict
        JSON-serialisable metadata stored beside the arrays (with the graph's ``crs``).
    """
    arrays = {name: getattr(graph, name) for name in _FIELDS}
    meta = {**meta, "crs": graph.crs}
    save_arrays(path, arrays, kind="road-graph", schema=GRAPH_FORMAT, meta=meta)
    logger.info("cached road graph at %s", path)


def load_graph(path: Path) -> tuple[Graph, dict[str, object]] | None:
    """Read a graph written by :func:`save_graph`, checked against its hash and schema.

    Parameters
    ----------
    path : pathlib.Path
        Cached ``.npz`` file.

    Returns
    -------
    tuple of (Graph, dict) or None
        The graph and its metadata; None when the file is missing, or unusable (then
        reported in a :class:`~maillage.errors.MaillageWarning` and deleted).
    """
    entry = load_arrays(path, kind="road-graph", schema=GRAPH_FORMAT)
    if entry is None:
        return None
    arrays, meta = entry
    missing = [name for name in _FIELDS if name not in arrays]
    if missing:  # cannot happen with a matching hash and schema; never trust a cache blindly
        msg = f"cached road graph {path} lacks {missing}"
        raise ValueError(msg)
    indptr, indices, weights, xy, node_ids, heading, junction, roundabout, delay, routing = (
        arrays[name] for name in _FIELDS
    )
    graph = Graph(
        indptr, indices, weights, xy, node_ids, heading, junction, roundabout, delay,
        crs=str(meta.get("crs", CRS)), routing=routing,
    )  # fmt: skip
    return graph, meta
