"""Property tests of the road-network searches (hypothesis)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage import RoadNetwork
from maillage.travel.graph.graph import graph_from_edges


@st.composite
def networks(draw):
    """A random strongly connected directed graph: a ring plus random extra edges."""
    n = draw(st.integers(3, 30))
    ring = np.arange(n)
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    tails = np.r_[ring, [a for a, _ in extra]].astype(int)
    heads = np.r_[(ring + 1) % n, [b for _, b in extra]].astype(int)
    times = draw(
        st.lists(st.floats(0.5, 600.0, allow_nan=False), min_size=len(tails), max_size=len(tails))
    )
    # nodes on a circle: no straight edge passes over another node, so a point at a node is
    # placed on that node (points are placed on the nearest edge, not the nearest node)
    angle = 2 * np.pi * np.arange(n) / n
    xy = np.column_stack([4e5 + 5e4 * np.cos(angle), 6.5e6 + 5e4 * np.sin(angle)])
    graph = graph_from_edges(tails, heads, np.array(times), xy, np.arange(n))
    return RoadNetwork(graph)


def points(net: RoadNetwork, nodes) -> gpd.GeoSeries:
    xy = net.graph.xy[list(nodes)]
    return gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154, index=list(nodes))


@settings(max_examples=60, deadline=None)
@given(net=networks(), data=st.data())
def test_adding_a_venue_never_lengthens_any_time(net, data):
    n = net.n_nodes
    venues = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))
    new = data.draw(st.integers(0, n - 1))
    homes = points(net, range(n))
    before = net.nearest(homes, points(net, sorted(venues)))["travel_time_s"]
    after = net.nearest(homes, points(net, sorted(venues | {new})))["travel_time_s"]
    assert (after <= before + 1e-9).all()
    assert after.loc[new] == 0.0


@settings(max_examples=60, deadline=None)
@given(net=networks(), data=st.data())
def test_nearest_equals_networkx_and_od_table_agrees(net, data):
    n = net.n_nodes
    venues = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=5)))
    limit = data.draw(st.floats(1.0, 2000.0))
    g = net.graph
    tails = np.repeat(np.arange(n), np.diff(g.indptr))
    forward = nx.DiGraph()
    forward.add_weighted_edges_from(
        zip(tails.tolist(), g.indices.tolist(), g.weights.tolist(), strict=True)
    )
    reference = nx.multi_source_dijkstra_path_length(forward.reverse(), set(venues))
    homes = points(net, range(n))
    result = net.nearest(homes, points(net, venues))
    np.testing.assert_allclose(result["travel_time_s"], [reference[i] for i in range(n)], atol=1e-9)
    table = net.od_table(homes, points(net, venues), max_time_s=limit)
    best = table.groupby("origin_id")["travel_time_s"].min()
    within = result["travel_time_s"][result["travel_time_s"] <= limit]
    np.testing.assert_allclose(best.reindex(within.index), within, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(net=networks(), data=st.data())
def test_multi_source_with_start_times_equals_networkx(net, data):
    """Sources that start late (access legs) are handled like a virtual source's edges."""
    from maillage.travel.graph.search import nearest_sources

    n = net.n_nodes
    sources = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6)))
    starts = np.array(
        data.draw(st.lists(st.floats(0, 5000), min_size=len(sources), max_size=len(sources)))
    )
    limit = data.draw(st.one_of(st.none(), st.floats(0, 3000)))
    g = net.graph
    tails = np.repeat(np.arange(n), np.diff(g.indptr))
    forward = nx.DiGraph()
    forward.add_weighted_edges_from(
        zip(tails.tolist(), g.indices.tolist(), g.weights.tolist(), strict=True)
    )
    reverse = forward.reverse()
    for s, t in zip(sources.tolist(), starts.tolist(), strict=True):
        old = reverse.get_edge_data("virtual", s, {"weight": np.inf})["weight"]
        reverse.add_edge("virtual", s, weight=min(old, t))
    reference = nx.single_source_dijkstra_path_length(reverse, "virtual", cutoff=limit)
    time_s, label = nearest_sources(
        g.reversed(), sources, starts, np.arange(len(sources)), max_time_s=limit
    )
    expected = np.array([reference.get(i, np.inf) for i in range(n)])
    np.testing.assert_allclose(time_s, expected, atol=1e-9)
    assert ((label >= 0) == np.isfinite(time_s)).all()
