"""Turn costs of OSRM's car profile in the road-graph searches."""

from __future__ import annotations

import heapq

import geopandas as gpd
import numpy as np
import osmium
import pytest
from pyproj import Geod

from maillage import RoadNetwork, fetch, options
from maillage.errors import NetworkError
from maillage.travel.graph.search import nearest_sources
from maillage.travel.graph.turns import turn_cost_s

GEOD = Geod(ellps="WGS84")


def car_lua(angle: float, *, roundabout: bool = False) -> float:
    """process_turn of car.lua, written out again (turn_penalty 7.5, turn_bias 1.075)."""
    if angle >= 0:
        cost = 7.5 / (1 + np.exp(-((13 / 1.075) * angle / 180 - 6.5 * 1.075)))
    else:
        cost = 7.5 / (1 + np.exp(-((13 * 1.075) * -angle / 180 - 6.5 / 1.075)))
    if angle < 0 and not roundabout:
        cost += 2.0 / (1 + np.exp(-(13 * abs(angle) / 180 - 3.25)))
    return cost


@pytest.mark.parametrize("angle", [-180.0, -135.0, -90.0, -30.0, 0.0, 30.0, 90.0, 150.0])
def test_turn_cost_is_car_lua(angle):
    assert turn_cost_s(np.array([angle]))[0] == pytest.approx(car_lua(angle))
    assert turn_cost_s(np.array([angle]), roundabout=True)[0] == pytest.approx(
        car_lua(angle, roundabout=True)
    )


def test_turns_cost_more_to_the_left_and_straight_is_almost_free():
    straight, right, left = turn_cost_s(np.array([0.0, 90.0, -90.0]))
    assert straight < 0.01 < right < 2.2
    assert 7.3 < left < 7.4


# A cross at 45°N: centre 0, arms north 1, east 2, south 3, west 4, all primary two-way.
D = 0.01
NODES = {0: (0.0, 45.0), 1: (0.0, 45.0 + D), 2: (D, 45.0), 3: (0.0, 45.0 - D), 4: (-D, 45.0)}


@pytest.fixture(scope="module")
def cross(tmp_path_factory) -> RoadNetwork:
    tmp = tmp_path_factory.mktemp("cross")
    path = tmp / "cross.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id in sorted(NODES):
            writer.add_node(osmium.osm.mutable.Node(id=node_id + 1, location=NODES[node_id]))
        for arm in (1, 2, 3, 4):
            tags = {"highway": "primary"}
            writer.add_way(osmium.osm.mutable.Way(id=arm, nodes=[1, arm + 1], tags=tags))
    with options.set(cache_dir=tmp / "cache"):
        return RoadNetwork.from_osm(path)


def _leg(net: RoadNetwork, a: int, b: int) -> float:
    """Time of the road a -> b (its edge, without turn)."""
    g, ids = net.graph, net.graph.node_ids.tolist()
    tail = ids.index(a + 1)
    heads = g.indices[g.indptr[tail] : g.indptr[tail + 1]]
    (j,) = np.flatnonzero(heads == ids.index(b + 1))
    return float(g.weights[g.indptr[tail] + j])


def test_legs_are_the_roads(cross):
    (lon1, lat1), (lon2, lat2) = NODES[4], NODES[0]
    assert _leg(cross, 4, 0) == pytest.approx(
        GEOD.inv(lon1, lat1, lon2, lat2)[2] / (65 / 3.6), rel=5e-3
    )


def _table(net: RoadNetwork) -> dict[tuple[int, int], float]:
    ids = net.graph.node_ids.tolist()
    order = [ids.index(i + 1) for i in range(5)]
    xy = net.graph.xy[order]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154)
    table = net.od_table(points, points, max_time_s=3600)
    return {
        (int(o), int(d)): float(t)
        for o, d, t in table[["origin_id", "dest_id", "travel_time_s"]].itertuples(index=False)
    }


