"""The graph build's lower-memory steps give the same graph as the plain numpy ones."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from maillage import fetch
from maillage.travel.graph import turns
from maillage.travel.graph.graph import Graph, build_graph, graph_from_edges
from maillage.travel.graph.osm import RawWays, read_ways
from maillage.travel.graph.turns import count_roads, turn_data
from maillage.travel.graph.ways import _distinct, graph_from_ways


@pytest.fixture(scope="module")
def andorra() -> RawWays:
    return read_ways(fetch("osm-andorra-2013")[0])


@pytest.fixture(scope="module")
def andorra_graph(andorra: RawWays) -> Graph:
    return graph_from_ways(andorra)


def _tails(graph: Graph) -> np.ndarray:
    return np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))


def test_distinct_is_numpy_unique(andorra: RawWays) -> None:
    ids = andorra.node_ids
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    row, rank = _distinct(ids)
    assert len(row) < len(ids)  # ways share nodes
    np.testing.assert_array_equal(row, first)
    np.testing.assert_array_equal(rank, inverse)
    assert rank.dtype == np.int32


def test_junctions_and_headings_match_the_plain_computation(
    andorra_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = andorra_graph
    tails = _tails(g)
    np.testing.assert_array_equal(g.junction, count_roads(tails, g.indices, g.n_nodes) >= 3)
    step = g.xy[g.indices] - g.xy[tails]
    heading = np.degrees(np.arctan2(step[:, 1], step[:, 0])).astype(np.float32)
    np.testing.assert_array_equal(g.heading, heading)
    monkeypatch.setattr(turns, "_CHUNK_NODES", 7)  # many chunks
    chunked, junction = turn_data(g.indptr, g.indices, g.xy)
    np.testing.assert_array_equal(chunked, heading)
    np.testing.assert_array_equal(junction, g.junction)


def test_road_count_skips_loops_and_repeated_edges() -> None:
    # node 0: edges to 1, 1 (repeated), 0 (loop), 2; node 3 reaches 0 only
    indptr, indices = np.array([0, 4, 4, 4, 5]), np.array([0, 1, 1, 2, 0], dtype=np.int32)
    _, junction = turn_data(indptr, indices, np.arange(8.0).reshape(4, 2))
    roads = count_roads(np.repeat(np.arange(4), np.diff(indptr)), indices, 4)
    assert roads.tolist() == [3, 1, 1, 1]
    assert junction.tolist() == [True, False, False, False]


def test_dedupe_keeps_the_first_fastest_of_parallel_edges_on_real_edges(
    andorra_graph: Graph,
) -> None:
    g = andorra_graph
    tails, heads, n = _tails(g), g.indices, g.n_edges
    rng = np.random.default_rng(0)
    # every edge three times (slower, as fast with another delay, itself), shuffled, plus loops
    all_tails = np.concatenate([tails, tails, tails, np.arange(50)])
    all_heads = np.concatenate([heads, heads, heads, np.arange(50)])
    times = np.concatenate([g.weights + 1.0, g.weights, g.weights, np.full(50, 0.5)])
    delay = np.concatenate([g.delay, g.delay + 100.0, g.delay, np.zeros(50)])
    order = rng.permutation(len(all_tails))
    rebuilt = graph_from_edges(
        all_tails[order], all_heads[order], times[order], g.xy, g.node_ids,
        delay=delay[order], routing=np.concatenate([g.routing] * 3 + [np.ones(50)])[order],
    )  # fmt: skip
    assert rebuilt.n_edges == n
    for name in ("indptr", "indices", "weights", "routing"):
        np.testing.assert_array_equal(getattr(rebuilt, name), getattr(g, name), err_msg=name)
    # of the two fastest copies, the first in the shuffled input is kept
    first_is_shifted = np.argsort(order)[n : 2 * n] < np.argsort(order)[2 * n : 3 * n]
    expected = np.where(first_is_shifted, g.delay + 100.0, g.delay)
    np.testing.assert_array_equal(rebuilt.delay, expected)


def test_build_graph_takes_the_edge_arrays(andorra_graph: Graph) -> None:
    g = andorra_graph
    tails = _tails(g)
    edges = {
        "tails": tails.copy(), "heads": g.indices.copy(), "times": g.weights.copy(),
        "xy": g.xy.copy(), "node_ids": g.node_ids.copy(), "delay": g.delay.copy(),
    }  # fmt: skip
    built = build_graph(edges)
    assert edges == {}
    plain = graph_from_edges(tails, g.indices, g.weights, g.xy, g.node_ids, delay=g.delay)
    for name in ("indptr", "indices", "weights", "xy", "node_ids", "delay"):
        np.testing.assert_array_equal(getattr(built, name), getattr(plain, name), err_msg=name)


@pytest.mark.parametrize("name", ["osm-monaco-osrm-2016", "osm-andorra-2013"])
def test_build_peak_memory_per_edge(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's arrays peak below 130 bytes per edge (about 200 before it was lowered).

    Headings and road counts go by chunks of 65,536 nodes; chunks of 2,048 nodes make
    these graphs span several, as a national graph does.
    """
    monkeypatch.setattr(turns, "_CHUNK_NODES", 2048)
    raw = read_ways(fetch(name)[0])
    graph_from_ways(raw)  # compiled kernels loaded
    tracemalloc.start()
    try:
        graph = graph_from_ways(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert graph.n_edges > 20_000
    assert peak / graph.n_edges < 130
