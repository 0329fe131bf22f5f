"""Routes chosen by car.lua's routability weight, timed by their duration (as stock OSRM)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage import RoadNetwork, fetch
from maillage.errors import OptionError
from maillage.travel.graph import search
from maillage.travel.graph.graph import graph_from_edges
from maillage.travel.graph.profile import way_penalties, way_rule


@pytest.mark.parametrize(
    ("tags", "bidirectional", "expected"),
    [
        ({"highway": "service", "service": "alley"}, True, (0.5, 0.5)),
        ({"highway": "service", "service": "driveway"}, False, (0.5, 0.5)),
        ({"highway": "residential", "width": "2,9"}, True, (0.5, 0.5)),
        ({"highway": "residential", "width": "3.5"}, True, (0.6, 0.6)),
        ({"highway": "residential", "width": "4.5 m"}, True, (0.75, 0.75)),
        ({"highway": "residential", "width": "5.9"}, True, (0.8, 0.8)),
        ({"highway": "residential", "width": "8"}, True, (1.0, 1.0)),
        ({"highway": "residential", "width": "3"}, False, (1.0, 1.0)),  # one-way: no width penalty
        ({"highway": "residential", "lane_markings": "no", "width": "9"}, True, (0.75, 0.75)),
        ({"highway": "residential", "lane_markings": "no", "width": "4.5"}, True, (0.75, 0.75)),
        ({"highway": "tertiary", "lanes": "1"}, True, (0.5, 0.5)),
        ({"highway": "tertiary", "lanes": "2"}, True, (1.0, 1.0)),
        ({"highway": "tertiary", "side_road": "yes"}, True, (0.8, 0.8)),
        ({"highway": "tertiary", "oneway": "alternating"}, True, (0.4, 0.4)),
        ({"highway": "tertiary", "priority": "backward"}, True, (0.7, 1.0)),
        ({"highway": "tertiary", "priority": "forward", "lanes": "1"}, True, (0.5, 0.5)),
    ],
)
def test_penalties_follow_car_lua(tags, bidirectional, expected):
    assert way_penalties(tags, bidirectional=bidirectional) == expected


def test_way_rule_knows_two_way_roads_as_car_lua_does():
    narrow = {"highway": "residential", "width": "3"}
    assert way_rule(narrow).forward_penalty == 0.5
    assert way_rule({**narrow, "oneway": "yes"}).forward_penalty == 1.0
    # a direction restricted to residents stays a direction of the road for car.lua
    assert way_rule({**narrow, "motor_vehicle:backward": "destination"}).forward_penalty == 0.5
    assert way_rule({**narrow, "motor_vehicle:backward": "no"}).forward_penalty == 1.0


def test_a_route_avoids_an_alley_and_reports_its_time():
    # 0 -> 1 by an alley (60 s, weight 120 s) or 0 -> 2 -> 1 by streets (50 + 30 s)
    tails, heads = np.array([0, 0, 2, 1, 1, 2]), np.array([1, 2, 1, 0, 2, 0])
    times = np.array([60.0, 50.0, 30.0, 60.0, 30.0, 50.0])
    routing = times * np.array([2.0, 1, 1, 2, 1, 1])
    xy = np.array([[0.0, 0.0], [1000.0, 0.0], [500.0, 400.0]])
    graph = graph_from_edges(tails, heads, times, xy, np.arange(3), routing=routing)
    time_s, _ = search.nearest_sources(graph, np.array([0]), np.zeros(1), np.array([0]))
    assert time_s.tolist() == [0.0, 80.0, 50.0]
    time_s, _ = search.nearest_sources(
        graph, np.array([0]), np.zeros(1), np.array([0]), max_time_s=70.0
    )
    assert time_s.tolist() == [0.0, np.inf, 50.0]  # its route takes 80 s, not the alley's 60
    plain = RoadNetwork(graph).describe()
    assert plain["route_by"] == "weight"


_PRIMES = np.array([p for p in range(2, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))])


@st.composite
def weighted_graphs(draw):
    """A random strongly connected graph whose edges weigh 1 to 2.5 times their time."""
    n = draw(st.integers(3, 25))
    ring = np.arange(n)
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    tails = np.r_[ring, [a for a, _ in extra]].astype(int)
    heads = np.r_[(ring + 1) % n, [b for _, b in extra]].astype(int)
    m = len(tails)
    times = np.array(draw(st.lists(st.floats(1.0, 600.0), min_size=m, max_size=m)))
    factor = np.array(
        draw(st.lists(st.sampled_from([1.0, 1.25, 2.0, 2.5]), min_size=m, max_size=m))
    )
    noise = np.array(draw(st.lists(st.floats(0.0, 1e-3), min_size=m, max_size=m)))
    # plus the square root of a distinct prime per edge (independent over the rationals):
    # no two routes weigh the same even when the drawn times, factors and noise coincide
    # (hypothesis shrinks towards such graphs)
    noise += 1e-5 * np.sqrt(_PRIMES[:m])
    routing = times * factor * (1.0 + noise)
    xy = np.column_stack([np.arange(n) * 100.0, np.zeros(n)])
    return graph_from_edges(tails, heads, times, xy, np.arange(n), routing=routing)


@settings(max_examples=60, deadline=None)
@given(graph=weighted_graphs(), data=st.data())
def test_searches_report_the_time_of_the_least_weight_route(graph, data):
    n = graph.n_nodes
    sources = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=4)))
    tails = np.repeat(np.arange(n), np.diff(graph.indptr))
    g = nx.DiGraph()
    for t, h, s, w in zip(tails, graph.indices, graph.weights, graph.routing, strict=True):
        g.add_edge(int(t), int(h), time=float(s), weight=float(w))
    _, paths = nx.multi_source_dijkstra(g, sources, weight="weight")
    expected = np.array(
        [
            sum(g.edges[a, b]["time"] for a, b in zip(paths[v], paths[v][1:], strict=False))
            for v in range(n)
        ]
    )
    got, label = search.nearest_sources(
        graph, np.array(sources), np.zeros(len(sources)), np.array(sources)
    )
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert [int(label[v]) for v in range(n)] == [paths[v][0] for v in range(n)]
    limit = data.draw(st.floats(1.0, 3000.0))
    bounded, _ = search.nearest_sources(
        graph, np.array(sources), np.zeros(len(sources)), np.array(sources), max_time_s=limit
    )
    inside = expected <= limit * (1 - 1e-6)
    np.testing.assert_allclose(bounded[inside], expected[inside], rtol=1e-5)
    outside = expected > limit * (1 + 1e-6)
    assert np.isinf(bounded[outside]).all()


@pytest.fixture(scope="module")
def paris():
    return fetch("osm-paris-bss-valhalla-2020")[0]


def test_central_paris_routes_by_weight(paris):
    net = RoadNetwork.from_osm(paris)
    graph = net.graph
    ratio = graph.routing / graph.weights
    assert (ratio >= 1 - 1e-6).all()
    assert 0.05 < (ratio > 1.01).mean() < 0.5  # alleys, narrow streets, one-lane roads
    fastest = RoadNetwork.from_osm(paris, route_by="duration")
    assert len(fastest.graph.routing) == 0
    assert (net.describe()["route_by"], fastest.describe()["route_by"]) == ("weight", "duration")
    nodes = np.random.default_rng(0).choice(graph.n_nodes, 60, replace=False)
    points = gpd.GeoSeries.from_xy(*graph.xy[nodes].T, crs=2154, index=[f"p{i}" for i in nodes])
    by_weight = net.od_table(points, points, max_time_s=1e7).set_index(["origin_id", "dest_id"])
    by_time = fastest.od_table(points, points, max_time_s=1e7).set_index(["origin_id", "dest_id"])
    ratio = (by_weight["travel_time_s"] / by_time["travel_time_s"]).dropna()
    assert len(ratio) == 60 * 59  # every pair of distinct nodes (0 / 0 for a node to itself)
    assert (ratio > 1.001).mean() > 0.02  # some routes leave the alleys for longer streets
    assert ratio.median() == pytest.approx(1.0, abs=0.01)


def test_route_by_is_checked(paris):
    with pytest.raises(OptionError):
        RoadNetwork.from_osm(paris, route_by="distance")