def test_times_through_a_cross_pay_car_lua_turns(cross):
    times = _table(cross)
    west = _leg(cross, 4, 0)
    # from the west: north is a left turn, south a right turn, east straight on (the
    # angles are those of the projected arms, within a few tenths of a degree of 90)
    assert times[4, 1] == pytest.approx(west + _leg(cross, 0, 1) + car_lua(-90), abs=0.05)
    assert times[4, 3] == pytest.approx(west + _leg(cross, 0, 3) + car_lua(90), abs=0.05)
    # straight on: the projected parallel bends 0.007° to the left, and car.lua charges the
    # wait for oncoming traffic from the first degree: 0.09 s instead of 0.01 s
    assert times[4, 2] == pytest.approx(west + _leg(cross, 0, 2) + car_lua(-0.007), abs=0.01)
    # starting or ending at the intersection: no turn
    assert times[0, 1] == pytest.approx(_leg(cross, 0, 1))
    assert times[4, 0] == pytest.approx(west)


def test_nearest_agrees_with_the_table(cross):
    ids = cross.graph.node_ids.tolist()
    xy = cross.graph.xy[[ids.index(i + 1) for i in range(5)]]
    points = gpd.GeoSeries.from_xy(xy[:, 0], xy[:, 1], crs=2154)
    table = _table(cross)
    near = cross.nearest(points, points.iloc[[1]])
    for origin in range(5):
        assert near.loc[origin, "travel_time_s"] == pytest.approx(table[origin, 1])


def reference_times(graph, sources: list[int]) -> np.ndarray:
    """The kernels' rule written plainly: Dijkstra with a heap on the reversed graph; when a
    settled node ``u`` is an intersection, extending its route by the reversed edge ``j``
    costs car.lua's turn from road ``j`` onto the road the route leaves ``u`` by."""
    rev = graph.reversed()
    dist = np.full(rev.n_nodes, np.inf)
    last = np.full(rev.n_nodes, np.nan)
    last_rb = np.zeros(rev.n_nodes, dtype=bool)
    heap = [(0.0, s) for s in sources]
    for s in sources:
        dist[s] = 0.0
    done = np.zeros(rev.n_nodes, dtype=bool)
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        for j in range(rev.indptr[u], rev.indptr[u + 1]):
            v, nd = rev.indices[j], d + rev.weights[j]
            if rev.junction[u] and not np.isnan(last[u]):
                ccw = (float(last[u]) - float(rev.heading[j]) + 180.0) % 360.0 - 180.0
                nd += car_lua(-ccw, roundabout=bool(last_rb[u] or rev.roundabout[j]))
            if nd < dist[v]:
                dist[v], last[v], last_rb[v] = nd, rev.heading[j], rev.roundabout[j]
                heapq.heappush(heap, (nd, v))
    return dist


def test_searches_follow_the_turn_rule_on_a_real_extract(tmp_path):
    with options.set(cache_dir=tmp_path):
        net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0])
    assert net.graph.turn_costs and net.graph.junction.any() and net._reversed.reverse
    venues = np.random.default_rng(4).choice(net.n_nodes, 3, replace=False)
    for venue in venues:
        mine, _ = nearest_sources(net._reversed, np.array([venue]), np.zeros(1), np.zeros(1))
        # the kernels interpolate car.lua's tabulated cost: within 1e-4 s per turn
        np.testing.assert_allclose(mine, reference_times(net.graph, [int(venue)]), atol=1e-3)
    plain = RoadNetwork.from_osm(
        fetch("osm-saint-barthelemy-2015")[0], turn_costs=False, cache=False
    )
    free, _ = nearest_sources(plain._reversed, venues[:1], np.zeros(1), np.zeros(1))
    turned, _ = nearest_sources(net._reversed, venues[:1], np.zeros(1), np.zeros(1))
    assert (turned >= free - 1e-9).all() and (turned > free).mean() > 0.5


def test_without_turn_costs(tmp_path):
    path = tmp_path / "cross.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id in sorted(NODES):
            writer.add_node(osmium.osm.mutable.Node(id=node_id + 1, location=NODES[node_id]))
        for arm in (1, 2, 3, 4):
            tags = {"highway": "primary"}
            writer.add_way(osmium.osm.mutable.Way(id=arm, nodes=[1, arm + 1], tags=tags))
    with options.set(cache_dir=tmp_path / "cache"):
        plain = RoadNetwork.from_osm(path, turn_costs=False)
        turns = RoadNetwork.from_osm(path)  # another cache entry
        assert len(list((tmp_path / "cache" / "road-graphs").glob("*.npz"))) == 2
    assert not plain.graph.turn_costs and turns.graph.turn_costs
    assert plain.n_edges == turns.n_edges and plain.describe()["turn_costs"] == "none"
    fast, slow = _table(plain), _table(turns)
    assert fast[4, 1] == pytest.approx(slow[4, 1] - car_lua(-90), abs=0.05)


