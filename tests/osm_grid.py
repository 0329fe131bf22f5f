"""Synthetic OSM street grids written to PBF at test time (shared by the network and CLI tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import osmium

if TYPE_CHECKING:
    from pathlib import Path

Nodes = dict[int, tuple[float, float]]
Ways = dict[int, tuple[list[int], dict[str, str]]]


def grid_osm(bounds: tuple[float, float, float, float], side: int) -> tuple[Nodes, Ways]:
    """A jittered side x side street grid over ``bounds`` (WGS84), a primary every 6th line.

    Node ``r * side + c + 1`` sits on row ``r``, column ``c``; ways ``1..side`` are the rows
    (west to east), ways ``side+1..2*side`` the columns.
    """
    lon0, lat0, lon1, lat1 = bounds
    rng = np.random.default_rng(0)
    lon, lat = np.meshgrid(np.linspace(lon0, lon1, side), np.linspace(lat0, lat1, side))
    lon = lon + rng.normal(0, (lon1 - lon0) / side / 8, lon.shape)
    lat = lat + rng.normal(0, (lat1 - lat0) / side / 8, lat.shape)
    ids = np.arange(1, side * side + 1).reshape(side, side)
    lonlat = zip(lon.ravel().tolist(), lat.ravel().tolist(), strict=True)
    nodes = dict(zip(ids.ravel().tolist(), lonlat, strict=True))
    ways: Ways = {}
    for lines in (ids, ids.T):
        for k, refs in enumerate(lines):
            tags = {"highway": "primary" if k % 6 == 0 else "unclassified"}
            if k % 7 == 3:
                tags |= {"maxspeed": "50"}
            ways[len(ways) + 1] = (refs.tolist(), tags)
    return nodes, ways


def write_pbf(path: Path, nodes: Nodes, ways: Ways) -> None:
    """Write nodes then ways, each sorted by id (as published extracts are)."""
    with osmium.SimpleWriter(str(path)) as writer:
        for nid in sorted(nodes):
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=nodes[nid]))
        for wid in sorted(ways):
            refs, tags = ways[wid]
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))


def write_grid_pbf(path: Path, bounds: tuple[float, float, float, float], side: int) -> None:
    """Write the street grid of :func:`grid_osm` to ``path``."""
    write_pbf(path, *grid_osm(bounds, side))


def split_grid_pbf(
    paths: tuple[Path, Path],
    bounds: tuple[float, float, float, float],
    side: int,
    cut: float,
    *,
    complete_ways: bool = True,
) -> None:
    """Write the grid as two overlapping extracts, west and east of longitude ``cut``.

    Like a published extract, each file holds every way with a node on its side, so the
    rows crossing the cut are in both files; with ``complete_ways`` it holds all their
    nodes too, else only the nodes on its side (the ways are cut at the border).
    """
    nodes, ways = grid_osm(bounds, side)
    for path, west in zip(paths, (True, False), strict=True):
        inside = {n for n, (lon, _) in nodes.items() if (lon < cut) == west}
        kept = {w: way for w, way in ways.items() if inside & set(way[0])}
        refs = {n for way, _ in kept.values() for n in way if complete_ways or n in inside}
        write_pbf(path, {n: nodes[n] for n in refs}, kept)
