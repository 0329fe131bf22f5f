"""Write ``.osm.pbf`` files with the make-up of real French regional extracts.

A real Geofabrik extract is mostly not roads: buildings (closed ways of 5 node references,
4 distinct nodes, the bulk of France's cadastre import), address and POI nodes, land use,
water and other lines, and relations; the drivable roads hold about one node in eight, one
every 21-36 m along the road. This generator reproduces that make-up (shares in
:data:`MAKE_UP`, stated with their sources in ``benchmarks/README.md``) at any size:

* roads: a jittered grid of lines 750 m apart (a new junction every 750 m, as in a rural
  French network), a shape node every 21-36 m between junctions; the line's class follows
  a road hierarchy (motorway... residential, service), a quarter of the ways are footways,
  paths and tracks (not drivable), some ``oneway``/``maxspeed``/``name``/``ref`` tags;
  0.5 % of the road nodes carry ``highway=traffic_signals``/``stop``/``crossing`` and
  0.05 % a ``barrier``;
* buildings: 4 nodes around a square 8-14 m wide beside a road, ``building=*``, some with
  address tags;
* standalone tagged nodes: addresses (``addr:*``) and POIs (``amenity``/``shop``...);
* other ways: land use, water and natural polylines or polygons of 25 nodes on average;
* relations: multipolygons over the closed other ways and bus routes over road ways.

Ids are allocated in blocks of 256 whose order is shuffled (edits create objects in
batches), and objects are written sorted by id, as in every published extract. The file is
first written as OPL text with Arrow's vectorised string kernels, then converted to PBF by
libosmium (``osmium.apply`` with a ``WriteHandler``: C++ only).

With ``--region``, the files are adjacent extracts of one road network, as Geofabrik's
regional files are (:func:`region_parts`): one road grid over a square centred on
Nouvelle-Aquitaine, cut into the tiles of :data:`REGION_TILES` (49, 30 and 21 % of the area,
as the three files' sizes), each file holding the roads with a node in its tile whole (a road
that crosses a border is in both files, with the same ids) and its own buildings, addresses,
land use and relations. Read together, they give one connected road graph.

Usage::

    python benchmarks/synthetic_osm.py --nodes 20000000 --out /tmp/na.osm.pbf
    python benchmarks/synthetic_osm.py --nodes 64700000 --region --out /tmp/na_tiled \
        > /tmp/na_tiled/make_up.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from collections.abc import Iterator

LINE_SPACING_M = 750.0
NODE_SPACING_M = (21.0, 36.0)
CENTRES = [(-0.6, 44.4), (-0.2, 46.1), (1.6, 45.6)]  # in aquitaine, poitou-charentes, limousin
M_PER_DEG_LAT = 111_195.0
MAKE_UP = {  # share of the file's nodes
    "road": 0.16,  # every highway=* way node (drivable and not)
    "building": 0.44,
    "other_way": 0.32,
    "tagged_node": 0.08,  # addresses and POIs, standalone
}
RELATIONS_PER_NODE = 0.0015
MAX_IDS = (1.2e10, 1.3e9, 1.8e7)  # about the largest node, way and relation ids of 2024
ROAD_CLASSES = [  # tags of a grid line (weights: share of the lines)
    ("highway=residential", 0.30),
    ("highway=unclassified", 0.16),
    ("highway=tertiary", 0.10),
    ("highway=secondary", 0.05),
    ("highway=primary", 0.025),
    ("highway=trunk", 0.01),
    ("highway=motorway", 0.005),
    ("highway=service", 0.10),
    ("highway=track", 0.12),
    ("highway=footway", 0.07),
    ("highway=path", 0.06),
]
WAY_EXTRAS = [
    ("", 0.55),
    (",name=Rue%20%des%20%Lilas", 0.2),
    (",oneway=yes", 0.05),
    (",maxspeed=50,surface=asphalt", 0.1),
    (",maxspeed=80,ref=D%20%12,lanes=2", 0.1),
]
ROAD_NODE_TAGS = [
    ("", 0.9945),
    ("highway=traffic_signals", 0.0015),
    ("highway=stop", 0.001),
    ("highway=crossing,crossing=uncontrolled", 0.0025),
    ("barrier=gate", 0.0003),
    ("barrier=bollard", 0.0002),
]
BUILDING_TAGS = [
    ("building=yes", 0.62),
    ("building=house", 0.25),
    ("building=yes,addr:housenumber=12,addr:street=Rue%20%de%20%la%20%Gare", 0.08),
    ("building=industrial,source=cadastre-dgi-fr%20%source%20%:%20%Direction%20%"
     "G%c3%a9n%c3%a9rale%20%des%20%Imp%c3%b4ts", 0.05),
]  # fmt: skip
TAGGED_NODES = [
    ("addr:housenumber=3,addr:street=Chemin%20%du%20%Moulin,addr:postcode=86000,"
     "addr:city=Poitiers", 0.75),
    ("amenity=bench", 0.05),
    ("shop=bakery,name=Boulangerie%20%du%20%Centre,opening_hours=Mo-Sa%20%07:00-19:30", 0.05),
    ("natural=tree", 0.1),
    ("place=hamlet,name=Les%20%Granges", 0.05),
]  # fmt: skip
OTHER_WAY_TAGS = [
    ("landuse=farmland", 0.3),
    ("natural=wood", 0.15),
    ("waterway=stream,name=Ruisseau%20%de%20%la%20%Font", 0.25),
    ("landuse=residential", 0.1),
    ("power=line,voltage=20000", 0.1),
    ("barrier=hedge", 0.1),
]


def _pick(rng: np.random.Generator, table: list[tuple[str, float]], n: int) -> np.ndarray:
    weights = np.array([w for _, w in table])
    return rng.choice(len(table), size=n, p=weights / weights.sum())


def _road_grid(rng: np.random.Generator, n_road: int) -> dict[str, np.ndarray]:
    """Grid lines with shape nodes: coordinates (m), way refs (node positions) and classes."""
    per_block = round(LINE_SPACING_M / np.mean(NODE_SPACING_M))  # segments per block
    k = max(2, int(np.sqrt(n_road / (2 * per_block))))  # lines each way
    junction = np.arange(k * k).reshape(k, k)  # junction (row i, column j)
    xy_j = np.stack(np.meshgrid(np.arange(k), np.arange(k)), -1).reshape(-1, 2)[:, ::-1]
    xy_j = xy_j * LINE_SPACING_M + rng.normal(0, 40, (k * k, 2))
    xy = [xy_j[:, [1, 0]]]
    refs, sizes, classes = [], [], []
    next_id = k * k
    for horizontal in (True, False):
        for line in range(k):
            ends = junction[line, :] if horizontal else junction[:, line]
            a, b = xy[0][ends[:-1]], xy[0][ends[1:]]
            steps = rng.uniform(*NODE_SPACING_M, (k - 1, per_block)).cumsum(axis=1)
            frac = steps[:, :-1] / steps[:, -1:]  # interior shape nodes along each block
            shape = a[:, None] + (b - a)[:, None] * frac[..., None]
            shape += rng.normal(0, 3, shape.shape)
            ids = next_id + np.arange(shape.shape[0] * shape.shape[1]).reshape(shape.shape[:2])
            next_id += ids.size
            xy.append(shape.reshape(-1, 2))
            chain = np.column_stack([ends[:-1], ids]).ravel()
            chain = np.r_[chain, ends[-1]]
            cuts = np.r_[0, np.cumsum(rng.integers(1, 7, k)) * per_block]
            cuts = np.unique(np.clip(cuts, 0, len(chain) - 1))
            kind = _pick(rng, ROAD_CLASSES, 1)[0]
            for lo, hi in itertools.pairwise(cuts):
                refs.append(chain[lo : hi + 1])
                sizes.append(hi - lo + 1)
                classes.append(kind)
    return {
        "xy": np.concatenate(xy),
        "refs": np.concatenate(refs),
        "sizes": np.array(sizes),
        "classes": np.array(classes),
        "extent": k * LINE_SPACING_M,
    }


def _squares(rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    """4 corners (n, 4, 2) of rotated squares 8-14 m wide around ``centres``."""
    half = rng.uniform(4, 7, len(centres))
    angle = rng.uniform(0, np.pi / 2, len(centres))
    corner = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    cos, sin = np.cos(angle), np.sin(angle)
    rot = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    return centres[:, None] + np.einsum("nij,kj->nki", rot, corner) * half[:, None, None]


def _shuffled_ids(
    rng: np.random.Generator, n: int, top: float, part: int = 0, *, block: int = 256, parts: int = 3
) -> np.ndarray:
    """Ids spread over 1..``top`` (as in a planet-cut extract), given out in blocks.

    Blocks of ``block`` consecutive ids go to the objects in random order (edits create
    objects in batches); ``part`` k makes every id = k mod ``parts``, so parts never share one.
    """
    gap = max(1, int(top / n / parts))
    ids = np.cumsum(rng.integers(1, 2 * gap, n, endpoint=True)) * parts + part
    n_blocks = -(-n // block)
    order = rng.permutation(n_blocks)
    position = (order[:, None] * block + np.arange(block)).ravel()[:n]
    return ids[np.argsort(np.argsort(position, kind="stable"), kind="stable")]


def _fixed(values: np.ndarray) -> pa.Array:
    """Degrees as OPL text with 7 decimals (no exponent)."""
    fixed = np.round(values * 1e7).astype(np.int64)
    sign = np.where(fixed < 0, "-", "")
    whole = pa.array(np.abs(fixed) // 10_000_000).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(np.abs(fixed) % 10_000_000).cast(pa.string()), 7, "0")
    return pc.binary_join_element_wise(pa.array(sign), whole, ".", frac, "")


def _tag_text(table: list[tuple[str, float]], idx: np.ndarray) -> pa.Array:
    text = [(" T" + t) if t else "" for t, _ in table]
    return pa.array(text).take(pa.array(idx))


def _emit(out, text: pa.Array) -> None:
    """Write the bytes of a string array (no Python string per row)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset :]
    out.write(memoryview(text.buffers()[2])[offsets[0] : offsets[len(text)]])