def test_turn_plan_holds_car_lua_for_every_pair_of_edges(tmp_path):
    from maillage.travel.graph.search import graph_turn_plan

    with options.set(cache_dir=tmp_path):
        net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0])
    g = net._reversed
    cost, offset, rank = graph_turn_plan(g)
    assert graph_turn_plan(g)[0] is cost  # computed once per graph
    tails = np.repeat(np.arange(g.n_nodes), np.diff(g.indptr))
    rng = np.random.default_rng(0)
    checked = 0
    for i in rng.permutation(g.n_edges)[:3000]:
        u = g.indices[i]
        if not g.junction[u]:
            assert offset[u] == -1
            continue
        assert (tails[:i][g.indices[:i] == u]).size == rank[i]  # rank among arriving edges
        deg = g.indptr[u + 1] - g.indptr[u]
        for k, j in enumerate(range(g.indptr[u], g.indptr[u + 1])):
            # reversed graph: the trip drives edge j (turned around), then edge i
            ccw = (float(g.heading[i]) - float(g.heading[j]) + 180.0) % 360.0 - 180.0
            if abs(ccw) > 179.9:  # car.lua's cost jumps at a U-turn; the table interpolates
                continue
            expected = car_lua(-ccw, roundabout=bool(g.roundabout[i] or g.roundabout[j]))
            assert cost[offset[u] + rank[i] * deg + k] == pytest.approx(expected, abs=1e-3)
            checked += 1
    assert checked > 1000


def test_bounded_searches_charge_the_same_turns_as_the_nearest_search(tmp_path):
    from maillage.travel.graph.search import bounded_pairs, reach

    with options.set(cache_dir=tmp_path):
        net = RoadNetwork.from_osm(fetch("osm-saint-barthelemy-2015")[0])
    g = net._reversed
    venue = int(np.random.default_rng(5).integers(g.n_nodes))
    full, _ = nearest_sources(g, np.array([venue]), np.zeros(1), np.zeros(1))
    nodes, times = reach(g, np.array([venue]), np.zeros(1), 600.0)
    np.testing.assert_allclose(times, full[nodes])
    assert set(nodes.tolist()) == set(np.flatnonzero(full <= 600.0).tolist())
    points = np.flatnonzero(np.isfinite(full))[:500]
    p, s, t = bounded_pairs(
        g,
        (np.zeros(1, dtype=int), np.array([venue]), np.zeros(1)),
        (np.arange(len(points)), points, np.zeros(len(points))),
        max_time_s=600.0,
    )
    assert (s == 0).all()
    np.testing.assert_allclose(t, full[points[p]])
    assert len(p) == int((full[points] <= 600.0).sum())


def test_too_many_roads_into_one_node_is_refused():
    from dataclasses import replace

    from maillage.travel.graph.graph import graph_from_edges

    leaves = 40_000
    tails = np.arange(1, leaves + 1)
    heads = np.zeros(leaves, dtype=np.int64)
    xy = np.column_stack([np.cos(tails), np.sin(tails)]).astype(float)
    xy = np.vstack([[0.0, 0.0], xy])
    g = graph_from_edges(
        np.concatenate([tails, heads]), np.concatenate([heads, tails]),
        np.ones(2 * leaves), xy, np.arange(leaves + 1),
    )  # fmt: skip
    g = replace(
        g,
        heading=np.zeros(g.n_edges, dtype=np.float32),
        junction=np.ones(g.n_nodes, dtype=bool),
        roundabout=np.zeros(g.n_edges, dtype=bool),
    )
    with pytest.raises(NetworkError, match="arriving edges"):
        nearest_sources(g, np.array([1]), np.zeros(1), np.zeros(1))
