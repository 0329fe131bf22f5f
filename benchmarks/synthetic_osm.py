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

Usage::

    python benchmarks/synthetic_osm.py --nodes 20000000 --out /tmp/na.osm.pbf
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
    rng: np.random.Generator, n: int, top: float, part: int = 0, block: int = 256
) -> np.ndarray:
    """Ids spread over 1..``top`` (as in a planet-cut extract), given out in blocks.

    Blocks of ``block`` consecutive ids go to the objects in random order (edits create
    objects in batches); ``part`` k makes every id = k mod 3, so parts never share one.
    """
    gap = max(1, int(top / n / 3))
    ids = np.cumsum(rng.integers(1, 2 * gap, n, endpoint=True)) * 3 + part
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


def make_up(n_nodes: int, seed: int = 0, part: int = 0) -> dict[str, object]:
    """Generate every object of a file of about ``n_nodes`` nodes (arrays, not yet written).

    ``part`` k gives ids equal to k mod 3 and centres the area on :data:`CENTRES` [k]:
    parts 0, 1, 2 stand for aquitaine, poitou-charentes and limousin (their squares meet
    in narrow strips but share no object).
    """
    rng = np.random.default_rng(seed)
    road = _road_grid(rng, int(MAKE_UP["road"] * n_nodes))
    n_road, extent = len(road["xy"]), road["extent"]
    n_build = int(MAKE_UP["building"] * n_nodes / 4)
    near = road["xy"][rng.integers(0, n_road, n_build)]
    offset = rng.uniform(12, 45, n_build)[:, None] * rng.choice([-1, 1], (n_build, 2))
    building_xy = _squares(rng, near + offset).reshape(-1, 2)
    n_tagged = int(MAKE_UP["tagged_node"] * n_nodes)
    tagged_xy = road["xy"][rng.integers(0, n_road, n_tagged)] + rng.normal(0, 30, (n_tagged, 2))
    n_other = int(MAKE_UP["other_way"] * n_nodes / 25)
    other_sizes = rng.integers(8, 43, n_other)
    start = rng.uniform(0, extent, (n_other, 2))
    walk = rng.normal(0, 25, (int(other_sizes.sum()), 2))
    way_start = np.r_[0, np.cumsum(other_sizes)[:-1]]
    walk[way_start] = start
    other_xy = np.cumsum(walk, axis=0)
    other_xy -= np.repeat(np.cumsum(walk, axis=0)[way_start] - start, other_sizes, axis=0)
    xy = np.concatenate([road["xy"], building_xy, tagged_xy, other_xy])
    node_tags = np.concatenate([
        _pick(rng, ROAD_NODE_TAGS, n_road),
        np.zeros(len(building_xy), int),
        len(ROAD_NODE_TAGS) + _pick(rng, TAGGED_NODES, n_tagged),
        np.zeros(len(other_xy), int),
    ])  # fmt: skip
    b0, o0 = n_road, n_road + len(building_xy) + n_tagged
    b_refs = (b0 + np.arange(n_build * 4).reshape(-1, 4))[:, [0, 1, 2, 3, 0]].ravel()
    closed = rng.random(n_other) < 0.5
    o_refs = o0 + np.arange(int(other_sizes.sum()))
    o_refs = np.split(o_refs, np.cumsum(other_sizes)[:-1])
    o_refs = [np.r_[r, r[0]] if c else r for r, c in zip(o_refs, closed, strict=True)]
    o_sizes = other_sizes + closed
    n_road_ways = len(road["sizes"])
    way_tags = np.concatenate([
        road["classes"] * len(WAY_EXTRAS) + _pick(rng, WAY_EXTRAS, n_road_ways),
        len(ROAD_CLASSES) * len(WAY_EXTRAS) + _pick(rng, BUILDING_TAGS, n_build),
        len(ROAD_CLASSES) * len(WAY_EXTRAS) + len(BUILDING_TAGS) + _pick(rng, OTHER_WAY_TAGS, n_other),
    ])  # fmt: skip
    road_table = [(c + e, 1.0) for c, _ in ROAD_CLASSES for e, _ in WAY_EXTRAS]
    n_ways = n_road_ways + n_build + n_other
    n_rel = int(RELATIONS_PER_NODE * n_nodes)
    rel_sizes = rng.integers(1, 12, n_rel)
    way_ids = _shuffled_ids(rng, n_ways, MAX_IDS[1], part)
    closed_other = n_road_ways + n_build + np.flatnonzero(closed)
    pool = np.where(
        rng.random(int(rel_sizes.sum())) < 0.5,
        rng.choice(closed_other, int(rel_sizes.sum())),
        rng.integers(0, n_road_ways, int(rel_sizes.sum())),
    )
    return {
        "lonlat": _to_lonlat(xy, extent, CENTRES[part]),
        "node_ids": _shuffled_ids(rng, len(xy), MAX_IDS[0], part),
        "node_tags": node_tags,
        "node_table": ROAD_NODE_TAGS + TAGGED_NODES,
        "way_ids": way_ids,
        "way_refs": np.concatenate([road["refs"], b_refs, *o_refs]),
        "way_sizes": np.concatenate([road["sizes"], np.full(n_build, 5), o_sizes]),
        "way_tags": way_tags,
        "way_table": road_table + BUILDING_TAGS + OTHER_WAY_TAGS,
        "rel_members": way_ids[pool],
        "rel_sizes": rel_sizes,
        "stats": {
            "nodes": len(xy),
            "ways": n_ways,
            "relations": n_rel,
            "highway_nodes": n_road,
            "building_ways": n_build,
            "tagged_nodes": int((node_tags > 0).sum()),
            "extent_km": round(extent / 1000, 1),
        },
    }


def write_pbf(path: Path, n_nodes: int, *, seed: int = 0, part: int = 0) -> dict[str, object]:
    """Write a synthetic extract of about ``n_nodes`` nodes to ``path``; return its make-up."""
    import osmium

    start = time.perf_counter()
    parts = make_up(n_nodes, seed, part)
    rng = np.random.default_rng(seed + 1)
    opl = path.with_suffix(".opl")
    with opl.open("wb") as out:
        ids = parts["node_ids"]
        _write_nodes(out, ids, parts["lonlat"], _tag_text(parts["node_table"], parts["node_tags"]))
        refs = ids[parts["way_refs"]]
        tags = _tag_text(parts["way_table"], parts["way_tags"])
        _write_ways(out, parts["way_ids"], refs, parts["way_sizes"], tags)
        n_rel = len(parts["rel_sizes"])
        rel_tags = _tag_text(
            [("type=multipolygon", 0.5), ("type=route,route=bus", 0.5)], rng.integers(0, 2, n_rel)
        )
        _write_ways(
            out,
            _shuffled_ids(rng, n_rel, MAX_IDS[2], part),
            parts["rel_members"],
            parts["rel_sizes"],
            rel_tags,
            prefix="w",
            suffix="@",
        )
    stats = parts["stats"]
    del parts
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
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--part", type=int, default=0, help="k-th adjacent extract")
    args = parser.parse_args(argv)
    print(json.dumps(write_pbf(args.out, args.nodes, seed=args.seed, part=args.part)))


if __name__ == "__main__":
    main()