def _write_nodes(out, ids, lonlat, tags: pa.Array, chunk: int = 2_000_000) -> None:
    order = np.argsort(ids)
    for lo in range(0, len(ids), chunk):
        sel = order[lo : lo + chunk]
        line = pc.binary_join_element_wise(
            "n", pa.array(ids[sel]).cast(pa.string()), " v1 x", _fixed(lonlat[sel, 0]),
            " y", _fixed(lonlat[sel, 1]), tags.take(pa.array(sel)), "\n", "",
        )  # fmt: skip
        _emit(out, line)


def _write_ways(out, ids, refs, sizes, tags: pa.Array, *, prefix="n", suffix="") -> None:
    """Ways (``prefix='n'``) or relations (``prefix='w'``, members) in id order."""
    offsets = np.r_[0, np.cumsum(sizes)]
    order = np.argsort(ids)
    member = pc.binary_join_element_wise(prefix, pa.array(refs).cast(pa.string()), suffix, "")
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int64()).cast(pa.int32()), member)
    joined = pc.binary_join(lists, ",")
    head = "w" if prefix == "n" else "r"
    body = " N" if prefix == "n" else " M"
    for lo in range(0, len(ids), 1_000_000):
        sel = pa.array(order[lo : lo + 1_000_000])
        line = pc.binary_join_element_wise(
            head, pa.array(ids[order[lo : lo + 1_000_000]]).cast(pa.string()), " v1",
            tags.take(sel), body, joined.take(sel), "\n", "",
        )  # fmt: skip
        _emit(out, line)


