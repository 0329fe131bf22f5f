"""The real-size benchmark's adjacent synthetic extracts make one road network, as Geofabrik's.

``benchmarks/synthetic_osm.py --region`` writes three files that tile one road grid; read
together (:func:`maillage.travel.graph.osm.read_ways` with several files), they must give one
connected graph over the whole square, each road crossing a border read once.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from maillage.travel.graph.osm import read_ways
from maillage.travel.graph.ways import graph_from_ways

_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "synthetic_osm.py"


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("synthetic_osm", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("region")
    records = module.write_region(folder, 300_000, seed=4)
    return [folder / r["file"] for r in records], records


def test_the_adjacent_extracts_read_together_are_one_road_network(region):
    files, records = region
    assert [r["tile"] for r in records] == ["aquitaine", "poitou-charentes", "limousin"]
    json.dumps(records)  # the make-up lines the benchmark reads
    alone = [graph_from_ways(read_ways(f)) for f in files]
    merged = graph_from_ways(read_ways(files))
    # one strongly connected graph larger than any file alone, spanning all three tiles
    assert merged.n_nodes > max(g.n_nodes for g in alone)
    low, high = merged.xy.min(axis=0), merged.xy.max(axis=0)
    for graph in alone:
        assert (graph.xy.min(axis=0) >= low - 1).all() and (graph.xy.max(axis=0) <= high + 1).all()
    span = high - low
    assert all((g.xy.max(axis=0) - g.xy.min(axis=0) < span - 1000).any() for g in alone)
    # the roads on a border are in two files with the same ids, read once
    ways = read_ways(files)
    assert ways.n_ways < sum(read_ways(f).n_ways for f in files)
    shared = set(alone[0].node_ids) & set(alone[1].node_ids)
    assert shared and shared <= set(merged.node_ids)