def _to_lonlat(xy: np.ndarray, extent: float, centre: tuple[float, float]) -> np.ndarray:
    lon0, lat0 = centre
    lat = lat0 + (xy[:, 1] - extent / 2) / M_PER_DEG_LAT
    lon = lon0 + (xy[:, 0] - extent / 2) / (M_PER_DEG_LAT * np.cos(np.radians(lat0)))
    return np.column_stack([lon, lat])


def _fill(
    rng: np.random.Generator,
    road_xy: np.ndarray,
    n_nodes: int,
    bounds: tuple[float, float, float, float],
) -> dict[str, object]:
    """Everything but the roads of a file of about ``n_nodes`` nodes, inside ``bounds`` (m).

    Buildings and tagged nodes lie beside the road nodes ``road_xy``; land use, water and
    other lines start anywhere in ``bounds``. Returns their coordinates (``xy``, after the
    roads' in the file), node tags, ways (refs counted from ``base``: the roads' node count)
    and the make-up counts.
    """
    base, (x0, y0, x1, y1) = len(road_xy), bounds
    n_build = int(MAKE_UP["building"] * n_nodes / 4)
    near = road_xy[rng.integers(0, base, n_build)]
    offset = rng.uniform(12, 45, n_build)[:, None] * rng.choice([-1, 1], (n_build, 2))
    building_xy = _squares(rng, near + offset).reshape(-1, 2)
    n_tagged = int(MAKE_UP["tagged_node"] * n_nodes)
    tagged_xy = road_xy[rng.integers(0, base, n_tagged)] + rng.normal(0, 30, (n_tagged, 2))
    n_other = int(MAKE_UP["other_way"] * n_nodes / 25)
    other_sizes = rng.integers(8, 43, n_other)
    start = np.column_stack([rng.uniform(x0, x1, n_other), rng.uniform(y0, y1, n_other)])
    walk = rng.normal(0, 25, (int(other_sizes.sum()), 2))
    way_start = np.r_[0, np.cumsum(other_sizes)[:-1]]
    walk[way_start] = start
    other_xy = np.cumsum(walk, axis=0)
    other_xy -= np.repeat(np.cumsum(walk, axis=0)[way_start] - start, other_sizes, axis=0)
    node_tags = np.concatenate([
        np.zeros(len(building_xy), int),
        len(ROAD_NODE_TAGS) + _pick(rng, TAGGED_NODES, n_tagged),
        np.zeros(len(other_xy), int),
    ])  # fmt: skip
    b0, o0 = base, base + len(building_xy) + n_tagged
    b_refs = (b0 + np.arange(n_build * 4).reshape(-1, 4))[:, [0, 1, 2, 3, 0]].ravel()
    closed = rng.random(n_other) < 0.5
    o_refs = o0 + np.arange(int(other_sizes.sum()))
    o_refs = np.split(o_refs, np.cumsum(other_sizes)[:-1])
    o_refs = [np.r_[r, r[0]] if c else r for r, c in zip(o_refs, closed, strict=True)]
    way_tags = np.concatenate([
        len(ROAD_CLASSES) * len(WAY_EXTRAS) + _pick(rng, BUILDING_TAGS, n_build),
        len(ROAD_CLASSES) * len(WAY_EXTRAS) + len(BUILDING_TAGS) + _pick(rng, OTHER_WAY_TAGS, n_other),
    ])  # fmt: skip
    return {
        "xy": np.concatenate([building_xy, tagged_xy, other_xy]),
        "node_tags": node_tags,
        "way_refs": np.concatenate([b_refs, *o_refs]),
        "way_sizes": np.concatenate([np.full(n_build, 5), other_sizes + closed]),
        "way_tags": way_tags,
        "closed": n_build + np.flatnonzero(closed),  # closed ways, counted among these
        "counts": {"building_ways": n_build, "tagged_nodes": n_tagged},
    }


def _assemble(
    rng: np.random.Generator,
    road: dict[str, np.ndarray],
    rest: dict[str, object],
    *,
    ids: tuple[np.ndarray, np.ndarray],
    part: int,
    parts: int,
    n_nodes: int,
) -> dict[str, object]:
    """One file's objects: its roads (nodes, ways and their given ids) and the rest.

    ``ids`` are the road nodes' and road ways' ids; the rest's ids are ``part`` mod
    ``parts``, drawn here, as are the relations (over the file's closed ways and roads).
    """
    road_node_ids, road_way_ids = ids
    n_road_ways = len(road["sizes"])
    n_rest_ways = len(rest["way_sizes"])
    way_ids = np.concatenate(
        [road_way_ids, _shuffled_ids(rng, n_rest_ways, MAX_IDS[1], part, parts=parts)]
    )
    n_rel = int(RELATIONS_PER_NODE * n_nodes)
    rel_sizes = rng.integers(1, 12, n_rel)
    closed_other = n_road_ways + rest["closed"]
    pool = np.where(
        rng.random(int(rel_sizes.sum())) < 0.5,
        rng.choice(closed_other, int(rel_sizes.sum())),
        rng.integers(0, n_road_ways, int(rel_sizes.sum())),
    )
    xy = np.concatenate([road["xy"], rest["xy"]])
    node_tags = np.concatenate([road["node_tags"], rest["node_tags"]])
    rest_ids = _shuffled_ids(rng, len(rest["xy"]), MAX_IDS[0], part, parts=parts)
    road_table = [(c + e, 1.0) for c, _ in ROAD_CLASSES for e, _ in WAY_EXTRAS]
    return {
        "xy": xy,
        "node_ids": np.concatenate([road_node_ids, rest_ids]),
        "node_tags": node_tags,
        "node_table": ROAD_NODE_TAGS + TAGGED_NODES,
        "way_ids": way_ids,
        "way_refs": np.concatenate([road["refs"], rest["way_refs"]]),
        "way_sizes": np.concatenate([road["sizes"], rest["way_sizes"]]),
        "way_tags": np.concatenate([road["way_tags"], rest["way_tags"]]),
        "way_table": road_table + BUILDING_TAGS + OTHER_WAY_TAGS,
        "rel_members": way_ids[pool],
        "rel_sizes": rel_sizes,
        "stats": {
            "nodes": len(xy),
            "ways": len(way_ids),
            "relations": n_rel,
            "highway_nodes": len(road["xy"]),
            **rest["counts"],
            "tagged_nodes": int((node_tags > 0).sum()),
        },
    }


def _road_tags(rng: np.random.Generator, road: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The road grid with its node tags and way tags drawn."""
    n_ways = len(road["sizes"])
    return {
        **road,
        "node_tags": _pick(rng, ROAD_NODE_TAGS, len(road["xy"])),
        "way_tags": road["classes"] * len(WAY_EXTRAS) + _pick(rng, WAY_EXTRAS, n_ways),
    }


def make_up(n_nodes: int, seed: int = 0, part: int = 0) -> dict[str, object]:
    """Generate every object of a file of about ``n_nodes`` nodes (arrays, not yet written).

    ``part`` k gives ids equal to k mod 3 and centres the area on :data:`CENTRES` [k]:
    parts 0, 1, 2 stand for aquitaine, poitou-charentes and limousin (their squares meet
    in narrow strips but share no object; :func:`region_parts` makes files that do).
    """
    rng = np.random.default_rng(seed)
    road = _road_tags(rng, _road_grid(rng, int(MAKE_UP["road"] * n_nodes)))
    extent = road["extent"]
    rest = _fill(rng, road["xy"], n_nodes, (0.0, 0.0, extent, extent))
    ids = (
        _shuffled_ids(rng, len(road["xy"]), MAX_IDS[0], part),
        _shuffled_ids(rng, len(road["sizes"]), MAX_IDS[1], part),
    )
    out = _assemble(rng, road, rest, ids=ids, part=part, parts=3, n_nodes=n_nodes)
    out["lonlat"] = _to_lonlat(out.pop("xy"), extent, CENTRES[part])
    out["stats"]["extent_km"] = round(extent / 1000, 1)
    return out


REGION_CENTRE = (0.2, 45.3)  # about the middle of Nouvelle-Aquitaine
REGION_TILES = {  # part of the square each extract covers: x0, y0, x1, y1 (fractions)
    "aquitaine": (0.0, 0.0, 0.7, 0.7),  # 49 % of the area, as of Geofabrik's three files' bytes
    "poitou-charentes": (0.0, 0.7, 1.0, 1.0),  # 30 %
    "limousin": (0.7, 0.0, 1.0, 0.7),  # 21 %
}


def region_parts(n_nodes: int, seed: int = 0) -> Iterator[tuple[str, dict[str, object]]]:
    """Objects of adjacent extracts that tile one square road network, as Geofabrik's do.

    One road grid of about ``MAKE_UP["road"] * n_nodes`` nodes covers a square centred on
    :data:`REGION_CENTRE`; each extract of :data:`REGION_TILES` holds the roads with a node
    in its tile, whole (a road crossing a border is in both files, with the same ids), and
    its own buildings, addresses, land use and relations, in proportion to its area.
    """
    rng = np.random.default_rng(seed)
    road = _road_tags(rng, _road_grid(rng, int(MAKE_UP["road"] * n_nodes)))
    extent = road["extent"]
    parts = len(REGION_TILES) + 1  # the roads' ids are the last part
    node_ids = _shuffled_ids(rng, len(road["xy"]), MAX_IDS[0], parts - 1, parts=parts)
    way_ids = _shuffled_ids(rng, len(road["sizes"]), MAX_IDS[1], parts - 1, parts=parts)
    offsets = np.r_[0, np.cumsum(road["sizes"])]
    for part, (name, tile) in enumerate(REGION_TILES.items()):
        x0, y0, x1, y1 = (f * extent for f in tile)
        inside = (
            (road["xy"][:, 0] >= x0) & (road["xy"][:, 0] < x1)
            & (road["xy"][:, 1] >= y0) & (road["xy"][:, 1] < y1)
        )  # fmt: skip
        ways = np.flatnonzero(np.add.reduceat(inside[road["refs"]], offsets[:-1]) > 0)
        rows = np.concatenate([np.arange(offsets[w], offsets[w + 1]) for w in ways])
        nodes = np.unique(road["refs"][rows])
        local = {
            "xy": road["xy"][nodes],
            "refs": np.searchsorted(nodes, road["refs"][rows]),
            "sizes": road["sizes"][ways],
            "node_tags": road["node_tags"][nodes],
            "way_tags": road["way_tags"][ways],
        }
        share = (x1 - x0) * (y1 - y0) / extent**2
        in_tile = road["xy"][np.flatnonzero(inside)]
        rest = _fill(rng, in_tile, int(share * n_nodes), (x0, y0, x1, y1))
        rest["way_refs"] = rest["way_refs"] - len(in_tile) + len(nodes)
        ids = (node_ids[nodes], way_ids[ways])
        out = _assemble(rng, local, rest, ids=ids, part=part, parts=parts,
                        n_nodes=int(share * n_nodes))  # fmt: skip
        out["lonlat"] = _to_lonlat(out.pop("xy"), extent, REGION_CENTRE)
        out["stats"]["extent_km"] = round(extent / 1000, 1)
        out["stats"]["tile"] = name
        yield name, out


def write_pbf(path: Path, n_nodes: int, *, seed: int = 0, part: int = 0) -> dict[str, object]:
    """Write a synthetic extract of about ``n_nodes`` nodes to ``path``; return its make-up."""
    start = time.perf_counter()
    return _write(path, make_up(n_nodes, seed, part), seed=seed, part=part, start=start)


def write_region(folder: Path, n_nodes: int, *, seed: int = 0) -> list[dict[str, object]]:
    """Write the adjacent extracts of :func:`region_parts` to ``folder``/NAME.osm.pbf."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    start = time.perf_counter()
    for part, (name, objects) in enumerate(region_parts(n_nodes, seed)):
        path = folder / f"{name}.osm.pbf"
        records.append({"file": path.name, **_write(path, objects, seed=seed + part, part=part,
                                                     start=start, parts=len(REGION_TILES) + 1)})  # fmt: skip
        start = time.perf_counter()
    return records


def _write(
    path: Path, objects: dict, *, seed: int, part: int, start: float, parts: int = 3
) -> dict[str, object]:
    """Write ``objects`` as OPL, then convert them to PBF with libosmium."""
    import osmium

    rng = np.random.default_rng(seed + 1)
    opl = path.with_suffix(".opl")
    with opl.open("wb") as out:
        ids = objects["node_ids"]
        _write_nodes(
            out, ids, objects["lonlat"], _tag_text(objects["node_table"], objects["node_tags"])
        )
        refs = ids[objects["way_refs"]]
        tags = _tag_text(objects["way_table"], objects["way_tags"])
        _write_ways(out, objects["way_ids"], refs, objects["way_sizes"], tags)
        n_rel = len(objects["rel_sizes"])
        rel_tags = _tag_text(
            [("type=multipolygon", 0.5), ("type=route,route=bus", 0.5)], rng.integers(0, 2, n_rel)
        )
        _write_ways(
            out,
            _shuffled_ids(rng, n_rel, MAX_IDS[2], part, parts=parts),
            objects["rel_members"],
            objects["rel_sizes"],
            rel_tags,
            prefix="w",
            suffix="@",
        )
    stats = objects["stats"]
    del objects
    writer = osmium.SimpleWriter(
        osmium.io.File(str(path), "pbf,pbf_compression_level=1"), overwrite=True
    )
    osmium.apply(osmium.io.Reader(str(opl)), writer)
    writer.close()
    opl.unlink()
    return {
        **stats,
        "input_bytes": path.stat().st_size,
        "write_s": round(time.perf_counter() - start, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="file, or folder with --region")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--part", type=int, default=0, help="k-th extract, alone")
    parser.add_argument(
        "--region",
        action="store_true",
        help="the adjacent extracts of REGION_TILES, one road network",
    )
    args = parser.parse_args(argv)
    if args.region:
        for record in write_region(args.out, args.nodes, seed=args.seed):
            print(json.dumps(record), flush=True)
        return
    print(json.dumps(write_pbf(args.out, args.nodes, seed=args.seed, part=args.part)))


if __name__ == "__main__":
    main()
